"""Every write of the payments app (SPEC R9.2, R9.4, R9.1): prices, performed time, the month
close. One business action, one transaction; Swedish messages per field.

- Prices (R9.4): price_services.py (re-exported here): the LOV administrator adds, ends or
  imports prices; two prices of one service type never overlap.
- Performed time (R9.2, seed 002): the provider registers hours per day for respite, escort and
  special care, from the order's start to its end; and for an order that an acute oral order
  came before, the time beyond the order in the acute period (R3.2, seed 001: from the oral
  order to the end of that month). The municipality registers on behalf of a provider that is
  not connected, saying how the report came in (R3.3). Changed or removed until the month is
  closed; after that refused (`MonthClosed`, 409).
- The month close (R9.1, R9.4): the LOV administrator closes a month after the registration
  day of the next month (the profile's `month_registration_day`, the 5th in seed 002); before
  it only with a reason (`reason`, stored, and the close is marked early). Months are closed in
  order, and a month must have ended. Closing stores the month's basis as it is paid
  (`PaymentLine`) with the absence rule it was made by; a closed month never changes again.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date, parse_decimal
from verkstall.core.errors import DomainError, ValidationFailed
from verkstall.deadlines.threshold_selectors import payment_rules_for
from verkstall.orders.models import Order
from verkstall.orders.services import lock_order, provider_acting, reply_channel

from . import basis_selectors, selectors
from .basis_types import PerformedKind, Period, registration_deadline
from .models import MonthClose, PaymentLine, PerformedTime
from .price_services import (
    add_price,
    end_price,
    import_prices,
    lock_municipality,
    require_lov_admin,
)

MAX_HOURS = 24
TAKEN = "Det finns redan tid registrerad för dagen; ändra den i stället."
NOTE_LENGTH = 500


__all__ = [
    "MonthClosed",
    "add_price",
    "change_performed_time",
    "close_month",
    "end_price",
    "import_prices",
    "register_performed_time",
    "remove_performed_time",
]


class MonthClosed(DomainError):
    """A write to a month that is closed for payment."""

    status_code = 409
    code = "month_closed"


# --- Performed time ------------------------------------------------------------------------


def _check_open(municipality_id: int, day: date) -> None:
    if selectors.is_closed(municipality_id, day):
        raise MonthClosed(
            f"Månaden {Period.of(day)} är stängd för ersättning: tid för den kan inte längre "
            "registreras, ändras eller tas bort. Kontakta kommunen om något behöver rättas; "
            "en rättelse blir en justering i nästa öppna månad."
        )


def _hours(value, errors: dict):
    hours = parse_decimal(value, "hours", errors)
    if hours is None:
        return None
    if not 0 < hours <= MAX_HOURS:
        errors["hours"] = f"Ange timmar för dagen, mer än 0 och högst {MAX_HOURS}."
    elif hours.as_tuple().exponent < -2:
        errors["hours"] = "Ange timmar med högst två decimaler, t.ex. 2,5."
    else:
        return hours
    return None


def _check_entry(order: Order, service, kind: str, day: date, errors: dict) -> None:
    """The day's place in the order (R9.2, R3.2), as errors on the fields."""
    if kind == PerformedKind.EXCEEDED:
        period = selectors.acute_period(order)
        if period is None:
            errors["kind"] = (
                "Överskriden tid registreras bara för en beställning som föregicks av en akut "
                "muntlig beställning (R3.2)."
            )
        elif not period[0] <= day <= period[1]:
            errors["day"] = (
                "Överskriden tid gäller den akuta perioden: från den muntliga beställningen "
                f"{day_text(period[0])} till och med {day_text(period[1])}."
            )
        return
    if service.service_type.kind not in selectors.PERFORMED_TIME_KINDS:
        errors["granted_service"] = (
            "Utförd tid registreras för avlösning, ledsagning och särskild omvårdnad (R9.2)."
        )
        return
    if order.start_date is None:
        errors["day"] = "Beställningen har inget startdatum än; utförd tid registreras från det."
        return
    first = max(order.start_date, service.valid_from)
    last = min(d for d in (order.end_date, service.valid_to, date.max) if d)
    if not first <= day <= last:
        until = f" till och med {day_text(last)}" if last != date.max else ""
        errors["day"] = (
            f"Dagen ligger utanför insatsens tid i beställningen: från {day_text(first)}{until}."
        )


def _values(order: Order, *, granted_service, kind, day, hours, note, errors: dict):
    """The entry's values checked: (service, kind, day, hours, note)."""
    services = {s.pk: s for s in order.services.select_related("service_type")}
    service = None
    key = getattr(granted_service, "pk", granted_service)
    try:
        service = services.get(int(key))
    except (TypeError, ValueError):
        service = None
    if service is None:
        errors["granted_service"] = "Välj en av beställningens insatser."
    if kind not in {k.value for k in PerformedKind}:
        errors["kind"] = "Välj utförd tid eller överskriden tid."
    day = parse_date(day, "day", errors)
    if day and day > clock.today():
        errors["day"] = "Tid registreras för en dag som har varit."
    hours = _hours(hours, errors)
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        errors["note"] = f"Kommentaren får vara högst {NOTE_LENGTH} tecken."
    if not errors:
        _check_entry(order, service, kind, day, errors)
    return service, kind, day, hours, note


@transaction.atomic
def register_performed_time(
    actor,
    *,
    order: Order,
    granted_service,
    day,
    hours,
    kind: str = PerformedKind.PERFORMED.value,
    note: str = "",
    channel: str = "",
) -> PerformedTime:
    """Hours for one day (R9.2; R3.2 for `kind` "exceeded"), by the provider or on its behalf."""
    order = lock_order(order)
    on_behalf = provider_acting(actor, order, "registrera utförd tid")
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    service, kind, day, hours, note = _values(
        order,
        granted_service=granted_service,
        kind=kind,
        day=day,
        hours=hours,
        note=note,
        errors=errors,
    )
    if errors:
        raise ValidationFailed(errors)
    _check_open(order.municipality_id, day)
    taken = PerformedTime.objects.filter(
        order=order, granted_service=service, kind=kind, day=day
    ).exists()
    if taken:
        raise ValidationFailed({"day": TAKEN})
    try:
        with transaction.atomic():
            return PerformedTime.objects.create(
                municipality_id=order.municipality_id,
                order=order,
                granted_service=service,
                kind=kind,
                day=day,
                hours=hours,
                note=note,
                channel=channel,
                on_behalf_of=on_behalf,
                registered_by=actor,
            )
    except IntegrityError:
        raise ValidationFailed({"day": TAKEN}) from None


def _lock_entry(entry: PerformedTime) -> tuple[PerformedTime, Order]:
    order = lock_order(entry.order)
    entry = PerformedTime.objects.select_for_update().get(pk=entry.pk)
    return entry, order


@transaction.atomic
def change_performed_time(
    actor, entry: PerformedTime, *, hours, day=None, note=None, channel: str = ""
) -> PerformedTime:
    """Change the hours (the day, the comment) of an entry, while its month is open."""
    entry, order = _lock_entry(entry)
    on_behalf = provider_acting(actor, order, "ändra utförd tid")
    _check_open(order.municipality_id, entry.day)
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    service, kind, new_day, hours, note = _values(
        order,
        granted_service=entry.granted_service_id,
        kind=entry.kind,
        day=entry.day if day in (None, "") else day,
        hours=hours,
        note=entry.note if note is None else note,
        errors=errors,
    )
    if errors:
        raise ValidationFailed(errors)
    if new_day != entry.day:
        _check_open(order.municipality_id, new_day)
        taken = (
            PerformedTime.objects.filter(
                order=order, granted_service=service, kind=kind, day=new_day
            )
            .exclude(pk=entry.pk)
            .exists()
        )
        if taken:
            raise ValidationFailed({"day": "Det finns redan tid registrerad för den dagen."})
    entry.day, entry.hours, entry.note = new_day, hours, note
    if on_behalf is not None:
        entry.channel, entry.on_behalf_of = channel, on_behalf
    entry.changed_by, entry.changed_at = actor, clock.now()
    entry.save(
        update_fields=[
            "day",
            "hours",
            "note",
            "channel",
            "on_behalf_of",
            "changed_by",
            "changed_at",
        ]
    )
    return entry


@transaction.atomic
def remove_performed_time(actor, entry: PerformedTime) -> None:
    """Remove an entry registered by mistake, while its month is open."""
    entry, order = _lock_entry(entry)
    provider_acting(actor, order, "ta bort utförd tid")
    _check_open(order.municipality_id, entry.day)
    entry.delete()


# --- The month close -----------------------------------------------------------------------


def _period(value, errors: dict) -> Period | None:
    if isinstance(value, Period):
        return value
    try:
        return Period.parse(value)
    except ValueError:
        errors["period"] = "Ange månaden som ÅÅÅÅ-MM."
        return None


def check_close(actor, *, period, reason: str = "") -> Period:
    """What `close_month` would refuse at once, checked without closing anything (the screen
    asks before it queues a large month's close as a job, issue 17 item 8); the month."""
    with transaction.atomic():
        return _checked_close(actor, actor.municipality_id, period, reason)[0]


#: A month's lines are stored in batches of this many, the progress told after each.
CLOSE_BATCH = 1000


@transaction.atomic
def close_month(actor, *, period, reason: str = "", progress=None) -> MonthClose:
    """Close a month for payment (R9.1, R9.4) and store its basis as paid. `progress(step,
    done, total)`, if given, is told how far it has come (a background job, issue 17 item 8)."""
    report = progress or (lambda step, done=0, total=0: None)
    require_lov_admin(actor, "stänga en månad")
    municipality = lock_municipality(actor.municipality_id)
    period, early, reason = _checked_close(actor, municipality.pk, period, reason)
    report("computing")
    basis = basis_selectors.compute_basis(selectors.BasisScope(municipality.pk, None), period)
    close = MonthClose.objects.create(
        municipality=municipality,
        period=period.first,
        closed_by=actor,
        early=early,
        reason=reason,
        absence_reasons=sorted(basis.rules.absence_reasons),
        absence_paid_days=basis.rules.absence_paid_days,
        line_count=len(basis.lines),
        total=basis.total,
    )
    report("naming")
    rows = basis.rows
    for start in range(0, len(rows), CLOSE_BATCH):
        report("saving", start, len(rows))
        PaymentLine.objects.bulk_create(
            [
                _stored_line(close, seq, row)
                for seq, row in enumerate(rows[start : start + CLOSE_BATCH], start=start + 1)
            ]
        )
    report("saving", len(rows), len(rows))
    return close


def _checked_close(actor, municipality_id: int, period, reason: str):
    """The month, whether it is closed early, and the reason: or why it cannot be closed."""
    require_lov_admin(actor, "stänga en månad")
    errors: dict[str, str] = {}
    period = _period(period, errors)
    reason = (reason or "").strip()
    if len(reason) > 2000:
        errors["reason"] = "Skälet får vara högst 2000 tecken."
    if errors:
        raise ValidationFailed(errors)
    closed = sorted(Period.of(d) for d in selectors.closed_periods(municipality_id))
    if period in closed:
        raise MonthClosed(f"Månaden {period} är redan stängd.")
    if closed and period < closed[-1]:
        raise ValidationFailed(
            {"period": f"Månaderna stängs i ordning; {closed[-1]} är redan stängd."}
        )
    if closed and period != closed[-1].next():
        raise ValidationFailed(
            {"period": f"Månaderna stängs i ordning: stäng {closed[-1].next()} först."}
        )
    today = clock.today()
    if today <= period.last:
        raise ValidationFailed({"period": f"Månaden {period} är inte slut än."})
    profile = payment_rules_for(municipality_id)
    # The first close: months close in order and never reopen, so a month mistyped years back
    # would hold every later month; the first is within the profile's correction window.
    back = int(profile["payment_correction_months"])
    if not closed and period < Period.of(today).minus(back):
        raise ValidationFailed(
            {
                "period": f"Den första månaden som stängs får ligga högst {back} månader "
                f"bakåt (tidigast {Period.of(today).minus(back)})."
            }
        )
    deadline = registration_deadline(period, int(profile["month_registration_day"]))
    early = today <= deadline
    if early and not reason:
        raise ValidationFailed(
            {
                "reason": f"Uppgifterna för {period} registreras till och med "
                f"{day_text(deadline)} (R9.1). Ange skäl för att stänga månaden i förtid."
            }
        )
    return period, early, reason


def _stored_line(close: MonthClose, seq: int, row) -> PaymentLine:
    """One line of the basis as the close keeps it, with its names as they were."""
    return PaymentLine(
        close=close,
        municipality_id=close.municipality_id,
        seq=seq,
        concerns=Period.parse(row.line.concerns).first,
        adjustment=row.line.adjustment,
        kind=row.line.kind,
        provider_id=row.line.provider_id,
        provider_name=row.provider_name[:160],
        service_type_id=row.line.service_type_id,
        service_type_code=row.service_code[:50],
        service_type_name=row.service_name[:120],
        person_id=row.line.person_id,
        personal_number=row.personal_number[:13],
        person_name=row.person_name[:201],
        order_id=row.line.order_id,
        price_id=row.line.price_id,
        unit=row.line.unit,
        unit_price=row.line.unit_price,
        days=row.line.days,
        absence_days=row.line.absence_days,
        quantity=row.line.quantity,
        amount=row.line.amount,
        note=row.line.note,
        flag=row.line.flag,
        trace={
            "services": list(row.line.services),
            "events": list(row.line.events),
            "absences": list(row.line.absences),
            "changes": list(row.line.changes),
            "performed": list(row.line.performed),
        },
    )
