"""Reads of single due items: one item with its explanation, an order's items (SPEC R11,
R11.2), and which items a user may open."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.access.scoping import NOTHING
from verkstall.core import clock
from verkstall.core.errors import NotFound

from .calendar import STOCKHOLM
from .models import DueItem
from .rules import Status
from .watchlist_scopes import OVERDUE, READABLE, ROLE_RESPONSIBLE, bucket_case, end_of_day

#: The rows an item's page reads with it.
RELATED = ("person", "rule", "order", "service_type", "responsible_user")


def item_scope(user) -> Q:
    """Which due items a user may open: an officer those of their unit's orders and
    decisions; a provider user those its provider is responsible for."""
    if not getattr(user, "is_authenticated", False) or user.municipality_id is None:
        return NOTHING
    base = Q(municipality_id=user.municipality_id)
    role = user.role_enum
    if role == Role.OFFICER:
        return base & (
            Q(order__isnull=False, order__unit_id=user.unit_id)
            | Q(order__isnull=True, decision__unit_id=user.unit_id)
        )
    if role in PROVIDER_ROLES:
        return base & Q(responsible_provider_id=user.provider_id)
    if role in ROLE_RESPONSIBLE:
        return base & Q(responsible=ROLE_RESPONSIBLE[role])
    return NOTHING


def visible_items(user) -> QuerySet[DueItem]:
    now = clock.now()
    end_of_today = end_of_day(now.astimezone(STOCKHOLM).date())
    return (
        DueItem.objects.filter(item_scope(user))
        .filter(READABLE)
        .select_related(*RELATED)
        .annotate(bucket=bucket_case(now, end_of_today))
    )


def get_due_item(user, pk) -> DueItem:
    """One due item with its explanation, if the user may see it; NotFound otherwise."""
    try:
        return visible_items(user).get(pk=pk)
    except (DueItem.DoesNotExist, ValueError, TypeError):
        raise NotFound("Bevakningen finns inte eller så saknar du behörighet.") from None


def due_items_for_order(user, order) -> list[DueItem]:
    """Every due item of an order (open, met and closed) that the user may see, in due
    order; for the order's page. `order` is one the user already fetched through
    orders.selectors.get_order."""
    qs = (
        visible_items(user)
        .filter(order_id=order.pk)
        .order_by(F("due_at").asc(nulls_first=True), "rule_id", "cycle")
    )
    return list(qs)


def current_status(item: DueItem) -> str:
    """The item's status as shown: an open item past its due moment is "overdue"."""
    if item.status == Status.OPEN.value and getattr(item, "bucket", None) == OVERDUE:
        return Status.OVERDUE.value
    return item.status
