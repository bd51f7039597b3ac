"""One's own due items in one's calendar (issue 17 item 7): the screen "Kalenderprenumeration",
reached from the watchlist, and the feed itself.

The screen makes a subscription (its address is shown once: only the secret's hash is kept),
makes a new one (the old address stops working) and revokes it after a confirmation. The feed,
`GET /calendar/<secret>.ics`, has no session: the secret in its address authenticates it
(access/declarations.py declares it `url_token`). An unknown or revoked secret, or one whose
user is no longer active or no longer holds the role it was made with (or one with a
watchlist), is a 404 that says nothing more. Each event is one open due item of the user's own
watchlist: what is due, the client's initials and the order's number; never a name,
personnummer or address. Each fetch is in the access log as the subscription's user (R10.4).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from verkstall.access import declarations
from verkstall.core import clock
from verkstall.core.confirm_views import Confirmation, confirm_first

from . import calendar_feed_selectors as selectors
from . import calendar_feed_services as services
from .ical import Event, calendar

#: A stable UID per due item (RFC 5545 3.8.4.7): the same item is the same event at every fetch.
UID_FORMAT = "bevakning-{pk}@verkstall"


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "–"


def _page(request, *, address: str = "", status: int = 200):
    services.require_watchlist(request.user)
    context = {
        "feed": selectors.active_feed(request.user),
        "address": address,
        "webcal": "webcal://" + address.split("://", 1)[-1] if address else "",
        "past_days": selectors.FEED_PAST_DAYS,
        "ahead_days": selectors.FEED_AHEAD_DAYS,
    }
    return render(request, "deadlines/calendar_subscription.html", context, status=status)


@login_required
def calendar_subscription(request):
    return _page(request)


@login_required
@require_POST
def calendar_feed_create(request):
    """A new subscription (the old one, if any, revoked); its address shown this once."""
    _feed, secret = services.create_feed(request.user)
    address = request.build_absolute_uri(reverse("calendar-feed", kwargs={"secret": secret}))
    return _page(request, address=address)


@login_required
@require_POST
def calendar_feed_revoke(request):
    """Revoke the subscription, after the confirmation page (core/confirm_views.py)."""
    services.require_watchlist(request.user)
    feed = selectors.active_feed(request.user)
    if feed is None:
        messages.info(request, _("Du har ingen kalenderprenumeration att återkalla."))
        return redirect("calendar-subscription")
    first = confirm_first(
        request,
        confirmation=lambda: Confirmation(
            doing=_("återkallar din kalenderprenumeration"),
            facts=[
                (_("Skapad"), _moment(feed.created_at)),
                (_("Senast hämtad"), _moment(feed.last_used_at)),
            ],
            consequences=[
                _("Adressen slutar fungera direkt och kan inte användas igen."),
                _("Kalendern får inga nya bevakningar; ta bort prenumerationen i kalendern."),
                _("Vill du prenumerera igen skapar du en ny adress."),
            ],
            danger=True,
        ),
        back=lambda: redirect("calendar-subscription"),
    )
    if first is not None:
        return first
    services.revoke_feed(request.user)
    messages.success(request, _("Kalenderprenumerationen är återkallad."))
    return redirect("calendar-subscription")


def summary(item: selectors.FeedItem) -> str:
    """What is due – the client's initials, and the order's number (the decision's when the
    item has no order): "Kvittens och start – E.T. #12"."""
    if item.order_id is not None:
        number = f"#{item.order_id}"
    else:
        number = _("beslut #%(number)s") % {"number": item.decision_id}
    return f"{item.rule_name} – {item.initials} {number}"


def _not_found() -> HttpResponse:
    return HttpResponseNotFound(_("Hittades inte."), content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def calendar_feed(request, secret):
    """The feed (text/calendar): one all-day event per open due item of the user's own
    watchlist in the feed's window (calendar_feed_selectors.py)."""
    feed = selectors.feed_for_secret(secret)
    if feed is None or feed.revoked_at is not None:
        return _not_found()
    user, access = feed.user, declarations.for_view(calendar_feed)
    if access is None or user.role != feed.role or not declarations.permits(access, user):
        services.revoke_stale_feed(feed)
        return _not_found()
    items = selectors.feed_items(user)
    events = [
        Event(
            uid=UID_FORMAT.format(pk=item.id),
            day=item.day,
            summary=summary(item),
            url=request.build_absolute_uri(reverse("watchlist-item", args=[item.id])),
        )
        for item in items
    ]
    body = calendar(events, stamp=clock.now(), name=_("Verkställ – mina bevakningar"))
    services.record_feed_read(
        feed=feed, request=request, person_ids=[i.person_id for i in items], items=len(items)
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bevakningar.ics"'
    return response
