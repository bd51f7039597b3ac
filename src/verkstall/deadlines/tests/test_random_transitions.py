"""Issue 19 item 4, SPEC R11.1: the lean transition path recomputes only the clocks an event can
start or stop (rules indexed by event kind, history notes skipped, the rules kept per process).
Whatever it skipped, the due items it leaves must be exactly what a full recompute from the
events gives. This walks long randomised sequences of real service calls (orders, receipts,
plans, absences, messages, ends, cancellations, with the clock moving between them) over every
routine's profile and, at checkpoints and at the end, recomputes every order and decision from
its events: not one due item may change.

A step the services refuse (a start before the decision, an end before the start) is part of
the walk too: a refused step must leave no due item behind.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest

from verkstall.absences.models import AbsenceReason
from verkstall.absences.services import register_absence
from verkstall.core import clock
from verkstall.core.clock import travel_to
from verkstall.core.errors import DomainError
from verkstall.deadlines import engine
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem
from verkstall.deadlines.routine_selectors import needs_booked_staff
from verkstall.decisions.models import Decision
from verkstall.journal.services import send_message
from verkstall.orders import services
from verkstall.orders.models import EventKind, Order, OrderEvent
from verkstall.orders.receipt_services import needs_receipt, register_receipt
from verkstall.plans import services as plans
from verkstall.plans.models import ImplementationPlan

pytestmark = pytest.mark.django_db

PROFILES = ["gotland", "stockholm-hv", "solna-boendestod", "kundval-004"]
SERVICES = {
    "gotland": ["hemtjanst-omvardnad", "hemtjanst-service", "boendestod"],
    "stockholm-hv": ["hemtjanst-omvardnad", "hemtjanst-service"],
    "solna-boendestod": ["boendestod"],
    "kundval-004": ["hemtjanst-omvardnad", "hemtjanst-service"],
}
STEPS = 160
CHECK_EVERY = 30
PLAN_TEXTS = {
    "what": "Stöd vid dusch",
    "how": "Lugnt",
    "when": "Morgon",
    "by_whom": "Kontaktmannen",
    "participation": "Den enskilde deltog hemma.",
}


def due_snapshot(muni) -> dict:
    skip = {"id", "updated_at"}
    fields = [f.attname for f in DueItem._meta.concrete_fields if f.attname not in skip]
    return {
        (row["rule_id"], row["subject_key"], row["cycle"]): row
        for row in DueItem.objects.filter(municipality=muni).values(*fields)
    }


def assert_fresh_recompute_changes_nothing(muni, step: int) -> int:
    before = due_snapshot(muni)
    for order in Order.objects.filter(municipality=muni).select_related("decision", "provider"):
        engine.recompute_order(order)
    for decision in Decision.objects.filter(municipality=muni):
        engine.recompute_decision(decision)
    after = due_snapshot(muni)
    assert after.keys() == before.keys(), (
        f"after step {step}: items only in the stored set {sorted(before.keys() - after.keys())}, "
        f"only in a fresh recompute {sorted(after.keys() - before.keys())}"
    )
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    assert changed == {}, f"after step {step}"
    return len(after)


class Walk:
    """One randomised day-after-day walk through a municipality's orders."""

    def __init__(self, world, rng: random.Random, profile: str):
        self.world = world
        self.rng = rng
        self.codes = SERVICES[profile]
        self.providers = [world.provider_a, world.provider_b, world.offline]
        self.done: dict[str, int] = {}
        self.refusals: dict[str, str] = {}

    def fresh(self, model, pk):
        return model.objects.get(pk=pk)

    def orders(self, *states) -> list[Order]:
        return list(
            Order.objects.filter(municipality=self.world.muni, state__in=states).order_by("pk")
        )

    def pick(self, *states):
        found = self.orders(*states)
        return self.rng.choice(found) if found else None

    def actor_for(self, order: Order):
        return self.world._provider_actor(order.provider)

    def channel_for(self, order: Order) -> str:
        return "" if order.provider.is_connected else self.rng.choice(["phone", "post", "fax"])

    # --- the steps --------------------------------------------------------------------------

    def new_order(self):
        w = self.world
        code = self.rng.choice(self.codes)
        decision = w.decision(
            decided_on=clock.today() - timedelta(days=self.rng.randint(0, 10)),
            services=[
                {
                    "service_type": code,
                    "scope_amount": str(self.rng.randint(4, 40)),
                    "scope_unit": "hours_per_month",
                    "frequency": self.rng.choice(["morgon och kväll", "en gång i veckan", ""]),
                }
            ],
        )
        provider = self.rng.choice(self.providers)
        # Now and then an acute order given by phone first (R3.2), whose clock runs from the call.
        acute = clock.now() - timedelta(hours=2) if self.rng.random() < 0.15 else None
        services.create_order(w.officer, decision=decision, provider=provider, acute_oral_at=acute)

    def send(self):
        order = self.pick("draft")
        if order:
            services.send_order(self.world.officer, order)

    def receipt(self):
        candidates = [o for o in self.orders("sent", "acknowledged") if needs_receipt(o)]
        if candidates:
            order = self.rng.choice(candidates)
            register_receipt(
                self.world.officer,
                order,
                received_on=clock.today() - timedelta(days=self.rng.randint(0, 2)),
            )

    def acknowledge(self):
        order = self.pick("sent")
        if order:
            services.acknowledge_order(
                self.actor_for(order), order, channel=self.channel_for(order)
            )

    def start(self):
        # Mostly an acknowledged order; now and then a sent one (a start without a receipt is
        # allowed by some routines and refused by others).
        order = self.pick("acknowledged") if self.rng.random() < 0.8 else self.pick("sent")
        if order:
            booked = "Ordinarie personal" if needs_booked_staff(order) else ""
            services.register_start(
                self.actor_for(order),
                order,
                start_date=clock.today() - timedelta(days=self.rng.randint(0, 3)),
                channel=self.channel_for(order),
                booked_staff=booked,
            )

    def plan(self):
        order = self.pick("started")
        if not order:
            return
        actor = self.actor_for(order)
        channel = self.channel_for(order)
        plan = ImplementationPlan.objects.filter(order=order).order_by("-pk").first()
        status = plan.status if plan else None
        if status == "sent" and self.rng.random() < 0.7:
            plans.confirm_plan(self.world.officer, plan)
        elif status == "draft":
            plans.send_plan(actor, plan, channel=channel)
        else:  # the first plan, or a new version of a sent or confirmed one (R5.3)
            plan = plans.start_plan(actor, order, channel=channel, **PLAN_TEXTS)
            if self.rng.random() < 0.7:
                plans.send_plan(actor, plan, channel=channel)

    def absence(self):
        order = self.pick("started")
        if order:
            start = clock.today() - timedelta(days=self.rng.randint(0, 5))
            register_absence(
                self.actor_for(order),
                order,
                reason=self.rng.choice(AbsenceReason.values),
                from_date=start,
                to_date=start + timedelta(days=self.rng.randint(0, 40)),
                channel=self.channel_for(order),
            )

    def message(self):
        order = self.pick("sent", "acknowledged", "started")
        if order:
            send_message(
                self.world.officer,
                person=order.decision.person,
                subject="Fråga",
                body="Hur går det?",
                order=order,
            )

    def end(self):
        order = self.pick("started")
        if order:
            services.end_order(
                self.world.officer,
                order,
                end_date=clock.today() - timedelta(days=self.rng.randint(0, 2)),
                note="Slut",
                end_reason=self.rng.choice(["", "other"]),
            )

    def cancel(self):
        order = self.pick("draft", "sent", "acknowledged")
        if order:
            services.cancel_order(self.world.officer, order, reason="Felaktig beställning")

    STEPS = {
        "new_order": 5,
        "send": 5,
        "receipt": 2,
        "acknowledge": 4,
        "start": 4,
        "plan": 6,
        "absence": 2,
        "message": 2,
        "end": 2,
        "cancel": 1,
    }

    def step(self, number: int):
        # Every eighth step takes the next kind in turn, so that a walk tries each kind often
        # enough whatever the draw; the others are drawn by weight.
        kinds = list(self.STEPS)
        if number % 8 == 0:
            name = kinds[number // 8 % len(kinds)]
        else:
            name = self.rng.choices(kinds, weights=list(self.STEPS.values()))[0]
        try:
            getattr(self, name)()
        except DomainError as refusal:
            self.refusals.setdefault(name, str(refusal))
            name += " (refused)"
        self.done[name] = self.done.get(name, 0) + 1


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("seed", [1, 2])
def test_due_items_equal_a_fresh_recompute_after_a_random_walk(world, profile, seed):
    world.muni.rule_profile = profile
    world.muni.save()
    rng = random.Random(f"{profile}-{seed}")
    walk = Walk(world, rng, profile)
    moment = datetime.combine(date(2026, 3, 2), time(9), STOCKHOLM)
    items = 0
    for step in range(1, STEPS + 1):
        # Hours to days between steps: the same day, over a weekend, past a deadline.
        moment += timedelta(hours=rng.choice([1, 3, 20, 49, 24 * 8]))
        with travel_to(moment):
            walk.step(step)
            if step % CHECK_EVERY == 0:
                items = assert_fresh_recompute_changes_nothing(world.muni, step)
    # The walk did the work it claims: every kind of step ran and the orders reached every state.
    performed = {name for name in walk.done if "refused" not in name}
    assert {"new_order", "send", "acknowledge", "start", "plan", "end"} <= performed, (
        walk.done,
        walk.refusals,
    )
    kinds = set(
        OrderEvent.objects.filter(order__municipality=world.muni).values_list("kind", flat=True)
    )
    wanted = {EventKind.SENT, EventKind.ACKNOWLEDGED, EventKind.STARTED, EventKind.ENDED}
    assert wanted | {EventKind.PLAN_SENT, EventKind.PLAN_CONFIRMED} <= kinds, (
        kinds,
        walk.done,
        walk.refusals,
    )
    assert items > 10
