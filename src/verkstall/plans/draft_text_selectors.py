"""The implementation plan's text kept as a draft while the provider types (issue 17 item 1;
drafts/registry.py): the key `plan:<order id>`, read as the plan page reads it (the order through
orders.selectors.get_order, the writer through `selectors.may_write`). Not the plan's own draft
version (`ImplementationPlan`, status "draft"): the text typed into its form before it is saved."""

from __future__ import annotations

from verkstall.core.errors import PermissionDenied
from verkstall.drafts import registry
from verkstall.orders.selectors import get_order

from . import selectors

PLAN = "plan"
PLAN_FIELDS = ("what", "how", "when", "by_whom", "participation", "revision_reason")


def plan_client(user, pk: int) -> int | None:
    order = get_order(user, pk)
    if not selectors.may_write(user, order):
        raise PermissionDenied("Du kan inte skriva genomförandeplanen för den här beställningen.")
    return order.person_id


def register() -> None:
    registry.register(PLAN, fields=PLAN_FIELDS, resolve=plan_client)
