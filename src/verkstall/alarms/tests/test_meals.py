"""Meal delivery is its own event (SPEC R3.6, seed 002 §Verkställighet: "Beställning av
matdistribution görs snarast dock inom 3 vardagar"): gotland's `matdistribution-bestalld`
stops on the provider's "Matdistribution beställd", not on the order's start."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from verkstall.alarms import meal_services
from verkstall.alarms.services import StepNotAllowed
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.models import DueItem, Rule, RuleProfile, RuleRevision
from verkstall.deadlines.profiles import builtin_profiles
from verkstall.orders import services as orders

from .conftest import ALARM, MEAL, THU_5_MAR, TUE_3_MAR, WED_4_MAR, at


def meal_item(order):
    return DueItem.objects.get(order=order, rule__code="matdistribution-bestalld")


def test_the_gotland_rule_stops_on_the_meal_order():  # R3.6
    rules = builtin_profiles()["gotland"].rules
    rule = next(spec for _, spec in rules if spec.code == "matdistribution-bestalld")
    assert rule.start_event == "order.sent" and tuple(rule.stop_events) == ("meal.ordered",)


def test_the_start_does_not_meet_the_meal_item_the_meal_order_does(g):  # R3.6
    order = g.order(services=(MEAL,), state="acknowledged")
    assert meal_item(order).due_date == THU_5_MAR
    with travel_to(at(TUE_3_MAR, 12)):
        orders.register_start(g.staff, order, start_date=TUE_3_MAR)
    assert meal_item(order).status == "open"
    with travel_to(at(WED_4_MAR, 9)):
        event = meal_services.register_meal_ordered(g.staff, order=order)
    assert event.kind == "meal_ordered" and event.data["ordered_on"] == "2026-03-04"
    assert meal_item(order).status == "met_on_time"


def test_meal_order_on_behalf_twice_and_without_meals(g):  # R3.6 R3.3
    order = g.order(services=(MEAL,), provider=g.faro)
    with travel_to(at(WED_4_MAR, 9)):
        with pytest.raises(PermissionDenied):
            meal_services.register_meal_ordered(g.staff, order=order)
        event = meal_services.register_meal_ordered(g.officer, order=order, channel="email")
        assert event.on_behalf_of == g.faro
        with pytest.raises(StepNotAllowed, match="redan beställd"):
            meal_services.register_meal_ordered(g.officer, order=order, channel="email")
        alarm = g.order(services=(ALARM,))
        with pytest.raises(ValidationFailed) as refused:
            meal_services.register_meal_ordered(g.staff, order=alarm)
    assert refused.value.errors == {"order": ["Beställningen har ingen matdistribution."]}


def test_the_data_migration_moves_unchanged_copies_only(db):  # R3.6 R11.1
    migration = importlib.import_module(
        "verkstall.deadlines.migrations.0006_meal_rule_and_alarm_events"
    )
    common = {"name": "Matdistribution beställd", "start_event": "order.sent", "amount": 3,
              "unit": "weekdays", "responsible": "provider", "source": "002"}  # fmt: skip
    old = Rule.objects.create(
        profile=RuleProfile.objects.create(slug="gotland-kopia", name="Kopia"),
        code="matdistribution-bestalld", stop_events=["order.started"], **common,
    )  # fmt: skip
    changed = Rule.objects.create(
        profile=RuleProfile.objects.create(slug="gotland-egen", name="Egen"),
        code="matdistribution-bestalld", stop_events=["order.started"], version=2, **common,
    )  # fmt: skip
    migration.forward(apps, None)
    old.refresh_from_db()
    changed.refresh_from_db()
    assert old.stop_events == ["meal.ordered"] and old.version == 2
    revision = RuleRevision.objects.get(rule=old)
    assert revision.version == 1 and revision.snapshot["stop_events"] == ["order.started"]
    assert changed.stop_events == ["order.started"] and changed.version == 2
    template = Rule.objects.get(profile__slug="gotland", code="matdistribution-bestalld")
    assert template.stop_events == ["meal.ordered"]
