"""The Swedish deadline calendar: which days are weekdays, and when a deadline falls due.

Every deadline in a rule profile (SPEC R11.1) is "so many hours / days / weekdays / weeks /
months after an event", or a day of a month.  This module turns such a rule into a due date
and records every day it passed over, with a Swedish reason, so that a due date can explain
itself (R11.2).  The rule language's words from published routines (R11.4) are here too:
hours counted only on weekdays or only inside opening hours, a receipt window (an event
outside the opening hours counts from the next opening), a same-day cut-off, the Nth or last
weekday of a month, an exclusive end and a time of day.

It is deliberately pure Python with no Django import: the arithmetic is the part of the
system that is easiest to get subtly wrong (holidays, month ends, daylight saving time), so
it has to be testable on its own, quickly and exhaustively.

A *weekday* (vardag, lag 1930:173 om beräkning av lagstadgad tid) is Monday to Friday,
except the public holidays of lag 1989:253 om allmänna helgdagar and midsommarafton,
julafton and nyårsafton, which the law treats like public holidays.  The glossary treats
"vardag" and "arbetsdag" alike, so both units count exactly the same days.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

# The weekday calendar lives in swedish_days.py; its names are part of this module's API too.
from .swedish_days import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    STOCKHOLM,
    SkippedDay,
    UnsupportedYearError,
    add_weekdays,
    is_weekday,
    non_weekday_reason,
    non_weekdays,
    weekdays_between,
)

__all__ = [
    "DAY_UNITS",
    "FIRST_SUPPORTED_YEAR",
    "HOUR_UNITS",
    "LAST_SUPPORTED_YEAR",
    "MAX_WEEKDAY_OF_MONTH",
    "MONTH_UNITS",
    "MONTH_UNIT_RANGE",
    "STOCKHOLM",
    "Due",
    "SkippedDay",
    "Unit",
    "UnsupportedYearError",
    "add_weekdays",
    "clock_text",
    "compute_due",
    "is_weekday",
    "non_weekday_reason",
    "non_weekdays",
    "weekdays_between",
]

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
    # Rule language v2 (SPEC R11.4): hours that run only on weekdays or only inside the
    # rule's opening hours, and dates anchored in a month ("senast den 5:e samma månad",
    # "tredje vardagen i månaden efter", "sista vardagen i månaden").
    WEEKDAY_HOURS = "weekday_hours"
    OPENING_HOURS = "opening_hours"
    DAY_OF_SAME_MONTH = "day_of_same_month"
    WEEKDAY_OF_FOLLOWING_MONTH = "weekday_of_following_month"
    WEEKDAY_OF_SAME_MONTH = "weekday_of_same_month"
    LAST_WEEKDAY_OF_FOLLOWING_MONTH = "last_weekday_of_following_month"
    LAST_WEEKDAY_OF_SAME_MONTH = "last_weekday_of_same_month"


_WEEKDAY_UNITS = frozenset({Unit.WEEKDAYS, Unit.WORKING_DAYS})

#: Units whose deadline is a moment, not a day (SPEC R11.4). Rolling to a weekday, a time of
#: day, an exclusive end and a same-day cut-off do not apply to them.
HOUR_UNITS = frozenset({Unit.HOURS, Unit.WEEKDAY_HOURS, Unit.OPENING_HOURS})
#: Units counted from the start's date; "day one" (count_from_next_day) applies to them.
DAY_UNITS = frozenset(
    {Unit.CALENDAR_DAYS, Unit.WEEKDAYS, Unit.WORKING_DAYS, Unit.WEEKS, Unit.MONTHS}
)
#: Units anchored in a month: the amount is a day or a weekday number of the start's month
#: or the next. "Day one" does not apply to them: the 5th is the 5th.
MONTH_UNITS = frozenset(
    {
        Unit.DAY_OF_FOLLOWING_MONTH,
        Unit.DAY_OF_SAME_MONTH,
        Unit.WEEKDAY_OF_FOLLOWING_MONTH,
        Unit.WEEKDAY_OF_SAME_MONTH,
        Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH,
        Unit.LAST_WEEKDAY_OF_SAME_MONTH,
    }
)
_FOLLOWING_MONTH_UNITS = frozenset(
    {
        Unit.DAY_OF_FOLLOWING_MONTH,
        Unit.WEEKDAY_OF_FOLLOWING_MONTH,
        Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH,
    }
)
_DAY_OF_MONTH_UNITS = frozenset({Unit.DAY_OF_FOLLOWING_MONTH, Unit.DAY_OF_SAME_MONTH})
_LAST_WEEKDAY_UNITS = frozenset(
    {Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH, Unit.LAST_WEEKDAY_OF_SAME_MONTH}
)
#: The most weekdays a month can have (23 Mondays to Fridays in a 31-day month); the least
#: in 2026 is 19. A month with fewer than N gives its last (or first) weekday instead.
MAX_WEEKDAY_OF_MONTH = 23
#: The amounts a month unit takes: a day of the month, or a weekday number (1 = the first, or
#: for the LAST_ units the last).
MONTH_UNIT_RANGE = {
    unit: (1, 31 if unit in _DAY_OF_MONTH_UNITS else MAX_WEEKDAY_OF_MONTH) for unit in MONTH_UNITS
}


@dataclass(frozen=True)
class Due:
    """The result of :func:`compute_due`, with what is needed to explain it (R11.2).

    ``due_date`` is None only for the hour units, whose deadline is a moment, not a day.
    ``due_at`` is timezone-aware in Europe/Stockholm; for whole-day units it is the very end
    of ``due_date`` (``time.max``), because anything done on the due date is in time, or
    ``due_date`` at the rule's time of day ("senast kl. 12.00").
    ``skipped`` lists, in date order, every non-weekday passed over while counting weekdays
    (or weekday hours, or opening hours), by a receipt window, and when rolling forward.
    ``rolled_from`` is the date before rolling to the next weekday, if a roll happened.
    ``counted_from`` is the moment the count really started from ("räknas från"), when a
    receipt window, a cut-off or "from the next day" (hour units) moved it (for day and
    month units only a move to another day counts); None when it counts from the start
    itself. ``counted_from_reason`` says why, in Swedish.
    ``exclusive_end_of`` is the end day, for a rule whose last day is not included ("före
    den 5:e"): the deadline is the start of that day, so ``due_date`` is the day before.
    """

    due_date: date | None
    due_at: datetime
    skipped: tuple[SkippedDay, ...] = ()
    rolled_from: date | None = None
    counted_from: datetime | None = None
    counted_from_reason: str = ""
    exclusive_end_of: date | None = None


def clock_text(value: time) -> str:
    """A time of day the Swedish way, "17.00" (as in "kl. 17.00")."""
    return f"{value:%H.%M}"


def _as_stockholm(start: date | datetime) -> datetime:
    """An aware Stockholm datetime for ``start``; a plain date means its local midnight."""
    if isinstance(start, datetime):
        if start.tzinfo is None or start.utcoffset() is None:
            return start.replace(tzinfo=STOCKHOLM)
        return start.astimezone(STOCKHOLM)
    return datetime.combine(start, time.min, STOCKHOLM)


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
    return due, non_weekdays(first_candidate, due)


def _calendar_due(start_day: date, amount: int, unit: Unit, count_from_next_day: bool) -> date:
    """Due date for the day units that do not look at holidays (before any roll)."""
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


def _month_anchored(
    start_day: date, amount: int, unit: Unit
) -> tuple[date, tuple[SkippedDay, ...]]:
    """Due date and skipped days for a unit anchored in the start's month or the next.

    Day N is clamped to a shorter month's last day. The Nth weekday counts weekdays from the
    1st, the Nth last from the month's last day backwards; a month with fewer than N weekdays
    gives its last (or first) weekday. The non-weekdays passed over while counting are the
    skipped days."""
    least, most = MONTH_UNIT_RANGE[unit]
    if not least <= amount <= most:
        raise ValueError(f"{unit.value} takes {least}-{most}, got {amount}")
    first = start_day.replace(day=1)
    if unit in _FOLLOWING_MONTH_UNITS:
        first = _add_months(first, 1)
    if unit in _DAY_OF_MONTH_UNITS:
        return _clamped_day(first.year, first.month, amount), ()
    last = _add_months(first, 1) - _ONE_DAY
    backwards = unit in _LAST_WEEKDAY_UNITS
    step = -_ONE_DAY if backwards else _ONE_DAY
    day, found, counted = (last if backwards else first), first, 0
    passed: list[SkippedDay] = []
    while first <= day <= last and counted < amount:
        reason = non_weekday_reason(day)
        if reason is None:
            found, counted = day, counted + 1
        else:
            passed.append(SkippedDay(day, reason))
        day += step
    kept = [s for s in passed if (s.day > found if backwards else s.day < found)]
    return found, tuple(sorted(kept, key=lambda s: s.day))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, STOCKHOLM)


def _effective_start(
    moment: datetime,
    *,
    receipt_window: bool,
    opening_hours: tuple[time, time] | None,
    cutoff_time: time | None,
    cutoff_day: int | None = None,
) -> tuple[datetime, list[str], tuple[SkippedDay, ...]]:
    """The moment the count starts from ("räknas från"), the reasons it moved, and the
    non-weekdays a receipt window passed over. ``moment`` is in Stockholm time."""
    reasons: list[str] = []
    skipped: tuple[SkippedDay, ...] = ()
    if receipt_window and opening_hours is not None:
        opens, closes = opening_hours
        day = moment.date()
        closed = non_weekday_reason(day)
        if closed is None and moment.time() >= closes:
            closed = f"efter stängning kl. {clock_text(closes)}"
        if closed is not None:
            next_open = add_weekdays(day, 1)
            skipped = non_weekdays(day, next_open - _ONE_DAY)
            moment = datetime.combine(next_open, opens, STOCKHOLM)
            reasons.append(f"utanför öppettiden: {closed}")
        elif moment.time() < opens:
            moment = datetime.combine(day, opens, STOCKHOLM)
            reasons.append(f"utanför öppettiden: före öppning kl. {clock_text(opens)}")
    if cutoff_time is not None and moment.time() >= cutoff_time:
        moment = _midnight(moment.date() + _ONE_DAY)
        reasons.append(f"inte före kl. {clock_text(cutoff_time)}")
    if cutoff_day is not None and moment.day > cutoff_day:
        moment = _midnight(_add_months(moment.date().replace(day=1), 1))
        reasons.append(f"efter den {cutoff_day}:e i månaden")
    return moment, reasons, skipped


def _hours_due(
    moment: datetime, amount: int, unit: Unit, opening_hours: tuple[time, time] | None
) -> tuple[datetime, tuple[SkippedDay, ...]]:
    """The due moment of an hour unit counted from ``moment``, and the non-weekdays skipped.

    HOURS are real elapsed hours. WEEKDAY_HOURS count only time on weekdays (each a whole day,
    00:00-24:00), OPENING_HOURS only time inside the opening hours of weekdays. Durations
    are taken in UTC; the DST changes fall on Sundays (the last Sunday of March and of
    October), which never count, so a counted day always has its 24 wall-clock hours.
    A count that ends exactly at a day's end or at closing time is due then, not at the
    next opening."""
    if unit is Unit.HOURS:
        # Add in UTC: aware arithmetic within one ZoneInfo is wall-clock arithmetic, which
        # would make 48 hours across a DST change 47 or 49 real hours.
        return (moment.astimezone(UTC) + timedelta(hours=amount)).astimezone(STOCKHOLM), ()
    remaining = timedelta(hours=amount)
    skipped: list[SkippedDay] = []
    day = moment.date()
    while True:
        reason = non_weekday_reason(day)
        if reason is not None:
            skipped.append(SkippedDay(day, reason))
            day += _ONE_DAY
            continue
        if unit is Unit.OPENING_HOURS and opening_hours is not None:
            window = (
                datetime.combine(day, opening_hours[0], STOCKHOLM),
                datetime.combine(day, opening_hours[1], STOCKHOLM),
            )
        else:
            window = (_midnight(day), _midnight(day + _ONE_DAY))
        begin = max(moment, window[0]).astimezone(UTC)
        end = window[1].astimezone(UTC)
        if begin < end:
            if remaining <= end - begin:
                return (begin + remaining).astimezone(STOCKHOLM), tuple(skipped)
            remaining -= end - begin
        day += _ONE_DAY


def _check_arguments(
    amount: int,
    unit: Unit,
    *,
    end_inclusive: bool,
    due_time: time | None,
    cutoff_time: time | None,
    receipt_window: bool,
    opening_hours: tuple[time, time] | None,
    cutoff_day: int | None = None,
) -> None:
    """Refuse what compute_due cannot give a meaning (RuleSpec says why in Swedish)."""
    if amount < 0:
        raise ValueError(f"a deadline cannot be a negative amount of time, got {amount}")
    if unit in HOUR_UNITS and (due_time or cutoff_time or cutoff_day or not end_inclusive):
        raise ValueError("a time of day, a cut-off or an exclusive end needs a day unit")
    if cutoff_day is not None and not 1 <= cutoff_day <= 31:
        raise ValueError(f"a day of the month is 1-31, got {cutoff_day}")
    if (unit is Unit.OPENING_HOURS or receipt_window) and opening_hours is None:
        raise ValueError(f"{unit.value} with receipt_window={receipt_window} needs opening hours")
    if opening_hours is not None and not opening_hours[0] < opening_hours[1]:
        raise ValueError(f"opening hours must open before they close, got {opening_hours}")


def compute_due(
    start: date | datetime,
    amount: int,
    unit: Unit | str,
    *,
    count_from_next_day: bool | None = None,
    roll_to_weekday: bool = False,
    end_inclusive: bool = True,
    due_time: time | None = None,
    cutoff_time: time | None = None,
    receipt_window: bool = False,
    opening_hours: tuple[time, time] | None = None,
    cutoff_day: int | None = None,
) -> Due:
    """Compute when a deadline of ``amount`` ``unit`` after ``start`` falls due (R11.1, R11.4).

    ``start`` as a date is that Stockholm date (its midnight); an aware datetime is converted
    to Stockholm; a naive datetime is taken as Stockholm local time. In this order:

    1. The effective start ("räknas från", recorded in ``counted_from``):
       ``receipt_window`` (needs ``opening_hours=(opens, closes)``, weekdays only): a start on
       a non-weekday or at/after closing counts from the next weekday's opening, one before
       opening from that day's opening. Then ``cutoff_time`` ("samma dag om kontakt sker
       före kl. 11"): a start at or after the cut-off counts from 00:00 the next day. Then
       ``cutoff_day`` ("anmälan senast den 20:e, annars räknas den till nästa månad"): a
       start after that day of its month counts from 00:00 on the 1st of the next month.
    2. Hour units (``due_date`` None, ``due_at`` a moment): HOURS are real hours (48 hours
       across the October DST change end at a wall-clock time one hour earlier);
       WEEKDAY_HOURS count only time on weekdays, OPENING_HOURS only time inside the opening
       hours of weekdays, each listing the non-weekdays passed over. With
       ``count_from_next_day`` True the clock starts at 00:00 the next day ("48 timmar
       räknat från dagen efter"); False (the default for hour units) from the moment.
       Rolling does not apply; a time of day, an exclusive end or a cut-off is refused.
    3. Day units, from the effective start's date: CALENDAR_DAYS, WEEKS (7 days each),
       MONTHS (same day number, clamped to the month's last day); WEEKDAYS / WORKING_DAYS:
       the ``amount``-th weekday after the start date, every non-weekday passed over in
       ``skipped`` (``amount`` 0 is the start day). ``count_from_next_day=False`` makes the
       start day day 1 (when it is a weekday, for the weekday units), so the period ends a
       day (a weekday) earlier. The default for day units is True.
    4. Month-anchored units, where ``count_from_next_day`` does not apply: DAY_OF_FOLLOWING_
       MONTH / DAY_OF_SAME_MONTH: day ``amount`` (1-31, clamped); WEEKDAY_OF_FOLLOWING_MONTH
       / WEEKDAY_OF_SAME_MONTH: the ``amount``-th weekday (1-23; a month with fewer gives
       its last weekday); LAST_WEEKDAY_OF_FOLLOWING_MONTH / LAST_WEEKDAY_OF_SAME_MONTH: the
       last weekday for 1, the second last for 2, ... (a month with fewer gives its first).
       A same-month date may lie before the start: the routine's date for that month.
    5. ``roll_to_weekday=True`` moves a due date that is not a weekday forward to the next
       weekday, recording the days passed in ``skipped`` and the original in ``rolled_from``.
    6. ``end_inclusive=False`` ("före den 5:e"): the deadline is the start of the end day,
       so ``due_date`` is the day before (``exclusive_end_of`` keeps the end day).
    7. ``due_time`` ("senast kl. 12.00"): ``due_at`` is ``due_date`` at that time.
    """
    unit = Unit(unit)
    _check_arguments(
        amount,
        unit,
        end_inclusive=end_inclusive,
        due_time=due_time,
        cutoff_time=cutoff_time,
        receipt_window=receipt_window,
        opening_hours=opening_hours,
        cutoff_day=cutoff_day,
    )
    start_at = _as_stockholm(start)
    counted, reasons, skipped = _effective_start(
        start_at,
        receipt_window=receipt_window,
        opening_hours=opening_hours,
        cutoff_time=cutoff_time,
        cutoff_day=cutoff_day,
    )

    if unit in HOUR_UNITS:
        if count_from_next_day:
            counted = _midnight(counted.date() + _ONE_DAY)
            reasons.append("från dagen efter")
        due_at, hours_skipped = _hours_due(counted, amount, unit, opening_hours)
        return Due(
            due_date=None,
            due_at=due_at,
            skipped=skipped + hours_skipped,
            counted_from=counted if counted != start_at else None,
            counted_from_reason=", ".join(reasons) if counted != start_at else "",
        )

    # Only the date counts for day and month units: a start moved within its day is no move.
    moved = counted.date() != start_at.date()
    start_day = counted.date()
    from_next = True if count_from_next_day is None else count_from_next_day
    if unit in _WEEKDAY_UNITS:
        due, counted_skipped = _count_weekdays(start_day, amount, from_next)
    elif unit in MONTH_UNITS:
        due, counted_skipped = _month_anchored(start_day, amount, unit)
    else:
        due, counted_skipped = _calendar_due(start_day, amount, unit, from_next), ()
    skipped += counted_skipped

    rolled_from = None
    if roll_to_weekday and not is_weekday(due):
        rolled_from = due
        rolled = add_weekdays(due, 1)
        skipped += non_weekdays(due, rolled - _ONE_DAY)
        due = rolled

    exclusive_end_of = None
    if not end_inclusive:
        exclusive_end_of, due = due, due - _ONE_DAY

    return Due(
        due_date=due,
        due_at=datetime.combine(due, due_time, STOCKHOLM) if due_time else _end_of_day(due),
        skipped=skipped,
        rolled_from=rolled_from,
        counted_from=counted if moved else None,
        counted_from_reason=", ".join(reasons) if moved else "",
        exclusive_end_of=exclusive_end_of,
    )
