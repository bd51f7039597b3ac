"""Writes of the calendar feed (issue 17 item 7): make a subscription, revoke it, and note a
fetch of the feed in the access log (R10.4)."""

from __future__ import annotations

from django.db import transaction

from verkstall.access.models import User
from verkstall.access.token_selectors import hash_key
from verkstall.access.token_services import new_key
from verkstall.core import clock, hooks
from verkstall.core.errors import PermissionDenied

from .feed_models import CalendarFeedToken
from .watchlist_scopes import default_scope


def require_watchlist(actor) -> None:
    """Only a user whose role has a watchlist has due items to subscribe to."""
    if not getattr(actor, "is_active", False) or default_scope(actor) is None:
        raise PermissionDenied("Din roll har ingen bevakningslista att prenumerera på.")


@transaction.atomic
def create_feed(actor) -> tuple[CalendarFeedToken, str]:
    """A new subscription for the actor, revoking the one they had (one active per user).
    Returns the subscription and its secret; only the secret's hash is stored, so the secret
    (and the address made from it) cannot be shown again."""
    require_watchlist(actor)
    # One at a time per user: a second request waits here and then revokes this one's.
    User.objects.select_for_update().get(pk=actor.pk)
    now = clock.now()
    _revoke(CalendarFeedToken.objects.filter(user_id=actor.pk), now)
    secret = new_key()
    feed = CalendarFeedToken.objects.create(
        user=actor, role=actor.role, secret_hash=hash_key(secret), created_at=now
    )
    return feed, secret


@transaction.atomic
def revoke_feed(actor) -> int:
    """Revoke the actor's subscription: its address answers 404 from now on. Returns how many
    were revoked (0 when there was none)."""
    return _revoke(CalendarFeedToken.objects.filter(user_id=actor.pk), clock.now())


def revoke_stale_feed(feed: CalendarFeedToken) -> None:
    """A feed whose user is no longer active or no longer holds the role it was made with is
    revoked for good: a role given back later does not bring the old address back."""
    _revoke(CalendarFeedToken.objects.filter(pk=feed.pk), clock.now())


def _revoke(feeds, now) -> int:
    """Revoke those of `feeds` still active; how many were."""
    return feeds.filter(revoked_at__isnull=True).update(revoked_at=now)


@transaction.atomic
def record_feed_read(*, feed: CalendarFeedToken, request, person_ids, items: int) -> int:
    """A fetch of the feed: when it was last used, and its access-log rows as the feed's user,
    in one transaction (through the hook `calendar_feed_read`: audit sits above this app). The
    log names the feed and how many items it held; one row per client read, in one statement,
    as the watchlist's clients are logged (R10.4). Returns the rows written."""
    CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=clock.now())
    clients = len(set(person_ids))
    return hooks.call(
        hooks.CALENDAR_FEED_READ,
        request=request,
        user=feed.user,
        person_ids=person_ids,
        detail=f"Kalenderprenumeration {feed.pk}: {items} bevakningar, {clients} klienter.",
    )
