"""The follow-up's texts kept as drafts while typed (issue 17 item 1; drafts/registry.py): the
key `followup:<order id>`, read as the follow-up page reads it (the order through
orders.selectors.get_order; the officer who follows up or the provider who answers)."""

from __future__ import annotations

from verkstall.core.errors import PermissionDenied
from verkstall.drafts import registry
from verkstall.orders.selectors import get_order

from . import selectors

FOLLOWUP = "followup"
FOLLOWUP_FIELDS = ("question", "answer", "notes")


def followup_client(user, pk: int) -> int | None:
    order = get_order(user, pk)
    if not (selectors.may_follow_up(user, order) or selectors.may_answer(user, order)):
        raise PermissionDenied("Du kan inte skriva i uppföljningen av den här beställningen.")
    return order.person_id


def register() -> None:
    registry.register(FOLLOWUP, fields=FOLLOWUP_FIELDS, resolve=followup_client)
