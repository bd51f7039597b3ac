"""The event feed (issue 20): every order event the user may see, in the order they were
recorded, once, with a cursor to go on from.

A provider's system that reads the feed from the start, and then from the cursor each answer
gives, has every event of its orders, each once and in order, whatever commits meanwhile. The
events come in the order of the transaction that wrote them (`OrderEvent.txid`, then the id),
and only from transactions that cannot write anything more (`core.db_functions`): an event
of a transaction still running waits for the next read instead of being skipped by it.

What the user may see is what the order list shows (`selectors.orders_for`), a provider from
each order's sending on. Known limits: a provider unit's manager sees an order's events from
when it is assigned to the unit, and a cursor already past them misses the ones before; and on
PostgreSQL any transaction still open in the database cluster holds the feed back until it
ends (keep `idle_in_transaction_session_timeout` set), and after a dump and restore into a new
cluster the transaction numbers start again below the stored ones (re-read from the start).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from verkstall.access.roles import PROVIDER_ROLES
from verkstall.core.db_functions import SettledBelow, feed_position
from verkstall.core.errors import ValidationFailed

from .models import EventKind, OrderEvent
from .selectors import orders_for

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
    # ASCII digits only, and few ("²".isdigit() is true; int() of 5 000 digits refuses).
    if not (text.isascii() and text.isdecimal() and len(text) <= 4) or not (
        1 <= int(text) <= MAX_LIMIT
    ):
        raise ValidationFailed({"limit": f"Ange ett antal mellan 1 och {MAX_LIMIT}."})
    return int(text)


def feed_position_after(order_id: int, previous_seq: int):
    """The place in the feed of an order's next event (written by `services._append_event`):
    its transaction, never before the order's event before it (core.db_functions)."""
    return feed_position(
        Subquery(OrderEvent.objects.filter(order_id=order_id, seq=previous_seq).values("txid")[:1])
    )


def events_for(user) -> QuerySet[OrderEvent]:
    """The events of the orders the user may see (the order list's `orders_for`), settled, in
    feed order. A provider's feed starts at each order's `sent` event: before it the order was
    not the provider's, and a provider following the cursor had passed those events already
    when the order became its own (the order's page shows the whole history)."""
    events = OrderEvent.objects.filter(
        order__in=orders_for(user).order_by().values("pk"), txid__lt=SettledBelow()
    )
    if user.role_enum in PROVIDER_ROLES:
        events = events.filter(
            Exists(
                OrderEvent.objects.filter(
                    order_id=OuterRef("order_id"), kind=EventKind.SENT, seq__lte=OuterRef("seq")
                )
            )
        )
    return events.order_by("txid", "id")


def page_for(user, *, after: str | None, limit: int) -> Page:
    txid, pk = parse_cursor(after)
    # A row comparison, so the index on (txid, id) starts the scan at the cursor.
    events = list(
        events_for(user).extra(
            where=['("orders_orderevent"."txid", "orders_orderevent"."id") > (%s, %s)'],
            params=[txid, pk],
        )[: limit + 1]
    )
    more = len(events) > limit
    events = events[:limit]
    if events:
        last = events[-1]
        cursor = cursor_text(last.txid, last.pk)
    else:
        cursor = after or ""  # nothing new: read again from the same place
    return Page(events=events, cursor=cursor, more=more)


def end_cursor(user) -> str:
    """The cursor after the last settled event the user may see now ("" if none): where a
    reader that wants only what happens from now on starts (a new webhook, issue 20)."""
    last = events_for(user).order_by("-txid", "-id").values_list("txid", "pk").first()
    return cursor_text(*last) if last else ""


def cursor_before(cursor: str) -> str:
    """A cursor that reads the event `cursor` names again, and everything after it."""
    txid, pk = parse_cursor(cursor)
    if pk > 1:
        return cursor_text(txid, pk - 1)
    # The first id of its transaction: every event of an earlier one is before it.
    return cursor_text(txid - 1, 2**63 - 1) if txid > 0 else ""
