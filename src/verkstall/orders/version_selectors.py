"""What changed on an order since a version (optimistic concurrency, core/concurrency.py;
issue 18 item 1). An order's version is its `last_event_seq`: every change of an order appends
an event under the order's lock, so the events after the writer's version say what changed,
who did it and when."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from verkstall.core.concurrency import Changes, Versioning

from .models import EventKind, Order, OrderEvent

#: The order's own fields an event of each kind sets (besides its state).
FIELDS_OF_KIND = {
    EventKind.SENT.value: ("sent_at", "written_on"),
    EventKind.ACKNOWLEDGED.value: ("acknowledged_at",),
    EventKind.STARTED.value: ("start_date",),
    EventKind.ENDED.value: ("end_date", "end_reason"),
    EventKind.START_CORRECTED.value: ("start_date",),
    EventKind.END_CORRECTED.value: ("end_date",),
    EventKind.ROUTED_TO_UNIT.value: ("provider_unit",),
}


def _fields(event: OrderEvent) -> list[str]:
    fields = []
    if event.to_state and event.to_state != event.from_state:
        fields.append("state")
    fields.extend(FIELDS_OF_KIND.get(event.kind, ()))
    if event.kind == EventKind.DRAFT_CORRECTED.value:
        changes = (event.data or {}).get("changes") or []
        fields.extend(c["field"] for c in changes if isinstance(c, dict) and c.get("field"))
    return fields


def order_changes(order: Order, since: int) -> Changes:
    """The events of `order` after its version `since`: the fields they changed, their kinds'
    labels, and who recorded the last one and when."""
    events = list(
        OrderEvent.objects.filter(order_id=order.pk, seq__gt=since)
        .select_related("actor")
        .order_by("seq")
    )
    if not events:
        return Changes()
    fields = list(dict.fromkeys(f for e in events for f in _fields(e)))
    labels = list(dict.fromkeys(e.get_kind_display() for e in events))
    last = events[-1]
    by = last.actor.get_full_name() or last.actor.username
    if last.actor_organisation:
        by = f"{by}, {last.actor_organisation}"
    return Changes(
        fields=fields,
        labels=labels,
        by=by,
        at=last.recorded_at,
        events=[e.kind for e in events],
    )


ORDER_VERSIONING = Versioning(
    model=Order, noun=_("Beställningen"), changes=order_changes, field="last_event_seq"
)
