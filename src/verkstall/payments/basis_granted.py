"""The granted time of the monthly payment basis (SPEC R9.4, see payments.basis): an order's
granted services in force in a month, one line per service type and price. Pure Python, no
Django; written for thousands of orders a month (segments of days with one price each, one
accumulator per line, the month's texts made once)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .basis_types import (
    FLAG_NO_PRICE,
    FLAG_UNIT,
    HOURS_PER_MONTH,
    HUNDREDTH,
    ORE,
    SCOPE_UNIT_LABELS,
    TEN_THOUSANDTH,
    ZERO,
    Line,
    LineKind,
    OrderIn,
    Period,
    PriceUnit,
    ServiceIn,
    built,
)


def _text(day: date) -> str:
    return day.isoformat()


class Month:
    """What every order of a month shares: its days, its label and the texts of its spans."""

    def __init__(self, period: Period):
        self.period = period
        self.first = period.first
        self.last = period.last
        self.label = period.label
        self.dim = Decimal(period.days)
        self.spans: dict[tuple[date, date], str] = {}
        #: The lines' fields per shape of a one-service order without absence (`granted`).
        self.shapes: dict[tuple, list[dict]] = {}

    def span(self, first: date, last: date) -> str:
        text = self.spans.get((first, last))
        if text is None:
            text = self.spans[(first, last)] = f"{_text(first)}–{_text(last)}"
        return text


class _Granted:
    """A line of granted time being summed up (days, quantity and amount exactly; rounded at
    the end). `names` and `scope_units` are sets once a second service joins the line."""

    __slots__ = (
        "absence_days",
        "absences",
        "amount",
        "days",
        "first",
        "last",
        "names",
        "quantity",
        "scope_units",
        "services",
    )

    def __init__(self, service: ServiceIn, first: date, last: date):
        self.days = 0
        self.absence_days = 0
        self.quantity = ZERO
        self.amount = ZERO
        self.services = {service.id}
        self.absences: set | None = None
        self.first = first
        self.last = last
        self.names: str | set = service.service_name
        self.scope_units: str | set = service.scope_unit

    def join(self, service: ServiceIn, first: date, last: date) -> None:
        """Another segment of days (of this or another service) on the same line."""
        if first < self.first:
            self.first = first
        if last > self.last:
            self.last = last
        self.services.add(service.id)
        if isinstance(self.names, str):
            self.names = {self.names}
            self.scope_units = {self.scope_units}
        self.names.add(service.service_name)
        self.scope_units.add(service.scope_unit)


_DAY, _MONTH = PriceUnit.DAY.value, PriceUnit.MONTH.value
_GRANTED_HOUR, _PERFORMED_HOUR = PriceUnit.GRANTED_HOUR.value, PriceUnit.PERFORMED_HOUR.value
_GRANTED_KIND = LineKind.GRANTED


def granted(
    order: OrderIn,
    order_last: date | None,
    month: Month,
    prices,
    reduced: dict[date, set[int]],
    lines: list,
) -> None:
    """The granted services in force: one line per service type and price (segments of days
    with one price each, so the work is per price change, not per day).

    Most orders of a month have one service and no absence that reduces the payment: their
    lines depend only on the service's type, scope and name and its days in the month, so
    they are worked out once per such shape (`Month.shapes`) and only the order's own ids
    differ from one order to the next."""
    m_first, m_last = month.first, month.last
    first = order.start_date if order.start_date > m_first else m_first
    last = order_last if order_last is not None and order_last < m_last else m_last
    services = order.services
    ids = {
        "provider_id": order.provider_id,
        "person_id": order.person_id,
        "order_id": order.id,
        "events": order.event_ids,
    }
    if not reduced and len(services) == 1:
        service = services[0]
        s_first = service.valid_from if service.valid_from > first else first
        s_last = (
            service.valid_to if service.valid_to is not None and service.valid_to < last else last
        )
        if s_first > s_last:
            return  # not in force in the month
        shape = (
            service.service_type_id,
            service.scope_amount,
            service.scope_unit,
            service.service_name,
            s_first,
            s_last,
        )
        made = month.shapes.get(shape)
        if made is None:
            made = month.shapes[shape] = _values(
                _accumulate(services, first, last, month, prices, reduced), month, prices
            )
        ids["services"] = (service.id,)
        for values in made:
            lines.append(built(Line, {**values, **ids}))
        return
    for values in _values(
        _accumulate(services, first, last, month, prices, reduced), month, prices
    ):
        lines.append(built(Line, {**values, **ids}))


def _accumulate(
    services, first: date, last: date, month: Month, prices, reduced: dict[date, set[int]]
) -> dict[tuple, _Granted]:
    """The services' days from `first` to `last` summed up per service type, price and
    whether the scope can be priced."""
    dim = month.dim
    accs: dict[tuple, _Granted] = {}
    for service in services:
        s_first = service.valid_from if service.valid_from > first else first
        s_last = (
            service.valid_to if service.valid_to is not None and service.valid_to < last else last
        )
        if s_first > s_last:
            continue  # not in force in the month: no segments
        type_id = service.service_type_id
        for seg_first, seg_last, price in prices.segments(type_id, s_first, s_last):
            if price is None:
                unit, unpriceable, key = None, False, (type_id, None, False)
            else:
                unit = price.unit
                if unit == _PERFORMED_HOUR:
                    continue  # paid by the performed time registered (R9.2)
                unpriceable = unit == _GRANTED_HOUR and service.scope_unit != HOURS_PER_MONTH
                key = (type_id, price.id, unpriceable)
            acc = accs.get(key)
            if acc is None:
                acc = accs[key] = _Granted(service, seg_first, seg_last)
            else:
                acc.join(service, seg_first, seg_last)
            payable = (seg_last - seg_first).days + 1
            if reduced:
                away = [d for d in reduced if seg_first <= d <= seg_last]
                if away:
                    if acc.absences is None:
                        acc.absences = set()
                    for day in away:
                        acc.absences.update(reduced[day])
                    payable -= len(away)
                    acc.absence_days += len(away)
            acc.days += payable
            if unit is None or unpriceable or payable == 0:
                continue
            if unit == _DAY:
                acc.quantity += payable
                acc.amount += price.amount * payable
            elif unit == _MONTH:
                acc.quantity += Decimal(payable) / dim
                acc.amount += price.amount * payable / dim
            else:  # per granted hour, from hours a month pro rata per day (granted_hours)
                hours = service.scope_amount * payable / dim
                acc.quantity += hours
                acc.amount += hours * price.amount
    return accs


def _values(accs: dict[tuple, _Granted], month: Month, prices) -> list[dict]:
    """The lines' fields but the order's own (provider, client, order, events)."""
    by_id = prices.by_id
    spans = month.spans
    label = month.label
    made = []
    for (type_id, price_id, unpriceable), acc in accs.items():
        names = acc.names
        name = names if isinstance(names, str) else ", ".join(sorted(names))
        span = spans.get((acc.first, acc.last))
        if span is None:
            span = month.span(acc.first, acc.last)
        days = acc.days
        absence_days = acc.absence_days
        absent = f"; {absence_days} dagar frånvaro dras av" if absence_days else ""
        if price_id is None:
            note, flag = f"Inget pris för {name} {span} ({days} dagar){absent}.", FLAG_NO_PRICE
            unit, unit_price, quantity, amount = "", None, ZERO, ZERO
        else:
            price = by_id[price_id]
            unit, unit_price = price.unit, price.amount
            if unpriceable:
                scope_units = acc.scope_units
                if isinstance(scope_units, str):
                    scope_units = (scope_units,)
                units = ", ".join(SCOPE_UNIT_LABELS.get(u, u) for u in sorted(scope_units))
                note = (
                    f"Omfattningen anges i {units}; den kan inte ersättas per beviljad timme "
                    f"({name}, {span})."
                )
                flag, quantity, amount = FLAG_UNIT, ZERO, ZERO
            else:
                flag = ""
                quantity = acc.quantity.quantize(
                    TEN_THOUSANDTH if unit == _MONTH else HUNDREDTH, rounding=ROUND_HALF_UP
                )
                amount = acc.amount.quantize(ORE, rounding=ROUND_HALF_UP)
                note = f"{name} {span}: {days} dagar i kraft{absent}."
        services = acc.services
        absences = acc.absences
        made.append(
            {
                "concerns": label,
                "service_type_id": type_id,
                "kind": _GRANTED_KIND,
                "price_id": price_id,
                "unit": unit,
                "unit_price": unit_price,
                "days": days,
                "absence_days": absence_days,
                "quantity": quantity,
                "amount": amount,
                "note": note,
                "flag": flag,
                "adjustment": False,
                "services": tuple(services) if len(services) == 1 else tuple(sorted(services)),
                "absences": tuple(sorted(absences)) if absences else (),
                "changes": (),
                "performed": (),
            }
        )
    return made
