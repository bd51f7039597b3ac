"""The Swedish deadline calendar: which days are weekdays, and when a deadline falls due.

Every deadline in a rule profile (SPEC R11.1) is "so many hours / days / weekdays / weeks /
months after an event".  This module turns such a rule into a due date and records every
day it passed over, with a Swedish reason, so that a due date can explain itself (R11.2).

It is deliberately pure Python with no Django import: the arithmetic is the part of the
system that is easiest to get subtly wrong (holidays, month ends, daylight saving time), so
it has to be testable on its own, quickly and exhaustively.

A *weekday* (vardag, lag 1930:173 om beräkning av lagstadgad tid) is Monday to Friday,
except the public holidays of lag 1989:253 om allmänna helgdagar and midsommarafton,
julafton and nyårsafton, which the law treats like public holidays.  The glossary treats
"vardag" and "arbetsdag" alike, so both units count exactly the same days.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import DE_FACTO, PUBLIC

#: Every deadline is kept in Swedish local time, whatever time zone the event arrived in.
STOCKHOLM = ZoneInfo("Europe/Stockholm")

#: The `holidays` package only knows Swedish holidays for these years; outside them it
#: silently returns no holidays at all, which would make every Christmas a working day.
FIRST_SUPPORTED_YEAR: int = holidays.SE.start_year
LAST_SUPPORTED_YEAR: int = holidays.SE.end_year

# Reason strings for the weekend, shown to staff next to the holiday names.
_WEEKEND_REASONS = {5: "Lördag", 6: "Söndag"}

_ONE_DAY = timedelta(days=1)


class Unit(StrEnum):
    """How the length of a deadline rule is measured.

    A StrEnum so that the values can be stored as plain text in rule profiles and read back
    with ``Unit(value)``.
    """

    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    # WEEKDAYS and WORKING_DAYS count the same days (vardag and arbetsdag are the same in the
    # glossary); both exist because the routines being modelled use both words.
    WEEKDAYS = "weekdays"
    WORKING_DAYS = "working_days"
    WEEKS = "weeks"
    MONTHS = "months"
    DAY_OF_FOLLOWING_MONTH = "day_of_following_month"


_WEEKDAY_UNITS = frozenset({Unit.WEEKDAYS, Unit.WORKING_DAYS})


class UnsupportedYearError(ValueError):
    """Raised for a date whose year the holiday tables do not cover.

    Failing loudly is better than computing a deadline that ignores holidays.
    """


@dataclass(frozen=True)
class SkippedDay:
    """A day that a deadline computation passed over, and why (in Swedish, for display)."""

    day: date
    reason: str


@dataclass(frozen=True)
class Due:
    """The result of :func:`compute_due`, with what is needed to explain it (R11.2).

    ``due_date`` is None only for HOURS rules, whose deadline is a moment, not a day.
    ``due_at`` is timezone-aware in Europe/Stockholm; for whole-day units it is the very end
    of ``due_date`` (``time.max``), because anything done on the due date is in time.
    ``skipped`` lists, in date order, every non-weekday passed over while counting weekdays
    and every day passed over when rolling forward to a weekday.
    ``rolled_from`` is the date before rolling to the next weekday, if a roll happened.
    """

    due_date: date | None
    due_at: datetime
    skipped: tuple[SkippedDay, ...] = ()
    rolled_from: date | None = None


@functools.lru_cache(maxsize=256)
def _holiday_names(year: int) -> Mapping[date, str]:
    """Swedish names of the public and de facto holidays of ``year``, cached per year.

    Sundays are left out on purpose (``include_sundays=False``): the weekend is handled
    separately so that every Sunday gets the same reason, "Söndag", unless it is also a
    named holiday such as Påskdagen.
    """
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise UnsupportedYearError(
            f"No Swedish holiday table for {year}; supported years are "
            f"{FIRST_SUPPORTED_YEAR}-{LAST_SUPPORTED_YEAR}."
        )
    table = holidays.country_holidays(
        "SE",
        years=year,
        language="sv",
        categories=(PUBLIC, DE_FACTO),
        include_sundays=False,
    )
    # Copy into a read-only plain mapping: a HolidayBase silently grows new years on lookup,
    # and the cached value must not be mutable by callers.
    return MappingProxyType(dict(table))


def non_weekday_reason(day: date) -> str | None:
    """Return None if ``day`` is a Swedish weekday, otherwise why it is not (in Swedish).

    A holiday's own name wins over "Lördag"/"Söndag", because that is the more informative
    explanation (Annandag jul 2026 is a Saturday, Påskdagen is always a Sunday).
    """
    if isinstance(day, datetime):
        # A datetime is a date subclass but never equal to one; refuse rather than guess
        # which time zone's calendar day was meant.
        raise TypeError("non_weekday_reason() takes a date, not a datetime")
    holiday = _holiday_names(day.year).get(day)
    if holiday is not None:
        return holiday
    return _WEEKEND_REASONS.get(day.weekday())


def is_weekday(day: date) -> bool:
    """True for a Swedish weekday (vardag / arbetsdag)."""
    return non_weekday_reason(day) is None


def add_weekdays(day: date, n: int) -> date:
    """Return the ``n``-th weekday after ``day`` (before it if ``n`` is negative).

    ``day`` itself is never counted, so ``add_weekdays(d, 0) == d`` even on a weekend, and
    for a weekday ``d`` going forward and back again returns to ``d``.
    """
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    current = day
    while remaining:
        current += step
        if is_weekday(current):
            remaining -= 1
    return current


def weekdays_between(a: date, b: date) -> int:
    """Count the weekdays in the half-open interval (a, b].

    Negative (minus the count in (b, a]) when ``b`` is before ``a``, so that
    ``weekdays_between(d, add_weekdays(d, n)) == n`` for any n >= 0.
    """
    if b < a:
        return -weekdays_between(b, a)
    return sum(is_weekday(a + timedelta(days=offset)) for offset in range(1, (b - a).days + 1))


def _non_weekdays(first: date, last: date) -> tuple[SkippedDay, ...]:
    """Every non-weekday in [first, last], in date order, with its reason."""
    skipped = []
    current = first
    while current <= last:
        reason = non_weekday_reason(current)
        if reason is not None:
            skipped.append(SkippedDay(current, reason))
        current += _ONE_DAY
    return tuple(skipped)


def _as_stockholm(start: date | datetime) -> datetime:
    """An aware Stockholm datetime for ``start``; a plain date means its local midnight."""
    if isinstance(start, datetime):
        if start.tzinfo is None or start.utcoffset() is None:
            return start.replace(tzinfo=STOCKHOLM)
        return start.astimezone(STOCKHOLM)
    return datetime.combine(start, time.min, STOCKHOLM)


def _local_date(start: date | datetime) -> date:
    """The Stockholm calendar date of ``start``."""
    if isinstance(start, datetime):
        return _as_stockholm(start).date()
    return start


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, STOCKHOLM)


def _add_months(day: date, months: int) -> date:
    """Same day number ``months`` later, clamped to the end of a shorter month."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    return _clamped_day(year, month + 1, day.day)


def _clamped_day(year: int, month: int, day_number: int) -> date:
    """Day ``day_number`` of the month, or the month's last day if it is shorter."""
    next_month_start = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month_start - _ONE_DAY).day
    return date(year, month, min(day_number, last_day))


def _count_weekdays(
    start_day: date, amount: int, count_from_next_day: bool
) -> tuple[date, tuple[SkippedDay, ...]]:
    """Due date and skipped days for a WEEKDAYS / WORKING_DAYS rule."""
    if amount == 0:
        return start_day, ()
    if count_from_next_day or not is_weekday(start_day):
        due = add_weekdays(start_day, amount)
    else:
        # The start day is itself day 1.
        due = add_weekdays(start_day, amount - 1)
    first_candidate = start_day + _ONE_DAY if count_from_next_day else start_day
    return due, _non_weekdays(first_candidate, due)


def _calendar_due(start_day: date, amount: int, unit: Unit, count_from_next_day: bool) -> date:
    """Due date for the units that do not look at holidays (before any roll)."""
    if unit is Unit.DAY_OF_FOLLOWING_MONTH:
        if not 1 <= amount <= 31:
            raise ValueError(f"day of the following month must be 1-31, got {amount}")
        following = _add_months(start_day.replace(day=1), 1)
        return _clamped_day(following.year, following.month, amount)
    if unit is Unit.CALENDAR_DAYS:
        due = start_day + timedelta(days=amount)
    elif unit is Unit.WEEKS:
        due = start_day + timedelta(weeks=amount)
    elif unit is Unit.MONTHS:
        due = _add_months(start_day, amount)
    else:  # pragma: no cover - every unit is handled above or by the caller
        raise ValueError(f"unhandled unit {unit!r}")
    if not count_from_next_day and amount > 0:
        # The start day is day 1 of the period, so the period ends one day earlier.
        due -= _ONE_DAY
    return due


def compute_due(
    start: date | datetime,
    amount: int,
    unit: Unit | str,
    *,
    count_from_next_day: bool = True,
    roll_to_weekday: bool = False,
) -> Due:
    """Compute when a deadline of ``amount`` ``unit`` after ``start`` falls due.

    ``start`` as a date is that Stockholm date; an aware datetime is converted to
    Stockholm; a naive datetime is taken as Stockholm local time.

    * HOURS: ``amount`` real hours later (so 48 hours across the October DST change end at
      a wall-clock time one hour earlier); ``due_date`` is None and rolling does not apply.
    * CALENDAR_DAYS, WEEKS (7 days each), MONTHS (same day number, clamped to the month's
      last day): counted from the start date.
    * WEEKDAYS / WORKING_DAYS: the ``amount``-th weekday after the start date; every
      non-weekday passed over is recorded in ``skipped``.  ``amount`` 0 is the start day.
    * DAY_OF_FOLLOWING_MONTH: day ``amount`` (1-31, clamped) of the month after the start.

    ``count_from_next_day=False`` makes the start day day 1 of the period (when it is a
    weekday, for the weekday units), so CALENDAR_DAYS, WEEKS and MONTHS end one day
    earlier and the weekday units one weekday earlier.  It does not affect HOURS or
    DAY_OF_FOLLOWING_MONTH.

    ``roll_to_weekday=True`` moves a due date that is not a weekday forward to the next
    weekday, recording the days passed in ``skipped`` and the original in ``rolled_from``.
    """
    unit = Unit(unit)
    if amount < 0:
        raise ValueError(f"a deadline cannot be a negative amount of time, got {amount}")

    if unit is Unit.HOURS:
        # Add in UTC: aware arithmetic within one ZoneInfo is wall-clock arithmetic, which
        # would make 48 hours across a DST change 47 or 49 real hours.
        start_utc = _as_stockholm(start).astimezone(UTC)
        due_at = (start_utc + timedelta(hours=amount)).astimezone(STOCKHOLM)
        return Due(due_date=None, due_at=due_at)

    start_day = _local_date(start)
    skipped: tuple[SkippedDay, ...] = ()
    if unit in _WEEKDAY_UNITS:
        due, skipped = _count_weekdays(start_day, amount, count_from_next_day)
    else:
        due = _calendar_due(start_day, amount, unit, count_from_next_day)

    rolled_from = None
    if roll_to_weekday and not is_weekday(due):
        rolled_from = due
        rolled = add_weekdays(due, 1)
        skipped += _non_weekdays(due, rolled - _ONE_DAY)
        due = rolled

    return Due(due_date=due, due_at=_end_of_day(due), skipped=skipped, rolled_from=rolled_from)
