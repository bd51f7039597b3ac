"""The built-in routines' clocks that count from receipt (SPEC R3.5, R3.6; issue 16 item 4).

- 003 (Solna): "Utföraren bekräftar att beställningen har mottagits senast dagen efter, att den
  kommit utföraren tillhanda"; the start "senast 14 dagar efter att beställningen mottagits";
  "Om boendestödet inte har påbörjats inom en månad från att beställningen mottagits ...".
  The order goes "per post eller via fax".
- 004: "senast nästkommande dag att beställning ... har mottagits"; "Serviceinsatser ska
  påbörjas inom sju dagar efter mottagande av beställning"; personal care "senast inom 48
  timmar" names no starting point and counts from the sending.

An order sent in the system or by e-mail is received when sent; by post or fax the clocks
start on the arrival date the officer registers, and the officer is reminded to register it
(`ankomstdag-registrerad`, 3 weekdays). Monday 2 March 2026 is in a month with no holiday.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime, time

import pytest
from django.apps import apps

from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem, Rule, RuleProfile, RuleRevision
from verkstall.deadlines.services import copy_profile
from verkstall.decisions.services import record_decision
from verkstall.orders import services
from verkstall.orders.models import Order
from verkstall.orders.receipt_services import register_receipt
from verkstall.providers.models import Channel
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

MON_2_MAR, WED_4_MAR, THU_5_MAR = date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 5)
FROM_RECEIPT = {
    "solna-boendestod": (
        "kvittens-dagen-efter",
        "start-rapporterad",
        "ej-paborjad-kontakt-utforare",
        "ej-paborjad-kontakt-handlaggare",
    ),
    "kundval-004": ("kvittens-nasta-dag", "start-service-7-dagar"),
}
ARRIVAL = "ankomstdag-registrerad"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def send(world, slug: str, channel: str, code: str, unit: str, amount: str) -> Order:
    world.muni.rule_profile = slug
    world.muni.save()
    connected = channel == Channel.SYSTEM
    provider = build.provider(world.muni, f"Utförare {channel}", connected=connected)
    provider.channel = channel
    provider.save(update_fields=["channel"])
    with travel_to(at(MON_2_MAR)):
        decision = record_decision(
            world.officer,
            person=world.person(),
            decided_on=MON_2_MAR,
            services=[{"service_type": code, "scope_amount": amount, "scope_unit": unit}],
        )
        order = services.create_order(world.officer, decision=decision, provider=provider)
        services.send_order(world.officer, order)
    return Order.objects.get(pk=order.pk)


def item(order: Order, code: str) -> DueItem | None:
    return DueItem.objects.filter(order=order, rule__code=code, cycle=0).first()


def housing_support(world, channel: str) -> Order:
    return send(world, "solna-boendestod", channel, "boendestod", "hours_per_month", "10")


def test_the_routines_count_from_receipt_in_the_fixture(world):  # R3.5 R3.6 [003, 004]
    for slug, codes in FROM_RECEIPT.items():
        rules = Rule.objects.filter(profile__slug=slug)
        assert set(rules.filter(start_event="order.received").values_list("code", flat=True)) >= {
            *codes,
        }
        arrival = rules.get(code=ARRIVAL)
        assert (arrival.start_event, arrival.stop_events, arrival.responsible) == (
            "order.sent",
            ["order.received"],
            "officer",
        )
        assert sorted(arrival.channels) == ["fax", "post"]
    personal_care = Rule.objects.get(profile__slug="kundval-004", code="start-omvardnad-48h")
    assert personal_care.start_event == "order.sent"  # 004 names no starting point


def test_solna_fax_order_acknowledgement_counts_from_the_arrival(world):  # R3.5 [003]
    order = housing_support(world, Channel.FAX)
    assert item(order, "kvittens-dagen-efter") is None  # sent, not yet known to have arrived
    assert item(order, "start-rapporterad") is None
    reminder = item(order, ARRIVAL)
    assert (reminder.status, reminder.responsible, reminder.due_date) == (
        "open",
        "officer",
        THU_5_MAR,  # 3 weekdays from Monday's sending
    )
    with travel_to(at(THU_5_MAR, 9)):
        register_receipt(world.officer, order, received_on=WED_4_MAR)
    acknowledge = item(order, "kvittens-dagen-efter")
    assert acknowledge.due_date == THU_5_MAR  # the day after it came to the provider
    assert item(order, "start-rapporterad").due_date == date(2026, 3, 18)  # 14 days
    # A month from Wednesday 4 March is Saturday 4 April; Monday 6 April is Easter Monday.
    assert item(order, "ej-paborjad-kontakt-utforare").due_date == date(2026, 4, 7)
    assert item(order, ARRIVAL).status == "met_on_time"


def test_an_order_sent_in_the_system_is_received_when_sent(world):  # R3.5 [003]
    order = housing_support(world, Channel.SYSTEM)
    assert item(order, "kvittens-dagen-efter").due_date == date(2026, 3, 3)
    assert item(order, ARRIVAL) is None  # only post and fax need a registered arrival


def test_004_service_starts_within_seven_days_of_receipt(world):  # R3.6 [004]
    order = send(world, "kundval-004", Channel.FAX, "hemtjanst-service", "hours_per_month", "4")
    assert item(order, "start-service-7-dagar") is None
    with travel_to(at(WED_4_MAR, 15)):
        register_receipt(world.officer, order, received_on=WED_4_MAR)
    assert item(order, "start-service-7-dagar").due_date == date(2026, 3, 11)


# --- The data migration 0012 ---------------------------------------------------------------

MIGRATION = importlib.import_module("verkstall.deadlines.migrations.0012_clocks_from_receipt")


def test_the_migration_moves_unchanged_copies_to_the_receipt(world):  # R3.5 R3.6
    """A database from before: the rules count from the sending and there is no arrival
    reminder, in the templates, an unchanged copy and a copy the municipality edited."""
    solna = RuleProfile.objects.get(slug="solna-boendestod")
    copy = copy_profile(None, source=solna, slug="kopia-solna", owner=world.muni)
    edited = copy_profile(None, source=solna, slug="egen-solna", owner=world.muni)
    codes = [c for group in FROM_RECEIPT.values() for c in group]
    Rule.objects.filter(code__in=codes).update(start_event="order.sent")
    Rule.objects.filter(code=ARRIVAL).delete()
    Rule.objects.filter(profile=edited, code="kvittens-dagen-efter").update(amount=2, version=2)

    MIGRATION.forward(apps, None)

    for profile in (solna, copy, RuleProfile.objects.get(slug="kundval-004")):
        changed = profile.rules.filter(code__in=codes)
        assert changed.exists()
        for rule in changed:
            assert (rule.start_event, rule.version) == ("order.received", 2)
            revision = RuleRevision.objects.get(rule=rule, version=1)
            assert revision.snapshot["start_event"] == "order.sent"
        assert profile.rules.filter(code=ARRIVAL).exists()
    kept = Rule.objects.get(profile=edited, code="kvittens-dagen-efter")
    assert (kept.start_event, kept.version, kept.amount) == ("order.sent", 2, 2)

    before = sorted(Rule.objects.values_list("pk", "code", "version", "start_event"))
    MIGRATION.forward(apps, None)  # again: nothing more changes
    assert sorted(Rule.objects.values_list("pk", "code", "version", "start_event")) == before


def test_an_acknowledgement_stands_for_an_arrival_nobody_registered():  # R3.5 [003]
    """Pure: by fax, the first acknowledgement after a sending without a registered arrival
    is its receipt; a registered arrival (even registered after it) is kept instead."""
    from verkstall.deadlines.facts import clock_rows

    sent, ack, arrived = at(MON_2_MAR), at(WED_4_MAR), at(MON_2_MAR, 0)
    rows = [("sent", sent, sent), ("acknowledged", ack, ack)]
    assert list(clock_rows(rows, "fax")) == [
        ("sent", sent, sent),
        ("received", ack, ack),
        ("acknowledged", ack, ack),
    ]
    registered = [*rows, ("received", arrived, at(THU_5_MAR))]
    assert list(clock_rows(registered, "fax")) == registered
    assert ("received", sent, sent) in list(clock_rows(rows, "system"))


def test_solna_fax_order_acknowledged_without_a_registered_arrival(world):  # R3.5 [003]
    order = housing_support(world, Channel.FAX)
    with travel_to(at(WED_4_MAR, 11)):
        services.acknowledge_order(world.officer, order, channel="phone")
    assert item(order, ARRIVAL).status == "met_on_time"
    assert item(order, "kvittens-dagen-efter").status == "met_on_time"
    assert item(order, "start-rapporterad").due_date == date(2026, 3, 18)  # 14 days from Wed
