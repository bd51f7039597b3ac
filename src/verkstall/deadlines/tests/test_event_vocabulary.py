"""One vocabulary of order event kinds (core/event_kinds.py) and the lists derived from it:
the model's choices, the engine's clock names, the rules' labels, and the rule fixture
(SPEC R3, R11.1, R11.2)."""

from __future__ import annotations

import json

from verkstall.core import event_kinds
from verkstall.deadlines import engine
from verkstall.deadlines.profiles import FIXTURE
from verkstall.deadlines.rules import EVENT_LABELS
from verkstall.orders.models import EventKind, OrderEvent


def _fixture_events() -> list[tuple[str, str, str]]:
    """(profile, rule code, event) for every event a rule in the raw fixture names."""
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [
        (p["slug"], r["code"], event)
        for p in raw["profiles"]
        for r in p["rules"]
        for event in (r["start_event"], *r["stop_events"])
    ]


def test_every_event_the_fixture_names_is_a_known_event_with_a_label():
    # R11.1: a rule that starts or stops on an event nobody records (or cannot be explained,
    # R11.2) is a rule that never runs.
    unknown = [e for e in _fixture_events() if not EVENT_LABELS.get(e[2])]
    assert unknown == []


def test_every_order_event_kind_has_a_history_label_and_a_distinct_clock_event():  # R11.1
    kinds = event_kinds.ORDER_EVENT_KINDS
    assert all(k.label.strip() for k in kinds)
    assert len({k.code for k in kinds}) == len(kinds)
    clocks = [k.clock_event for k in kinds]
    assert len(set(clocks)) == len(clocks)
    assert not set(clocks) & set(event_kinds.OTHER_CLOCK_EVENTS)


def test_every_clock_event_a_rule_may_use_has_a_label():
    # A kind whose clock event a rule names must have a watchlist label (R11.2 explanations).
    used = {event for _, _, event in _fixture_events()}
    for kind in event_kinds.ORDER_EVENT_KINDS:
        if kind.clock_event in used:
            assert kind.clock_label, kind.code
    assert all(label.strip() for label in EVENT_LABELS.values())


def test_the_other_lists_are_derived_from_the_vocabulary():  # R11.1
    assert [(m.name, m.value, m.label) for m in EventKind] == [
        (k.name, k.code, k.label) for k in event_kinds.ORDER_EVENT_KINDS
    ]
    assert OrderEvent._meta.get_field("kind").choices == EventKind.choices
    assert EVENT_LABELS is event_kinds.CLOCK_EVENT_LABELS
    for kind in EventKind:
        assert engine.ORDER_EVENT_NAMES[kind.value] == event_kinds.clock_event(kind)
    # Transitions keep their "order.<code>" names, which the fixture uses.
    assert event_kinds.clock_event(EventKind.SENT) == "order.sent"
    assert event_kinds.clock_event("absence_registered") == "absence.began"
