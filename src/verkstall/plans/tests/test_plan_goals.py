"""The plan's answer to each goal of the decision (seed 002 §Social dokumentation: "hur målen i
beslutet har uppnåtts"; R5.2: what, how, when and by whom, made with the person; issue 16
item 10): the provider writes it per goal on the draft; the sent plan shows it to the officer
and the provider; a revision starts from it; the API gives it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.plans import goal_services, services
from verkstall.plans.models import ImplementationPlan, PlanGoal

pytestmark = pytest.mark.django_db

GOALS = ["Klara morgonrutinen med stöd", "Komma ut på promenad varje vecka"]
TEXTS = {
    "what": "Stöd morgon och kväll",
    "how": "Lugnt tempo",
    "when": "Dagligen",
    "by_whom": "Kontaktmannen",
    "participation": "Planen gjordes hemma tillsammans med den enskilde.",
}


def goal_order(world):
    decision = world.decision(goals=GOALS)
    return world.order(decision=decision, state="started")


def test_r5_2_seed_002_the_provider_answers_each_goal_in_the_plan(world, client):
    """R5.2, seed 002: the plan page shows the decision's goals to the provider; what it writes
    per goal is stored with the draft, sent with the plan, and shown to the officer."""
    order = goal_order(world)
    first, _second = order.decision.goals.all()
    client.force_login(world.staff_a)
    client.post(reverse("plan-start", args=[order.pk]))
    plan = ImplementationPlan.objects.get(order=order)
    page = client.get(reverse("plan-page", args=[order.pk])).content.decode()
    assert f'name="goal-{first.pk}"' in page and GOALS[1] in page
    sent = client.post(
        reverse("plan-save", args=[order.pk, plan.pk]),
        {**TEXTS, f"goal-{first.pk}": "Vi tränar på påklädning varje morgon.", "do": "send"},
    )
    assert sent.status_code == 302
    entry = PlanGoal.objects.get(plan=plan)
    assert (entry.goal, entry.how) == (first, "Vi tränar på påklädning varje morgon.")
    client.force_login(world.officer)
    page = client.get(reverse("plan-page", args=[order.pk])).content.decode()
    assert 'id="current-plan-goals"' in page
    assert "Vi tränar på påklädning varje morgon." in page and GOALS[1] in page


def test_r5_2_seed_002_goal_entries_only_for_the_decisions_goals_on_a_draft(world):
    """R5.2, seed 002: a goal of another decision is refused, the officer may not write the
    provider's plan, and a sent plan is not changed; a blank answer removes the entry."""
    order = goal_order(world)
    first = order.decision.goals.first()
    foreign = world.decision(goals=["Ett annat mål"]).goals.get()
    plan = services.start_plan(world.staff_a, order)
    with pytest.raises(ValidationFailed) as exc:
        goal_services.save_goal_entries(world.staff_a, plan, entries={foreign.pk: "x"})
    assert f"goals.{foreign.pk}" in exc.value.errors
    with pytest.raises(PermissionDenied):
        goal_services.save_goal_entries(world.officer, plan, entries={first.pk: "x"})
    goal_services.save_goal_entries(world.staff_a, plan, entries={first.pk: "Svar"})
    goal_services.save_goal_entries(world.staff_a, plan, entries={first.pk: "  "})
    assert not PlanGoal.objects.exists()
    goal_services.save_goal_entries(world.staff_a, plan, entries={first.pk: "Svar"})
    services.save_draft(world.staff_a, plan, **TEXTS)
    services.send_plan(world.staff_a, plan)
    with pytest.raises(TransitionNotAllowed):
        goal_services.save_goal_entries(world.staff_a, plan, entries={first.pk: "Ändrat"})
    assert PlanGoal.objects.get(plan=plan).how == "Svar"


def test_r5_3_seed_002_a_revision_starts_from_the_goal_entries(world, api):
    """R5.3, seed 002: a new version starts from the current plan's goal entries; the API gives
    each plan's entries with the goal's text (R5.2), scoped as the plan."""
    order = goal_order(world)
    first = order.decision.goals.first()
    plan = services.start_plan(world.staff_a, order)
    goal_services.save_goal_entries(world.staff_a, plan, entries={first.pk: "Svar 1"})
    services.save_draft(world.staff_a, plan, **TEXTS)
    services.send_plan(world.staff_a, plan)
    revision = services.start_plan(world.staff_a, order)
    assert revision.version == 2
    assert list(revision.goal_entries.values_list("goal_id", "how")) == [(first.pk, "Svar 1")]
    body = api(world.officer).get(f"/api/plans/{plan.pk}/").json()
    assert body["goals"] == [{"goal": first.pk, "goal_text": GOALS[0], "how": "Svar 1"}]
    assert api(world.staff_b).get(f"/api/plans/{plan.pk}/").status_code == 404
