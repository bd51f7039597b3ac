"""What the deadline engine asks about a client's other orders (SPEC R11.4, R3.4, R5.1): is
an order the client's first in the municipality ("ny brukares första beställning"), and the
first with its provider ("vid ny kund", seed 003)? The judgement is pure (facts.py); this
module reads the rows it judges, through the person's reverse relation `orders` (orders sit
above this layer), and builds an order's facts for the engine and the benchmark's generator.
"""

from __future__ import annotations

from .facts import ClientOrder, facts_of, is_first_order, is_new_client
from .rules import Facts


def client_orders(order) -> list[ClientOrder]:
    """The client's other orders in the municipality (facts.ClientOrder): what `first_order`
    and `new_client` judge. Read through the person's reverse relation `orders` (orders sit
    above this layer), in one query."""
    rows = (
        order.person.orders.filter(municipality_id=order.municipality_id)
        .exclude(pk=order.pk)
        .values_list("pk", "provider_id", "state", "created_at", "sent_at")
    )
    return [ClientOrder(*row) for row in rows]


def first_order(order) -> bool:
    """Whether the order is the client's first in the municipality (R11.4, "ny brukares
    första beställning"): no order of the person was created before it, cancelled ones not
    counted (facts.is_first_order). Judged when the order's clocks are recomputed: at each of
    its events, and when an earlier order of the client is cancelled
    (`_recompute_later_orders`)."""
    return is_first_order(order.pk, order.created_at, client_orders(order))


def new_client(order) -> bool:
    """Whether the order is the client's first with its provider (R3.4, R5.1, seed 003 "vid
    ny kund"): no other order of the person to that provider was sent before it
    (facts.is_new_client; the same answer as orders.selectors.is_new_client). Judged when the
    order's clocks are recomputed, at each of its events."""
    return is_new_client(order.provider_id, order.sent_at, client_orders(order))


def needs_first_order(rules) -> bool:
    """Whether some rule asks if the order is the client's first: only then is it looked up
    (one query per order)."""
    return any(rule.first_order_only for rule in rules)


def needs_new_client(rules) -> bool:
    """Whether some rule asks if the order is for a new client of its provider (one query per
    order, shared with `first_order`'s)."""
    return any(rule.client_of_provider for rule in rules)


def order_facts(order, services, rules) -> tuple[Facts, object]:
    """The facts the rules' conditions look at for an order (facts.facts_of) and its first
    service's type: its provider's channel, and its first-order and new-client status when a
    rule asks (the client's earlier orders read once for both)."""
    first = new = None
    asks_first, asks_new = needs_first_order(rules), needs_new_client(rules)
    if asks_first or asks_new:
        others = client_orders(order)
        first = is_first_order(order.pk, order.created_at, others) if asks_first else None
        new = is_new_client(order.provider_id, order.sent_at, others) if asks_new else None
    return facts_of(services, channel=order.provider.channel, first_order=first, new_client=new)
