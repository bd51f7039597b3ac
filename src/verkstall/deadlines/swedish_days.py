"""Which days are Swedish weekdays (vardagar), and why a day is not one (SPEC R11.1, R11.2).

Split out of calendar.py, which computes due dates from this and re-exports every name here.
Pure Python, no Django import.

A *weekday* (vardag, lag 1930:173 om beräkning av lagstadgad tid) is Monday to Friday,
except the public holidays of lag 1989:253 om allmänna helgdagar and midsommarafton,
julafton and nyårsafton, which the law treats like public holidays.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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


class UnsupportedYearError(ValueError):
    """Raised for a date whose year the holiday tables do not cover.

    Failing loudly is better than computing a deadline that ignores holidays.
    """


@dataclass(frozen=True)
class SkippedDay:
    """A day that a deadline computation passed over, and why (in Swedish, for display)."""

    day: date
    reason: str


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


def non_weekdays(first: date, last: date) -> tuple[SkippedDay, ...]:
    """Every non-weekday in [first, last], in date order, with its reason."""
    skipped = []
    current = first
    while current <= last:
        reason = non_weekday_reason(current)
        if reason is not None:
            skipped.append(SkippedDay(current, reason))
        current += _ONE_DAY
    return tuple(skipped)
