"""A new order's information to the provider kept as a draft while the officer types (issue 17
item 1; drafts/registry.py): the key `order-new:<decision id>`, the decision read as the order
form reads it (decisions.selectors.get_decision). Not a draft order (state "draft", R1.1): the
text typed into the form before the order is created."""

from __future__ import annotations

from verkstall.core.errors import PermissionDenied
from verkstall.decisions.selectors import get_decision
from verkstall.drafts import registry

ORDER_NEW = "order-new"
ORDER_NEW_FIELDS = ("instructions",)


def new_order_client(user, pk: int) -> int | None:
    decision = get_decision(user, pk)
    if not user.is_officer:
        raise PermissionDenied("Endast handläggare skapar beställningar.")
    return decision.person_id


def register() -> None:
    registry.register(ORDER_NEW, fields=ORDER_NEW_FIELDS, resolve=new_order_client)
