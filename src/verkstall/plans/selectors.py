"""Reads of implementation plans, scoped through the order (verkstall.orders.selectors)."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.policies import provider_side
from verkstall.core.errors import NotFound
from verkstall.orders.models import Order
from verkstall.orders.selectors import orders_for

from .models import ImplementationPlan, PlanStatus


def _visible(user, qs: QuerySet[ImplementationPlan]) -> QuerySet[ImplementationPlan]:
    return qs.select_related(
        "order", "created_by", "sent_by", "confirmed_by", "on_behalf_of"
    ).prefetch_related("goal_entries__goal")


def plans_for(user) -> QuerySet[ImplementationPlan]:
    """Every plan of the orders the user may see. A draft is the provider's own work: only the
    provider side (or the municipality for a provider not connected) sees it."""
    qs = ImplementationPlan.objects.filter(order__in=orders_for(user).values("pk"))
    if getattr(user, "is_provider_user", False):
        qs = qs.filter(order__provider_id=user.provider_id)
    else:
        qs = qs.exclude(status=PlanStatus.DRAFT, order__provider__is_connected=True)
    return _visible(user, qs).order_by("order_id", "-version")


def order_plans(user, order: Order) -> QuerySet[ImplementationPlan]:
    """The versions of an order already fetched through orders.selectors.get_order."""
    return plans_for(user).filter(order=order)


def get_plan(user, order: Order, pk) -> ImplementationPlan:
    try:
        return order_plans(user, order).get(pk=pk)
    except (ImplementationPlan.DoesNotExist, ValueError, TypeError):
        raise NotFound("Planen finns inte eller så saknar du behörighet.") from None


def current_plan(user, order: Order) -> ImplementationPlan | None:
    """The plan in force: the latest version sent (R5)."""
    return order_plans(user, order).exclude(status=PlanStatus.DRAFT).first()


def draft_plan(user, order: Order) -> ImplementationPlan | None:
    return order_plans(user, order).filter(status=PlanStatus.DRAFT).first()


def may_write(user, order: Order) -> bool:
    allowed, _ = provider_side(user, order.provider)
    return allowed


def may_confirm(user, order: Order) -> bool:
    return user.is_officer and user.unit_id == order.unit_id
