"""Every write of a temporary stay from another municipality (SPEC R8.4, seed 002
§Beställning av tillfällig vistelse: "Borådet tar emot beställningen från annan kommun via
e-tjänst och registrerar i verksamhetssystemet").

1. ``receive_intake``: what the e-service posts, through the API, with the receiving
   municipality's account (a placement-unit account). The e-service's own id makes a repeated
   post the same intake (idempotent).
2. ``register_intake``: the placement unit registers it. The client record is found by
   personnummer within the receiving municipality, or created there in the myndighet unit the
   placement unit names, with the stay's address and "tillfällig vistelse från ..." as its
   whereabouts; a note goes to the case journal. The decision on the help asked for is the
   officer's (R1.2): registration makes no decision, the unit's officer sees the client and
   the note.
3. ``decline_intake``: the placement unit declines it with a reason.

Each step is one transaction and takes the acting user; bad input is a ValidationFailed with
Swedish messages, a step out of turn a 409.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from verkstall.access.models import Unit
from verkstall.core import clock
from verkstall.core.dates import parse_date
from verkstall.core.errors import DomainError, PermissionDenied, ValidationFailed
from verkstall.core.personal_number import InvalidPersonalNumber, parse_personal_number
from verkstall.journal.case_services import write_case_entry
from verkstall.people.models import Person

from .models import IntakeState, StayIntake
from .selectors import is_placement_unit, journal_safe

JOURNAL_TITLE = "Tillfällig vistelse från annan kommun"
REQUIRED = {
    "external_id": "Ange e-tjänstens ärende-id.",
    "first_name": "Ange förnamn.",
    "last_name": "Ange efternamn.",
    "home_municipality_name": "Ange hemkommun.",
    "street_address": "Ange adressen under vistelsen.",
    "help_requested": "Ange vilka insatser som söks.",
}
LIMITS = {
    "external_id": 100,
    "first_name": 100,
    "last_name": 100,
    "home_municipality_name": 100,
    "street_address": 200,
    "postal_code": 10,
    "city": 100,
    "contact_name": 200,
    "contact_phone": 30,
    "contact_email": 254,
}


class IntakeStepNotAllowed(DomainError):
    """The intake is already registered or declined (409)."""

    status_code = 409
    code = "intake_step_not_allowed"


def _require_placement_unit(actor, municipality_id: int | None, what: str) -> None:
    if not is_placement_unit(actor, municipality_id):
        raise PermissionDenied(f"Endast kommunens handläggningsenhet kan {what}.")
    if actor.municipality_id is None:
        raise PermissionDenied("Kontot hör inte till någon kommun.")


def _text(values: dict, errors: dict) -> dict:
    cleaned = {}
    for field in (*REQUIRED, *LIMITS):
        raw = values.get(field)
        value = "" if raw is None else str(raw).strip()
        if field in REQUIRED and not value:
            errors[field] = REQUIRED[field]
        elif len(value) > LIMITS.get(field, 10_000):
            errors[field] = f"Högst {LIMITS[field]} tecken."
        cleaned[field] = value
    return cleaned


@transaction.atomic
def receive_intake(actor, **values) -> tuple[StayIntake, bool]:
    """Receive what the e-service posts (R8.4). Returns the intake and whether it is new: the
    same `external_id` posted again is the intake already received."""
    _require_placement_unit(actor, None, "ta emot tillfälliga vistelser")
    errors: dict[str, str] = {}
    data = _text(values, errors)
    try:
        number = parse_personal_number(str(values.get("personal_number") or ""))
    except InvalidPersonalNumber as exc:
        errors["personal_number"] = str(exc)
    code = str(values.get("home_municipality_code") or "").strip()
    if code and not re.fullmatch(r"\d{4}", code):
        errors["home_municipality_code"] = "Kommunkoden är fyra siffror."
    elif code and code == actor.municipality.code:
        errors["home_municipality_code"] = "Hemkommunen kan inte vara den mottagande kommunen."
    stay_from = parse_date(values.get("stay_from"), "stay_from", errors)
    stay_to = parse_date(values.get("stay_to"), "stay_to", errors)
    if stay_from and stay_to and stay_to < stay_from:
        errors["stay_to"] = "Vistelsen kan inte sluta före den börjar."
    if data.get("contact_email"):
        try:
            validate_email(data["contact_email"])
        except DjangoValidationError:
            errors["contact_email"] = "Ogiltig e-postadress."
    if errors:
        raise ValidationFailed(errors)
    existing = StayIntake.objects.filter(
        municipality_id=actor.municipality_id, external_id=data["external_id"]
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            intake = StayIntake.objects.create(
                municipality_id=actor.municipality_id,
                received_by=actor,
                personal_number=number.value,
                home_municipality_code=code,
                stay_from=stay_from,
                stay_to=stay_to,
                **data,
            )
    except IntegrityError:  # the same post, at the same moment
        intake = StayIntake.objects.get(
            municipality_id=actor.municipality_id, external_id=data["external_id"]
        )
        return intake, False
    return intake, True


def _lock(intake: StayIntake) -> StayIntake:
    locked = StayIntake.objects.select_for_update().get(pk=intake.pk)
    if locked.state != IntakeState.PENDING:
        raise IntakeStepNotAllowed(f"Ärendet är redan {locked.get_state_display().lower()}.")
    return locked


def _stay_text(intake: StayIntake) -> str:
    return (
        f"Tillfällig vistelse från {intake.home_municipality} "
        f"{intake.stay_from:%Y-%m-%d}–{intake.stay_to:%Y-%m-%d}"
    )


def _create_person(intake: StayIntake, unit_id: int) -> Person:
    """The client record of the receiving municipality (R8.4), in the unit named."""
    return Person.objects.create(
        municipality_id=intake.municipality_id,
        unit_id=unit_id,
        personal_number=intake.personal_number,
        first_name=intake.first_name,
        last_name=intake.last_name,
        street_address=intake.street_address,
        postal_code=intake.postal_code,
        city=intake.city,
        whereabouts=_stay_text(intake)[:200],
    )


@transaction.atomic
def register_intake(actor, *, intake: StayIntake, unit) -> StayIntake:
    """Register the intake (R8.4): the client record of the receiving municipality, found by
    personnummer or created in `unit`, and a note in the case journal. No decision is made."""
    _require_placement_unit(actor, intake.municipality_id, "registrera tillfälliga vistelser")
    intake = _lock(intake)
    unit_id = getattr(unit, "pk", unit)
    if (
        not str(unit_id or "").isdigit()
        or not Unit.objects.filter(pk=int(unit_id), municipality_id=intake.municipality_id).exists()
    ):
        raise ValidationFailed({"unit": "Välj en myndighetsenhet i kommunen."})
    person = Person.objects.filter(
        municipality_id=intake.municipality_id, personal_number=intake.personal_number
    ).first()
    found = person is not None
    if person is None:
        try:
            with transaction.atomic():
                person = _create_person(intake, int(unit_id))
        except IntegrityError:  # registered by an officer at the same moment
            raise ValidationFailed(
                {"personal_number": "Klienten registrerades just; försök igen."}
            ) from None
    contact = ", ".join(
        v for v in (intake.contact_name, intake.contact_phone, intake.contact_email) if v
    )
    # A client already registered may be protected: the stay's address stays on the intake,
    # seen by the placement unit, and out of the case journal (R10.5).
    address = f"{intake.street_address} {intake.postal_code} {intake.city}"
    address = journal_safe(person, address, kept_on="ärendet hos handläggningsenheten")
    lines = [
        f"{_stay_text(intake)}. Inkom via e-tjänst (ärende {intake.external_id}).",
        f"Adress under vistelsen: {address}",
        f"Insatser som söks: {intake.help_requested}",
        f"Kontakt i hemkommunen: {contact or 'ej angiven'}",
        "Registrerad av handläggningsenheten; beslut om insatser fattas av handläggare.",
    ]
    if found:
        lines.append("Klienten fanns redan registrerad i kommunen.")
    write_case_entry(actor, person=person, title=JOURNAL_TITLE, text="\n".join(lines))
    intake.person = person
    intake.unit_id = person.unit_id
    intake.state = IntakeState.REGISTERED
    intake.handled_by = actor
    intake.handled_at = clock.now()
    intake.save(update_fields=["person", "unit", "state", "handled_by", "handled_at"])
    return intake


@transaction.atomic
def decline_intake(actor, *, intake: StayIntake, reason: str) -> StayIntake:
    """Decline the intake with a reason (R8.4); no client record is made."""
    _require_placement_unit(actor, intake.municipality_id, "avböja tillfälliga vistelser")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Ange skäl till att ärendet avböjs."})
    if len(reason) > 300:
        raise ValidationFailed({"reason": "Högst 300 tecken."})
    intake = _lock(intake)
    intake.state = IntakeState.DECLINED
    intake.decline_reason = reason
    intake.handled_by = actor
    intake.handled_at = clock.now()
    intake.save(update_fields=["state", "decline_reason", "handled_by", "handled_at"])
    return intake
