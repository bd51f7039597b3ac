"""Reads of orders and their history, scoped (verkstall.access.scoping)."""

from __future__ import annotations

from django.db.models import Case, F, Prefetch, QuerySet, Value, When

from verkstall.access.policies import provider_side
from verkstall.access.roles import Role
from verkstall.access.scoping import order_scope
from verkstall.core.errors import NotFound
from verkstall.core.paging import Sorting
from verkstall.deadlines.engine import order_event_rows
from verkstall.decisions.models import GrantedService

from .models import Order, OrderEvent
from .states import Action, State, allowed_actions


def orders_for(user) -> QuerySet[Order]:
    return (
        Order.objects.filter(order_scope(user))
        .select_related("person", "provider", "provider_unit", "unit", "decision")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=GrantedService.objects.select_related("service_type").order_by("id"),
            )
        )
        .order_by("-created_at", "-id")
    )


def get_order(user, pk) -> Order:
    try:
        return orders_for(user).get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise NotFound("Beställningen finns inte eller så saknar du behörighet.") from None


def order_events(order: Order) -> QuerySet[OrderEvent]:
    """The history of an order already fetched through `get_order`."""
    return order.events.select_related("actor", "on_behalf_of").order_by("seq")


def is_new_client(order: Order) -> bool:
    """Whether the order is the client's first with its provider (R3.4, seed 003 "Vid ny kund
    kontaktas utföraren"): no other order of the same person to the same provider was sent
    before this one (before now, while this one is a draft). An earlier order that was sent
    counts whatever became of it (ended, cancelled after sending): the provider has had the
    client. A provider switch makes the client new to the provider taking over; a new version
    of an order (R3.10) to the same provider does not."""
    earlier = Order.objects.filter(
        municipality_id=order.municipality_id,
        person_id=order.person_id,
        provider_id=order.provider_id,
        sent_at__isnull=False,
    ).exclude(pk=order.pk)
    if order.sent_at is not None:
        earlier = earlier.filter(sent_at__lt=order.sent_at)
    return not earlier.exists()


def acute_first(orders: QuerySet[Order]) -> QuerySet[Order]:
    """An inbox's orders with the acute oral orders first (R3.2, issue 17 item 6: the provider
    works on them already), the earliest oral order first; then the newest orders first."""
    return orders.order_by(F("acute_oral_at").asc(nulls_last=True), "-created_at", "-id")


def provider_inbox(user) -> QuerySet[Order]:
    """A provider's new orders: sent and waiting for acknowledgement or a start date, an
    acute oral order first (`acute_first`)."""
    return acute_first(orders_for(user).reply_pending())


def person_orders(user, person) -> QuerySet[Order]:
    return orders_for(user).filter(person=person)


def actions_for(user, order: Order) -> list[Action]:
    """The actions this user may take on this order now: the state table and the policies."""
    result = []
    officer_here = user.role_enum == Role.OFFICER and user.unit_id == order.unit_id
    provider_ok, _ = provider_side(user, order.provider)
    for action in allowed_actions(State(order.state)):
        if (
            (action in (Action.SEND, Action.CANCEL) and officer_here)
            or (action in (Action.ACKNOWLEDGE, Action.START) and provider_ok)
            or (action == Action.END and (officer_here or provider_ok))
        ):
            result.append(action)
    return result


def decision_clock_event_rows(*, decision):
    """Hook DECISION_ORDER_EVENTS (core/hooks.py, registered in OrdersConfig.ready): the clock
    rows of every event of the decision's orders, for the deadline engine (R11)."""
    return order_event_rows(OrderEvent.objects.filter(order__decision=decision))


# The order list's columns (issue 17 item 5): `?sort=key` or `?sort=-key`, the newest first by
# default. Each is one query: the client and provider come with `orders_for`'s select_related.
# The state sorts by the order's life (draft, sent, ... cancelled), not by its code.
ORDER_SORTING = Sorting(
    columns={
        "created": (F("created_at"),),
        "sent": (F("sent_at"),),
        "state": (Case(*(When(state=s.value, then=Value(i)) for i, s in enumerate(State))),),
        "client": (F("person__last_name"), F("person__first_name")),
        "provider": (F("provider__name"),),
        "start": (F("start_date"),),
    },
    default="-created",
    nullable=frozenset({"sent", "start"}),  # a draft is not sent, nor every order started
)
