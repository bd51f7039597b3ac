"""The one vocabulary of order states and their named groups (SPEC R3).

Pure Python, no Django import, and in `core` so that every layer can name a group of states
(the deadline engine and the people app sit below orders). `orders.states` re-exports these
and adds the transition table; `Order.objects.open()` and friends (orders.models) filter by
the same groups. A group is a tuple of plain state strings in the state machine's order:
usable in `state in GROUP`, in `state__in=GROUP`, and stable in error messages.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    STARTED = "started"
    ENDED = "ended"
    CANCELLED = "cancelled"


def _group(*states: State) -> tuple[str, ...]:
    return tuple(s.value for s in State if s in states)


#: Came to an end: ended after the start, or cancelled before it. Nothing more happens.
CLOSED = _group(State.ENDED, State.CANCELLED)
#: Not closed: a draft, or an order still on its way or running.
OPEN = _group(*(s for s in State if s.value not in CLOSED))
#: Sent and not yet started: the provider still has to acknowledge or give a start date.
REPLY_PENDING = _group(State.SENT, State.ACKNOWLEDGED)
#: Accepted by the provider and not closed (acknowledged or started): changes, switches and
#: absences concern these (R3.9, R2.6, R7).
ACTIVE = _group(State.ACKNOWLEDGED, State.STARTED)
#: With the provider now (sent, acknowledged or started): the client's current provider (R7.3).
WITH_PROVIDER = _group(State.SENT, State.ACKNOWLEDGED, State.STARTED)
#: Ever issued to the provider and not withdrawn (sent ... ended): documents may arrive and
#: hospital notices be acknowledged until after the end (seed 002).
ISSUED = _group(State.SENT, State.ACKNOWLEDGED, State.STARTED, State.ENDED)

#: Every named group, for the tests and for anyone listing them.
GROUPS: dict[str, tuple[str, ...]] = {
    "CLOSED": CLOSED,
    "OPEN": OPEN,
    "REPLY_PENDING": REPLY_PENDING,
    "ACTIVE": ACTIVE,
    "WITH_PROVIDER": WITH_PROVIDER,
    "ISSUED": ISSUED,
}
