"""The rules in force kept per process (issue 19; rule_cache_selectors.py): read once, read
again the moment any rule, profile or included library changes, by whatever means (R11.1,
R11.3: a rule change is in force for the next recompute)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.db import connection, transaction

from verkstall.core.clock import travel_to
from verkstall.deadlines import engine
from verkstall.deadlines import rule_cache_selectors as rule_cache
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem, Rule, RuleProfile
from verkstall.orders import services
from verkstall.orders.models import Order

pytestmark = pytest.mark.django_db

MON_23_NOV = date(2026, 11, 23)
RULE = "kvittens-och-start"  # stockholm-hv: 3 weekdays from the sending (R3.5)


def _sent(world) -> Order:
    world.muni.rule_profile = "stockholm-hv"
    world.muni.save()
    with travel_to(datetime.combine(MON_23_NOV, time(10), STOCKHOLM)):
        order = services.create_order(
            world.officer, decision=world.decision(decided_on=MON_23_NOV), provider=world.provider_a
        )
        services.send_order(world.officer, order)
    return Order.objects.select_related("provider", "decision").get(pk=order.pk)


def _due(order) -> date:
    return DueItem.objects.get(order=order, rule__code=RULE).due_date


def _rule_reads(fn) -> int:
    """How many statements read the rules table while `fn` runs."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        if 'FROM "deadlines_rule"' in sql:
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return len(seen)


def test_a_recompute_reads_the_rules_once_per_generation(world):  # issue 19
    order = _sent(world)
    rule_cache.clear()
    assert _rule_reads(lambda: engine.recompute_after_order_event(order, "sent")) == 1
    assert _rule_reads(lambda: engine.recompute_after_order_event(order, "sent")) == 0
    assert _due(order) == date(2026, 11, 26)


def test_a_bulk_update_of_a_rule_is_in_force_at_the_next_recompute(world):  # R11.1
    order = _sent(world)
    engine.recompute_order(order)  # cached
    Rule.objects.filter(profile__slug="stockholm-hv", code=RULE).update(amount=5)
    assert _rule_reads(lambda: engine.recompute_order(order)) == 1
    assert _due(order) == date(2026, 11, 30)  # 5 weekdays from Monday


def test_a_rolled_back_change_leaves_no_rules_behind(world):  # R11.1
    order = _sent(world)
    with transaction.atomic():
        Rule.objects.filter(profile__slug="stockholm-hv", code=RULE).update(amount=8)
        engine.recompute_order(order)  # cached under the transaction's own generation
        assert _due(order) == date(2026, 12, 3)
        transaction.set_rollback(True)
    engine.recompute_order(order)
    assert _due(order) == date(2026, 11, 26)  # the committed rule again


def test_a_library_included_or_left_changes_the_rules_in_force(world):  # R11.3
    order = _sent(world)
    engine.recompute_order(order)
    library = RuleProfile.objects.get(slug="nationell")
    profile = RuleProfile.objects.get(slug="stockholm-hv")
    assert profile.includes.filter(pk=library.pk).exists()
    before = {r.code for r in rule_cache.municipality_rules(world.muni.pk, None)}
    profile.includes.remove(library)
    after = {r.code for r in rule_cache.municipality_rules(world.muni.pk, None)}
    assert after < before and set(library.rules.values_list("code", flat=True)) & (before - after)


def test_without_the_generation_row_nothing_is_cached(world):  # issue 19
    order = _sent(world)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM deadlines_rules_generation")
    assert _rule_reads(lambda: engine.recompute_order(order)) == 1
    assert _rule_reads(lambda: engine.recompute_order(order)) == 1
    assert _due(order) == date(2026, 11, 26)


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def test_every_migrate_puts_back_a_trigger_a_rebuilt_table_lost(world, db_owner):  # issue 19
    """SQLite drops a table's triggers when a migration rebuilds the table: the handler that
    runs after every `migrate` makes them again, so a rule change always reaches the cache."""
    from django.apps import apps

    from verkstall.deadlines import generation_services

    expected = generation_services.trigger_names(connection.vendor)
    assert expected and expected <= _triggers()
    lost = sorted(expected)[0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            table = lost.removesuffix("_new_generation")
            cursor.execute(f"DROP TRIGGER {lost} ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {lost}")
    assert lost not in _triggers()
    generation_services.on_post_migrate(apps.get_app_config("deadlines"), using="default")
    assert expected <= _triggers()
    order = _sent(world)
    engine.recompute_order(order)
    Rule.objects.filter(profile__slug="stockholm-hv", code=RULE).update(amount=5)
    engine.recompute_order(order)
    assert _due(order) == date(2026, 11, 30)
