"""Reads of the calendar feed (issue 17 item 7): the subscription a secret names, a user's
active subscription, and the due items the feed shows.

The feed shows what the user's own watchlist shows (watchlist_scopes.py): the user's default
scope (an officer's own items, a provider user's unit or provider, a role's function), in the
user's municipality, open, readable, through the very same `scope_filter`. Only the window is
the feed's own (FEED_PAST_DAYS, FEED_AHEAD_DAYS), and items without a due date ("snarast") are
left out: a calendar event needs a day, and they are first on the watchlist.

A row leaves this module with the client's initials only: the name is read to make them and
goes no further (no name, personnummer or address in a calendar, issue 17 item 7).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from verkstall.access.token_selectors import hash_key
from verkstall.core import clock
from verkstall.people.models import Protection

from .calendar import STOCKHOLM
from .feed_models import CalendarFeedToken
from .models import DueItem
from .rules import Status
from .watchlist_scopes import READABLE, default_scope, end_of_day, scope_filter

#: The feed's window, in Stockholm days from today: open items due at most this many days ago
#: (overdue; older ones stay on the watchlist, a calendar does not scroll back to them) ...
FEED_PAST_DAYS = 30
#: ... up to this many days ahead.
FEED_AHEAD_DAYS = 60

_COLUMNS = (
    "id",
    "due_at",
    "due_date",
    "order_id",
    "decision_id",
    "person_id",
    "rule__name",
    "person__first_name",
    "person__last_name",
    "person__protection",
)


@dataclass(frozen=True)
class FeedItem:
    """One due item as the feed shows it: its day, what is due (the rule's name), the order
    (or decision) by number and the client by initials."""

    id: int
    day: date
    order_id: int | None
    decision_id: int | None
    person_id: int
    rule_name: str
    initials: str


def initials(first_name: str, last_name: str) -> str:
    """The initials of a name: Elsa Testsson -> "E.T."; a missing part is left out."""
    return "".join(f"{part.strip()[:1].upper()}." for part in (first_name, last_name) if part)


def feed_for_secret(secret: str) -> CalendarFeedToken | None:
    """The subscription whose secret this is, in any state (the caller judges revocation and
    its user), or None. Found by the secret's hash, a unique column: the database compares
    hashes, never the secret, so the time a lookup takes says nothing about the secret; the
    hash found is compared again in constant time."""
    digest = hash_key(secret)
    feed = CalendarFeedToken.objects.select_related("user").filter(secret_hash=digest).first()
    if feed is None or not hmac.compare_digest(feed.secret_hash, digest):
        return None
    return feed


def active_feed(user) -> CalendarFeedToken | None:
    """The user's subscription that is not revoked, if any."""
    return CalendarFeedToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).first()


def feed_window(today: date) -> tuple[datetime, datetime]:
    """The first and last moment of the feed's window around the Stockholm day `today`."""
    first = datetime.combine(today - timedelta(days=FEED_PAST_DAYS), time.min, STOCKHOLM)
    return first, end_of_day(today + timedelta(days=FEED_AHEAD_DAYS))


def feed_items(user, *, today: date | None = None) -> list[FeedItem]:
    """The open due items of the user's own watchlist (its default scope) due in the feed's
    window, in due order; none for a role without a watchlist. One query, plain rows."""
    scope = default_scope(user)
    if scope is None:
        return []
    today = today or clock.now().astimezone(STOCKHOLM).date()
    first, last = feed_window(today)
    rows = (
        DueItem.objects.filter(scope_filter(user, scope), municipality_id=user.municipality_id)
        .filter(status=Status.OPEN.value, due_at__gte=first, due_at__lte=last)
        .filter(READABLE)
        .order_by("due_at", "id")
        .values_list(*_COLUMNS)
    )
    return [_item(*row) for row in rows]


def _item(
    pk, due_at, due_date, order_id, decision_id, person_id, rule_name, first, last, protection
):
    """A row of `_COLUMNS` as the feed shows it: the day, and initials instead of the name;
    none for a client with protected personal data (R10.1): the feed leaves for an outside
    calendar service, so not even the initials go with it."""
    return FeedItem(
        id=pk,
        day=due_date or due_at.astimezone(STOCKHOLM).date(),
        order_id=order_id,
        decision_id=decision_id,
        person_id=person_id,
        rule_name=rule_name,
        initials="–" if protection != Protection.NONE else initials(first, last),
    )
