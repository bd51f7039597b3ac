"""Writes of the municipality's prices (SPEC R9.4): its LOV administrator adds a price of a
service type for a period, ends one, or imports a price list (prices_csv). Two prices of one
service type never overlap; the municipality's row is locked first, so two writes cannot both
pass the check. One business action, one transaction; Swedish messages per field."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from verkstall.access.models import Municipality
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.dates import date_in_window, day_text, parse_date, parse_decimal, window_message
from verkstall.core.errors import PermissionDenied, ValidationFailed

from . import prices_csv, selectors
from .basis_types import PriceUnit
from .models import Price


def require_lov_admin(actor, what: str) -> None:
    if actor.role_enum != Role.LOV_ADMIN or actor.municipality_id is None:
        raise PermissionDenied(f"Endast kommunens LOV-administratör kan {what}.")


def lock_municipality(municipality_id: int) -> Municipality:
    """The municipality's row, locked: its price and close writes one at a time."""
    return Municipality.objects.select_for_update().get(pk=municipality_id)


def _period_text(valid_from: date, valid_to: date | None) -> str:
    return f"{day_text(valid_from)} – {day_text(valid_to) if valid_to else 'tills vidare'}"


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def _overlap_error(service_type, valid_from, valid_to, others) -> str | None:
    for other in others:
        if other.service_type_id == service_type.pk and _overlaps(
            valid_from, valid_to, other.valid_from, other.valid_to
        ):
            return (
                f"Priset för {service_type.name} överlappar priset {other.amount} kr "
                f"{other.get_unit_display()} som gäller "
                f"{_period_text(other.valid_from, other.valid_to)}. "
                "Avsluta det priset först eller välj andra datum."
            )
    return None


def _unit_error(service_type, unit) -> str | None:
    if unit not in {u.value for u in PriceUnit}:
        return "Välj prisenhet: per beviljad timme, per dag, per månad eller per utförd timme."
    if (
        unit == PriceUnit.PERFORMED_HOUR
        and service_type is not None
        and service_type.kind not in selectors.PERFORMED_TIME_KINDS
    ):
        return (
            f"Utförd tid registreras bara för avlösning, ledsagning och särskild omvårdnad; "
            f"välj en annan prisenhet för {service_type.name}."
        )
    return None


def _amount(value, errors: dict):
    amount = parse_decimal(value, "amount", errors)
    if amount is None:
        return None
    if amount < 0:
        errors["amount"] = "Priset kan inte vara negativt."
    elif amount.as_tuple().exponent < -2 or amount >= 10**8:
        errors["amount"] = "Ange priset i kronor med högst två decimaler, under 100 miljoner."
    else:
        return amount
    return None


def _service_type(value, errors: dict):
    if value in (None, ""):
        errors["service_type"] = "Välj insats."
        return None
    if hasattr(value, "pk"):
        return value
    found = selectors.service_type_lookup().get(str(value).casefold())
    if found is None:
        errors["service_type"] = "Okänd insats."
    return found


@transaction.atomic
def add_price(actor, *, service_type, unit, amount, valid_from, valid_to=None) -> Price:
    """A price of a service type from `valid_from` (to `valid_to`, or until further notice)."""
    require_lov_admin(actor, "sätta priser")
    municipality = lock_municipality(actor.municipality_id)
    errors: dict[str, str] = {}
    service_type = _service_type(service_type, errors)
    error = _unit_error(service_type, unit)
    if error:
        errors["unit"] = error
    amount = _amount(amount, errors)
    start = parse_date(valid_from, "valid_from", errors)
    end = parse_date(valid_to, "valid_to", errors, required=False)
    if start and end and end < start:
        errors["valid_to"] = "Priset kan inte upphöra innan det börjar gälla."
    if errors:
        raise ValidationFailed(errors)
    others = selectors.price_rows(municipality.pk, [service_type.pk])
    error = _overlap_error(service_type, start, end, others)
    if error:
        raise ValidationFailed({"valid_from": error})
    return Price.objects.create(
        municipality=municipality,
        service_type=service_type,
        unit=unit,
        amount=amount,
        valid_from=start,
        valid_to=end,
        created_by=actor,
    )


@transaction.atomic
def end_price(actor, price: Price, *, valid_to) -> Price:
    """Set the last day a price applies (it must not then overlap another)."""
    require_lov_admin(actor, "avsluta priser")
    municipality = lock_municipality(actor.municipality_id)
    price = Price.objects.select_related("service_type").get(pk=price.pk)
    if price.municipality_id != municipality.pk:
        raise PermissionDenied("Priset hör till en annan kommun.")
    errors: dict[str, str] = {}
    end = parse_date(valid_to, "valid_to", errors)
    if end and end < price.valid_from:
        errors["valid_to"] = (
            f"Priset kan inte upphöra innan det börjar gälla ({day_text(price.valid_from)})."
        )
    if errors:
        raise ValidationFailed(errors)
    others = [
        p
        for p in selectors.price_rows(municipality.pk, [price.service_type_id])
        if p.pk != price.pk
    ]
    error = _overlap_error(price.service_type, price.valid_from, end, others)
    if error:
        raise ValidationFailed({"valid_to": error})
    price.valid_to = end
    price.ended_by = actor
    price.ended_at = clock.now()
    price.save(update_fields=["valid_to", "ended_by", "ended_at"])
    return price


@transaction.atomic
def import_prices(actor, *, content: bytes) -> prices_csv.Report:
    """A price list (CSV, format in prices_csv) into the LOV administrator's municipality:
    every row or none. The report names each bad row by line and column; with errors nothing
    is written."""
    require_lov_admin(actor, "importera priser")
    municipality = lock_municipality(actor.municipality_id)
    report = prices_csv.read(content)
    lookup = selectors.service_type_lookup()
    resolved = []
    for row in report.rows:
        service_type = lookup.get(row.service.casefold())
        if service_type is None:
            report.add(
                row.line,
                "insats",
                f"Insatsen «{row.service}» finns inte; ange kod (t.ex. avlosning) eller namn.",
            )
            continue
        error = _unit_error(service_type, row.unit)
        if error:
            report.add(row.line, "prisenhet", error)
        for column, day in (("från", row.valid_from), ("till", row.valid_to)):
            if day is not None and not date_in_window(day):
                report.add(row.line, column, window_message())
        resolved.append((row, service_type))
    existing = selectors.price_rows(municipality.pk)
    seen: list[tuple] = []
    for row, service_type in resolved:
        for line, other_type, other_from, other_to in seen:
            if other_type.pk == service_type.pk and _overlaps(
                row.valid_from, row.valid_to, other_from, other_to
            ):
                report.add(row.line, "från", f"Perioden överlappar priset på rad {line}.")
        error = _overlap_error(service_type, row.valid_from, row.valid_to, existing)
        if error:
            report.add(row.line, "från", error)
        seen.append((row.line, service_type, row.valid_from, row.valid_to))
    report.sort()
    if report.errors:
        return report
    Price.objects.bulk_create(
        [
            Price(
                municipality=municipality,
                service_type=service_type,
                unit=row.unit.value,
                amount=row.amount,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                created_by=actor,
            )
            for row, service_type in resolved
        ]
    )
    report.created = len(resolved)
    return report
