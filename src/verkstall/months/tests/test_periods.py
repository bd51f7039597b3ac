"""The month's deadline arithmetic, without the database (SPEC R9.1, seed 002: "senast den
5:e nästkommande månad")."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.months.periods import (
    Month,
    days_left,
    deadline,
    deadline_text,
    default_month,
    is_late,
    month_choices,
    parse_days_before,
    reminder_months,
)

NOV = Month(2026, 11)


def test_the_deadline_is_the_day_of_the_following_month():  # R9.1
    assert deadline(NOV, 5) == date(2026, 12, 5)
    assert deadline(Month(2026, 12), 5) == date(2027, 1, 5)
    assert deadline_text(NOV, 5) == "senast den 5 december"
    assert deadline(Month(2027, 1), 31) == date(2027, 2, 28)  # no 31 February


def test_the_screen_opens_on_the_previous_month_until_the_5th():  # R9.1
    assert default_month(date(2026, 12, 1), 5) == NOV
    assert default_month(date(2026, 12, 5), 5) == NOV
    assert default_month(date(2026, 12, 6), 5) == Month(2026, 12)
    assert default_month(date(2027, 1, 3), 5) == Month(2026, 12)
    assert default_month(date(2026, 12, 10), 12) == NOV  # the profile's day, not a constant


def test_days_left_and_late_after_the_deadline():  # R9.1
    assert days_left(date(2026, 12, 2), NOV, 5) == 3
    assert days_left(date(2026, 12, 5), NOV, 5) == 0 and not is_late(date(2026, 12, 5), NOV, 5)
    assert days_left(date(2026, 12, 7), NOV, 5) == -2 and is_late(date(2026, 12, 7), NOV, 5)


def test_reminders_go_out_on_the_days_before_the_deadline():  # R9.1
    assert reminder_months(date(2026, 12, 2), 5, [3, 1]) == [NOV]
    assert reminder_months(date(2026, 12, 4), 5, [3, 1]) == [NOV]
    assert reminder_months(date(2026, 12, 3), 5, [3, 1]) == []
    assert reminder_months(date(2026, 12, 5), 5, [3, 1]) == []
    assert reminder_months(date(2026, 12, 5), 5, [0]) == [NOV]
    # Ten days before the 5th falls in the month itself.
    assert reminder_months(date(2026, 11, 25), 5, [10]) == [NOV]
    assert reminder_months(date(2026, 12, 2), 5, []) == []


def test_reminder_days_are_read_from_text():  # R9.1, R11.4
    assert parse_days_before("3, 1") == [3, 1]
    assert parse_days_before("1;3;3") == [3, 1]
    assert parse_days_before("") == []
    for bad in ("tre", "-1", "40", "1.5"):
        with pytest.raises(ValueError, match="antal dagar"):
            parse_days_before(bad)


def test_months_parse_and_step():
    assert Month.parse("2026-11") == NOV and NOV.label == "2026-11"
    assert NOV.name == "november 2026" and NOV.label == "2026-11"
    assert NOV.first == date(2026, 11, 1) and NOV.last == date(2026, 11, 30)
    assert Month(2026, 1).previous() == Month(2025, 12) and Month(2026, 12).next().month == 1
    for bad in ("2026-13", "2026", "november", "", "26-11"):
        with pytest.raises(ValueError):
            Month.parse(bad)
    assert month_choices(date(2026, 12, 9), back=2) == [Month(2026, 12), NOV, Month(2026, 10)]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 28))
def test_the_default_month_deadline_is_never_long_past(today, day):  # R9.1
    month = default_month(today, day)
    assert -31 < days_left(today, month, day) <= 31 + day
    assert not is_late(today, month, day)  # it opens on a month whose day has not passed
