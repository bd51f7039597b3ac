"""The payment basis' vocabulary (SPEC R9.4): price units, line kinds, flags, the month
(`Period`), what the arithmetic takes (`MonthData` and its rows) and what it gives (`Line`).
Pure Python, no Django; the arithmetic is payments.basis, the adjustments
payments.adjustments."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

ORE = Decimal("0.01")
HUNDREDTH = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")
ZERO = Decimal("0")

#: The one scope unit that is hours (decisions.models.ScopeUnit.HOURS_PER_MONTH).
HOURS_PER_MONTH = "hours_per_month"
SCOPE_UNIT_LABELS = {
    "hours_per_month": "timmar per månad",
    "visits_per_day": "besök per dag",
    "visits_per_week": "besök per vecka",
    "visits_per_month": "besök per månad",
    "days_per_week": "dagar per vecka",
    "place": "plats",
}


class PriceUnit(StrEnum):
    GRANTED_HOUR = "granted_hour"
    DAY = "day"
    MONTH = "month"
    PERFORMED_HOUR = "performed_hour"


PRICE_UNIT_LABELS = {
    PriceUnit.GRANTED_HOUR: "per beviljad timme",
    PriceUnit.DAY: "per dag i kraft",
    PriceUnit.MONTH: "per månad i kraft",
    PriceUnit.PERFORMED_HOUR: "per utförd timme",
}
HOURLY_UNITS = frozenset({PriceUnit.GRANTED_HOUR, PriceUnit.PERFORMED_HOUR})


class LineKind(StrEnum):
    GRANTED = "granted"
    PERFORMED = "performed"
    EXCEEDED = "exceeded"
    TEMPORARY_CHANGE = "temporary_change"


LINE_KIND_LABELS = {
    LineKind.GRANTED: "Beviljad tid",
    LineKind.PERFORMED: "Utförd tid",
    LineKind.EXCEEDED: "Överskriden tid (akut muntlig beställning)",
    LineKind.TEMPORARY_CHANGE: "Tillfällig förändring",
}
KIND_ORDER = {kind: index for index, kind in enumerate(LineKind)}


class PerformedKind(StrEnum):
    PERFORMED = "performed"  # performed time of respite, escort, special care (R9.2)
    EXCEEDED = "exceeded"  # time beyond an acute oral order (R3.2)


#: The price units that pay performed time and exceeded time by the hour.
PAYABLE_UNITS = {
    PerformedKind.PERFORMED: frozenset({PriceUnit.PERFORMED_HOUR}),
    PerformedKind.EXCEEDED: HOURLY_UNITS,
}

# Flags: what a line says about itself when it is not an ordinary payment.
FLAG_NO_PRICE = "pris saknas"
FLAG_UNIT = "enheten kan inte prissättas"
FLAG_OUTSIDE = "utanför beställningens dagar"
FLAG_REASSESS = "kräver omprövning"


# --- Periods ---------------------------------------------------------------------------------


#: The years a month given by a user may lie in: a month further off is a typing error, and
#: the month before or after it must still be a date.
FIRST_YEAR, LAST_YEAR = 1900, 2200


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month: the unit the basis is made and closed in."""

    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"no such month: {self.year}-{self.month}")

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026-03" -> Period(2026, 3); anything else a ValueError."""
        text = str(text or "").strip()
        if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
            raise ValueError(f"not a month: {text!r}")
        year, month = int(text[:4]), int(text[5:])
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            raise ValueError(f"not a month the system handles: {text!r}")
        return cls(year, month)

    @classmethod
    def asked(cls, text: str | None, today: date) -> Period | None:
        """The month a screen is asked for (`?period=ÅÅÅÅ-MM`): last month when none is given,
        None when the text is not a month the system handles."""
        if not text:
            return cls.of(today).previous()
        try:
            return cls.parse(text)
        except ValueError:
            return None

    @cached_property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @cached_property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @cached_property
    def last(self) -> date:
        return date(self.year, self.month, self.days)

    @cached_property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Period:
        return type(self)(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return type(self)(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def minus(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 - months
        return type(self)(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return self.label


def registration_deadline(period: Period, day_of_next_month: int) -> date:
    """The last day to register the month's starts, reassessments and absences (R9.1): day
    `day_of_next_month` of the next month (5: the 5th); the profile keeps it within 1-28, and a
    larger number is that month's last day."""
    following = period.next()
    return date(following.year, following.month, min(max(day_of_next_month, 1), following.days))


# --- What goes in ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceIn:
    id: int
    service_type_id: int
    unit: str
    amount: Decimal
    valid_from: date
    valid_to: date | None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class ServiceIn:
    """A granted service of an order."""

    id: int
    service_type_id: int
    service_name: str
    scope_amount: Decimal
    scope_unit: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class OrderIn:
    id: int
    provider_id: int
    person_id: int
    start_date: date | None
    end_date: date | None
    services: tuple[ServiceIn, ...]
    #: The start of the order that replaces it (a new version, R3.10, or the new provider's
    #: order after a switch, R2.6): this order's last day is the day before.
    next_start: date | None = None
    #: The day of an acute oral order (R3.2): exceeded time is paid from it to the end of
    #: that month.
    acute_oral_on: date | None = None
    #: The events that set its start and end dates (the trace).
    event_ids: tuple[int, ...] = ()

    @property
    def last_day(self) -> date | None:
        """The last payable day; None: until further notice."""
        ends = [d for d in (self.end_date,) if d is not None]
        if self.next_start is not None:
            ends.append(self.next_start - timedelta(days=1))
        return min(ends) if ends else None


@dataclass(frozen=True)
class AbsenceIn:
    id: int
    order_id: int
    reason: str
    from_date: date
    to_date: date | None


@dataclass(frozen=True)
class ChangeIn:
    """A temporary change reported by the provider (R3.8, orders.TemporaryChange)."""

    id: int
    order_id: int
    kind: str  # "increase" | "decrease"
    from_date: date
    to_date: date
    days: int
    needs_reassessment: bool
    event_id: int | None = None


@dataclass(frozen=True)
class PerformedIn:
    id: int
    order_id: int
    service_id: int
    day: date
    hours: Decimal
    kind: str = PerformedKind.PERFORMED


@dataclass(frozen=True)
class Rules:
    """The municipality's profile, as far as the payment goes (R9.4, R11.4)."""

    absence_reasons: frozenset[str] = frozenset({"hospital", "short_term_stay"})
    absence_paid_days: int = 0


@dataclass(frozen=True)
class MonthData:
    """Everything one month's basis is made from."""

    orders: tuple[OrderIn, ...]
    prices: tuple[PriceIn, ...]
    absences: tuple[AbsenceIn, ...] = ()
    changes: tuple[ChangeIn, ...] = ()
    performed: tuple[PerformedIn, ...] = ()
    rules: Rules = Rules()


def built(cls, values: dict):
    """An instance of the frozen dataclass `cls` with `values` (every field, by name), the same
    object `cls(**values)` makes, without the frozen class' `object.__setattr__` per field: the
    basis makes thousands of rows and lines a month. `values` becomes the instance's own
    attributes (a new dict, not to be used again by the caller). Only for classes with no
    `__post_init__`."""
    obj = object.__new__(cls)
    _set(obj, "__dict__", values)
    return obj


_set = object.__setattr__


# --- What comes out --------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of the basis: one provider, service type, client and order, one kind of
    payment and one price (see the module's doc)."""

    concerns: str  # the month the line pays for, "2026-03"
    provider_id: int
    service_type_id: int
    person_id: int
    order_id: int
    kind: str
    price_id: int | None
    unit: str  # a PriceUnit, or "" without a price
    unit_price: Decimal | None
    days: int  # payable days (granted), days with hours (performed, exceeded)
    absence_days: int  # days the absence rule took away
    quantity: Decimal  # hours, days or a fraction of a month, by `unit`
    amount: Decimal
    note: str
    flag: str = ""
    adjustment: bool = False
    services: tuple[int, ...] = ()
    events: tuple[int, ...] = ()
    absences: tuple[int, ...] = ()
    changes: tuple[int, ...] = ()
    performed: tuple[int, ...] = ()

    @property
    def key(self) -> tuple:
        """What an adjustment is matched on: the same payment of the same order."""
        return (
            self.concerns,
            self.provider_id,
            self.service_type_id,
            self.person_id,
            self.order_id,
            self.kind,
            self.price_id,
            self.unit,
        )

    @property
    def sort_key(self) -> tuple:
        return (
            self.provider_id,
            self.service_type_id,
            self.person_id,
            self.order_id,
            self.adjustment,
            self.concerns,
            KIND_ORDER.get(self.kind, 99),
            self.price_id or 0,
            self.flag,
            self.changes,
            self.note,
        )
