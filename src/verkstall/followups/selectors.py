"""Reads of follow-ups, scoped through the order (verkstall.orders.selectors)."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.policies import provider_side
from verkstall.core.errors import NotFound
from verkstall.decisions.models import DecisionGoal
from verkstall.orders.models import Order
from verkstall.orders.selectors import orders_for

from .models import FollowUp


def followups_for(user) -> QuerySet[FollowUp]:
    """The follow-ups of the orders the user may see; a provider sees only those of the orders
    it holds."""
    qs = FollowUp.objects.filter(order__in=orders_for(user).values("pk"))
    if getattr(user, "is_provider_user", False):
        qs = qs.filter(order__provider_id=user.provider_id)
    return (
        qs.select_related("order", "requested_by", "answered_by", "done_by", "on_behalf_of")
        .prefetch_related("goal_outcomes__goal")  # how each goal was met (seed 002)
        .order_by("order_id", "-created_at", "-id")
    )


def order_followups(user, order: Order) -> QuerySet[FollowUp]:
    """The follow-ups of an order already fetched through orders.selectors.get_order."""
    return followups_for(user).filter(order=order)


def open_followup(user, order: Order) -> FollowUp | None:
    return order_followups(user, order).filter(done_at__isnull=True).first()


def get_followup(user, order: Order, pk) -> FollowUp:
    try:
        return order_followups(user, order).get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise NotFound("Uppföljningen finns inte eller så saknar du behörighet.") from None


def may_follow_up(user, order: Order) -> bool:
    return user.is_officer and user.unit_id == order.unit_id


def may_answer(user, order: Order) -> bool:
    allowed, _ = provider_side(user, order.provider)
    return allowed


def order_goals(order: Order) -> list[DecisionGoal]:
    """The goals of the decision behind an order already fetched through get_order (seed
    002): the follow-up records how each was met."""
    return list(
        DecisionGoal.objects.filter(decision_id=order.decision_id).order_by("position", "id")
    )


def posted_goal_outcomes(post, goals: list[DecisionGoal]) -> list[dict]:
    """The goal outcomes of a submitted follow-up form (`goal-<id>-assessment`,
    `goal-<id>-note`), for the goals shown."""
    return [
        {
            "goal": g.pk,
            "assessment": post.get(f"goal-{g.pk}-assessment", ""),
            "note": post.get(f"goal-{g.pk}-note", ""),
        }
        for g in goals
    ]
