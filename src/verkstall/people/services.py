"""Writes of clients and relatives (SPEC R1.1). Protected identity (R10.1, R10.5) is written
by `people.protection_services`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from verkstall.access.models import Municipality
from verkstall.access.policies import require_officer_of_unit
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core.concurrency import touch
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.core.personal_number import InvalidPersonalNumber, parse_personal_number

from . import selectors
from .models import (
    ChangeKind,
    Person,
    PersonChange,
    Relative,
)
from .presentation import PROTECTED_FIELDS

CONTACT_FIELDS = ("phone", "whereabouts")
OFFICER_FIELDS = (
    "first_name",
    "last_name",
    "street_address",
    "postal_code",
    "city",
    "area",
    "latitude",
    "longitude",
    *CONTACT_FIELDS,
)
POSITION_FIELDS = ("latitude", "longitude")
PROTECTED_FIELD_MESSAGE = (
    "Klienten har skyddade personuppgifter och du saknar behörighet till uppgiften."
)


# A number already registered in the municipality (issue 11). In the officer's own unit the
# officer sees the client anyway, so say so. In another unit the officer may not see the
# client, which may have protected personal data (R10.1, R10.5): one neutral message for every
# such case, whatever the client's protection, so that neither the client's unit nor its
# protection can be told from the answer.
ALREADY_IN_YOUR_UNIT = "Klienten är redan registrerad i din enhet; sök på numret för att öppna den."
CANNOT_REGISTER_HERE = (
    "Numret kan inte registreras här. Kontakta systemförvaltningen eller enhetens samordnare."
)


class AlreadyRegistered(ValidationFailed):
    """The number belongs to a client of the officer's own unit; `person_id` is that client."""

    def __init__(self, person_id: int):
        super().__init__({"personal_number": ALREADY_IN_YOUR_UNIT})
        self.person_id = person_id


def _clean_area(municipality_id: int, area):
    """The municipality's home-care area (providers.Area), read through the municipality's
    reverse relation `areas`: providers sits above people, so its models are not imported."""
    if area in (None, ""):
        return None
    area_id = getattr(area, "pk", area)
    try:
        found = Municipality.objects.get(pk=municipality_id).areas.filter(pk=area_id).first()
    except (Municipality.DoesNotExist, ValueError, TypeError):
        found = None
    if found is None:
        raise ValidationFailed({"area": "Okänt område."})
    return found


def _clean_position(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """The home's coordinates (WGS 84 decimal degrees), used by the proximity rule (R2.5).
    Both or neither; there is no geocoding service, so the officer enters them."""
    errors: dict[str, str] = {}
    values = []
    for field, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if value in (None, ""):
            values.append(None)
            continue
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            errors[field] = "Ange ett tal i decimala grader, t.ex. 59.3617."
        elif not -limit <= number <= limit:
            errors[field] = f"Värdet ska ligga mellan -{limit} och {limit}."
        else:
            number = number.quantize(Decimal("0.000001"))
        values.append(number if field not in errors else None)
    if not errors and (values[0] is None) != (values[1] is None):
        errors["latitude" if values[0] is None else "longitude"] = "Ange både latitud och longitud."
    if errors:
        raise ValidationFailed(errors)
    return values[0], values[1]


def _check_relatives(relatives) -> list[dict]:
    cleaned = []
    for i, rel in enumerate(relatives or []):
        name = (rel.get("name") or "").strip()
        if not name:
            raise ValidationFailed({f"relatives[{i}].name": "Ange den anhöriges namn."})
        cleaned.append(
            {
                "name": name,
                "relation": (rel.get("relation") or "").strip(),
                "phone": (rel.get("phone") or "").strip(),
                "email": (rel.get("email") or "").strip(),
            }
        )
    return cleaned


@transaction.atomic
def register_person(
    actor,
    *,
    personal_number: str,
    first_name: str,
    last_name: str,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    area=None,
    phone: str = "",
    whereabouts: str = "",
    relatives: list[dict] | None = None,
    latitude=None,
    longitude=None,
) -> Person:
    """Register a client by personnummer or samordningsnummer (R1.1). Officers only."""
    if actor.role_enum != Role.OFFICER:
        raise PermissionDenied("Endast biståndshandläggare kan registrera klienter.")
    errors: dict[str, str] = {}
    try:
        number = parse_personal_number(personal_number)
    except InvalidPersonalNumber as exc:
        errors["personal_number"] = str(exc)
    if not (first_name or "").strip():
        errors["first_name"] = "Ange förnamn."
    if not (last_name or "").strip():
        errors["last_name"] = "Ange efternamn."
    if errors:
        raise ValidationFailed(errors)
    area_obj = _clean_area(actor.municipality_id, area)
    lat, lon = _clean_position(latitude, longitude)
    rels = _check_relatives(relatives)
    existing = (
        Person.objects.filter(municipality_id=actor.municipality_id, personal_number=number.value)
        .values("pk", "unit_id")
        .first()
    )
    if existing is not None:
        if existing["unit_id"] == actor.unit_id:
            raise AlreadyRegistered(existing["pk"])
        raise ValidationFailed({"personal_number": CANNOT_REGISTER_HERE})
    try:
        person = Person.objects.create(
            municipality_id=actor.municipality_id,
            unit_id=actor.unit_id,
            personal_number=number.value,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            street_address=street_address.strip(),
            postal_code=postal_code.strip(),
            city=city.strip(),
            area=area_obj,
            phone=phone.strip(),
            whereabouts=whereabouts.strip(),
            latitude=lat,
            longitude=lon,
        )
    except IntegrityError:
        raise ValidationFailed({"personal_number": CANNOT_REGISTER_HERE}) from None
    for rel in rels:
        Relative.objects.create(municipality_id=person.municipality_id, person=person, **rel)
    return person


# --- Corrections, kept in the history (SPEC R1.1) ---------------------------------------------

REASON_MAX = 300
REASON_REQUIRED = "Ange varför uppgifterna ändras."
REMOVE_REASON_REQUIRED = "Ange varför den anhörige tas bort."


def _clean_reason(reason, *, required: bool, message: str = REASON_REQUIRED) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed({"reason": message})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Skälet får vara högst {REASON_MAX} tecken."})
    return reason


def _require_may_change(actor, person: Person, what: str) -> None:
    """The client's officer, or a provider that holds an order for the client now (sent,
    acknowledged or started; shared responsibility, seed 002). A provider that only held one
    (ended, withdrawn, switched away) reads the client's history but no longer writes its
    data (R1.1). Nobody else."""
    if actor.role_enum == Role.OFFICER:
        require_officer_of_unit(actor, person.unit_id, what)
    elif actor.role_enum in PROVIDER_ROLES:
        if not selectors.holds_order_now(actor, person):
            raise PermissionDenied(f"Du kan inte {what}: ni har ingen pågående beställning.")
    else:
        raise PermissionDenied(f"Du kan inte {what}.")


def _snapshot(person: Person) -> dict[str, str]:
    """The client's fields as the history writes them: text, the area by name, the
    coordinates as one value."""
    values = {f: getattr(person, f) or "" for f in TEXT_FIELDS}
    values["area"] = person.area.name if person.area_id else ""
    has_position = person.latitude is not None and person.longitude is not None
    values["position"] = f"{person.latitude}, {person.longitude}" if has_position else ""
    return values


def record_change(actor, person: Person, *, reason: str, **row) -> PersonChange:
    """One row of the client's change history (R1.1): who (and their organisation), when,
    why, and whether the client was protected then. Called inside the caller's transaction
    (people.unit_services records a move to another unit with it)."""
    return PersonChange.objects.create(
        municipality_id=person.municipality_id,
        person=person,
        reason=reason,
        protected=person.is_protected,
        changed_by=actor,
        changed_by_organisation=actor.organisation_name[:200],
        **row,
    )


def _relative_line(rel) -> str:
    """A relative as one line of the history: "Anna Ek (dotter), 070-1, anna@example.se"."""
    name = rel.name + (f" ({rel.relation})" if rel.relation else "")
    return ", ".join(v for v in (name, rel.phone, rel.email) if v)


TEXT_FIELDS = (
    "first_name",
    "last_name",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "whereabouts",
)
#: The order of the history's rows for one correction.
HISTORY_FIELDS = (*TEXT_FIELDS[:5], "area", "position", *TEXT_FIELDS[5:])
RELATIVE_FIELDS = ("name", "relation", "phone", "email")


@transaction.atomic
def update_person(actor, person: Person, *, reason: str = "", **changes) -> Person:
    """Change a client's details. Both sides keep contact data up to date (R1.1, seed 002):
    the officer may change name, address, area and contact data; the provider contact data.

    Every changed field is kept in the client's history (PersonChange) with its old and new
    value, who and why; an officer's correction needs a reason (no silent overwrite), a
    provider's update of contact data may give one. A value given unchanged writes nothing.
    The returned client carries the recorded rows in `recorded_changes`."""
    _require_may_change(actor, person, "ändra klientens uppgifter")
    allowed = OFFICER_FIELDS if actor.role_enum == Role.OFFICER else CONTACT_FIELDS
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed({f: "Fältet kan inte ändras av dig." for f in unknown})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not selectors.may_see_protected(actor, person):
        # R10.5: who may not read the protected fields may not overwrite them either.
        hidden = sorted(f for f in changes if f in PROTECTED_FIELDS)
        if hidden:
            raise ValidationFailed({f: PROTECTED_FIELD_MESSAGE for f in hidden})
    before = _snapshot(person)
    if any(f in changes for f in POSITION_FIELDS):
        person.latitude, person.longitude = _clean_position(
            changes.pop("latitude", person.latitude), changes.pop("longitude", person.longitude)
        )
    for field, value in changes.items():
        if field == "area":
            person.area = _clean_area(person.municipality_id, value)
            continue
        value = (value or "").strip()
        if field in ("first_name", "last_name") and not value:
            raise ValidationFailed({field: "Fältet får inte vara tomt."})
        setattr(person, field, value)
    after = _snapshot(person)
    changed = [f for f in HISTORY_FIELDS if before[f] != after[f]]
    person.recorded_changes = []
    if not changed:
        return person
    reason = _clean_reason(reason, required=actor.role_enum == Role.OFFICER)
    person.save()
    person.recorded_changes = [
        record_change(
            actor, person, reason=reason, field=f, old_value=before[f], new_value=after[f]
        )
        for f in changed
    ]
    return person


def _check_protected_relatives(actor, person: Person) -> None:
    if not selectors.may_see_protected(actor, person):
        raise ValidationFailed({"relatives": PROTECTED_FIELD_MESSAGE})


@transaction.atomic
def add_relative(actor, person: Person, *, reason: str = "", **relative) -> Relative:
    """Add a relative; officer or the client's provider (shared responsibility, seed 002).
    Kept in the client's history; the reason is optional (nothing is overwritten)."""
    _require_may_change(actor, person, "lägga till anhöriga")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_protected_relatives(actor, person)
    (rel,) = _check_relatives([relative])
    reason = _clean_reason(reason, required=False)
    created = Relative.objects.create(municipality_id=person.municipality_id, person=person, **rel)
    touch(person, "relatives")  # the client's new version (core/concurrency.py)
    record_change(
        actor,
        person,
        reason=reason,
        kind=ChangeKind.RELATIVE_ADDED,
        relative=created,
        subject=created.name,
        new_value=_relative_line(created),
    )
    return created


def _locked_relative(person: Person, relative) -> Relative:
    pk = getattr(relative, "pk", relative)
    try:
        return Relative.objects.select_for_update().get(pk=pk, person_id=person.pk)
    except (Relative.DoesNotExist, ValueError, TypeError):
        raise NotFound("Den anhörige finns inte.") from None


@transaction.atomic
def change_relative(actor, person: Person, *, relative, reason: str = "", **changes) -> Relative:
    """Correct a relative's name, relation, phone or e-mail (R1.1): officer or the client's
    provider. Each changed field is kept in the history; the officer gives a reason."""
    _require_may_change(actor, person, "ändra anhöriga")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_protected_relatives(actor, person)
    rel = _locked_relative(person, relative)
    unknown = sorted(set(changes) - set(RELATIVE_FIELDS))
    if unknown:
        raise ValidationFailed({f: "Fältet kan inte ändras." for f in unknown})
    merged = {f: changes.get(f, getattr(rel, f)) for f in RELATIVE_FIELDS}
    try:
        (clean,) = _check_relatives([merged])
    except ValidationFailed:
        raise ValidationFailed({"name": "Ange den anhöriges namn."}) from None
    changed = [f for f in RELATIVE_FIELDS if clean[f] != getattr(rel, f)]
    if not changed:
        return rel
    reason = _clean_reason(reason, required=actor.role_enum == Role.OFFICER)
    subject = rel.name
    old = {f: getattr(rel, f) for f in changed}
    for f in changed:
        setattr(rel, f, clean[f])
    rel.save(update_fields=changed)
    touch(person, "relatives")
    for f in changed:
        record_change(
            actor,
            person,
            reason=reason,
            kind=ChangeKind.RELATIVE_CHANGED,
            relative=rel,
            subject=subject,
            field=f,
            old_value=old[f],
            new_value=clean[f],
        )
    return rel


@transaction.atomic
def remove_relative(actor, person: Person, *, relative, reason: str = "") -> PersonChange:
    """Remove a relative (R1.1): officer or the client's provider, always with a reason. The
    history keeps who the relative was."""
    _require_may_change(actor, person, "ta bort anhöriga")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_protected_relatives(actor, person)
    rel = _locked_relative(person, relative)
    reason = _clean_reason(reason, required=True, message=REMOVE_REASON_REQUIRED)
    change = record_change(
        actor,
        person,
        reason=reason,
        kind=ChangeKind.RELATIVE_REMOVED,
        subject=rel.name,
        old_value=_relative_line(rel),
    )
    rel.delete()
    touch(person, "relatives")
    return change
