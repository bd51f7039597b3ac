"""Writes of areas, providers, provider units, contracts, capacity and provider choices
(SPEC R2.1, R2.2, R2.3, R2.5). Set-up functions (`ensure_*`) take no actor; the rest check it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.dates import parse_date
from verkstall.core.errors import PermissionDenied, ValidationFailed

from . import selectors
from .models import Area, Channel, Contract, Provider, ProviderUnit

#: A provider not connected takes its orders by fax, post, e-mail or personal contact (R3.3).
NOT_CONNECTED_CHANNEL = "Ange fax, post, e-post eller personlig kontakt för en ej ansluten."


@transaction.atomic
def ensure_area(*, municipality, name: str) -> Area:
    return Area.objects.get_or_create(municipality=municipality, name=name)[0]


@transaction.atomic
def ensure_provider(
    *, municipality, name: str, is_connected: bool, channel: str, **contact
) -> Provider:
    """A provider; one that is not connected takes its orders by fax, post, e-mail or personal
    contact (R3.3, seed 004)."""
    if is_connected and channel != Channel.SYSTEM:
        raise ValidationFailed({"channel": "En ansluten utförare får beställningar i systemet."})
    if not is_connected and channel == Channel.SYSTEM:
        raise ValidationFailed({"channel": NOT_CONNECTED_CHANNEL})
    return Provider.objects.get_or_create(
        municipality=municipality,
        name=name,
        defaults={"is_connected": is_connected, "channel": channel, **contact},
    )[0]


@transaction.atomic
def ensure_provider_unit(*, provider: Provider, name: str, manager_name: str = "") -> ProviderUnit:
    return ProviderUnit.objects.get_or_create(
        municipality=provider.municipality,
        provider=provider,
        name=name,
        defaults={"manager_name": manager_name},
    )[0]


# --- LOV administration: areas, providers, units, contracts and capacity (SPEC R2.1) --------
#
# The LOV administrator of a municipality keeps its providers, areas, contract lines and
# capacity (SPEC "Actors"). Every write below checks that role; the set-up functions above
# (`ensure_*`) are for demo data and tests and take no actor.


def may_administer_lov(user) -> bool:
    """The LOV administrator of a municipality (SPEC "Actors"); nobody else."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role_enum == Role.LOV_ADMIN
        and user.municipality_id is not None
    )


def _require_lov_admin(actor, municipality_id: int | None = None) -> None:
    if not may_administer_lov(actor) or (
        municipality_id is not None and actor.municipality_id != municipality_id
    ):
        raise PermissionDenied("Endast kommunens LOV-administratör kan ändra detta.")


def _full_clean(obj, exclude=()) -> None:
    """The model's own field and constraint checks, as a ValidationFailed."""
    try:
        obj.full_clean(exclude=list(exclude))
    except DjangoValidationError as exc:
        raise ValidationFailed(
            {
                (field if field != NON_FIELD_ERRORS else "non_field_errors"): msgs
                for field, msgs in exc.message_dict.items()
            }
        ) from None


def _service_type(value):
    from verkstall.decisions.models import ServiceType

    if isinstance(value, ServiceType):
        return value
    if value in (None, ""):
        return None
    lookup = {"code": value} if isinstance(value, str) and not value.isdigit() else {"pk": value}
    try:
        return ServiceType.objects.get(active=True, **lookup)
    except (ServiceType.DoesNotExist, ValueError, TypeError):
        return None


@transaction.atomic
def create_area(actor, *, name: str) -> Area:
    _require_lov_admin(actor)
    area = Area(municipality_id=actor.municipality_id, name=(name or "").strip())
    _full_clean(area)
    area.save()
    return area


@transaction.atomic
def update_area(actor, area: Area, *, name: str) -> Area:
    _require_lov_admin(actor, area.municipality_id)
    area = Area.objects.select_for_update().get(pk=area.pk)
    area.name = (name or "").strip()
    _full_clean(area)
    area.save()
    return area


PROVIDER_FIELDS = (
    "name",
    "organisation_number",
    "is_connected",
    "channel",
    "email",
    "fax",
    "phone",
    "postal_address",
)


def _check_channel(provider: Provider) -> None:
    if provider.is_connected and provider.channel != Channel.SYSTEM:
        raise ValidationFailed({"channel": "En ansluten utförare får beställningar i systemet."})
    if not provider.is_connected and provider.channel == Channel.SYSTEM:
        raise ValidationFailed({"channel": NOT_CONNECTED_CHANNEL})


@transaction.atomic
def create_provider(actor, **fields) -> Provider:
    """A provider of the LOV administrator's municipality (R2.1, R3.3)."""
    _require_lov_admin(actor)
    unknown = sorted(set(fields) - set(PROVIDER_FIELDS))
    if unknown:
        raise ValidationFailed({f: "Okänt fält." for f in unknown})
    provider = Provider(municipality_id=actor.municipality_id, **fields)
    provider.name = (provider.name or "").strip()
    _check_channel(provider)
    _full_clean(provider)
    provider.save()
    return provider


@transaction.atomic
def update_provider(actor, provider: Provider, **changes) -> Provider:
    _require_lov_admin(actor, provider.municipality_id)
    unknown = sorted(set(changes) - set(PROVIDER_FIELDS))
    if unknown:
        raise ValidationFailed({f: "Okänt fält." for f in unknown})
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    for field, value in changes.items():
        setattr(provider, field, value.strip() if isinstance(value, str) else value)
    _check_channel(provider)
    _full_clean(provider)
    provider.save()
    return provider


UNIT_FIELDS = ("provider", "name", "manager_name", "phone", "latitude", "longitude")


def _degrees(value, field: str, errors: dict[str, str]) -> Decimal | None:
    """Decimal degrees (WGS 84) with six decimals, from a number or a string ("59,36")."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors[field] = "Ange ett tal i decimala grader."
        return None
    if abs(number) > 180:
        errors[field] = "Värdet ligger utanför jorden."
        return None
    return number.quantize(Decimal("0.000001"))


def _place(unit: ProviderUnit) -> None:
    """Normalise and check a unit's position: both or neither, within range."""
    errors: dict[str, str] = {}
    unit.latitude = _degrees(unit.latitude, "latitude", errors)
    unit.longitude = _degrees(unit.longitude, "longitude", errors)
    if not errors:
        _check_position(unit.latitude, unit.longitude, errors)
    if errors:
        raise ValidationFailed(errors)


def _check_position(lat, lon, errors: dict[str, str]) -> None:
    if (lat is None) != (lon is None):
        errors["latitude" if lat is None else "longitude"] = "Ange både latitud och longitud."
    if lat is not None and not -90 <= lat <= 90:
        errors["latitude"] = "Latituden ska ligga mellan -90 och 90."
    if lon is not None and not -180 <= lon <= 180:
        errors["longitude"] = "Longituden ska ligga mellan -180 och 180."


def _set_unit_offers(unit: ProviderUnit, service_types) -> None:
    resolved = []
    for value in service_types or ():
        st = _service_type(value)
        if st is None:
            raise ValidationFailed({"service_types": "Okänd insatstyp."})
        resolved.append(st)
    unit.service_types.set(resolved)


@transaction.atomic
def create_provider_unit(actor, *, service_types=(), **fields) -> ProviderUnit:
    """A provider unit, with where it is and which homes it offers (R2.5)."""
    _require_lov_admin(actor)
    unknown = sorted(set(fields) - set(UNIT_FIELDS))
    if unknown:
        raise ValidationFailed({f: "Okänt fält." for f in unknown})
    provider = selectors.in_municipality(
        Provider, fields.pop("provider", None), actor.municipality_id
    )
    if provider is None:
        raise ValidationFailed({"provider": "Välj en utförare i kommunen."})
    unit = ProviderUnit(municipality_id=actor.municipality_id, provider=provider, **fields)
    _place(unit)
    _full_clean(unit)
    unit.save()
    _set_unit_offers(unit, service_types)
    return unit


@transaction.atomic
def update_provider_unit(actor, unit: ProviderUnit, **changes) -> ProviderUnit:
    _require_lov_admin(actor, unit.municipality_id)
    unknown = sorted(set(changes) - {*UNIT_FIELDS, "service_types"})
    if unknown:
        raise ValidationFailed({f: "Okänt fält." for f in unknown})
    unit = ProviderUnit.objects.select_for_update().get(pk=unit.pk)
    offers = changes.pop("service_types", None)
    if "provider" in changes:
        provider = selectors.in_municipality(
            Provider, changes.pop("provider"), unit.municipality_id
        )
        if provider is None:
            raise ValidationFailed({"provider": "Välj en utförare i kommunen."})
        unit.provider = provider
    for field, value in changes.items():
        setattr(unit, field, value.strip() if isinstance(value, str) else value)
    _place(unit)
    _full_clean(unit)
    unit.save()
    if offers is not None:
        _set_unit_offers(unit, offers)
    return unit


@transaction.atomic
def ensure_unit_offers(
    *, unit: ProviderUnit, latitude=None, longitude=None, service_types=()
) -> ProviderUnit:
    """Set-up (demo data, tests): a unit's position and the homes it offers (R2.5)."""
    unit = ProviderUnit.objects.select_for_update().get(pk=unit.pk)
    unit.latitude, unit.longitude = latitude, longitude
    _place(unit)
    unit.save(update_fields=["latitude", "longitude"])
    _set_unit_offers(unit, service_types)
    return unit


CONTRACT_FIELDS = (
    "provider",
    "service_type",
    "area",
    "valid_from",
    "valid_to",
    "in_no_choice",
    "accepts_new_clients",
    "capacity_reason",
    "capacity_until",
)


def clean_contract(municipality_id: int, values: dict, *, instance: Contract | None = None):
    """A contract line's values checked and resolved, or a ValidationFailed naming each bad
    field (R2.1). Shared by the services, the admin's form and the import.

    - provider and area belong to the municipality; the service type is one LOV applies to;
    - the line ends on or after it starts, and overlaps no other line of the same provider,
      service type and area (one line in force at a time, so "contracted on day D" is clear);
    - a line that takes no new clients says why (R2.1: the choice screen shows the reason);
      one that takes new clients carries no reason or date.
    """
    errors: dict[str, str] = {}
    data = {f: values.get(f) for f in CONTRACT_FIELDS}
    provider = selectors.in_municipality(Provider, data["provider"], municipality_id)
    if provider is None:
        errors["provider"] = "Välj en utförare i kommunen."
    area = selectors.in_municipality(Area, data["area"], municipality_id)
    if area is None:
        errors["area"] = "Välj ett område i kommunen."
    service_type = _service_type(data["service_type"])
    if service_type is None:
        errors["service_type"] = "Välj en insatstyp."
    elif not service_type.lov:
        errors["service_type"] = "Insatsen omfattas inte av valfrihetssystemet (LOV)."
    valid_from = parse_date(data["valid_from"], "valid_from", errors)
    valid_to = parse_date(data["valid_to"], "valid_to", errors, required=False)
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = "Avtalet kan inte upphöra före det börjar gälla."
    accepts = True if data["accepts_new_clients"] is None else bool(data["accepts_new_clients"])
    in_no_choice = True if data["in_no_choice"] is None else bool(data["in_no_choice"])
    reason = (data["capacity_reason"] or "").strip()
    until = parse_date(data["capacity_until"], "capacity_until", errors, required=False)
    if accepts:
        reason, until = "", None
    elif not reason:
        errors["capacity_reason"] = "Ange skälet till att utföraren inte tar emot nya brukare."
    if until and valid_from and until < valid_from:
        errors["capacity_until"] = "Kapacitetstaket kan inte sluta före avtalet börjar gälla."
    if not errors:
        others = Contract.objects.filter(provider=provider, service_type=service_type, area=area)
        if instance is not None and instance.pk:
            others = others.exclude(pk=instance.pk)
        clash = others.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from),
            **({"valid_from__lte": valid_to} if valid_to else {}),
        ).first()
        if clash is not None:
            errors["valid_from"] = overlap_message(clash.valid_from, clash.valid_to)
    if errors:
        raise ValidationFailed(errors)
    return {
        "provider": provider,
        "service_type": service_type,
        "area": area,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "in_no_choice": in_no_choice,
        "accepts_new_clients": accepts,
        "capacity_reason": reason[:200],
        "capacity_until": until,
    }


def overlap_message(valid_from, valid_to) -> str:
    to = valid_to.isoformat() if valid_to else "tills vidare"
    return (
        "Utföraren har redan en avtalsrad för insatsen i området som gäller "
        f"{valid_from.isoformat()} – {to}; avsluta den först."
    )


@transaction.atomic
def create_contract(actor, **values) -> Contract:
    """A new contract line (R2.1). LOV administrator of the municipality only."""
    _require_lov_admin(actor)
    unknown = sorted(set(values) - set(CONTRACT_FIELDS))
    if unknown:
        raise ValidationFailed({f: "Okänt fält." for f in unknown})
    data = clean_contract(actor.municipality_id, values)
    try:
        with transaction.atomic():
            return Contract.objects.create(municipality_id=actor.municipality_id, **data)
    except IntegrityError:
        raise ValidationFailed({"valid_from": "Avtalsraden finns redan."}) from None


@transaction.atomic
def update_contract(actor, contract: Contract, **changes) -> Contract:
    """Change a contract line: its period, no-choice membership or capacity (R2.1)."""
    _require_lov_admin(actor, contract.municipality_id)
    unknown = sorted(set(changes) - set(CONTRACT_FIELDS))
    if unknown:
        raise ValidationFailed({f: "Okänt fält." for f in unknown})
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    values = {f: getattr(contract, f) for f in CONTRACT_FIELDS}
    values.update(changes)
    data = clean_contract(contract.municipality_id, values, instance=contract)
    for field, value in data.items():
        setattr(contract, field, value)
    contract.save()
    return contract


@transaction.atomic
def set_capacity(
    actor,
    contract: Contract,
    *,
    accepts_new_clients: bool,
    capacity_reason: str = "",
    capacity_until=None,
) -> Contract:
    """Open or close a contract line to new clients (the capacity cap, R2.1, R2.4): closing
    needs a reason, and may say the last day the cap applies (today or later)."""
    _require_lov_admin(actor, contract.municipality_id)
    errors: dict[str, str] = {}
    until = parse_date(capacity_until, "capacity_until", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    if not accepts_new_clients and until and until < clock.today():
        raise ValidationFailed({"capacity_until": "Datumet har redan passerat."})
    return update_contract(
        actor,
        contract,
        accepts_new_clients=accepts_new_clients,
        capacity_reason=capacity_reason,
        capacity_until=until,
    )


@transaction.atomic
def ensure_contract(*, provider: Provider, service_type, area: Area, valid_from, **values):
    """Set-up (demo data, tests): a contract line, made once; a second call finds it."""
    st = _service_type(service_type)
    existing = Contract.objects.filter(
        provider=provider, service_type=st, area=area, valid_from=valid_from
    ).first()
    if existing is not None:
        return existing
    data = clean_contract(
        provider.municipality_id,
        {
            "provider": provider,
            "service_type": st,
            "area": area,
            "valid_from": valid_from,
            **values,
        },
    )
    return Contract.objects.create(municipality_id=provider.municipality_id, **data)


# The contract spreadsheet's import (R2.1) is in import_services.py (issue 17 item 8).
