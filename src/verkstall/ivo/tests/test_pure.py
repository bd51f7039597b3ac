"""The pure cores of the IVO report (SPEC R9.5): quarters, which report a wait belongs in, and
how a person is named. No database."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.core.csv_export import guard
from verkstall.core.personal_number import make_test_personal_number
from verkstall.ivo.export import COLUMNS, case_row
from verkstall.ivo.identity import (
    FEMALE,
    MALE,
    SERIALS,
    birth_date_of,
    free_serial,
    ivo_number,
    sex_of,
)
from verkstall.ivo.quarters import InvalidQuarter, Quarter
from verkstall.ivo.waits import Kind, Reported, Wait, kind_for


def test_quarters_parse_and_bound():  # R9.5
    q = Quarter.parse(" 2026q3 ")
    assert q == Quarter.parse("2026-Q3") == Quarter(2026, 3)
    assert (q.first_day, q.last_day) == (date(2026, 7, 1), date(2026, 9, 30))
    assert (q.code, q.label, str(q)) == ("2026Q3", "kvartal 3 2026", "2026Q3")
    assert Quarter(2024, 1).last_day == date(2024, 3, 31)
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter.of(date(2026, 12, 31)) == Quarter(2026, 4)
    for bad in ("2026Q5", "2026Q0", "Q3", "2026", "", None, "1989Q4", "２０２６Q3", "2026Q3x"):
        with pytest.raises(InvalidQuarter):
            Quarter.parse(bad)
    with pytest.raises(InvalidQuarter):
        Quarter(9999, 4).next()
    assert Quarter(2026, 3) < Quarter(2026, 4) < Quarter(2027, 1)
    assert "2026Q4" < "2027Q1"  # the stored codes sort as the quarters do


JAN_12 = date(2026, 1, 12)
APR_12 = date(2026, 4, 12)
Q1_2026 = Quarter(2026, 1)


def quarters_from(start: Quarter, n: int):
    q = start
    for _ in range(n):
        yield q
        q = q.next()


def reports(wait: Wait, start: Quarter = Q1_2026, n: int = 8) -> list[str | None]:
    """What each quarter's report says of the wait, each made after its quarter ended, each
    knowing what the ones before it reported."""
    said, new, outcome = [], False, False
    for q in quarters_from(start, n):
        kind = kind_for(
            wait, first_day=q.first_day, as_of=q.last_day, reported=Reported(new, outcome)
        )
        said.append(kind.value if kind else None)
        if kind == Kind.NEW:
            new = True
            outcome = wait.known_on(q.last_day).resolved_on is not None
        if kind == Kind.FOLLOWUP:
            outcome = True
    return said


def test_a_wait_in_the_order_ivo_asks_for():  # R9.5
    never = Wait(JAN_12, APR_12)
    assert reports(never, n=4) == [None, "new", "continued", "continued"]
    started = Wait(JAN_12, APR_12, started_on=date(2026, 8, 3))
    assert reports(started, n=4) == [None, "new", "followup", None]
    in_time = Wait(JAN_12, APR_12, started_on=APR_12)
    assert reports(in_time, n=4) == [None, None, None, None]
    same_quarter = Wait(JAN_12, APR_12, started_on=date(2026, 6, 1))
    assert reports(same_quarter, n=4) == [None, "new", None, None]
    ended = Wait(JAN_12, APR_12, ended_on=date(2026, 11, 30))
    assert reports(ended, n=4) == [None, "new", "continued", "followup"]
    ended_in_time = Wait(JAN_12, APR_12, ended_on=date(2026, 3, 31))
    assert reports(ended_in_time, n=4) == [None, None, None, None]


def test_a_late_wait_a_sent_report_missed_is_reported_new_not_never():  # R9.5
    """A start corrected afterwards can make a wait late in a quarter whose report was sent
    already: it is reported in the next report, as new, if it ended after reporting began;
    a wait over before the municipality's first report stays out of it."""
    corrected = Wait(JAN_12, APR_12, started_on=date(2026, 5, 4))
    q3 = Quarter(2026, 3)
    since_q1 = dict(first_day=q3.first_day, as_of=q3.last_day, reported=Reported())
    assert kind_for(corrected, **since_q1) is None
    assert kind_for(corrected, **since_q1, reporting_since=Q1_2026.first_day) == Kind.NEW
    assert kind_for(corrected, **since_q1, reporting_since=q3.first_day) is None


def test_facts_are_read_as_they_stood_on_the_reports_day():  # R9.5
    wait = Wait(JAN_12, APR_12, started_on=date(2026, 7, 20))
    # The second quarter's report, made in July after the start: still "not carried out".
    assert wait.known_on(date(2026, 6, 30)).carried_out_on is None
    assert wait.late_on(date(2026, 6, 30)) and not wait.late_on(APR_12)
    assert wait.days_waited(date(2026, 6, 30)) == 169
    assert wait.days_waited(date(2026, 9, 30)) == (date(2026, 7, 20) - JAN_12).days
    # An end after the start: it was carried out, not ended without.
    both = Wait(JAN_12, APR_12, started_on=date(2026, 5, 1), ended_on=date(2026, 8, 1))
    assert both.carried_out_on == date(2026, 5, 1) and both.ended_unstarted_on is None


days = st.integers(min_value=0, max_value=900)


@given(
    decided=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    limit=st.integers(min_value=1, max_value=120),
    start=st.one_of(st.none(), days),
    end=st.one_of(st.none(), days),
)
def test_every_wait_is_new_once_then_continued_then_followed_up_once(decided, limit, start, end):
    # R9.5: nothing twice; new in the quarter the limit passed; an outcome reported once.
    wait = Wait(
        decided,
        decided + timedelta(days=limit),
        started_on=None if start is None else decided + timedelta(days=start),
        ended_on=None if end is None else decided + timedelta(days=end),
    )
    said = reports(wait, start=Quarter.of(decided), n=14)
    text = "".join({None: ".", "new": "N", "continued": "C", "followup": "F"}[k] for k in said)
    assert re.fullmatch(r"\.*(NC*F?)?\.*", text), text
    resolved = wait.resolved_on
    late = resolved is None or resolved > wait.due_on
    assert ("N" in text) == late
    if late:
        first_late = Quarter.of(wait.due_on + timedelta(days=1))
        assert said.index("new") == list(quarters_from(Quarter.of(decided), 14)).index(first_late)
        assert ("F" in text) == (resolved is not None and Quarter.of(resolved) != first_late)


def test_a_person_is_named_by_birth_date_and_sex_only():  # R9.5, R10.4
    woman = make_test_personal_number(date(1940, 5, 5), 982).value
    man = make_test_personal_number(date(1938, 11, 30), 983).value
    assert (sex_of(woman), sex_of(man)) == (FEMALE, MALE)
    assert birth_date_of(woman) == date(1940, 5, 5)
    number = ivo_number(woman, 234)
    assert re.fullmatch(r"19400505-T\d\d\d", number)
    assert int(number[-2]) % 2 == 0 and int(ivo_number(man, 234)[-2]) % 2 == 1
    assert number == ivo_number(woman, 234) != ivo_number(woman, 235)
    # Every serial a birth date and sex allows is its own number: no two persons share one.
    assert len({ivo_number(woman, n) for n in range(SERIALS)}) == SERIALS
    assert free_serial({0, 1, 3}) == 2
    assert woman[8:] not in number  # none of the personnummer's last four digits' run
    coordination = make_test_personal_number(date(1950, 1, 1), 984).value
    coordination = coordination[:6] + str(int(coordination[6:8]) + 60) + coordination[8:]
    assert birth_date_of(coordination) == date(1950, 1, 1)


def test_the_export_row_has_every_column_and_no_formula():  # R9.5
    class Obj:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    number = make_test_personal_number(date(1940, 5, 5), 982).value
    case = Obj(
        pk=7,
        kind="new",
        person=Obj(personal_number=number),
        person_id=42,
        serial=42,
        granted_service=Obj(service_type=Obj(law="SoL", name="Ledsagning")),
        decided_on=JAN_12,
        due_on=APR_12,
        days_waited=169,
        offered_on=None,
        offer_declined=False,
        carried_out_on=None,
        ended_on=None,
        reason="=HYPERLINK()",
        decision=Obj(unit=Obj(name="Norr")),
    )
    row = case_row(case, "2026Q2", protected=True)
    assert len(row) == len(COLUMNS)
    assert row[:8] == [
        "2026Q2",
        "Nytt ärende",
        ivo_number(number, 42),
        "1940",
        "Kvinna",
        "Ja",
        "SoL",
        "Ledsagning",
    ]
    assert number not in "".join(row)
    assert guard(row[15]) == "'=HYPERLINK()"
