"""The month screen (SPEC R9.1, seed 002 §Verkställighetsdatum/ersättning): per provider and
per officer unit, what is still missing or questionable for a month before the 5th of the
next; each kind appears, and disappears when it is fixed; after the 5th the rows are late;
another provider's or unit's rows are never shown."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from verkstall.absences import services as absences
from verkstall.absences.models import NoticeReceipt
from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.followups import services as followups
from verkstall.months import selectors
from verkstall.months.periods import Month
from verkstall.months.selectors import (
    ABSENCE,
    CHANGE,
    KINDS,
    LATE_START,
    NO_START,
    NOTICE,
    REASSESSMENT,
    month_report,
)
from verkstall.orders import change_services, services
from verkstall.orders.correction_services import correct_date
from verkstall.payments.models import MonthClose

pytestmark = pytest.mark.django_db

MARCH = Month(2026, 3)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


@pytest.fixture
def gotland(world):
    """Gotland's routine (seed 002): its follow-up after one month and the 5th (R9.1)."""
    world.muni.rule_profile = "gotland"
    world.muni.save()
    return world


def _order(world, state: str, day: date, provider=None):
    with travel_to(at(day, 9)):
        decision = world.decision(decided_on=day - timedelta(days=1))
        return world.order(state=state, decision=decision, provider=provider)


def rows(user, kind: str, month: Month = MARCH, day: date = date(2026, 4, 2)) -> list:
    with travel_to(at(day)):
        return month_report(user, month).rows[kind]


def pks(items) -> set[int]:
    return {i.pk for i in items}


def test_an_order_with_no_start_date_appears_until_the_start_is_registered(gotland):  # R9.1
    world = gotland
    order = _order(world, "acknowledged", date(2026, 3, 10))
    assert pks(rows(world.staff_a, NO_START)) == {order.pk}
    assert pks(rows(world.officer, NO_START)) == {order.pk}
    with travel_to(at(date(2026, 4, 2))):
        services.register_start(world.staff_a, order, start_date=date(2026, 3, 12))
    assert rows(world.staff_a, NO_START) == []
    # ... and the start registered after March ended is now questionable for March.
    late = rows(world.staff_a, LATE_START)
    assert pks(late) == {order.pk}
    assert late[0].start_registered_at.date() == date(2026, 4, 2)


def test_an_ongoing_absence_appears_until_it_has_an_end(gotland):  # R9.1, R7.1
    world = gotland
    order = _order(world, "started", date(2026, 3, 2))
    with travel_to(at(date(2026, 3, 20))):
        absence = absences.register_absence(
            world.staff_a, order, reason="hospital", from_date=date(2026, 3, 16)
        )
    assert pks(rows(world.staff_a, ABSENCE)) == {absence.pk}
    assert rows(world.staff_a, ABSENCE, month=Month(2026, 2)) == []  # began after February
    with travel_to(at(date(2026, 4, 1))):
        absences.end_absence(world.staff_a, absence, to_date=date(2026, 3, 30))
    assert rows(world.staff_a, ABSENCE) == []


def test_a_follow_up_not_registered_and_a_change_to_reassess_appear_until_followed_up(
    gotland,
):  # R9.1 "omprövning", R6.2, R3.8
    world = gotland
    order = _order(world, "started", date(2026, 2, 2))  # decided 1 February: due 1 March
    with travel_to(at(date(2026, 3, 9))):
        change = change_services.report_temporary_change(
            world.staff_a,
            order,
            kind="increase",
            from_date=date(2026, 3, 2),
            to_date=date(2026, 3, 7),
            reason="Efter fallet behövs hjälp även nattetid.",
        )
    assert change.needs_reassessment  # six days: more than the five the payment holds
    items = rows(world.officer, REASSESSMENT)
    assert [i.rule.code for i in items] == ["uppfoljning-en-manad"]
    assert pks(rows(world.officer, CHANGE)) == {change.pk}
    assert pks(rows(world.staff_a, CHANGE)) == {change.pk}
    assert rows(world.staff_a, REASSESSMENT) == []  # the officer's item, not the provider's
    with travel_to(at(date(2026, 4, 1))):
        followups.record_followup(world.officer, order, "reassessment", "Omprövad.")
    assert rows(world.officer, REASSESSMENT) == []
    assert rows(world.officer, CHANGE) == []


def test_a_change_within_the_five_days_needs_no_reassessment(gotland):  # R3.8, R9.1
    world = gotland
    order = _order(world, "started", date(2026, 3, 2))
    with travel_to(at(date(2026, 3, 9))):
        change_services.report_temporary_change(
            world.staff_a,
            order,
            kind="increase",
            from_date=date(2026, 3, 2),
            to_date=date(2026, 3, 6),
            reason="Anhörig bortrest.",
        )
    assert rows(world.officer, CHANGE) == []


def test_a_hospital_notice_not_acknowledged_appears_until_acknowledged(gotland):  # R7.3, R9.1
    world = gotland
    order = _order(world, "started", date(2026, 3, 2))
    with travel_to(at(date(2026, 3, 20))):
        absences.receive_notice(
            world.officer, order.person, kind="admission", occurred_at=at(date(2026, 3, 19))
        )
    receipt = NoticeReceipt.objects.get(order=order)
    assert pks(rows(world.staff_a, NOTICE)) == {receipt.pk}
    assert pks(rows(world.officer, NOTICE)) == {receipt.pk}
    with travel_to(at(date(2026, 3, 21))):
        absences.acknowledge_notice(world.staff_a, receipt)
    assert rows(world.staff_a, NOTICE) == []


def test_a_start_corrected_after_the_month_ended_is_questionable(gotland):  # R9.1
    world = gotland
    order = _order(world, "started", date(2026, 3, 2))
    assert rows(world.staff_a, LATE_START) == []  # registered on its day
    with travel_to(at(date(2026, 4, 3))):
        correct_date(world.staff_a, order, which="start", date=date(2026, 3, 4), reason="Fel.")
    assert pks(rows(world.staff_a, LATE_START)) == {order.pk}


def test_another_providers_and_another_units_rows_are_never_shown(gotland):  # R9.1, Actors
    world = gotland
    a = _order(world, "acknowledged", date(2026, 3, 10))
    b = _order(world, "acknowledged", date(2026, 3, 10), provider=world.provider_b)
    assert pks(rows(world.staff_a, NO_START)) == {a.pk}
    assert pks(rows(world.staff_b, NO_START)) == {b.pk}
    assert pks(rows(world.officer, NO_START)) == {a.pk, b.pk}
    with travel_to(at(date(2026, 4, 2))):
        report = month_report(world.other_officer, MARCH)
    assert report.count == 0


def test_the_deadline_days_left_and_late_marks(gotland, client):  # R9.1
    world = gotland
    order = _order(world, "acknowledged", date(2026, 3, 10))
    client.force_login(world.staff_a)
    with travel_to(at(date(2026, 4, 2))):
        report = month_report(world.staff_a)
        page = client.get("/months/").content.decode()
    assert report.month == MARCH and report.days_left == 3 and not report.late
    assert "senast den 5 april" in page and "3 dagar kvar" in page
    assert f"/orders/{order.pk}/" in page and "Registrera startdatum" in page
    assert "Försenad" not in page
    with travel_to(at(date(2026, 4, 7))):
        report = month_report(world.staff_a, MARCH)
        page = client.get("/months/?month=2026-03").content.decode()
        default = month_report(world.staff_a)
    assert report.late and report.days_late == 2
    assert "Försenad" in page and "passerade för 2 dagar sedan" in page
    assert default.month == Month(2026, 4)  # after the 5th the screen opens on April


def test_the_screen_says_a_closed_month_turns_corrections_into_adjustments(
    gotland, client
):  # R9.1, R9.4
    world = gotland
    _order(world, "started", date(2026, 3, 2))
    client.force_login(world.officer)
    with travel_to(at(date(2026, 4, 8))):
        assert 'id="month-closed"' not in client.get("/months/?month=2026-03").content.decode()
        MonthClose.objects.create(
            municipality=world.muni, period=MARCH.first, closed_by=world.officer
        )
        page = client.get("/months/?month=2026-03").content.decode()
    assert 'id="month-closed"' in page and "justering" in page


def test_the_screen_reads_a_fixed_number_of_queries(gotland, django_assert_max_num_queries):  # R9.1
    world = gotland
    for _ in range(3):
        order = _order(world, "started", date(2026, 3, 2))
        _order(world, "acknowledged", date(2026, 3, 3))
        with travel_to(at(date(2026, 3, 20))):
            absences.register_absence(
                world.staff_a, order, reason="hospital", from_date=date(2026, 3, 16)
            )
            absences.receive_notice(
                world.officer, order.person, kind="admission", occurred_at=at(date(2026, 3, 19))
            )
    with travel_to(at(date(2026, 4, 2))), django_assert_max_num_queries(10):
        report = month_report(world.officer, MARCH)
    assert len(report.rows[NO_START]) == 3 and len(report.rows[ABSENCE]) == 3
    assert set(report.rows) == set(KINDS)


def test_bad_month_and_wrong_roles(gotland, client):  # R9.1, Actors
    world = gotland
    client.force_login(world.staff_a)
    bad = client.get("/months/?month=2026-13")
    assert bad.status_code == 400 and "Ogiltig månad" in bad.content.decode()
    client.force_login(world.fee_officer)
    assert client.get("/months/").status_code == 403
    with pytest.raises(Exception, match="utförare och biståndshandläggare"):
        selectors.viewer_of(world.fee_officer)
