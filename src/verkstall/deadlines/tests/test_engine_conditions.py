"""A rule's conditions in the engine, through the real services (SPEC R11.4, issue 13 §2):
service kinds or types excluded, only a new client's first order, only services given daily,
only orders that went by post or fax. A municipality's own profile is made here with
`Rule.objects.create`, each rule using one condition; orders that meet it get the rule's due
item, the others do not.

Typical routine clauses they model: "gäller inte särskilt boende, korttidsplats eller
växelvård", "vid ny brukares första beställning", "för insatser som ges dagligen", "för
beställningar som skickas per post eller fax".
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest

from verkstall.core.clock import travel_to
from verkstall.deadlines import engine
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem, Rule, RuleProfile
from verkstall.decisions.services import record_decision
from verkstall.orders import services
from verkstall.orders.models import Order
from verkstall.providers.models import Channel
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

MON_2_MAR = date(2026, 3, 2)  # a month with no public holiday
OMVARDNAD = "hemtjanst-omvardnad"  # personal_care


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


RULES = [
    # code, extra fields
    ("alla", {}),
    ("utom-larm-och-stad", {"excluded_service_kinds": ["safety_alarm"],
                            "excluded_service_types": ["hemtjanst-stad"]}),
    ("omvardnad-utom-larm", {"service_kinds": ["personal_care"],
                             "excluded_service_kinds": ["safety_alarm"]}),
    ("forsta-bestallningen", {"first_order_only": True}),
    ("dagliga-insatser", {"daily_only": True}),
    ("post-och-fax", {"channels": ["post", "fax"]}),
]  # fmt: skip
DECISION_RULES = [
    ("beslut-dagligen", {"daily_only": True}),
    ("beslut-forsta", {"first_order_only": True}),
    ("beslut-post", {"channels": ["post"]}),
]


@pytest.fixture
def profile(world):
    """The municipality's own profile: every rule starts when the order is sent and is met
    when it is acknowledged, 3 weekdays; each with one condition."""
    profile = RuleProfile.objects.create(slug="villkor", name="Villkorskommunen", owner=world.muni)
    for code, extra in RULES:
        Rule.objects.create(
            profile=profile,
            code=code,
            name=code,
            subject="order",
            start_event="order.sent",
            stop_events=["order.acknowledged"],
            amount=3,
            unit="weekdays",
            responsible="provider",
            source="test",
            **extra,
        )
    for code, extra in DECISION_RULES:
        Rule.objects.create(
            profile=profile,
            code=code,
            name=code,
            subject="decision",
            start_event="decision.granted",
            stop_events=["order.started"],
            amount=3,
            unit="months",
            responsible="officer",
            source="test",
            **extra,
        )
    world.muni.rule_profile = profile.slug
    world.muni.save()
    return profile


def decide(world, *services_, person=None):
    """A decision on Monday 2 March with the given (type code, scope amount, scope unit)."""
    with travel_to(at(MON_2_MAR, 9)):
        return record_decision(
            world.officer,
            person=person or world.person(),
            decided_on=MON_2_MAR,
            services=[
                {"service_type": code, "scope_amount": amount, "scope_unit": unit}
                for code, amount, unit in services_
            ],
        )


_minutes = itertools.count()


@pytest.fixture(autouse=True)
def _first_minute():
    global _minutes
    _minutes = itertools.count()


def send(world, decision, provider=None) -> Order:
    """Create and send an order, each a minute after the one before: which order came first
    is judged by when it was created."""
    with travel_to(at(MON_2_MAR, 10) + timedelta(minutes=next(_minutes))):
        order = services.create_order(
            world.officer, decision=decision, provider=provider or world.provider_a
        )
        services.send_order(world.officer, order)
    return Order.objects.get(pk=order.pk)


def rules_of(order: Order) -> set[str]:
    return set(DueItem.objects.filter(order=order).values_list("rule__code", flat=True))


def decision_rules(decision) -> set[str]:
    return set(
        DueItem.objects.filter(decision=decision, order__isnull=True).values_list(
            "rule__code", flat=True
        )
    )


HOURS = ("20", "hours_per_month")


def test_excluded_service_kinds_and_types(world, profile):  # R11.4
    # "Gäller inte ...": a rule for every service but some kinds or types.
    care = send(world, decide(world, (OMVARDNAD, *HOURS)))
    alarm = send(world, decide(world, ("trygghetslarm", "1", "place")))
    cleaning = send(world, decide(world, ("hemtjanst-stad", "2", "hours_per_month")))
    alarm_scope = ("trygghetslarm", "1", "place")
    care_and_alarm = send(world, decide(world, (OMVARDNAD, *HOURS), alarm_scope))
    assert {"alla", "utom-larm-och-stad", "omvardnad-utom-larm"} <= rules_of(care)
    assert "alla" in rules_of(alarm)
    assert not {"utom-larm-och-stad", "omvardnad-utom-larm"} & rules_of(alarm)
    assert "alla" in rules_of(cleaning) and "utom-larm-och-stad" not in rules_of(cleaning)
    # An exclusion wins over an inclusion: the order holds an excluded kind.
    assert "omvardnad-utom-larm" not in rules_of(care_and_alarm)


def test_only_a_new_clients_first_order(world, profile):  # R11.4
    # "Vid ny brukares första beställning": the client's first order in the municipality.
    person = world.person()
    first = send(world, decide(world, (OMVARDNAD, *HOURS), person=person))
    second = send(world, decide(world, (OMVARDNAD, *HOURS), person=person))
    other_client = send(world, decide(world, (OMVARDNAD, *HOURS)))
    assert "forsta-bestallningen" in rules_of(first)
    assert "forsta-bestallningen" not in rules_of(second)
    assert "forsta-bestallningen" in rules_of(other_client)


def test_a_cancelled_order_does_not_count_against_the_first(world, profile):  # R11.4
    person = world.person()
    withdrawn = send(world, decide(world, (OMVARDNAD, *HOURS), person=person))
    later = send(world, decide(world, (OMVARDNAD, *HOURS), person=person))
    assert "forsta-bestallningen" not in rules_of(later)
    with travel_to(at(MON_2_MAR, 15)):
        services.cancel_order(world.officer, withdrawn, reason="Fel utförare")
    # The later order is now the client's first: its clocks follow at once.
    assert "forsta-bestallningen" in rules_of(later)
    assert DueItem.objects.get(order=later, rule__code="forsta-bestallningen").status == "open"


def test_first_order_is_looked_up_only_when_a_rule_asks(world, profile, django_assert_num_queries):
    # R11.4: the extra query is made only for a profile with a first-order rule.
    order = Order.objects.select_related("provider", "decision").get(
        pk=send(world, decide(world, (OMVARDNAD, *HOURS))).pk
    )
    rules = [r for r in engine.profile_rules(profile.slug, "order") if not r.first_order_only]
    assert not engine.needs_first_order(rules)
    services_ = list(order.services.select_related("service_type"))
    with django_assert_num_queries(0):
        facts, _ = engine.order_facts(order, services_, rules)
    assert facts.first_order is None and facts.channel == "system"
    all_rules = engine.profile_rules(profile.slug, "order")
    with django_assert_num_queries(2):  # the person, and whether an earlier order exists
        facts, _ = engine.order_facts(order, services_, all_rules)
    assert facts.first_order is True


@pytest.mark.parametrize(
    ("scope", "daily"),
    [
        (("3", "visits_per_day"), True),
        (("7", "days_per_week"), True),
        (("5", "days_per_week"), False),
        (("30", "visits_per_month"), False),
        (("20", "hours_per_month"), False),
    ],
)
def test_only_services_given_daily(world, profile, scope, daily):  # R11.4
    # "För insatser som ges dagligen": visits every day, or 7 days a week.
    decision = decide(world, (OMVARDNAD, *scope))
    order = send(world, decision)
    assert ("dagliga-insatser" in rules_of(order)) is daily
    assert ("beslut-dagligen" in decision_rules(decision)) is daily


def test_one_daily_service_makes_the_order_daily(world, profile):  # R11.4
    order = send(
        world,
        decide(world, ("hemtjanst-stad", *HOURS), (OMVARDNAD, "2", "visits_per_day")),
    )
    assert "dagliga-insatser" in rules_of(order)


@pytest.mark.parametrize(
    ("channel", "applies"),
    [(Channel.POST, True), (Channel.FAX, True), (Channel.EMAIL, False), (Channel.SYSTEM, False)],
)
def test_only_orders_that_went_by_post_or_fax(world, profile, channel, applies):  # R11.4
    # "För beställningar som skickas per post eller fax".
    if channel == Channel.SYSTEM:
        provider = world.provider_a
    else:
        provider = build.provider(world.muni, f"Utförare via {channel}", connected=False,
                                  channel=channel)  # fmt: skip
        if channel == Channel.EMAIL:
            provider.email = "bestallning@example.org"
            provider.save()
    order = send(world, decide(world, (OMVARDNAD, *HOURS)), provider)
    assert ("post-och-fax" in rules_of(order)) is applies
    assert "alla" in rules_of(order)


def test_a_decision_has_no_channel_and_no_first_order(world, profile):  # R11.4
    # The channel and the first order are facts about an order: a decision's rule that asks
    # for them never applies (and the daily condition does, above).
    person = world.person()
    decision = decide(world, (OMVARDNAD, "3", "visits_per_day"), person=person)
    send(world, decision, build.provider(world.muni, "Postomsorg", connected=False,
                                         channel=Channel.POST))  # fmt: skip
    assert decision_rules(decision) == {"beslut-dagligen"}


def test_the_facts_of_the_engine_and_the_rule_agree(world, profile):  # R11.4
    order = send(world, decide(world, (OMVARDNAD, "7", "days_per_week")))
    order = Order.objects.select_related("provider", "decision").get(pk=order.pk)
    rules = engine.profile_rules(profile.slug, "order")
    facts, first_type = engine.order_facts(
        order, list(order.services.select_related("service_type")), rules
    )
    assert facts.kinds == {"personal_care"} and facts.types == {OMVARDNAD}
    assert facts.daily and facts.first_order and facts.channel == "system"
    assert first_type.code == OMVARDNAD
    applying = {r.code for r in rules if r.spec().applies(facts)}
    assert applying == rules_of(order)
