"""Reads for the steps beside the transitions (orders.casework_services; issue 16), scoped
through `selectors.orders_for` (access.scoping.order_scope): a report or a step is seen by
exactly those who see its order."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet

from verkstall.access.scoping import order_scope
from verkstall.core import clock

from .models import EventKind, Order, OrderEvent
from .selectors import acute_first, orders_for

#: What the provider reports to the officer (R3.7 not started, R7.2 support not received).
REPORT_KINDS = (EventKind.NOT_STARTED.value, EventKind.SUPPORT_NOT_RECEIVED.value)

#: How far back the start page lists the providers' reports.
RECENT_DAYS = 30


def order_reports(order: Order) -> QuerySet[OrderEvent]:
    """The provider's reports on an order already fetched through `get_order`, newest first."""
    return (
        order.events.filter(kind__in=REPORT_KINDS)
        .select_related("actor", "on_behalf_of")
        .order_by("-seq")
    )


def recent_reports(user, *, days: int = RECENT_DAYS) -> QuerySet[OrderEvent]:
    """The providers' reports of the last `days` days on the orders the user may see, newest
    first: the officer's start page (R3.7, R7.2)."""
    since = clock.now() - timedelta(days=days)
    return (
        OrderEvent.objects.filter(order_scope(user, prefix="order__"))
        .filter(kind__in=REPORT_KINDS, recorded_at__gte=since)
        .select_related("order__person", "order__provider", "actor")
        .order_by("-recorded_at", "-id")
    )


def awaiting_on_behalf(user) -> QuerySet[Order]:
    """Orders sent to a provider that is not connected and not yet started: the municipality
    registers the provider's acknowledgement and start for it (R3.3). The fee officer's list
    (seed 001: "avgiftshandläggaren informeras"), and the officer's for the unit."""
    return (
        orders_for(user)
        .reply_pending()
        .filter(provider__is_connected=False)
        .order_by("sent_at", "pk")
    )


def reported_not_started(user) -> QuerySet[Order]:
    """Orders not yet started whose provider reported that the service has not started."""
    reported = OrderEvent.objects.filter(order=OuterRef("pk"), kind=EventKind.NOT_STARTED)
    return orders_for(user).reply_pending().filter(Exists(reported))


def unrouted(user) -> QuerySet[Order]:
    """A provider's orders with it now that no unit has been given yet, when it has units
    (seed 002 "Utföraren fördelar"); an acute oral order first (`selectors.acute_first`)."""
    if not user.is_provider_user:
        return Order.objects.none()
    return acute_first(
        orders_for(user)
        .with_provider()
        .filter(provider_unit__isnull=True, provider__units__isnull=False)
        .distinct()
    )


def of_my_unit(user) -> QuerySet[Order]:
    """The open orders routed to the provider user's own unit (its manager and staff), an
    acute oral order first (`selectors.acute_first`)."""
    if not user.is_provider_user or user.provider_unit_id is None:
        return Order.objects.none()
    return acute_first(
        orders_for(user).with_provider().filter(provider_unit_id=user.provider_unit_id)
    )
