"""The retention rule as pure calendar arithmetic (SPEC R10.6, audit/retention.py): removed
five years after the last entry, by the end of the following calendar year, except the
research sample born on day 5, 15 or 25 (a samordningsnummer counts by its real day)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.audit.retention import (
    RetentionRule,
    add_years,
    assess,
    birth_date_of,
    is_research_sample,
)
from verkstall.core.personal_number import luhn_check_digit, parse_personal_number

RULE = RetentionRule()
BORN = date(1940, 6, 10)  # day 10: not in the research sample

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
rules = st.builds(
    RetentionRule,
    years=st.integers(min_value=1, max_value=15),
    research_days=st.lists(st.integers(min_value=1, max_value=31), max_size=5).map(tuple),
    remove_within_years=st.integers(min_value=0, max_value=3),
)


def coordination_number(born: date, birth_number: int = 980) -> str:
    """A samordningsnummer (day + 60) in Skatteverket's test range of birth numbers."""
    nine = f"{born:%y%m}{born.day + 60:02d}{birth_number:03d}"
    return f"{born:%Y%m}{born.day + 60:02d}{birth_number:03d}{luhn_check_digit(nine)}"


# --- the boundaries ---------------------------------------------------------------------------


def test_due_exactly_five_years_after_the_last_entry_and_not_a_day_before():  # R10.6
    last = date(2020, 3, 10)
    assert not assess(last, BORN, date(2025, 3, 9), RULE).due
    on_the_day = assess(last, BORN, date(2025, 3, 10), RULE)
    assert on_the_day.due and on_the_day.due_since == date(2025, 3, 10)


def test_to_be_removed_by_the_end_of_the_following_calendar_year():  # R10.6
    verdict = assess(date(2020, 3, 10), BORN, date(2026, 12, 31), RULE)
    assert verdict.remove_by == date(2026, 12, 31)
    assert verdict.due and not verdict.overdue
    late = assess(date(2020, 3, 10), BORN, date(2027, 1, 1), RULE)
    assert late.due and late.overdue


def test_a_last_entry_on_leap_day_runs_out_on_the_last_day_of_february():  # R10.6
    assert add_years(date(2020, 2, 29), 5) == date(2025, 2, 28)
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)


@pytest.mark.parametrize("day", [5, 15, 25])
def test_born_on_day_5_15_or_25_is_kept_for_research(day):  # R10.6
    verdict = assess(date(2000, 1, 1), date(1950, 4, day), date(2040, 1, 1), RULE)
    assert verdict.research and not verdict.due and not verdict.overdue


def test_a_coordination_number_counts_by_its_real_birth_day():  # R10.6
    number = coordination_number(date(1950, 3, 5))
    assert number[6:8] == "65"
    assert parse_personal_number(number).is_coordination_number  # a real samordningsnummer
    assert birth_date_of(number) == date(1950, 3, 5)
    assert is_research_sample(birth_date_of(number), RULE)
    assert birth_date_of(coordination_number(date(1950, 3, 6))).day == 6


def test_the_rule_is_configurable_and_checked():  # R10.6 "the rule is a setting"
    rule = RetentionRule(years=10, research_days=(25, 5), remove_within_years=0)
    assert rule.research_days == (5, 25)
    verdict = assess(date(2020, 3, 10), BORN, date(2030, 3, 10), rule)
    assert verdict.due and verdict.remove_by == date(2030, 12, 31)
    assert "10 år" in rule.describe() and "dag 5, 25" in rule.describe()
    assert "inget forskningsurval" in RetentionRule(research_days=()).describe()
    for bad in ({"years": 0}, {"research_days": (32,)}, {"remove_within_years": -1}):
        with pytest.raises(ValueError):
            RetentionRule(**bad)


# --- properties -------------------------------------------------------------------------------


@given(last=days, born=births, today=days, rule=rules)
def test_due_exactly_when_the_period_has_run_out_and_not_research(last, born, today, rule):  # R10.6
    verdict = assess(last, born, today, rule)
    assert verdict.research == (born.day in rule.research_days)
    assert verdict.due == (not verdict.research and today >= verdict.due_since)
    assert verdict.overdue == (verdict.due and today > verdict.remove_by)


@given(last=days, rule=rules)
def test_the_period_is_whole_years_and_removal_ends_on_31_december(last, rule):  # R10.6
    verdict = assess(last, BORN, last, rule)
    assert verdict.due_since.year == last.year + rule.years
    assert verdict.due_since.month == last.month
    assert verdict.due_since.day in (last.day, 28)  # 28: from 29 February
    assert verdict.remove_by == date(verdict.due_since.year + rule.remove_within_years, 12, 31)
    assert verdict.remove_by >= verdict.due_since
    assert 365 * rule.years <= (verdict.due_since - last).days <= 366 * rule.years


@given(last=days, born=births, today=days)
def test_once_due_a_client_stays_due_and_a_later_entry_never_makes_it_earlier(
    last, born, today
):  # R10.6
    verdict = assess(last, born, today, RULE)
    if verdict.due:
        assert assess(last, born, today + timedelta(days=1), RULE).due
        assert not verdict.overdue or assess(last, born, today + timedelta(days=1), RULE).overdue
    later = assess(last + timedelta(days=1), born, today, RULE)
    assert later.due_since >= verdict.due_since
    assert not later.due or verdict.due


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)), last=days)
def test_a_coordination_number_is_judged_like_the_same_birth_date(born, last):  # R10.6
    number = coordination_number(born)
    today = last + timedelta(days=365 * 7)
    assert assess(last, birth_date_of(number), today, RULE) == assess(last, born, today, RULE)
