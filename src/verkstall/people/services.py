"""Writes of clients and relatives (SPEC R1.1). Protected identity (R10.1, R10.5) is written
by `people.protection_services`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from verkstall.access.models import Municipality
from verkstall.access.policies import require_officer_of_unit
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.core.personal_number import InvalidPersonalNumber, parse_personal_number

from . import selectors
from .models import (
    Person,
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


@transaction.atomic
def update_person(actor, person: Person, **changes) -> Person:
    """Change a client's details. Both sides keep contact data up to date (R1.1, seed 002):
    the officer may change name, address, area and contact data; the provider contact data."""
    if actor.role_enum == Role.OFFICER:
        require_officer_of_unit(actor, person.unit_id, "ändra klientens uppgifter")
        allowed = OFFICER_FIELDS
    elif actor.role_enum in PROVIDER_ROLES:
        allowed = CONTACT_FIELDS
    else:
        raise PermissionDenied("Du kan inte ändra klientens uppgifter.")
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed({f: "Fältet kan inte ändras av dig." for f in unknown})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not selectors.may_see_protected(actor, person):
        # R10.5: who may not read the protected fields may not overwrite them either.
        hidden = sorted(f for f in changes if f in PROTECTED_FIELDS)
        if hidden:
            raise ValidationFailed({f: PROTECTED_FIELD_MESSAGE for f in hidden})
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
    person.save()
    return person


@transaction.atomic
def add_relative(actor, person: Person, **relative) -> Relative:
    """Add a relative; officer or the client's provider (shared responsibility, seed 002)."""
    if actor.role_enum == Role.OFFICER:
        require_officer_of_unit(actor, person.unit_id, "lägga till anhöriga")
    elif actor.role_enum not in PROVIDER_ROLES:
        raise PermissionDenied("Du kan inte lägga till anhöriga.")
    if not selectors.may_see_protected(actor, person):
        raise ValidationFailed({"relatives": PROTECTED_FIELD_MESSAGE})
    (rel,) = _check_relatives([relative])
    return Relative.objects.create(municipality_id=person.municipality_id, person=person, **rel)
