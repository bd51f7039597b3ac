"""The request for a service without needs assessment (IUB) as its own registered step (SPEC
R1.3, seed 002 §IUB: "Förste handläggare tar emot förfrågan från den enskilde om IUB ...
Förste handläggare registrerar telefonnummer och anhöriguppgifter").

The first case officer registers who asked, when and how, and at the same time the client's
phone and relatives (through people.services, so the client's change history keeps them,
R1.1). The decision that grants the service points back at the request when it is recorded
(`decisions.services.record_decision(iub_request=...)`, which calls `check_iub_request` and
`link_iub_request` here); the order to a provider and the decision letter follow the ordinary
flow. Every second year a new request is registered on the order it led to (R6.2,
followups.services.record_iub_request, which calls `renew_iub_request`): the requests of a
decision are its history, the first one the request that started it.

This module imports nothing of decisions.services (which imports it).
"""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.dates import parse_date
from verkstall.core.errors import ValidationFailed
from verkstall.journal.case_services import write_case_entry
from verkstall.people.services import add_relative, update_person

from .models import IubRequest, ServiceType

#: How a request reached the officer (stored in IubRequest.channel), with its label.
IUB_CHANNELS: dict[str, str] = {
    "phone": "Telefon",
    "visit": "Besök",
    "letter": "Brev",
    "email": "E-post",
    "e_service": "E-tjänst",
    "other": "Annat",
}
#: The reason the client's change history gives for a phone or relative registered here.
CONTACT_REASON = "Registrerat vid förfrågan om IUB"
ASKED_BY_MAX = 200
JOURNAL_TITLE = "Förfrågan om IUB"
RENEWAL_TITLE = "Ny förfrågan om IUB"


def channel_label(channel: str) -> str:
    return IUB_CHANNELS.get(channel, channel or "–")


def unassessed_type(value) -> ServiceType | None:
    """An active service type without needs assessment, by instance, code or id; None if the
    value names no such type."""
    if isinstance(value, ServiceType):
        return value if value.unassessed and value.active else None
    lookup = {"code": value} if isinstance(value, str) and not value.isdigit() else {"pk": value}
    try:
        return ServiceType.objects.get(active=True, unassessed=True, **lookup)
    except (ServiceType.DoesNotExist, ValueError, TypeError):
        return None


def _clean_asked_by(value, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        errors["asked_by"] = "Ange vem som frågade: den enskilde, eller vem som frågade för den."
    elif len(text) > ASKED_BY_MAX:
        errors["asked_by"] = f"Högst {ASKED_BY_MAX} tecken."
    return text


def _clean_asked_on(value, errors: dict):
    asked = parse_date(value, "asked_on", errors)
    if asked and asked > clock.today():
        errors["asked_on"] = "Förfrågan kan inte vara gjord i framtiden."
    return asked


def _clean_channel(value, errors: dict, *, required: bool = True) -> str:
    channel = (value or "").strip()
    if (channel or required) and channel not in IUB_CHANNELS:
        errors["channel"] = "Välj hur förfrågan kom in."
    return channel


def _clean_relatives(relatives, errors: dict) -> list[dict]:
    """The relatives to add: rows with nothing filled in are left out; a row with a phone or
    relation but no name is an error (checked before anything is written)."""
    rows = []
    for i, rel in enumerate(relatives or []):
        values = {k: (rel.get(k) or "").strip() for k in ("name", "relation", "phone", "email")}
        if not any(values.values()):
            continue
        if not values["name"]:
            errors[f"relatives[{i}].name"] = "Ange den anhöriges namn."
        rows.append(values)
    return rows


@transaction.atomic
def register_iub_request(
    actor,
    *,
    person,
    asked_by: str,
    asked_on,
    channel: str,
    note: str = "",
    service_type=None,
    phone: str | None = None,
    relatives: list[dict] | None = None,
) -> IubRequest:
    """The first case officer registers a request for a service without needs assessment (R1.3):
    who asked, when and how; at the same time the client's phone and relatives (seed 002 §IUB).
    Officers of the client's unit only. One transaction: the request, the client's contact data
    (each change in the client's history) and the case-journal entry, or nothing."""
    require_officer_of_unit(actor, person.unit_id, "registrera förfrågan om IUB")
    errors: dict[str, str] = {}
    who = _clean_asked_by(asked_by, errors)
    asked = _clean_asked_on(asked_on, errors)
    how = _clean_channel(channel, errors)
    stype = None
    if service_type not in (None, ""):
        stype = unassessed_type(service_type)
        if stype is None:
            errors["service_type"] = "Välj en insats utan behovsprövning (IUB)."
    phone = (phone or "").strip()
    if len(phone) > 30:
        errors["phone"] = "Högst 30 tecken."
    rels = _clean_relatives(relatives, errors)
    if errors:
        raise ValidationFailed(errors)
    if phone and phone != person.phone:
        person = update_person(actor, person, phone=phone, reason=CONTACT_REASON)
    for rel in rels:
        add_relative(actor, person, reason=CONTACT_REASON, **rel)
    request = IubRequest.objects.create(
        municipality_id=person.municipality_id,
        unit_id=person.unit_id,
        person=person,
        service_type=stype,
        asked_by=who,
        asked_on=asked,
        channel=how,
        note=(note or "").strip(),
        first_officer=actor,
    )
    write_case_entry(
        actor,
        person=person,
        title=JOURNAL_TITLE,
        text=request_text(request, contact=bool(phone or rels)),
    )
    return request


def request_text(request: IubRequest, *, contact: bool = False) -> str:
    """The case-journal text of a registered request. Who asked and the note may name a
    relative: for a client with protected personal data they stay on the request, shown to
    the named staff only (R10.5), and the journal says where to find them."""
    what = request.service_type.name if request.service_type_id else "insats utan behovsprövning"
    hidden = request.person.is_protected
    who = "se förfrågan (skyddade personuppgifter)" if hidden else request.asked_by
    lines = [
        f"Förfrågan om {what[:1].lower()}{what[1:]}.",
        f"Frågade: {who}, {request.asked_on:%Y-%m-%d}, "
        f"via {channel_label(request.channel).lower()}.",
        f"Förste handläggare: {officer_name(request.first_officer)}.",
    ]
    if contact:
        lines.append("Telefonnummer och anhöriguppgifter registrerade.")
    if request.note and not hidden:
        lines.append(request.note)
    return "\n".join(lines)


def officer_name(user) -> str:
    return user.get_full_name() or user.username


# --- the decision that grants it (called by decisions.services.record_decision) ------------


def check_iub_request(value, *, person, services: list[dict], errors: dict) -> IubRequest | None:
    """The request a decision being recorded grants, locked, or None (no request given). Adds
    an error under `iub_request` when it is not this client's, has already led to a decision,
    or the decision grants no service without needs assessment."""
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    try:
        request = (
            IubRequest.objects.select_for_update()
            .filter(pk=pk, person_id=person.pk, municipality_id=person.municipality_id)
            .first()
        )
    except (ValueError, TypeError):
        request = None
    if request is None:
        errors["iub_request"] = "Förfrågan om IUB finns inte för klienten."
        return None
    if request.decision_id is not None:
        errors["iub_request"] = "Förfrågan har redan lett till ett beslut."
    elif not any(s.get("service_type") and s["service_type"].unassessed for s in services):
        errors["iub_request"] = (
            "Beslutet beviljar ingen insats utan behovsprövning (IUB) och kan inte kopplas "
            "till förfrågan."
        )
    return request


def link_iub_request(request: IubRequest | None, decision, services: list[dict]) -> None:
    """Point the request at the decision that grants it (and name the service it asked for,
    if the request did not)."""
    if request is None:
        return
    request.decision = decision
    fields = ["decision"]
    if request.service_type_id is None:
        granted = next(s["service_type"] for s in services if s["service_type"].unassessed)
        request.service_type = granted
        fields.append("service_type")
    request.save(update_fields=fields)


# --- the new request every second year (called by followups.services.record_iub_request) --


def renew_iub_request(
    actor, *, order, asked_by: str = "", asked_on=None, channel: str = "", note: str = ""
) -> IubRequest:
    """A new request for the same service (R6.2, seed 002: "ny förfrågan ska genomföras
    vartannat år"), kept with the decision's earlier requests: linked to the order's decision
    and client. Who asked defaults to the client, the day to today. The caller has locked the
    order and checked that the actor is an officer of its unit, in its transaction."""
    errors: dict[str, str] = {}
    who = _clean_asked_by(asked_by or order.person.full_name, errors)
    asked = _clean_asked_on(asked_on or clock.today(), errors)
    how = _clean_channel(channel, errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    granted = order.services.filter(service_type__unassessed=True).order_by("id").first()
    return IubRequest.objects.create(
        municipality_id=order.municipality_id,
        unit_id=order.unit_id,
        person_id=order.person_id,
        service_type_id=granted.service_type_id if granted else None,
        asked_by=who,
        asked_on=asked,
        channel=how,
        note=(note or "").strip(),
        first_officer=actor,
        decision_id=order.decision_id,
    )
