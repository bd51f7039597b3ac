"""The monthly payment basis (SPEC R9.4): what a municipality pays each provider for a month,
per service type, client and order. Pure Python, no Django: the selector (selectors.py) loads
the month's rows into the dataclasses below, and `month_lines` turns them into lines.

What is payable, day by day
===========================

A granted service is payable on the days it is in force for an order (seed 002
§Verkställighetsdatum/ersättning): from the latest of the order's start date, the service's
`valid_from` and the month's first day, to the earliest of the order's last day, the service's
`valid_to` and the month's last day. An order's last day is its end date; an order superseded
by a new version (R3.10) or ended by a provider switch (R2.6) ends the day before its successor
starts (`OrderIn.next_start`), whatever its own end date says, so two orders never pay for the
same day.

Absence (R7.1) reduces the payment when the municipality's rule profile says so (R11.4): an
absence whose reason is in `Rules.absence_reasons` is paid for its first
`Rules.absence_paid_days` days and not from the day after (0: not from its first day). An
ongoing absence runs to the end of the month.

The price of a service type on a day is the municipality's price valid that day (prices do not
overlap; the services refuse that), in one of four units (`PriceUnit`):

- per granted hour: the service's scope converted to hours for the payable days. Only
  "timmar per månad" (hours per month) is hours; it is paid pro rata per day: scope x payable
  days / days in the month. Visits, days a week or a place are not hours and cannot be priced
  per granted hour: the line says so (`flag`), with no amount.
- per day in force: payable days x price.
- per month in force: price x payable days / days in the month (a whole month pays the price).
- per performed hour: the performed time registered for the service (R9.2), not the scope.

A month in which the price changes gives one line per price. Days without a price give a line
that says so, with no amount.

Beside the granted time
=======================

- Performed time (R9.2, respite, escort, special care): the hours registered per day, priced per
  performed hour. Hours outside the order's or the service's days are not paid; the line says
  so.
- Exceeded time of an acute oral order (R3.2, seed 001 "Utföraren får debitera överskriden tid
  för den aktuella perioden"): the hours the provider registered beyond the order in the acute
  period, priced at the service type's hourly price (per granted or per performed hour).
- The 5-day rule (R3.8, seed 002 §Förändrat behov): a temporary change that fits in the
  current payment (the profile's `temporary_change_days`, judged when it was reported) is a
  line with no amount that says so; a longer one is flagged "kräver omprövning": it is paid
  through the new decision and order version, never here.

Every line carries its trace: the order, the granted services, the order's start and end
events and the temporary changes' events, the absences and the performed time it came from.

Adjustments (payments.adjustments): a closed month is never changed. What its recomputation
gives now, minus what was paid for it (the lines of every close concerning it), becomes
adjustment lines in the next open month, marked with the month they concern.

Money is Decimal, rounded half up to öre per line; quantities are rounded to 2 decimals (4 for a
fraction of a month). The lines come sorted, so the same rows always give the same lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .basis_granted import Month, granted
from .basis_types import (
    FLAG_NO_PRICE,
    FLAG_OUTSIDE,
    FLAG_REASSESS,
    FLAG_UNIT,
    HOURS_PER_MONTH,
    HUNDREDTH,
    ORE,
    PAYABLE_UNITS,
    PRICE_UNIT_LABELS,
    ZERO,
    AbsenceIn,
    ChangeIn,
    Line,
    LineKind,
    MonthData,
    OrderIn,
    PerformedIn,
    PerformedKind,
    Period,
    PriceIn,
    PriceUnit,
    Rules,
    ServiceIn,
)


def _round(value: Decimal, step: Decimal = ORE) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _text(day: date) -> str:
    return day.isoformat()


def _span(days: list[date]) -> str:
    return f"{_text(min(days))}–{_text(max(days))}" if days else ""


def number_text(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",") if value else "0"


class _Prices:
    """The prices by service type, the one valid on a day, and a span of days cut where the
    price changes."""

    def __init__(self, prices: Iterable[PriceIn]):
        self.by_type: dict[int, list[PriceIn]] = defaultdict(list)
        self.by_id: dict[int, PriceIn] = {}
        self._segments: dict[tuple, list] = {}
        for price in sorted(prices, key=lambda p: (p.valid_from, p.id)):
            self.by_type[price.service_type_id].append(price)
            self.by_id[price.id] = price

    def on(self, service_type_id: int, day: date) -> PriceIn | None:
        for price in self.by_type.get(service_type_id, ()):
            if price.covers(day):
                return price
        return None

    def segments(
        self, service_type_id: int, first: date, last: date
    ) -> list[tuple[date, date, PriceIn | None]]:
        """`first`..`last` cut into spans with one price each (None: no price). Most services
        of a month share their span: each span is cut once (the list is not to be changed)."""
        key = (service_type_id, first, last)
        result = self._segments.get(key)
        if result is None:
            result = self._segments[key] = self._cut(service_type_id, first, last)
        return result

    def _cut(self, service_type_id: int, first: date, last: date) -> list:
        result: list[tuple[date, date, PriceIn | None]] = []
        day = first
        for price in self.by_type.get(service_type_id, ()):
            if day > last:
                break
            p_last = price.valid_to or last
            if p_last < day:
                continue
            if price.valid_from > last:
                break
            if price.valid_from > day:
                result.append((day, price.valid_from - timedelta(days=1), None))
                day = price.valid_from
            end = min(p_last, last)
            result.append((day, end, price))
            day = end + timedelta(days=1)
        if day <= last:
            result.append((day, last, None))
        return result


@dataclass
class _Acc:
    """A line being summed up (days, quantity and amount exactly; rounded at the end)."""

    days: int = 0
    absence_days: int = 0
    quantity: Decimal = ZERO
    amount: Decimal = ZERO
    services: set = field(default_factory=set)
    absences: set = field(default_factory=set)
    performed: set = field(default_factory=set)
    dates: list = field(default_factory=list)
    names: set = field(default_factory=set)
    scope_units: set = field(default_factory=set)


# --- The month -------------------------------------------------------------------------------


def reduced_days(
    absences: Iterable[AbsenceIn], rules: Rules, period: Period
) -> dict[date, set[int]]:
    """The days of `period` an absence takes away from the payment (R9.4), each with the
    absences that do: absences of a reason the profile names, after its paid days."""
    days: dict[date, set[int]] = {}
    if not absences:
        return days
    for absence in absences:
        if absence.reason not in rules.absence_reasons:
            continue
        first = max(absence.from_date + timedelta(days=rules.absence_paid_days), period.first)
        last = min(absence.to_date or period.last, period.last)
        for day in _days(first, last):
            days.setdefault(day, set()).add(absence.id)
    return days


def granted_hours(service: ServiceIn, days: int, days_in_month: int) -> Decimal | None:
    """The hours a granted service's scope gives for `days` days of a month of `days_in_month`
    days: only "timmar per månad" is hours, pro rata per day; None for visits, days a week or a
    place, which are not hours."""
    if service.scope_unit != HOURS_PER_MONTH:
        return None
    return service.scope_amount * days / Decimal(days_in_month)


def _hours(
    order: OrderIn, period: Period, prices: _Prices, entries: list[PerformedIn], lines: list
) -> None:
    """Performed time (R9.2) and exceeded time of an acute oral order (R3.2)."""
    services = {s.id: s for s in order.services}
    accs: dict[tuple, _Acc] = {}
    acute_last = None
    if order.acute_oral_on is not None:
        acute_last = Period.of(order.acute_oral_on).last
    for entry in entries:
        service = services.get(entry.service_id)
        if service is None:
            continue
        if entry.kind == PerformedKind.EXCEEDED:
            inside = (
                order.acute_oral_on is not None and order.acute_oral_on <= entry.day <= acute_last
            )
        else:
            last = min(d for d in (order.last_day, service.valid_to, period.last) if d)
            inside = (
                order.start_date is not None
                and max(order.start_date, service.valid_from) <= entry.day <= last
            )
        price = prices.on(service.service_type_id, entry.day) if inside else None
        if not inside:
            state = "outside"
        elif price is None:
            state = "no_price"
        elif price.unit not in PAYABLE_UNITS[entry.kind]:
            state = "unit"
        else:
            state = "paid"
        key = (entry.kind, service.service_type_id, price.id if price else None, state)
        acc = accs.setdefault(key, _Acc())
        acc.services.add(service.id)
        acc.performed.add(entry.id)
        acc.dates.append(entry.day)
        acc.names.add(service.service_name)
        acc.quantity += entry.hours
        if state == "paid":
            acc.amount += entry.hours * price.amount
    for (kind, type_id, price_id, state), acc in accs.items():
        price = prices.by_id.get(price_id)
        name = ", ".join(sorted(acc.names))
        hours = number_text(acc.quantity)
        days = len(set(acc.dates))
        span = _span(acc.dates)
        line_kind = LineKind.EXCEEDED if kind == PerformedKind.EXCEEDED else LineKind.PERFORMED
        what = "överskriden tid" if kind == PerformedKind.EXCEEDED else "utförd tid"
        flag, unit, unit_price = "", price.unit if price else "", price.amount if price else None
        quantity, amount = _round(acc.quantity, HUNDREDTH), ZERO
        if state == "outside":
            flag = FLAG_OUTSIDE
            where = (
                "den akuta perioden (från den muntliga beställningen månaden ut)"
                if kind == PerformedKind.EXCEEDED
                else "beställningens och insatsens dagar"
            )
            note = f"{hours} timmar {what} för {name} {span} ligger utanför {where}."
        elif state == "no_price":
            flag = FLAG_NO_PRICE
            note = f"Inget pris för {name} {span}; {hours} timmar {what} ersätts inte."
        elif state == "unit":
            flag = FLAG_UNIT
            label = PRICE_UNIT_LABELS.get(PriceUnit(price.unit), price.unit)
            note = (
                f"{hours} timmar {what} för {name} {span} ersätts inte per timme: priset "
                f"gäller {label}."
            )
        else:
            amount = _round(acc.amount)
            note = f"{name} {span}: {hours} timmar {what} ({days} dagar)."
        lines.append(
            Line(
                concerns=period.label,
                provider_id=order.provider_id,
                service_type_id=type_id,
                person_id=order.person_id,
                order_id=order.id,
                kind=line_kind,
                price_id=price.id if price else None,
                unit=unit,
                unit_price=unit_price,
                days=days,
                absence_days=0,
                quantity=quantity,
                amount=amount,
                note=note,
                flag=flag,
                services=tuple(sorted(acc.services)),
                events=order.event_ids,
                performed=tuple(sorted(acc.performed)),
            )
        )


def _changes(order: OrderIn, period: Period, changes: list[ChangeIn], lines: list) -> None:
    """The 5-day rule (R3.8): a line with no amount per temporary change begun in the month."""
    if not order.services:
        return
    for change in changes:
        if not period.first <= change.from_date <= period.last:
            continue
        in_force = [
            s
            for s in order.services
            if s.valid_from <= change.from_date
            and (s.valid_to is None or change.from_date <= s.valid_to)
        ]
        service = min(in_force or order.services, key=lambda s: s.id)
        what = "ökning" if change.kind == "increase" else "minskning"
        when = f"{_text(change.from_date)}–{_text(change.to_date)} ({change.days} dagar)"
        if change.needs_reassessment:
            flag = FLAG_REASSESS
            note = (
                f"Tillfällig {what} {when} kräver omprövning; den ersätts genom nytt beslut "
                "och ny beställning, inte i detta underlag (R3.8)."
            )
        else:
            flag = ""
            note = f"Tillfällig {what} {when} ryms i befintlig ersättning (R3.8)."
        events = order.event_ids + ((change.event_id,) if change.event_id else ())
        lines.append(
            Line(
                concerns=period.label,
                provider_id=order.provider_id,
                service_type_id=service.service_type_id,
                person_id=order.person_id,
                order_id=order.id,
                kind=LineKind.TEMPORARY_CHANGE,
                price_id=None,
                unit="",
                unit_price=None,
                days=0,
                absence_days=0,
                quantity=ZERO,
                amount=ZERO,
                note=note,
                flag=flag,
                services=(service.id,),
                events=tuple(sorted(set(events))),
                changes=(change.id,),
            )
        )


def month_lines(period: Period, data: MonthData) -> list[Line]:
    """The month's lines (see the module's doc), sorted."""
    prices = _Prices(data.prices)
    month = Month(period)
    p_first, p_last = month.first, month.last
    absences, changes, performed = defaultdict(list), defaultdict(list), defaultdict(list)
    for a in data.absences:
        absences[a.order_id].append(a)
    for c in data.changes:
        changes[c.order_id].append(c)
    for p in data.performed:
        if p_first <= p.day <= p_last:
            performed[p.order_id].append(p)
    rules = data.rules
    lines: list[Line] = []
    for order in data.orders:
        start = order.start_date
        if start is not None and start <= p_last:
            last = order.last_day
            # superseded on its own first day (last < start): nothing to pay
            if last is None or (last >= p_first and last >= start):
                pk = order.id
                away = absences.get(pk)
                reduced = reduced_days(away, rules, period) if away else {}
                granted(order, last, month, prices, reduced, lines)
                if pk in changes:
                    _changes(order, period, changes[pk], lines)
        if order.id in performed:
            entries = sorted(performed[order.id], key=lambda p: (p.day, p.id))
            _hours(order, period, prices, entries, lines)
    lines.sort(key=_sort_key)
    return lines


_sort_key = Line.sort_key.fget


def total(lines: Iterable[Line]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)
