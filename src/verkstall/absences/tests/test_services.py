"""Absence and hospital notices (SPEC R7.1, R7.2, R7.3, R9.1; seeds 002 and 003)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from verkstall.absences import selectors, services
from verkstall.absences.models import Absence, NoticeReceipt
from verkstall.core.clock import travel_to
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.deadlines.models import DueItem
from verkstall.orders.models import EventKind, OrderEvent

MON_2_MAR = datetime(2026, 3, 2, 9)


def events(order, kind) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order, kind=kind).order_by("seq"))


def status(order, code) -> str:
    return DueItem.objects.get(order=order, rule__code=code).status


@pytest.fixture
def started(world):
    with travel_to(MON_2_MAR):
        return world.order(state="started")


def test_provider_registers_absence_and_event_is_written(world, started):  # R7.1 [002]
    with travel_to(datetime(2026, 3, 12, 10)):
        absence = services.register_absence(
            world.staff_a, started, reason="hospital", from_date=date(2026, 3, 10)
        )
    assert absence.is_ongoing and absence.registered_by == world.staff_a
    (event,) = events(started, EventKind.ABSENCE_REGISTERED)
    assert timezone.localtime(event.occurred_at) == timezone.make_aware(datetime(2026, 3, 10))
    assert event.is_backdated  # judged by when it began; recorded two days later (R9.1)
    assert event.data["from_date"] == "2026-03-10" and event.data["reason"] == "hospital"


def test_overlapping_absence_is_refused_naming_the_other(world, started):  # R7.1
    with travel_to(datetime(2026, 3, 20, 10)):
        services.register_absence(
            world.staff_a,
            started,
            reason="hospital",
            from_date=date(2026, 3, 10),
            to_date=date(2026, 3, 15),
        )
        with pytest.raises(ValidationFailed) as exc:
            services.register_absence(
                world.staff_a, started, reason="other", from_date=date(2026, 3, 15)
            )
        assert "2026-03-10 – 2026-03-15" in exc.value.errors["from_date"][0]
        # The day after is free.
        services.register_absence(
            world.staff_a, started, reason="other", from_date=date(2026, 3, 16)
        )
        with pytest.raises(ValidationFailed) as exc:
            services.register_absence(
                world.staff_a,
                started,
                reason="other",
                from_date=date(2026, 3, 5),
                to_date=date(2026, 3, 30),
            )
        assert "överlappar" in exc.value.message
    assert Absence.objects.filter(order=started).count() == 2


def test_to_date_before_from_date_is_refused(world, started):  # R7.1
    with travel_to(datetime(2026, 3, 20, 10)), pytest.raises(ValidationFailed) as exc:
        services.register_absence(
            world.staff_a,
            started,
            reason="hospital",
            from_date=date(2026, 3, 10),
            to_date=date(2026, 3, 9),
        )
    assert "to_date" in exc.value.errors


def test_other_provider_and_connected_providers_officer_may_not_register(world, started):  # R7.1
    with travel_to(datetime(2026, 3, 20, 10)):
        for actor in (world.staff_b, world.officer):
            with pytest.raises(PermissionDenied):
                services.register_absence(
                    actor, started, reason="hospital", from_date=date(2026, 3, 10)
                )


def test_officer_registers_for_provider_not_connected_with_channel(world):  # R7.1, R3.3 [001]
    with travel_to(MON_2_MAR):
        order = world.order(provider=world.offline, state="started")
    with travel_to(datetime(2026, 3, 20, 10)):
        with pytest.raises(ValidationFailed) as exc:
            services.register_absence(
                world.officer, order, reason="hospital", from_date=date(2026, 3, 10)
            )
        assert "channel" in exc.value.errors
        services.register_absence(
            world.officer, order, reason="hospital", from_date=date(2026, 3, 10), channel="fax"
        )
    (event,) = events(order, EventKind.ABSENCE_REGISTERED)
    assert event.on_behalf_of == world.offline and event.channel == "fax"


def test_gotland_absence_registered_by_the_5th_of_next_month_is_on_time(world):  # R9.1 [002]
    world.muni.rule_profile = "gotland"
    world.muni.save()
    with travel_to(MON_2_MAR):
        on_time = world.order(state="started")
        late = world.order(state="started")
    # An April absence: registered on Tuesday 5 May is in time, on Wednesday 6 May late.
    with travel_to(datetime(2026, 5, 5, 15)):
        services.register_absence(
            world.staff_a, on_time, reason="hospital", from_date=date(2026, 4, 10)
        )
    with travel_to(datetime(2026, 5, 6, 9)):
        services.register_absence(
            world.staff_a, late, reason="hospital", from_date=date(2026, 4, 10)
        )
    assert status(on_time, "franvaro-registrerad") == "met_on_time"
    assert status(late, "franvaro-registrerad") == "met_late"


def test_absence_over_30_days_is_flagged_once(world):  # R7.2 [003]
    world.muni.rule_profile = "solna-boendestod"
    world.muni.save()
    with travel_to(MON_2_MAR):
        decision = world.decision(
            services=[
                {"service_type": "boendestod", "scope_amount": "4", "scope_unit": "hours_per_month"}
            ]
        )
        order = world.order(decision=decision, state="started")
    with travel_to(datetime(2026, 3, 3, 10)):
        absence = services.register_absence(
            world.staff_a, order, reason="own_choice", from_date=date(2026, 3, 3)
        )
        assert services.flag_long_absences() == 0
    assert events(order, EventKind.ABSENCE_LONG) == []
    # 2 April is the 31st day from 3 March.
    with travel_to(datetime(2026, 4, 1, 23)):
        assert services.flag_long_absences() == 0
    with travel_to(datetime(2026, 4, 2, 6)):
        assert services.flag_long_absences() == 1
        assert services.flag_long_absences() == 0  # safe to run twice
    with travel_to(datetime(2026, 4, 10, 6)):
        assert services.flag_long_absences(date(2026, 4, 10)) == 0
        services.end_absence(world.staff_a, absence, to_date=date(2026, 4, 9))
    assert len(events(order, EventKind.ABSENCE_LONG)) == 1
    assert status(order, "franvaro-over-30-dagar") == "open"
    with travel_to(datetime(2026, 4, 10, 8)):
        services.report_absence_to_officer(world.staff_a, Absence.objects.get(pk=absence.pk))
    assert status(order, "franvaro-over-30-dagar") == "met_on_time"


def test_a_past_absence_of_31_days_is_flagged_when_registered(world, started):  # R7.2 [003]
    with travel_to(datetime(2026, 5, 2, 10)):
        services.register_absence(
            world.staff_a,
            started,
            reason="hospital",
            from_date=date(2026, 3, 2),
            to_date=date(2026, 4, 1),
        )
        services.register_absence(
            world.staff_a,
            started,
            reason="hospital",
            from_date=date(2026, 4, 2),
            to_date=date(2026, 5, 1),
        )  # 30 days: not long
        assert services.flag_long_absences() == 0
    assert len(events(started, EventKind.ABSENCE_LONG)) == 1


def test_short_term_stay_registers_absence_on_every_started_order(world):  # R7.1 [002]
    with travel_to(MON_2_MAR):
        person = world.person()
        a = world.order(decision=world.decision(person=person), state="started")
        b = world.order(
            decision=world.decision(person=person), provider=world.provider_b, state="started"
        )
        sent = world.order(decision=world.decision(person=person), state="sent")
        other_client = world.order(state="started")
    with travel_to(datetime(2026, 3, 20, 10)):
        with pytest.raises(PermissionDenied):
            services.absences_for_short_term_stay(
                world.staff_a, person, from_date=date(2026, 3, 23)
            )
        created = services.absences_for_short_term_stay(
            world.officer, person, from_date=date(2026, 3, 23), to_date=date(2026, 3, 30)
        )
    assert {x.order_id for x in created} == {a.pk, b.pk}
    assert all(x.reason == "short_term_stay" for x in created)
    assert not Absence.objects.filter(order__in=[sent, other_client]).exists()
    assert events(b, EventKind.ABSENCE_REGISTERED)[0].data["automatic"] is True


def test_hospital_notice_reaches_both_current_providers_and_only_them(world):  # R7.3 [002]
    staff_c_provider = world.offline  # a third provider, not the client's
    with travel_to(MON_2_MAR):
        person = world.person()
        a = world.order(decision=world.decision(person=person), state="started")
        b = world.order(
            decision=world.decision(person=person), provider=world.provider_b, state="sent"
        )
        draft = world.order(decision=world.decision(person=person), state="draft")
        world.order(provider=staff_c_provider, state="started")  # another client
    from verkstall.access.roles import Role
    from verkstall.tooling import testing as build

    third = build.provider(world.muni, "Omsorg C AB")
    staff_c = build.user(Role.PROVIDER_STAFF, world.muni, provider=third, username="staff_c")
    with travel_to(datetime(2026, 3, 20, 10)):
        notice = services.receive_notice(
            world.officer,
            person,
            kind="admission",
            occurred_at=datetime(2026, 3, 20, 8),
            text="Inskriven på avd 3",
            source="api",
        )
    receipts = NoticeReceipt.objects.filter(notice=notice)
    assert {r.order_id for r in receipts} == {a.pk, b.pk}
    assert not receipts.filter(order=draft).exists()
    assert len(events(a, EventKind.HOSPITAL_NOTICE)) == 1
    assert len(events(b, EventKind.HOSPITAL_NOTICE)) == 1
    (ra,) = selectors.unacknowledged_receipts(world.staff_a)
    (rb,) = selectors.unacknowledged_receipts(world.staff_b)
    assert ra.order_id == a.pk and rb.order_id == b.pk
    assert list(selectors.receipts_for(staff_c)) == []
    with pytest.raises(NotFound):
        selectors.get_receipt(staff_c, ra.pk)
    with pytest.raises(NotFound):
        selectors.get_receipt(world.staff_b, ra.pk)


def test_provider_acknowledges_its_notice_once(world):  # R7.3 [002]
    world.muni.rule_profile = "gotland"
    world.muni.save()
    with travel_to(MON_2_MAR):
        person = world.person()
        order = world.order(decision=world.decision(person=person), state="started")
    with travel_to(datetime(2026, 3, 20, 10)):
        services.receive_notice(
            world.officer, person, kind="discharge", occurred_at=datetime(2026, 3, 20, 9)
        )
        assert status(order, "in-utskrivning-kvitterad") == "open"
        receipt = NoticeReceipt.objects.get(order=order)
        with pytest.raises(PermissionDenied):
            services.acknowledge_notice(world.staff_b, receipt)
        services.acknowledge_notice(world.staff_a, receipt)
        with pytest.raises(ValidationFailed):
            services.acknowledge_notice(world.staff_a, receipt)
    receipt.refresh_from_db()
    assert receipt.acknowledged_by == world.staff_a and receipt.acknowledged_at
    assert len(events(order, EventKind.HOSPITAL_NOTICE_ACKNOWLEDGED)) == 1
    assert status(order, "in-utskrivning-kvitterad") == "met_on_time"
    assert list(selectors.unacknowledged_receipts(world.staff_a)) == []


def test_only_officers_receive_notices_and_not_in_the_future(world):  # R7.3
    person = world.person()
    with pytest.raises(PermissionDenied):
        services.receive_notice(
            world.staff_a, person, kind="admission", occurred_at=datetime(2026, 1, 1, 8)
        )
    with pytest.raises(ValidationFailed) as exc:
        services.receive_notice(
            world.officer,
            person,
            kind="nope",
            occurred_at=datetime.now() + timedelta(days=2),
        )
    assert set(exc.value.errors) == {"kind", "occurred_at"}
