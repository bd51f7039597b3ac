"""The deadline engine through the real services: due items follow each event of an order or
a decision, in the same transaction (SPEC R11, ARCHITECTURE "The order as a sequence of
events").

The days are chosen on the real calendar (core.clock.travel_to moves the services' clock):
Friday 20 November 2026; Monday 2 March 2026, a month with no public holiday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from verkstall.core.clock import travel_to
from verkstall.core.errors import ValidationFailed
from verkstall.deadlines import engine
from verkstall.deadlines import services as deadline_services
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem, Rule, RuleRevision
from verkstall.decisions.services import record_decision
from verkstall.orders import services
from verkstall.orders.models import Order
from verkstall.orders.receipt_services import register_receipt

pytestmark = pytest.mark.django_db

FRI_20_NOV = date(2026, 11, 20)
MON_23_NOV = date(2026, 11, 23)
TUE_24_NOV = date(2026, 11, 24)
MON_2_MAR = date(2026, 3, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM)


def close_to(moment: datetime | str | None, expected: datetime) -> bool:
    """The services' clock keeps running inside travel_to: a moment it stamped is a few
    milliseconds after the moment travelled to."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment is not None and timedelta(0) <= moment - expected < timedelta(seconds=5)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, STOCKHOLM)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, STOCKHOLM)


def item(order_or_decision, code: str) -> DueItem:
    if isinstance(order_or_decision, Order):
        return DueItem.objects.get(order=order_or_decision, rule__code=code, cycle=0)
    return DueItem.objects.get(
        decision=order_or_decision, order__isnull=True, rule__code=code, cycle=0
    )


def codes(order: Order) -> dict[str, str]:
    return dict(DueItem.objects.filter(order=order).values_list("rule__code", "status"))


def snapshot() -> list[tuple]:
    return list(
        DueItem.objects.order_by("id").values_list(
            "id", "rule_id", "status", "due_at", "met_at", "rule_version"
        )
    )


def use_profile(world, slug: str) -> None:
    world.muni.rule_profile = slug
    world.muni.save()


def decide(world, day: date, code: str = "hemtjanst-omvardnad", person=None):
    return record_decision(
        world.officer,
        person=person or world.person(),
        decided_on=day,
        services=[{"service_type": code, "scope_amount": "20", "scope_unit": "hours_per_month"}],
    )


def sent_order(world, day: date, code: str = "hemtjanst-omvardnad", hour: int = 10) -> Order:
    with travel_to(at(day, hour)):
        decision = decide(world, day, code)
        order = services.create_order(world.officer, decision=decision, provider=world.provider_a)
        services.send_order(world.officer, order)
    return Order.objects.get(pk=order.pk)


def start(world, order: Order, *, on: date, registered: datetime) -> Order:
    order = Order.objects.get(pk=order.pk)
    with travel_to(registered):
        if order.state == "sent":
            services.acknowledge_order(world.staff_a, order)
        services.register_start(world.staff_a, order, start_date=on)
    return Order.objects.get(pk=order.pk)


# --- Same transaction as the event -------------------------------------------------------


def test_each_step_of_an_order_moves_its_due_items(world):  # R11, R3.5, R5.1 [001]
    with travel_to(at(MON_2_MAR, 9)):
        decision = decide(world, MON_2_MAR)
        order = services.create_order(world.officer, decision=decision, provider=world.provider_a)
        assert codes(order) == {}  # a draft starts no order clock
        assert item(decision, "ivo-ej-verkstallt").status == "open"

        services.send_order(world.officer, order)
        assert codes(order) == {"kvittens-och-start": "open"}
        ack = item(order, "kvittens-och-start")
        assert ack.due_date == date(2026, 3, 5)  # Tue, Wed, Thu
        assert ack.responsible == "provider" and ack.responsible_provider == world.provider_a

    with travel_to(at(date(2026, 3, 3), 11)):
        services.acknowledge_order(world.staff_a, order)
        assert codes(order) == {"kvittens-och-start": "open"}  # receipt alone is not the start
        services.register_start(world.staff_a, order, start_date=date(2026, 3, 3))
        assert codes(order) == {
            "kvittens-och-start": "met_on_time",
            "genomforandeplan-skickad": "open",
        }
        plan = item(order, "genomforandeplan-skickad")
        assert plan.due_date == date(2026, 3, 24)  # 15 working days after Tue 3 March
        assert item(decision, "ivo-ej-verkstallt").status == "met_on_time"


def test_an_order_step_that_fails_validation_changes_no_due_item(world):  # R11.1
    order = sent_order(world, MON_2_MAR)
    before = snapshot()
    with travel_to(at(date(2026, 3, 3), 11)):
        services.acknowledge_order(world.staff_a, order)
        after_ack = snapshot()
        with pytest.raises(ValidationFailed):
            services.register_start(world.staff_a, order, start_date=date(2026, 3, 9))  # future
        with pytest.raises(ValidationFailed):
            services.register_start(world.staff_a, order, start_date=date(2026, 2, 27))  # early
    assert snapshot() == after_ack
    assert [row[2] for row in before] == [row[2] for row in after_ack]


def test_the_due_items_roll_back_with_the_event_they_came_from(world, monkeypatch):  # R11.1
    """The engine writes inside the service's transaction: if anything after it fails, the
    event, the order's state and the new due items are all undone together."""
    with travel_to(at(MON_2_MAR, 9)):
        order = services.create_order(
            world.officer, decision=decide(world, MON_2_MAR), provider=world.provider_a
        )
        before = snapshot()

        def fails(order, kind=None):
            engine.recompute_order(order)  # the order's new items are written, then it fails
            raise RuntimeError("the decision's clocks could not be moved")

        monkeypatch.setattr(services, "recompute_after_order_event", fails)
        with pytest.raises(RuntimeError):
            services.send_order(world.officer, order)
    order.refresh_from_db()
    assert order.state == "draft" and order.sent_at is None
    assert snapshot() == before
    assert not DueItem.objects.filter(order=order).exists()


# --- Scenario 1: Stockholm, home from hospital on a Friday --------------------------------


def test_scenario_1_stockholm_home_from_hospital_on_a_friday(world):  # SCENARIOS 1, R3.2, R3.5
    use_profile(world, "stockholm-hv")
    # Friday afternoon: decision and an acute oral order by phone.
    with travel_to(at(FRI_20_NOV, 16)):
        decision = decide(world, FRI_20_NOV)
        order = services.create_order(
            world.officer,
            decision=decision,
            provider=world.provider_a,
            acute_oral_at=at(FRI_20_NOV, 15, 30),
        )
    written = item(order, "skriftlig-bestallning")
    assert written.status == "open" and written.due_at is None and written.due_date is None
    assert written.responsible == "officer" and written.responsible_user == world.officer
    assert "snarast" in written.explanation["length"]

    # Monday: the written order, which cannot be dated Friday.
    with travel_to(at(MON_23_NOV, 9)):
        with pytest.raises(ValidationFailed) as refused:
            services.send_order(world.officer, order, written_on=FRI_20_NOV)
        assert "retroaktivt" in str(refused.value.errors["written_on"])
        services.send_order(world.officer, order)
    written.refresh_from_db()
    assert written.status == "met_on_time" and close_to(written.met_at, at(MON_23_NOV, 9))
    ack = item(order, "kvittens-och-start")
    assert ack.status == "open" and ack.due_date == date(2026, 11, 26)  # by Thursday

    # Tuesday: the provider confirms and registers the start date as Friday.
    order = start(world, order, on=FRI_20_NOV, registered=at(TUE_24_NOV, 10))
    ack.refresh_from_db()
    assert ack.status == "met_on_time"
    assert ack.met_at == midnight(FRI_20_NOV)  # judged by when it happened ...
    assert close_to(ack.explanation["stop_recorded_at"], at(TUE_24_NOV, 10))  # ... shows both
    assert "Registrerades 2026-11-24 10:00" in ack.explanation["text"]

    plan = item(order, "genomforandeplan-skickad")
    # 15 working days after Friday 20 Nov: 23-27 Nov, 30 Nov-4 Dec, 7-11 Dec.
    assert plan.due_date == date(2026, 12, 11) and plan.due_at == end_of(date(2026, 12, 11))
    assert plan.status == "open"
    assert plan.responsible == "provider" and plan.responsible_provider == world.provider_a
    assert plan.responsible_user is None
    assert plan.started_at == midnight(FRI_20_NOV)
    assert close_to(plan.start_recorded_at, at(TUE_24_NOV, 10))
    assert "räknas från när det hände" in plan.explanation["text"]
    assert [s["date"] for s in plan.explanation["skipped"]] == [
        "2026-11-21",
        "2026-11-22",
        "2026-11-28",
        "2026-11-29",
        "2026-12-05",
        "2026-12-06",
    ]
    # The acknowledgement left the officer's side; the plan is on the provider's.
    assert not DueItem.objects.filter(order=order, status="open", responsible="officer").exists()


def test_a_late_start_is_judged_by_the_day_it_began_and_can_still_be_late(
    world,
):  # R11 [001], R3.7, R11.1
    on_time = sent_order(world, MON_2_MAR)  # due Thursday 5 March
    late = sent_order(world, MON_2_MAR)
    registered = at(date(2026, 3, 9), 14)  # both registered the Monday after
    start(world, on_time, on=date(2026, 3, 5), registered=registered)
    start(world, late, on=date(2026, 3, 6), registered=registered)

    first = item(on_time, "kvittens-och-start")
    assert first.status == "met_on_time" and first.met_at == midnight(date(2026, 3, 5))
    second = item(late, "kvittens-och-start")
    assert second.status == "met_late" and second.met_at == midnight(date(2026, 3, 6))
    assert close_to(second.explanation["stop_recorded_at"], registered)
    # The plan counts from the day the service began, not from the registration.
    assert item(on_time, "genomforandeplan-skickad").due_date == date(2026, 3, 26)
    assert item(late, "genomforandeplan-skickad").due_date == date(2026, 3, 27)


def test_an_overdue_item_is_stored_open_and_judged_late_when_met(world):  # R11.1
    order = sent_order(world, MON_2_MAR)
    with travel_to(at(date(2026, 3, 10), 8)):  # past Thursday's deadline
        services.acknowledge_order(world.staff_a, order)
    ack = item(order, "kvittens-och-start")
    assert ack.status == "open" and ack.due_at < at(date(2026, 3, 10), 8)
    start(world, order, on=date(2026, 3, 10), registered=at(date(2026, 3, 10), 9))
    ack.refresh_from_db()
    assert ack.status == "met_late"


# --- Rule changes ------------------------------------------------------------------------


def test_a_rule_change_moves_open_items_at_their_next_event_never_met_ones(world):  # R11.1
    met = sent_order(world, MON_2_MAR)
    start(world, met, on=date(2026, 3, 3), registered=at(date(2026, 3, 3), 12))
    waiting = sent_order(world, MON_2_MAR)
    assert item(met, "kvittens-och-start").status == "met_on_time"
    assert item(waiting, "kvittens-och-start").due_date == date(2026, 3, 5)

    rule = Rule.objects.get(profile__slug="stockholm-hv", code="kvittens-och-start")
    rule = deadline_services.update_rule(None, rule, amount=5)
    assert rule.version == 2
    [revision] = RuleRevision.objects.filter(rule=rule)
    assert revision.version == 1 and revision.snapshot["amount"] == 3

    # Nothing moves until the subject's next event ...
    assert item(waiting, "kvittens-och-start").due_date == date(2026, 3, 5)
    with travel_to(at(date(2026, 3, 4), 10)):
        services.acknowledge_order(world.staff_a, waiting)
    moved = item(waiting, "kvittens-och-start")
    assert moved.due_date == date(2026, 3, 9)  # five weekdays: 3-6 and Monday 9 March
    assert moved.rule_version == 2 and moved.explanation["rule_version"] == 2
    assert "5 vardagar" in moved.explanation["text"]

    # ... and the item already judged keeps the rule it was judged by, through later events.
    with travel_to(at(date(2026, 3, 20), 10)):
        services.end_order(world.staff_a, met, end_date=date(2026, 3, 20))
    kept = item(met, "kvittens-och-start")
    assert kept.due_date == date(2026, 3, 5) and kept.rule_version == 1
    assert kept.status == "met_on_time"


# --- Decision-level rules ----------------------------------------------------------------


def test_the_ivo_item_is_met_when_an_order_of_the_decision_starts(world):  # R9.5
    with travel_to(at(date(2026, 1, 30), 10)):
        decision = decide(world, date(2026, 1, 30))
    ivo = item(decision, "ivo-ej-verkstallt")
    assert ivo.status == "open" and ivo.due_date == date(2026, 4, 30)  # three months
    assert ivo.order_id is None and ivo.decision_id == decision.pk
    assert ivo.responsible_user == world.officer

    with travel_to(at(date(2026, 2, 2), 10)):
        first = services.create_order(world.officer, decision=decision, provider=world.provider_a)
        services.send_order(world.officer, first)
        services.cancel_order(world.officer, first, reason="Fel utförare")
        second = services.create_order(world.officer, decision=decision, provider=world.provider_b)
        services.send_order(world.officer, second)
    assert item(decision, "ivo-ej-verkstallt").status == "open"  # sent is not carried out

    with travel_to(at(date(2026, 5, 4), 10)):  # after the three months
        services.acknowledge_order(world.staff_b, second)
        services.register_start(world.staff_b, second, start_date=date(2026, 5, 4))
    ivo.refresh_from_db()
    assert ivo.status == "met_late" and ivo.met_at == midnight(date(2026, 5, 4))


def test_solna_choice_of_provider_is_met_when_the_order_is_sent(world):  # R2.3 [003]
    use_profile(world, "solna-boendestod")
    with travel_to(at(date(2026, 3, 16), 10)):
        decision = decide(world, date(2026, 3, 16), "boendestod")
        home_care = decide(world, date(2026, 3, 16), "hemtjanst-omvardnad")
    choice = item(decision, "val-av-utforare")
    assert choice.status == "open" and choice.due_date == date(2026, 5, 16)  # Sat; not rolled
    # The choice rule is for housing support only.
    assert not DueItem.objects.filter(decision=home_care, rule__code="val-av-utforare").exists()

    with travel_to(at(date(2026, 4, 1), 10)):
        order = services.create_order(world.officer, decision=decision, provider=world.offline)
        assert item(decision, "val-av-utforare").status == "open"  # a draft is no choice
        services.send_order(world.officer, order)
    choice.refresh_from_db()
    assert choice.status == "met_on_time" and close_to(choice.met_at, at(date(2026, 4, 1), 10))
    # By fax (003 "per post eller via fax"): the acknowledgement counts from the registered
    # arrival (R3.5); until then the officer is reminded to register it.
    assert not DueItem.objects.filter(order=order, rule__code="kvittens-dagen-efter").exists()
    assert item(order, "ankomstdag-registrerad").status == "open"
    with travel_to(at(date(2026, 4, 2), 9)):
        register_receipt(world.officer, order, received_on=date(2026, 4, 1))
    assert item(order, "kvittens-dagen-efter").due_date == date(2026, 4, 2)


# --- Ending and cancelling ---------------------------------------------------------------


def test_a_cancelled_orders_open_items_are_closed_and_met_ones_kept(world):  # R11, R3.2
    with travel_to(at(FRI_20_NOV, 16)):
        decision = decide(world, FRI_20_NOV)
        order = services.create_order(
            world.officer,
            decision=decision,
            provider=world.provider_a,
            acute_oral_at=at(FRI_20_NOV, 15),
        )
    with travel_to(at(MON_23_NOV, 9)):
        services.send_order(world.officer, order)
        services.cancel_order(world.officer, order, reason="Den enskilde avböjde")
    assert codes(order) == {
        "skriftlig-bestallning": "met_on_time",
        "kvittens-och-start": "closed",
    }
    assert item(decision, "ivo-ej-verkstallt").status == "open"  # the decision is not carried out


def test_an_ended_orders_open_plan_item_is_closed(world):  # R11, R3.9
    order = sent_order(world, MON_2_MAR)
    start(world, order, on=date(2026, 3, 3), registered=at(date(2026, 3, 3), 12))
    with travel_to(at(date(2026, 3, 6), 10)):
        services.end_order(world.staff_a, order, end_date=date(2026, 3, 6))
    assert codes(order) == {
        "kvittens-och-start": "met_on_time",
        "genomforandeplan-skickad": "closed",
    }


# --- Which rules apply to which service --------------------------------------------------


@pytest.mark.parametrize(
    ("service_type", "expected"),
    [
        ("hemtjanst-omvardnad", {"kvittens-nasta-dag", "start-omvardnad-48h"}),
        ("hemtjanst-service", {"kvittens-nasta-dag", "start-service-7-dagar"}),
        ("dagverksamhet-sol", {"kvittens-nasta-dag"}),
        ("hemtjanst-stad", set()),  # "förutom städ"
        ("dagverksamhet", set()),  # "inte att förväxlas med dagverksamhet inom ÄO"
    ],
)
def test_kundval_rules_follow_the_service(world, service_type, expected):  # R3.5, R3.6 [004]
    use_profile(world, "kundval-004")
    order = sent_order(world, MON_2_MAR, service_type)
    assert set(codes(order)) == expected


def test_kundval_personal_care_starts_within_48_hours_of_the_order(world):  # R3.6 [004]
    use_profile(world, "kundval-004")
    order = sent_order(world, date(2026, 3, 27), hour=12)  # Friday, before summer time
    start_item = item(order, "start-omvardnad-48h")
    assert start_item.due_date is None
    # 48 real hours after 12:00 CET on Friday is 13:00 CEST on Sunday: the clocks went forward.
    assert close_to(start_item.due_at, at(date(2026, 3, 29), 13))
    assert item(order, "kvittens-nasta-dag").due_date == date(2026, 3, 30)  # Sat -> Monday


def test_gotland_housing_support_gets_the_other_services_start_item(world):  # R3.6 [002]
    use_profile(world, "gotland")
    order = sent_order(world, MON_2_MAR, "boendestod")
    assert codes(order) == {"start-ovriga-insatser": "open"}
    assert item(order, "start-ovriga-insatser").due_at is None
