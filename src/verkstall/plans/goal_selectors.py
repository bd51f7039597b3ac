"""Reads of the goals a plan answers (seed 002, R5.2): the goals of the decision behind an order
already fetched through orders.selectors.get_order, and a plan's entry for each."""

from __future__ import annotations

from verkstall.decisions.models import DecisionGoal
from verkstall.orders.models import Order

from .models import ImplementationPlan


def order_goals(order: Order) -> list[DecisionGoal]:
    """The goals of the order's decision, in their order."""
    return list(
        DecisionGoal.objects.filter(decision_id=order.decision_id).order_by("position", "id")
    )


def goal_rows(
    plan: ImplementationPlan | None, goals: list[DecisionGoal], given: dict | None = None
) -> list[tuple[DecisionGoal, str]]:
    """(goal, how the plan addresses it) for every goal; `given` (goal id -> text, e.g. a form
    sent back with an error) wins over what is stored."""
    stored = {}
    if plan is not None:
        stored = dict(plan.goal_entries.values_list("goal_id", "how"))
    given = given or {}
    return [(g, given.get(g.pk, stored.get(g.pk, ""))) for g in goals]


def posted_goal_entries(post, goals: list[DecisionGoal]) -> dict[int, str]:
    """The goal entries of a submitted plan form (`goal-<id>` fields), for the goals shown."""
    return {g.pk: post[f"goal-{g.pk}"] for g in goals if f"goal-{g.pk}" in post}
