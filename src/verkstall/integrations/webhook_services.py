"""Webhooks (issue 20 item 2): register an endpoint, deliver the client's event feed to it in
order, replay.

Delivery reads the API client's own feed (orders.feed_selectors.page_for with the client's
user): the same scope as its lists and its `GET /api/events/`, so a webhook never carries an
event the client could not read. The feed is the durable outbox: nothing is copied per
endpoint, the endpoint keeps the cursor of the last event its receiver acknowledged (a 2xx),
and each attempt is logged. A failure stops that endpoint (nothing after the event goes before
it) until its backoff has passed: 10 s, 20 s, 40 s ... up to an hour.

At least once: an event whose answer was lost, or whose outcome a crashed worker did not
record, is sent again; the receiver keeps the `Verkstall-Event-Id`s it has taken
(docs/examples/webhook_receiver.py). One endpoint is delivered by one worker at a time: the
worker holds a lease on it (`WebhookEndpoint.claimed_until`, `lease_token`) that others
respect and that expires if the worker dies; no database transaction stays open while a
receiver is called (`deliver_endpoint`).
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from verkstall.core import clock
from verkstall.core.errors import ValidationFailed
from verkstall.orders import feed_selectors
from verkstall.orders.feed_api import FeedEventSerializer
from verkstall.outbox.backoff import retry_delay_seconds

from . import signing
from .client_services import require_own
from .models import ApiClient, WebhookDelivery, WebhookEndpoint

TIMEOUT_SECONDS = 5
PAGE = 50
#: How long a worker's claim on an endpoint lasts without news from it: renewed by each
#: recorded delivery, so it only has to outlast one POST (TIMEOUT_SECONDS) by a wide margin.
#: A worker that crashed holds the endpoint this long at most (VERKSTALL_WEBHOOK_LEASE_SECONDS).
LEASE_SECONDS = 120
#: The first wait after a failed delivery; then twice as long each time, up to an hour: the
#: outbox's schedule (outbox/backoff.py), shared with the mail.
FIRST_RETRY_SECONDS = 10
_NO_LEASE = {"claimed_until": None, "lease_token": ""}


def retry_wait(failures: int) -> int:
    """Seconds to wait after `failures` failed deliveries in a row: 10, 20, 40 ... up to an
    hour (the outbox's backoff, outbox/backoff.py)."""
    return retry_delay_seconds(failures, first=FIRST_RETRY_SECONDS)


def _private(host: str) -> bool:
    """Whether `host` names or resolves to a loopback, private or link-local address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # not resolvable now: delivery fails and is retried
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_loopback or address.is_private or address.is_link_local:
            return True
    return False


def check_url(url: str) -> str:
    """HTTPS to a public address; plain HTTP and internal addresses only where the installation
    allows them (VERKSTALL_WEBHOOK_ALLOW_INTERNAL, for a test or a receiver on the same host)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    internal = getattr(settings, "VERKSTALL_WEBHOOK_ALLOW_INTERNAL", False)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed({"url": "Ange en fullständig adress, https://…"})
    if parts.scheme == "http" and not internal:
        raise ValidationFailed({"url": "Adressen ska börja med https://."})
    if len(url) > 500:
        raise ValidationFailed({"url": "Adressen får vara högst 500 tecken."})
    if parts.username or parts.password:
        raise ValidationFailed({"url": "Lägg inte inloggningsuppgifter i adressen."})
    if not internal and _private(parts.hostname):
        raise ValidationFailed({"url": "Adressen pekar på ett internt nät; ange en publik adress."})
    return url


@transaction.atomic
def register_webhook(actor, client: ApiClient, *, url: str, from_start: bool = False):
    """A new endpoint for the client; returns (endpoint, secret), the secret shown once. It
    receives what happens from now on, or with `from_start` everything the client may see."""
    require_own(actor, client)
    if client.ended_at is not None:
        raise ValidationFailed({"client": "API-klienten är avslutad."})
    url = check_url(url)
    cursor = "" if from_start else feed_selectors.end_cursor(client.user)
    secret = secrets.token_hex(32)
    endpoint = WebhookEndpoint.objects.create(
        client=client, url=url, secret=secret, cursor=cursor, created_by=actor
    )
    return endpoint, secret


@transaction.atomic
def replay(actor, endpoint: WebhookEndpoint, *, delivery_id: int | None = None) -> None:
    """Deliver again from the start, or from one logged delivery's event on. A worker
    delivering the endpoint now loses its lease and records nothing more (`_record`)."""
    require_own(actor, endpoint.client)
    cursor = ""
    if delivery_id is not None:
        delivery = endpoint.deliveries.filter(pk=delivery_id).first()
        if delivery is None:
            raise ValidationFailed({"delivery": "Leveransen finns inte i loggen."})
        cursor = feed_selectors.cursor_before(delivery.cursor)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        cursor=cursor, failures=0, next_attempt_at=None, active=True, **_NO_LEASE
    )


@transaction.atomic
def set_active(actor, endpoint: WebhookEndpoint, *, active: bool) -> None:
    """Pause or resume; as `replay`, a delivery under way stops."""
    require_own(actor, endpoint.client)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=active, failures=0, next_attempt_at=None, **_NO_LEASE
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver's 3xx is a failed delivery, never a request to another address (which
    could point inside the municipality's network)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(endpoint: WebhookEndpoint, body: bytes, event_id: int) -> tuple[int | None, str]:
    timestamp = int(clock.now().timestamp())
    request = urllib.request.Request(  # noqa: S310 (checked: http(s) only, check_url)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Verkstall-Webhooks/1",
            signing.HEADER: signing.signature(endpoint.secret, timestamp, body),
            signing.EVENT_HEADER: str(event_id),
        },
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"Mottagaren svarade HTTP {exc.code}"
    except TimeoutError:
        return None, f"Inget svar inom {TIMEOUT_SECONDS} sekunder"
    except (OSError, ValueError):
        return None, "Kunde inte ansluta till mottagaren"


@dataclass(frozen=True)
class _Claim:
    """A worker's lease on an endpoint and the events it read under it (`_claim`)."""

    endpoint: WebhookEndpoint
    token: str
    events: list  # (event id, order id, kind, payload)


def _lease_end(now):
    seconds = getattr(settings, "VERKSTALL_WEBHOOK_LEASE_SECONDS", LEASE_SECONDS)
    return now + timedelta(seconds=seconds)


def _claim(endpoint_id: int, *, limit: int) -> _Claim | None:
    """Take the endpoint's lease and read its next events, in one short transaction: None when
    it is paused, ended, in its backoff, or leased by another worker. On PostgreSQL a worker
    that is claiming it now holds its row and is skipped; the lease itself is taken by a
    conditional update, so two workers never both hold it (also on SQLite)."""
    now = clock.now()
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client__user")
            .filter(pk=endpoint_id, active=True, client__ended_at__isnull=True)
            .first()
        )
        if endpoint is None or (endpoint.next_attempt_at and endpoint.next_attempt_at > now):
            return None
        if not getattr(settings, "VERKSTALL_WEBHOOK_ALLOW_INTERNAL", False):
            try:
                check_url(endpoint.url)
            except ValidationFailed:
                return None
        token = secrets.token_hex(16)
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        if not WebhookEndpoint.objects.filter(free, pk=endpoint.pk).update(
            claimed_until=_lease_end(now), lease_token=token
        ):
            return None  # another worker holds the lease
        page = feed_selectors.page_for(endpoint.client.user, after=endpoint.cursor, limit=limit)
        events = [(e.pk, e.order_id, e.kind, FeedEventSerializer(e).data) for e in page.events]
    return _Claim(endpoint, token, events)


def _record(claim: _Claim, event, *, status: int | None, error: str, ok: bool) -> bool:
    """Log one attempt and move the endpoint on (the cursor past the event, or the backoff),
    in its own short transaction, and renew the lease. False, recording nothing, when the
    lease is no longer this worker's (expired and taken, or the endpoint was replayed, paused
    or ended meanwhile): the event is delivered again by whoever holds the endpoint now."""
    event_id, order_id, kind, payload = event
    now = clock.now()
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.select_for_update()
            .filter(pk=claim.endpoint.pk, lease_token=claim.token, active=True)
            .first()
        )
        if endpoint is None:
            return False
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=event_id,
            order_id=order_id,
            kind=kind,
            cursor=payload["cursor"],
            attempted_at=now,
            status_code=status,
            error="" if ok else (error or f"HTTP {status}"),
            delivered=ok,
        )
        if ok:
            endpoint.cursor = payload["cursor"]
            endpoint.failures = 0
            endpoint.next_attempt_at = None
        else:
            endpoint.failures += 1
            wait = retry_wait(endpoint.failures)
            endpoint.next_attempt_at = now + timedelta(seconds=wait)
        endpoint.claimed_until = _lease_end(now)
        endpoint.save(update_fields=["cursor", "failures", "next_attempt_at", "claimed_until"])
    return True


def _release(claim: _Claim) -> None:
    WebhookEndpoint.objects.filter(pk=claim.endpoint.pk, lease_token=claim.token).update(
        **_NO_LEASE
    )


def deliver_endpoint(endpoint_id: int, *, limit: int = PAGE) -> int:
    """Deliver what the endpoint has not acknowledged yet, in order, until a failure; the
    number delivered. Nothing if another worker holds the endpoint or its backoff runs.

    No transaction is open while a receiver is called: the lease is taken and the events read
    in one short transaction (`_claim`), each POST is made outside any, and each outcome is
    recorded in its own (`_record`). Each event once and in order: the first failure stops
    the run (the cursor stays before it), and only the lease's holder moves the cursor. A
    worker that dies between a POST and its record leaves the cursor before that event, so it
    is sent again when the lease has expired: at least once, and the receiver keeps the event
    ids it has taken (docs/examples/webhook_receiver.py)."""
    claim = _claim(endpoint_id, limit=limit)
    if claim is None:
        return 0
    delivered = 0
    try:
        for event in claim.events:
            body = json.dumps(event[3], ensure_ascii=False).encode()
            status, error = _post(claim.endpoint, body, event[0])
            ok = status is not None and 200 <= status < 300
            if not _record(claim, event, status=status, error=error, ok=ok) or not ok:
                break
            delivered += 1
    finally:
        _release(claim)
    return delivered


def deliver_due(*, limit: int = PAGE) -> dict[int, int]:
    """One round over every active endpoint whose backoff has passed: {endpoint id: delivered}."""
    now = clock.now()
    due = (
        WebhookEndpoint.objects.filter(active=True, client__ended_at__isnull=True)
        .exclude(next_attempt_at__gt=now)
        .exclude(claimed_until__gt=now)  # another worker is delivering it
    )
    return {pk: deliver_endpoint(pk, limit=limit) for pk in due.values_list("pk", flat=True)}
