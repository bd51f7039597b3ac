"""Reads of the plan shared with the person (SPEC R5.2): the latest registration of each plan
version, from the order's history (the order event PLAN_SHARED, sharing_services). The callers
have the order or the plans already through the scoped selectors (orders.selectors.get_order,
selectors.plans_for)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from verkstall.orders.models import EventKind, OrderEvent

from .sharing_services import SHARE_METHODS


@dataclass(frozen=True)
class Sharing:
    """One plan version's latest registration: shared or not, when and how, or why not."""

    plan_id: int
    shared: bool
    shared_on: date | None
    method: str
    method_label: str
    reason: str
    note: str
    recorded_at: datetime
    recorded_by: str

    def as_dict(self) -> dict:
        """The registration as the API gives it."""
        return {
            "shared": self.shared,
            "shared_on": self.shared_on,
            "method": self.method,
            "reason": self.reason,
            "note": self.note,
            "recorded_at": self.recorded_at,
        }


def _sharing(event: OrderEvent) -> Sharing:
    data = event.data or {}
    shared_on = data.get("shared_on")
    method = data.get("method") or ""
    return Sharing(
        plan_id=data.get("plan"),
        shared=bool(data.get("shared")),
        shared_on=date.fromisoformat(shared_on) if shared_on else None,
        method=method,
        method_label=SHARE_METHODS.get(method, method),
        reason=data.get("reason") or "",
        note=data.get("note") or "",
        recorded_at=event.recorded_at,
        recorded_by=event.actor.get_full_name() or event.actor.username,
    )


def sharings_of_orders(order_ids) -> dict[int, Sharing]:
    """Plan id -> its latest registration, for the plans of these orders, in one query."""
    events = (
        OrderEvent.objects.filter(order_id__in=list(order_ids), kind=EventKind.PLAN_SHARED)
        .select_related("actor")
        .order_by("order_id", "seq")
    )
    found: dict[int, Sharing] = {}
    for event in events:
        sharing = _sharing(event)
        found[sharing.plan_id] = sharing  # a later one replaces an earlier one
    return found


def order_sharings(order) -> dict[int, Sharing]:
    """Plan id -> its latest registration, for one order's plans (already fetched through
    orders.selectors.get_order)."""
    return sharings_of_orders([order.pk])
