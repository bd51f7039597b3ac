"""Tests for the pure deadline calendar (no Django, no database).

Expected dates are checked against the real 2026/2027 calendar: Easter Sunday 2026 is
5 April, Kristi himmelsfärdsdag 14 May, midsommarafton Friday 19 June, nationaldagen
(6 June) a Saturday, Christmas Eve a Thursday and 1 January 2027 a Friday.
"""

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.deadlines.calendar import (
    HOUR_UNITS,
    LAST_SUPPORTED_YEAR,
    STOCKHOLM,
    Due,
    SkippedDay,
    Unit,
    UnsupportedYearError,
    add_weekdays,
    compute_due,
    is_weekday,
    non_weekday_reason,
    weekdays_between,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def on(year: int, month: int, day: int, weekday: int) -> date:
    """A date, asserting its day of the week so the test data cannot drift from reality."""
    result = date(year, month, day)
    assert result.weekday() == weekday, f"{result} is not weekday {weekday}"
    return result


def skipped_days(due: Due) -> list[date]:
    return [skipped.day for skipped in due.skipped]


# --- Which days are weekdays -------------------------------------------------------------


def test_saturday_and_sunday_are_not_weekdays_and_say_so_in_swedish():  # vardag glossary, R11.2
    assert non_weekday_reason(on(2026, 3, 7, SAT)) == "Lördag"
    assert non_weekday_reason(on(2026, 3, 8, SUN)) == "Söndag"
    assert non_weekday_reason(on(2026, 3, 9, MON)) is None
    assert is_weekday(on(2026, 3, 6, FRI))
    assert not is_weekday(on(2026, 3, 7, SAT))


def test_every_ordinary_sunday_is_reported_as_sondag():  # vardag glossary, R11.2
    sundays = [date(2026, 1, 4) + timedelta(weeks=week) for week in range(52)]
    reasons = {sunday: non_weekday_reason(sunday) for sunday in sundays}
    named_sundays = {day: reason for day, reason in reasons.items() if reason != "Söndag"}
    assert named_sundays == {date(2026, 4, 5): "Påskdagen", date(2026, 5, 24): "Pingstdagen"}


def test_easter_2026_holidays_have_their_swedish_names():  # lag 1989:253, R11.2
    assert non_weekday_reason(on(2026, 4, 2, THU)) is None  # skärtorsdagen is a weekday
    assert non_weekday_reason(on(2026, 4, 3, FRI)) == "Långfredagen"
    assert non_weekday_reason(on(2026, 4, 4, SAT)) == "Lördag"  # påskafton is no holiday
    assert non_weekday_reason(on(2026, 4, 5, SUN)) == "Påskdagen"
    assert non_weekday_reason(on(2026, 4, 6, MON)) == "Annandag påsk"


def test_kristi_himmelsfard_is_a_holiday_but_the_squeeze_day_after_is_not():  # lag 1989:253, R11.2
    assert non_weekday_reason(on(2026, 5, 14, THU)) == "Kristi himmelsfärdsdag"
    assert non_weekday_reason(on(2026, 5, 15, FRI)) is None
    assert non_weekday_reason(on(2026, 5, 1, FRI)) == "Första maj"


def test_midsommar_and_national_day_2026():  # lag 1989:253, lag 1930:173, R11.2
    assert non_weekday_reason(on(2026, 6, 19, FRI)) == "Midsommarafton"
    assert non_weekday_reason(on(2026, 6, 20, SAT)) == "Midsommardagen"
    # A holiday on a weekend gives the holiday's name, not "Lördag".
    assert non_weekday_reason(on(2026, 6, 6, SAT)) == "Nationaldagen"


def test_christmas_to_epiphany_holidays_have_their_swedish_names():  # lag 1930:173, 1989:253, R11.2
    assert non_weekday_reason(on(2026, 12, 23, WED)) is None
    assert non_weekday_reason(on(2026, 12, 24, THU)) == "Julafton"
    assert non_weekday_reason(on(2026, 12, 25, FRI)) == "Juldagen"
    assert non_weekday_reason(on(2026, 12, 26, SAT)) == "Annandag jul"
    assert non_weekday_reason(on(2026, 12, 31, THU)) == "Nyårsafton"
    assert non_weekday_reason(on(2027, 1, 1, FRI)) == "Nyårsdagen"
    assert non_weekday_reason(on(2027, 1, 5, TUE)) is None  # trettondagsafton is a weekday
    assert non_weekday_reason(on(2027, 1, 6, WED)) == "Trettondedag jul"


def test_two_holidays_on_one_day_give_both_names():  # R11.2
    reason = non_weekday_reason(on(2008, 5, 1, THU))  # första maj was Kristi himmelsfärd
    assert reason is not None
    assert "Första maj" in reason
    assert "Kristi himmelsfärdsdag" in reason


def test_2026_has_251_weekdays():  # vardag glossary: 261 Mon-Fri minus 10 holidays on them, R11.1
    assert weekdays_between(date(2025, 12, 31), date(2026, 12, 31)) == 251


def test_a_year_without_a_holiday_table_is_refused_rather_than_guessed():  # R11.1
    with pytest.raises(UnsupportedYearError):
        is_weekday(date(LAST_SUPPORTED_YEAR + 1, 12, 25))
    with pytest.raises(TypeError):
        non_weekday_reason(datetime(2026, 12, 24, 12, 0, tzinfo=STOCKHOLM))


# --- Weekday arithmetic ------------------------------------------------------------------


def test_add_weekdays_goes_forward_and_back_over_christmas():  # R11.1
    assert add_weekdays(on(2026, 12, 22, TUE), 3) == on(2026, 12, 29, TUE)
    assert add_weekdays(on(2026, 12, 29, TUE), -3) == on(2026, 12, 22, TUE)
    assert add_weekdays(on(2026, 12, 26, SAT), 0) == date(2026, 12, 26)


def test_weekdays_between_counts_the_half_open_interval():  # R11.1
    assert weekdays_between(on(2026, 12, 22, TUE), on(2026, 12, 29, TUE)) == 3
    assert weekdays_between(on(2026, 12, 29, TUE), on(2026, 12, 22, TUE)) == -3
    assert weekdays_between(on(2026, 12, 24, THU), on(2026, 12, 27, SUN)) == 0
    assert weekdays_between(on(2026, 3, 9, MON), on(2026, 3, 9, MON)) == 0


# --- compute_due: weekday rules ----------------------------------------------------------


def test_three_weekdays_from_a_friday_cross_the_weekend():  # R11.1, R11.2
    due = compute_due(on(2026, 12, 18, FRI), 3, Unit.WEEKDAYS)
    assert due.due_date == on(2026, 12, 23, WED)
    assert due.skipped == (
        SkippedDay(date(2026, 12, 19), "Lördag"),
        SkippedDay(date(2026, 12, 20), "Söndag"),
    )
    assert due.rolled_from is None


def test_three_weekdays_from_the_day_before_christmas_eve_skips_the_holidays():  # R11.2
    due = compute_due(on(2026, 12, 22, TUE), 3, Unit.WEEKDAYS)
    assert due.due_date == on(2026, 12, 29, TUE)
    assert due.skipped == (
        SkippedDay(date(2026, 12, 24), "Julafton"),
        SkippedDay(date(2026, 12, 25), "Juldagen"),
        SkippedDay(date(2026, 12, 26), "Annandag jul"),
        SkippedDay(date(2026, 12, 27), "Söndag"),
    )
    assert SkippedDay(date(2026, 12, 24), "Julafton") in due.skipped


def test_working_days_count_the_same_days_as_weekdays():  # vardag / arbetsdag glossary, R11.1
    start = on(2026, 12, 22, TUE)
    assert compute_due(start, 3, Unit.WORKING_DAYS) == compute_due(start, 3, Unit.WEEKDAYS)


def test_one_weekday_from_maundy_thursday_skips_the_whole_easter_weekend():  # R11.2
    due = compute_due(on(2026, 4, 2, THU), 1, Unit.WORKING_DAYS)
    assert due.due_date == on(2026, 4, 7, TUE)
    assert [s.reason for s in due.skipped] == [
        "Långfredagen",
        "Lördag",
        "Påskdagen",
        "Annandag påsk",
    ]
    assert skipped_days(due) == [date(2026, 4, day) for day in range(3, 7)]


def test_two_weekdays_across_kristi_himmelsfard():  # R11.2
    due = compute_due(on(2026, 5, 13, WED), 2, Unit.WEEKDAYS)
    # Thu 14 is a holiday, Fri 15 is day 1, the weekend is skipped, Mon 18 is day 2.
    assert due.due_date == on(2026, 5, 18, MON)
    assert due.skipped == (
        SkippedDay(date(2026, 5, 14), "Kristi himmelsfärdsdag"),
        SkippedDay(date(2026, 5, 16), "Lördag"),
        SkippedDay(date(2026, 5, 17), "Söndag"),
    )


def test_one_weekday_from_the_day_before_midsommarafton():  # R11.2
    due = compute_due(on(2026, 6, 18, THU), 1, Unit.WEEKDAYS)
    assert due.due_date == on(2026, 6, 22, MON)
    assert due.skipped == (
        SkippedDay(date(2026, 6, 19), "Midsommarafton"),
        SkippedDay(date(2026, 6, 20), "Midsommardagen"),
        SkippedDay(date(2026, 6, 21), "Söndag"),
    )


def test_three_weekdays_from_new_years_eve_eve_skip_to_after_epiphany():  # R11.2
    due = compute_due(on(2026, 12, 30, WED), 3, Unit.WEEKDAYS)
    # Mon 4 Jan is day 1, Tue 5 day 2, Wed 6 trettondedag jul, Thu 7 day 3.
    assert due.due_date == on(2027, 1, 7, THU)
    assert due.skipped == (
        SkippedDay(date(2026, 12, 31), "Nyårsafton"),
        SkippedDay(date(2027, 1, 1), "Nyårsdagen"),
        SkippedDay(date(2027, 1, 2), "Lördag"),
        SkippedDay(date(2027, 1, 3), "Söndag"),
        SkippedDay(date(2027, 1, 6), "Trettondedag jul"),
    )


def test_weekdays_counted_from_the_start_day_when_count_from_next_day_is_false():  # R11.1
    start = on(2026, 3, 2, MON)
    assert compute_due(start, 3, Unit.WEEKDAYS).due_date == on(2026, 3, 5, THU)
    due = compute_due(start, 3, Unit.WEEKDAYS, count_from_next_day=False)
    assert due.due_date == on(2026, 3, 4, WED)
    assert due.skipped == ()


def test_a_weekend_start_day_is_skipped_when_count_from_next_day_is_false():  # R11.1, R11.2
    due = compute_due(on(2026, 3, 7, SAT), 1, Unit.WEEKDAYS, count_from_next_day=False)
    assert due.due_date == on(2026, 3, 9, MON)
    assert due.skipped == (
        SkippedDay(date(2026, 3, 7), "Lördag"),
        SkippedDay(date(2026, 3, 8), "Söndag"),
    )


def test_zero_weekdays_is_the_start_day_itself_unless_rolled():  # R11.1
    saturday = on(2026, 3, 7, SAT)
    assert compute_due(saturday, 0, Unit.WEEKDAYS).due_date == saturday
    rolled = compute_due(saturday, 0, Unit.WEEKDAYS, roll_to_weekday=True)
    assert rolled.due_date == on(2026, 3, 9, MON)
    assert rolled.rolled_from == saturday


# --- compute_due: calendar rules ---------------------------------------------------------


def test_calendar_days_count_every_day():  # R11.1
    start = on(2026, 3, 2, MON)
    assert compute_due(start, 10, Unit.CALENDAR_DAYS).due_date == date(2026, 3, 12)
    due = compute_due(start, 10, Unit.CALENDAR_DAYS, count_from_next_day=False)
    assert due.due_date == date(2026, 3, 11)
    assert compute_due(start, 0, Unit.CALENDAR_DAYS, count_from_next_day=False).due_date == start


def test_calendar_days_landing_on_a_saturday_are_not_rolled_by_default():  # R11.1
    due = compute_due(on(2026, 3, 5, THU), 2, Unit.CALENDAR_DAYS)
    assert due.due_date == on(2026, 3, 7, SAT)
    assert due.skipped == ()
    assert due.rolled_from is None


def test_roll_to_weekday_from_a_saturday_moves_to_monday():  # lag 1930:173, R11.2
    due = compute_due(on(2026, 3, 5, THU), 2, Unit.CALENDAR_DAYS, roll_to_weekday=True)
    assert due.due_date == on(2026, 3, 9, MON)
    assert due.rolled_from == date(2026, 3, 7)
    assert due.skipped == (
        SkippedDay(date(2026, 3, 7), "Lördag"),
        SkippedDay(date(2026, 3, 8), "Söndag"),
    )


def test_roll_to_weekday_from_midsommarafton_moves_past_midsommar():  # lag 1930:173, R11.2
    due = compute_due(on(2026, 6, 12, FRI), 1, Unit.WEEKS, roll_to_weekday=True)
    assert due.rolled_from == on(2026, 6, 19, FRI)
    assert due.due_date == on(2026, 6, 22, MON)
    assert due.skipped == (
        SkippedDay(date(2026, 6, 19), "Midsommarafton"),
        SkippedDay(date(2026, 6, 20), "Midsommardagen"),
        SkippedDay(date(2026, 6, 21), "Söndag"),
    )


def test_roll_does_nothing_on_a_weekday():  # R11.1
    due = compute_due(on(2026, 3, 2, MON), 1, Unit.WEEKS, roll_to_weekday=True)
    assert due.due_date == on(2026, 3, 9, MON)
    assert due.rolled_from is None
    assert due.skipped == ()


def test_weeks_end_on_the_same_day_of_the_week():  # R11.1
    assert compute_due(on(2026, 12, 16, WED), 2, Unit.WEEKS).due_date == on(2026, 12, 30, WED)
    inclusive = compute_due(on(2026, 12, 16, WED), 2, Unit.WEEKS, count_from_next_day=False)
    assert inclusive.due_date == on(2026, 12, 29, TUE)


def test_one_month_from_the_last_of_january_is_the_last_of_february():  # R11.1
    assert compute_due(date(2027, 1, 31), 1, Unit.MONTHS).due_date == date(2027, 2, 28)
    assert compute_due(date(2028, 1, 31), 1, Unit.MONTHS).due_date == date(2028, 2, 29)
    assert compute_due(date(2027, 3, 31), 1, Unit.MONTHS).due_date == date(2027, 4, 30)
    assert compute_due(date(2027, 1, 15), 1, Unit.MONTHS).due_date == date(2027, 2, 15)
    assert compute_due(date(2026, 11, 30), 3, Unit.MONTHS).due_date == date(2027, 2, 28)
    assert compute_due(date(2026, 12, 15), 14, Unit.MONTHS).due_date == date(2028, 2, 15)


def test_fifth_of_the_following_month_from_december_is_in_january():  # R11.1
    due = compute_due(on(2026, 12, 17, THU), 5, Unit.DAY_OF_FOLLOWING_MONTH)
    assert due.due_date == on(2027, 1, 5, TUE)
    # Also from the first and the last day of December, and unaffected by the count flag.
    assert compute_due(date(2026, 12, 1), 5, Unit.DAY_OF_FOLLOWING_MONTH).due_date == date(
        2027, 1, 5
    )
    assert compute_due(
        date(2026, 12, 31), 5, Unit.DAY_OF_FOLLOWING_MONTH, count_from_next_day=False
    ).due_date == date(2027, 1, 5)


def test_day_of_following_month_is_clamped_and_can_be_rolled():  # R11.1, R11.2
    assert compute_due(date(2027, 1, 10), 31, Unit.DAY_OF_FOLLOWING_MONTH).due_date == date(
        2027, 2, 28
    )
    due = compute_due(date(2026, 12, 17), 6, Unit.DAY_OF_FOLLOWING_MONTH, roll_to_weekday=True)
    assert due.rolled_from == on(2027, 1, 6, WED)
    assert due.due_date == on(2027, 1, 7, THU)
    assert due.skipped == (SkippedDay(date(2027, 1, 6), "Trettondedag jul"),)


@pytest.mark.parametrize("day_number", [0, 32, -1])
def test_day_of_following_month_outside_1_to_31_is_refused(day_number):  # R11.1
    with pytest.raises(ValueError):
        compute_due(date(2026, 12, 17), day_number, Unit.DAY_OF_FOLLOWING_MONTH)


def test_a_negative_amount_is_refused():  # R11.1
    with pytest.raises(ValueError):
        compute_due(date(2026, 3, 2), -1, Unit.WEEKDAYS)


def test_the_unit_may_be_given_as_its_stored_string():  # R11.1
    assert compute_due(date(2026, 12, 22), 3, "working_days").due_date == date(2026, 12, 29)
    assert [unit.value for unit in Unit] == [
        "hours",
        "calendar_days",
        "weekdays",
        "working_days",
        "weeks",
        "months",
        "day_of_following_month",
        # Rule language v2 (R11.4): hours on weekdays or in opening hours, month anchors.
        "weekday_hours",
        "opening_hours",
        "day_of_same_month",
        "weekday_of_following_month",
        "weekday_of_same_month",
        "last_weekday_of_following_month",
        "last_weekday_of_same_month",
    ]
    with pytest.raises(ValueError):
        compute_due(date(2026, 12, 22), 3, "fortnights")


# --- compute_due: time of day, time zones, hours -----------------------------------------


def test_a_whole_day_deadline_is_due_at_the_end_of_the_stockholm_day():  # R11.1
    due = compute_due(date(2026, 12, 22), 3, Unit.WEEKDAYS)
    assert due.due_at == datetime.combine(date(2026, 12, 29), time.max, STOCKHOLM)
    assert due.due_at.tzinfo == STOCKHOLM
    assert due.due_at.utcoffset() == timedelta(hours=1)


def test_an_aware_start_is_converted_to_stockholm_before_taking_its_date():  # R11.1
    # 23:30 UTC on New Year's Eve is already 00:30 on New Year's Day in Stockholm.
    start = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert compute_due(start, 1, Unit.CALENDAR_DAYS).due_date == date(2027, 1, 2)


def test_a_naive_start_is_taken_as_stockholm_local_time():  # R11.1
    start = datetime(2026, 12, 31, 23, 30)
    assert compute_due(start, 1, Unit.CALENDAR_DAYS).due_date == date(2027, 1, 1)
    due = compute_due(start, 2, Unit.HOURS)
    assert due.due_at == datetime(2027, 1, 1, 1, 30, tzinfo=STOCKHOLM)


def test_48_hours_across_the_october_dst_change_are_48_real_hours():  # R11.1
    start = datetime(2026, 10, 24, 12, 0, tzinfo=STOCKHOLM)  # CEST, clocks go back on 25th
    due = compute_due(start, 48, Unit.HOURS)
    assert due.due_date is None
    assert due.due_at.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=48)
    assert due.due_at.replace(tzinfo=None) == datetime(2026, 10, 26, 11, 0)  # wall clock
    assert due.due_at.utcoffset() == timedelta(hours=1)
    assert due.skipped == ()
    assert due.rolled_from is None


def test_24_hours_across_the_march_dst_change_are_24_real_hours():  # R11.1
    start = datetime(2026, 3, 28, 12, 0, tzinfo=STOCKHOLM)  # CET, clocks go forward on 29th
    due = compute_due(start, 24, Unit.HOURS)
    assert due.due_at.replace(tzinfo=None) == datetime(2026, 3, 29, 13, 0)
    assert due.due_at.utcoffset() == timedelta(hours=2)


def test_hours_are_never_rolled_and_a_date_start_means_local_midnight():  # R11.1
    due = compute_due(date(2026, 12, 24), 36, Unit.HOURS, roll_to_weekday=True)
    assert due.due_at == datetime(2026, 12, 25, 12, 0, tzinfo=STOCKHOLM)
    assert due.due_date is None
    assert due.rolled_from is None


def test_the_calendar_module_does_not_import_django():  # ARCHITECTURE: calendar is pure, R11.1
    code = (
        "import sys, verkstall.deadlines.calendar; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0  # noqa: S603


# --- Properties --------------------------------------------------------------------------

# Start dates stay far enough inside the holiday tables that no result leaves them.
start_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2095, 12, 31))
weekday_units = st.sampled_from([Unit.WEEKDAYS, Unit.WORKING_DAYS])
AMOUNTS = {
    Unit.HOURS: st.integers(0, 10_000),
    Unit.CALENDAR_DAYS: st.integers(0, 1_000),
    Unit.WEEKDAYS: st.integers(0, 400),
    Unit.WORKING_DAYS: st.integers(0, 400),
    Unit.WEEKS: st.integers(0, 150),
    Unit.MONTHS: st.integers(0, 36),
    Unit.DAY_OF_FOLLOWING_MONTH: st.integers(1, 31),
    # Rule language v2 (R11.4).
    Unit.WEEKDAY_HOURS: st.integers(0, 2_000),
    Unit.OPENING_HOURS: st.integers(0, 1_000),
    Unit.DAY_OF_SAME_MONTH: st.integers(1, 31),
    Unit.WEEKDAY_OF_FOLLOWING_MONTH: st.integers(1, 23),
    Unit.WEEKDAY_OF_SAME_MONTH: st.integers(1, 23),
    Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH: st.integers(1, 23),
    Unit.LAST_WEEKDAY_OF_SAME_MONTH: st.integers(1, 23),
}
# OPENING_HOURS needs the rule's opening hours (R11.4); the other units ignore them.
OPEN = (time(8), time(17))


@given(start_dates, st.integers(1, 400), weekday_units, st.booleans(), st.booleans())
def test_a_weekday_rule_is_always_due_on_a_weekday(start, amount, unit, from_next, roll):  # R11.1
    due = compute_due(start, amount, unit, count_from_next_day=from_next, roll_to_weekday=roll)
    assert due.due_date is not None
    assert is_weekday(due.due_date)


@given(start_dates, st.sampled_from([u for u in Unit if u not in HOUR_UNITS]), st.data())
def test_a_rolled_due_date_is_always_a_weekday(start, unit, data):  # lag 1930:173, R11.1
    amount = data.draw(AMOUNTS[unit])
    due = compute_due(start, amount, unit, roll_to_weekday=True)
    assert due.due_date is not None
    assert is_weekday(due.due_date)
    if due.rolled_from is not None:
        assert due.rolled_from < due.due_date
        assert not is_weekday(due.rolled_from)


@given(start_dates, st.integers(0, 400), weekday_units)
def test_skipped_days_are_exactly_the_non_weekdays_counted_over(start, amount, unit):  # R11.2
    due = compute_due(start, amount, unit)
    assert due.due_date is not None
    expected = [
        start + timedelta(days=offset)
        for offset in range(1, (due.due_date - start).days + 1)
        if not is_weekday(start + timedelta(days=offset))
    ]
    assert skipped_days(due) == expected
    assert all(non_weekday_reason(s.day) == s.reason for s in due.skipped)
    assert (due.due_date - start).days == amount + len(due.skipped)


@given(
    start_dates,
    st.integers(0, 400),
    st.sampled_from(list(Unit)),
    st.booleans(),
    st.booleans(),
    st.data(),
)
def test_due_dates_never_go_backwards_when_the_start_moves_forward(  # R11.1
    earlier, shift, unit, from_next, roll, data
):
    later = earlier + timedelta(days=shift)
    amount = data.draw(AMOUNTS[unit])
    options = {"count_from_next_day": from_next, "roll_to_weekday": roll, "opening_hours": OPEN}
    first = compute_due(earlier, amount, unit, **options)
    second = compute_due(later, amount, unit, **options)
    assert first.due_at <= second.due_at
    if unit not in HOUR_UNITS:
        assert first.due_date <= second.due_date


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2095, 12, 31),
        timezones=st.just(STOCKHOLM),
        allow_imaginary=False,
    ),
    st.integers(0, 10_000),
)
def test_hours_are_always_real_elapsed_hours(start, amount):  # R11.1
    due = compute_due(start, amount, Unit.HOURS)
    assert due.due_at.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=amount)
    assert due.due_at.tzinfo == STOCKHOLM


@given(start_dates.filter(is_weekday), st.integers(-400, 400))
def test_adding_and_then_removing_weekdays_returns_to_the_weekday(day, n):  # vardag glossary, R11.1
    assert add_weekdays(add_weekdays(day, n), -n) == day


@given(start_dates, st.integers(0, 400))
def test_weekdays_between_undoes_add_weekdays(day, n):  # vardag glossary, R11.1
    assert weekdays_between(day, add_weekdays(day, n)) == n
