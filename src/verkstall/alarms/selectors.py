"""Reads of safety alarms, their contact moves and meal orders, scoped (alarms/scoping.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from verkstall.core.errors import NotFound
from verkstall.decisions.catalogue import ServiceKind
from verkstall.orders.models import EventKind, Order, OrderEvent
from verkstall.orders.selectors import orders_for

from .models import AlarmContactMove
from .scoping import alarm_order_scope, with_service_kind

ALARM = ServiceKind.SAFETY_ALARM.value
MEAL = ServiceKind.MEAL_DELIVERY.value
NOT_FOUND = "Beställningen finns inte eller så saknar du behörighet."


def _first(kind: str):
    """The moment of the order's first event of `kind` (a subquery on Order)."""
    return Subquery(
        OrderEvent.objects.filter(order=OuterRef("pk"), kind=kind)
        .order_by("seq")
        .values("occurred_at")[:1]
    )


def alarm_orders_for(user) -> QuerySet[Order]:
    """Orders with a safety alarm that the user may see, with `alarm_ordered_at` and
    `alarm_installed_at` (the first of each event, or None)."""
    return (
        Order.objects.filter(alarm_order_scope(user))
        .filter(with_service_kind(ALARM))
        .select_related("person", "provider")
        .annotate(
            alarm_ordered_at=_first(EventKind.ALARM_ORDERED),
            alarm_installed_at=_first(EventKind.ALARM_INSTALLED),
        )
        .order_by("-created_at", "-id")
    )


def get_alarm_order(user, pk) -> Order:
    try:
        return alarm_orders_for(user).get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise NotFound(NOT_FOUND) from None


def awaiting_installation(user) -> QuerySet[Order]:
    """The aids centre's inbox (R4.1): alarms ordered from it, not installed yet, on orders
    still with their provider; a move after a switch is listed as a move instead. Oldest
    order first: that one's 3 weekdays end first."""
    moving = AlarmContactMove.objects.filter(order=OuterRef("pk"), confirmed_at__isnull=True)
    return (
        alarm_orders_for(user)
        .with_provider()
        .filter(alarm_ordered_at__isnull=False, alarm_installed_at__isnull=True)
        .exclude(Exists(moving))
        .order_by("alarm_ordered_at", "id")
    )


def contact_moves_for(user) -> QuerySet[AlarmContactMove]:
    """Contact moves of the alarm orders the user may see (R2.6), open ones first."""
    return (
        AlarmContactMove.objects.filter(order__in=alarm_orders_for(user).values("pk"))
        .select_related("order", "order__person", "old_provider", "new_provider", "confirmed_by")
        .order_by("-confirmed_at", "from_date", "id")
    )


def open_contact_moves(user) -> QuerySet[AlarmContactMove]:
    return contact_moves_for(user).filter(confirmed_at__isnull=True).order_by("from_date", "id")


def get_contact_move(user, pk) -> AlarmContactMove:
    try:
        return contact_moves_for(user).get(pk=pk)
    except (AlarmContactMove.DoesNotExist, ValueError, TypeError):
        raise NotFound("Uppgiften finns inte eller så saknar du behörighet.") from None


def contact_move_of(order: Order) -> AlarmContactMove | None:
    """The contact move of an order already fetched through a scoped selector."""
    return order.alarm_contact_moves.select_related("old_provider", "new_provider").first()


def meal_orders_for(user) -> QuerySet[Order]:
    """Orders with meal delivery, of the user's order scope (R3.6)."""
    return orders_for(user).filter(with_service_kind(MEAL))


def get_meal_order(user, pk) -> Order:
    try:
        order = meal_orders_for(user).get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise NotFound(NOT_FOUND) from None
    order.meal_ordered_at = (
        order.events.filter(kind=EventKind.MEAL_ORDERED)
        .values_list("occurred_at", flat=True)
        .first()
    )
    return order


def alarm_events(order: Order) -> QuerySet[OrderEvent]:
    """The alarm's own events on an order already fetched through a scoped selector."""
    kinds = (EventKind.ALARM_ORDERED, EventKind.ALARM_INSTALLED)
    return (
        order.events.filter(kind__in=kinds).select_related("actor", "on_behalf_of").order_by("seq")
    )
