"""`GET /metrics`: Prometheus metrics in the text exposition format (issue 18 item 3: "request
latency, transitions, overdue items, outbox length, task queue age"). docs/production.md says
what to alert on.

Counted as they happen (core/metrics.py; summed over gunicorn's workers through
VERKSTALL_METRICS_DIR): request latency by URL name, method and status class; order
transitions by action. Computed at each scrape, a handful of cheap queries: overdue due items
per municipality (kommunkod) and responsible party (one grouped COUNT on a partial index,
deadlines/metrics_selectors.py); the outbox's waiting mails, those due now and how long the
oldest has been due; the task queue's ready tasks and the oldest one's wait (the same reads
as /readyz). No label holds personal data, a client id or a user name.

Not public, and not behind a login either (Prometheus has no session): allowed to a client
address in VERKSTALL_METRICS_ALLOW (CIDRs; default 127.0.0.1/32 and ::1/128), judged by the
address the connection comes from, or with `Authorization: Bearer <VERKSTALL_METRICS_TOKEN>`.
A request that came through a proxy (it carries X-Forwarded-For, Forwarded or X-Real-IP) is
never allowed by address, since the address is then the proxy's: it needs the token. Anyone
else gets the site's 404, as if the route did not exist. The route is declared PUBLIC in
access/declarations.py (no role: the check is here) and never reaches the access log.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from verkstall.core import clock, metrics
from verkstall.core.task_selectors import ready_backlog
from verkstall.deadlines.metrics_selectors import overdue_counts
from verkstall.outbox.selectors import backlog, due_backlog

DEFAULT_ALLOW = ("127.0.0.1/32", "::1/128")
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


@lru_cache(maxsize=8)
def networks(entries: tuple[str, ...]) -> tuple:
    """The allowed networks; a bad entry is a configuration error that names it."""
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"VERKSTALL_METRICS_ALLOW: {entry!r} is not an address or CIDR network"
            ) from None
    return tuple(found)


def allowed(request) -> bool:
    token = getattr(settings, "VERKSTALL_METRICS_TOKEN", "")
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    bearer = scheme.lower() == "bearer"
    if token and bearer and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    if any(request.META.get(header) for header in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    entries = tuple(getattr(settings, "VERKSTALL_METRICS_ALLOW", DEFAULT_ALLOW))
    return any(address in network for network in networks(entries))


def _seconds_since(moment, now) -> float:
    return max(0.0, (now - moment).total_seconds()) if moment else 0.0


def gauges() -> list[metrics.Gauge]:
    """The figures read from the database at scrape time; `verkstall_database_up` 0 and no
    other gauge when the database does not answer."""
    now = clock.now()
    try:
        overdue = overdue_counts(now)
        waiting = backlog()
        due = due_backlog(now)
        tasks = ready_backlog(now)
    except DatabaseError:
        return [_database_up(0)]
    # (name, help, value) of the gauges without labels.
    single = (
        (
            "verkstall_outbox_pending",
            "Mails in the outbox neither sent nor given up.",
            waiting["pending"],
        ),
        ("verkstall_outbox_due", "Mails due to be sent now (not waiting for a retry).", due["due"]),
        (
            "verkstall_outbox_oldest_due_seconds",
            "How long the mail due longest has waited to be sent.",
            _seconds_since(due["since"], now),
        ),
        ("verkstall_task_queue_ready", "Tasks in the queue ready to run.", tasks["ready"]),
        (
            "verkstall_task_queue_oldest_seconds",
            "How long the task ready longest has waited for a worker.",
            tasks["oldest_seconds"],
        ),
    )
    overdue_gauge = metrics.Gauge(
        "verkstall_due_items_overdue",
        "Open due items whose due moment has passed, by municipality code and responsible "
        "party (R11).",
        [({"municipality": m, "responsible": r}, n) for m, r, n in overdue],
    )
    return [
        _database_up(1),
        overdue_gauge,
        *(metrics.Gauge(name, text, [({}, value)]) for name, text, value in single),
    ]


def _database_up(value: int) -> metrics.Gauge:
    return metrics.Gauge(
        "verkstall_database_up", "1 when the scrape read the database.", [({}, value)]
    )


@never_cache
@require_GET
def metrics_view(request):
    if not allowed(request):
        raise Http404
    return HttpResponse(metrics.render(gauges()), content_type=metrics.CONTENT_TYPE)
