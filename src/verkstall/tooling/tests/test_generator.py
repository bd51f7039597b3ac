"""The generated municipality is what the services would have produced (the benchmark issue).

Small N, on SQLite and PostgreSQL alike: the rows are bulk-inserted, so each check here is a
rule the services keep and the generator must keep too.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from verkstall.absences.models import Absence
from verkstall.core.personal_number import parse_personal_number
from verkstall.deadlines import engine
from verkstall.deadlines.models import DueItem
from verkstall.decisions.models import Decision
from verkstall.followups.models import FollowUp
from verkstall.orders.models import Order, OrderEvent
from verkstall.orders.states import Action, State, next_state
from verkstall.people.models import Person
from verkstall.plans.models import ImplementationPlan
from verkstall.tooling import generator_services as generator
from verkstall.tooling.generator_world import generated_municipality

pytestmark = pytest.mark.django_db

TRANSITIONS = {
    "sent": Action.SEND,
    "acknowledged": Action.ACKNOWLEDGE,
    "started": Action.START,
    "ended": Action.END,
    "cancelled": Action.CANCEL,
}
CODE = "9991"


@pytest.fixture
def generated():
    counts = generator.generate(40, seed=11, code=CODE)
    return counts, generated_municipality(CODE)


def _due_snapshot(muni) -> dict:
    skip = {"id", "updated_at"}
    fields = [f.attname for f in DueItem._meta.concrete_fields if f.attname not in skip]
    return {
        (row["rule_id"], row["subject_key"], row["cycle"]): row
        for row in DueItem.objects.filter(municipality=muni).values(*fields)
    }


def test_recomputing_with_the_engine_changes_no_generated_due_item(generated):  # R11
    _, muni = generated
    before = _due_snapshot(muni)
    assert before
    for order in Order.objects.filter(municipality=muni).select_related("decision", "provider"):
        engine.recompute_order(order)
    for decision in Decision.objects.filter(municipality=muni):
        engine.recompute_decision(decision)
    after = _due_snapshot(muni)
    assert after.keys() == before.keys()
    changed = [key for key in before if before[key] != after[key]]
    assert changed == []


def test_each_order_state_is_the_fold_of_its_events(generated):  # R3
    _, muni = generated
    events = defaultdict(list)
    for e in OrderEvent.objects.filter(municipality=muni).order_by("order_id", "seq"):
        events[e.order_id].append(e)
    orders = list(Order.objects.filter(municipality=muni))
    assert {o.state for o in orders} >= {"started", "ended"}
    for order in orders:
        history = events[order.pk]
        assert [e.seq for e in history] == list(range(1, len(history) + 1))
        assert order.last_event_seq == len(history)
        assert history[0].kind == "created"
        state = State.DRAFT
        for e in history[1:]:
            assert e.recorded_at >= history[0].recorded_at
            assert e.occurred_at <= e.recorded_at
            if e.kind in TRANSITIONS:
                assert e.from_state == state.value
                state = next_state(state, TRANSITIONS[e.kind])
                assert e.to_state == state.value
            elif e.kind == "message_sent":  # beside the call that sent it, in any state
                assert e.data.keys() == {"message", "from_provider"}
                assert history[e.seq - 2].kind != "message_sent"
            else:  # recorded by plans, follow-ups, absences ...: only on a running order
                assert state.value in ("acknowledged", "started"), (order.pk, e.kind)
        assert order.state == state.value
        recorded = [e.recorded_at for e in history]
        assert recorded == sorted(recorded)
        by_kind = {e.kind: e for e in history}
        if "sent" in by_kind:
            assert order.sent_at == by_kind["sent"].occurred_at
            assert order.written_on.isoformat() == by_kind["sent"].data["written_on"]
        if "started" in by_kind:
            assert order.start_date.isoformat() == by_kind["started"].data["start_date"]
            assert order.start_date >= order.written_on
        if "ended" in by_kind:
            assert order.end_date >= order.start_date


def test_rows_of_plans_follow_ups_and_absences_match_their_events(generated):  # R5 R6 R7
    _, muni = generated
    refs = Counter()
    for e in OrderEvent.objects.filter(municipality=muni).exclude(data={}):
        for key in ("plan", "followup", "absence"):
            if key in e.data:
                refs[(key, e.data[key], e.kind)] += 1
    plans = list(ImplementationPlan.objects.filter(municipality=muni))
    assert plans
    for plan in plans:
        assert refs[("plan", plan.pk, "plan_begun")] == 1
        assert (plan.sent_at is not None) == bool(refs[("plan", plan.pk, "plan_sent")])
        assert (plan.confirmed_at is not None) == bool(refs[("plan", plan.pk, "plan_confirmed")])
    for fu in FollowUp.objects.filter(municipality=muni):
        assert refs[("followup", fu.pk, "followup_requested")] == 1
        assert (fu.done_at is not None) == bool(refs[("followup", fu.pk, "followup_done")])
    for absence in Absence.objects.filter(municipality=muni):
        assert refs[("absence", absence.pk, "absence_registered")] == 1
        assert (absence.long_flagged_at is not None) == bool(
            refs[("absence", absence.pk, "absence_long")]
        )


def test_every_personnummer_is_a_skatteverket_test_number(generated):  # R1.1
    _, muni = generated
    numbers = list(
        Person.objects.filter(municipality=muni).values_list("personal_number", flat=True)
    )
    assert len(numbers) == 40 == len(set(numbers))
    for number in numbers:
        assert 980 <= int(number[8:11]) <= 999
        assert parse_personal_number(number).value == number


def test_a_second_run_into_the_same_municipality_is_refused(generated):
    with pytest.raises(generator.GeneratedDataExists):
        generator.generate(5, code=CODE)
    assert generator.generated_size(CODE) == 40
