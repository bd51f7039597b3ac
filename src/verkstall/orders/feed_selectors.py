"""The event feed (issue 20): every order event the user may see, in the order they were
recorded, once, with a cursor to go on from.

A provider's system that reads the feed from the start, and then from the cursor each answer
gives, has every event of its orders, each once and in order, whatever commits meanwhile. The
events come in the order of the transaction that wrote them (`OrderEvent.txid`, then the id),
and only from transactions that cannot write anything more (`core.db_functions`): an event
of a transaction still running waits for the next read instead of being skipped by it.

What the user may see is what the order list shows (`selectors.orders_for`): an order's
history belongs to whoever may read the order, including the events before a provider got it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from verkstall.access.scoping import order_scope
from verkstall.core.db_functions import SettledBelow
from verkstall.core.errors import ValidationFailed

from .models import Order, OrderEvent

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
#: The start of the feed: before every event.
START = (-1, 0)

BAD_CURSOR = "Ogiltig markör: använd värdet ”cursor” från ett tidigare svar, eller inget."


@dataclass(frozen=True)
class Page:
    events: list[OrderEvent]
    cursor: str  # where the next read goes on from (the last event's, or the one given)
    more: bool  # more settled events after these


def cursor_text(txid: int, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{txid}.{pk}".encode()).decode().rstrip("=")


def parse_cursor(text: str | None) -> tuple[int, int]:
    """The position a cursor names; START for none. ValidationFailed on anything else."""
    if not text:
        return START
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        txid, pk = raw.split(".")
        position = int(txid), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed({"after": BAD_CURSOR}) from None
    if not (0 <= position[0] < 2**63 and 0 < position[1] < 2**63):
        raise ValidationFailed({"after": BAD_CURSOR})
    return position


def parse_limit(text: str | None) -> int:
    if text in (None, ""):
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise ValidationFailed({"limit": f"Ange ett antal mellan 1 och {MAX_LIMIT}."})
    return int(text)


def events_for(user) -> QuerySet[OrderEvent]:
    """The events of the orders the user may see, settled, in feed order."""
    return (
        OrderEvent.objects.filter(order__in=Order.objects.filter(order_scope(user)).values("pk"))
        .filter(txid__lt=SettledBelow())
        .order_by("txid", "id")
    )


def page_for(user, *, after: str | None, limit: int) -> Page:
    txid, pk = parse_cursor(after)
    events = list(
        events_for(user)
        .filter(Q(txid__gt=txid) | Q(txid=txid, id__gt=pk))
        .select_related("on_behalf_of")[: limit + 1]
    )
    more = len(events) > limit
    events = events[:limit]
    if events:
        last = events[-1]
        cursor = cursor_text(last.txid, last.pk)
    else:
        cursor = after or ""  # nothing new: read again from the same place
    return Page(events=events, cursor=cursor, more=more)
