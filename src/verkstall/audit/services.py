"""Writing the access log (R10.4). Only inserts: nothing here or anywhere changes a row."""

from __future__ import annotations

import uuid

from axes.helpers import get_client_ip_address
from django.db import transaction
from django.db.models import Q

from verkstall.access import declarations
from verkstall.access.declarations import AuditAction
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.decisions.models import Decision
from verkstall.orders.models import Order
from verkstall.people.models import Person
from verkstall.people.scoping import person_scope

from .capture import Capture
from .client_models import BY_LABEL
from .models import AccessLogEntry

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def client_ids(cap: Capture) -> set[int]:
    """Every client the capture touched, resolving orders and decisions to their clients."""
    ids = set(cap.persons)  # includes the clients of every order and decision loaded whole
    orders = cap.unresolved("order", cap.orders)
    if orders:
        ids.update(Order.objects.filter(pk__in=orders).values_list("person_id", flat=True))
    decisions = cap.unresolved("decision", cap.decisions)
    if decisions:
        ids.update(Decision.objects.filter(pk__in=decisions).values_list("person_id", flat=True))
    for label, pks in cap.rows.items():
        declared = BY_LABEL[label]
        ids.update(
            declared.model._default_manager.filter(pk__in=pks).values_list(
                declared.client, flat=True
            )
        )
    return ids


def _own_clients(user, ids: set[int]) -> set[int]:
    """Of `ids`, the clients inside the user's own unit or provider (the scoping rules)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.role_enum == Role.LOG_REVIEWER:
        # Reviewing the log of the own municipality is the reviewer's own work, not a read
        # outside it (the review screen names the clients whose log it shows).
        scope = Q(municipality_id=user.municipality_id)
    else:
        scope = person_scope(user)
    return set(Person.objects.filter(scope, pk__in=ids).values_list("pk", flat=True))


def record_request(
    *,
    user,
    cap: Capture,
    method: str,
    route: str,
    path: str,
    status_code: int | None,
    remote_addr: str | None,
    declared: AuditAction | None,
    reads_on_post: bool = False,
) -> int:
    """One row per client the request touched; returns how many were written."""
    ids = client_ids(cap)
    if not ids:
        return 0
    if method in UNSAFE_METHODS and not reads_on_post:
        action = AuditAction.CHANGE
    else:
        action = declared if declared not in (None, AuditAction.CHANGE) else AuditAction.VIEW
    own = _own_clients(user, ids)
    base = _request_columns(user, method, route, path, status_code, remote_addr, action)
    AccessLogEntry.objects.bulk_create(
        [AccessLogEntry(person_id=pid, outside_own=pid not in own, **base) for pid in sorted(ids)]
    )
    return len(ids)


def record_secret_url_read(*, request, user, person_ids, detail: str) -> int:
    """The rows of a read that a secret in its URL authenticates, not a session (the calendar
    feed, issue 17 item 7; through the hook `calendar_feed_read`): written for the secret's
    `user`, one per client read in one statement as `record_request` writes them, or one row
    without a client when the read showed none, so that every fetch is in the log. The path is
    the route's pattern, never the requested path: that holds the secret (R10.4)."""
    match = request.resolver_match
    route = match.view_name if match else ""
    path = "/" + match.route if match else ""
    declared = AuditAction.EXPORT
    if match is not None and (access := declarations.for_view(match.func, match)) is not None:
        declared = access.audit or declared
    base = _request_columns(
        user, request.method, route, path, 200, get_client_ip_address(request), declared
    )
    base["detail"] = detail[:300]
    ids = set(person_ids) - {None}
    if not ids:
        AccessLogEntry.objects.create(person_id=None, outside_own=False, **base)
        return 1
    own = _own_clients(user, ids)
    AccessLogEntry.objects.bulk_create(
        [AccessLogEntry(person_id=pid, outside_own=pid not in own, **base) for pid in sorted(ids)]
    )
    return len(ids)


@transaction.atomic
def record_log_review(
    *, user, method: str, path: str, remote_addr: str | None, log_filter, rows, labels
) -> AccessLogEntry:
    """One row for one look at the access log (R10.4, issue 17 item 6): the log's own rows
    name the clients on the page, so the look is logged once, not once per client (that made
    the page slow, and filled the log with the reviewer's own reads). It names the client
    when the page is one client's log; its detail says how many rows and clients were shown
    and with which filter (never a personnummer: the search posts it and redirects by id)."""
    f = log_filter
    shown_clients = {r.person_id for r in rows} - {None}
    person_id = f.person_id if f.person_id in labels or f.person_id in shown_clients else None
    parts = [f"{len(rows)} poster om {len(shown_clients)} klienter visade"]
    if f.username:
        parts.append(f"användare {f.username}")
    if f.outside_only:
        parts.append("endast utanför egen enhet eller utförare")
    if f.date_from or f.date_to:
        parts.append(f"datum {f.date_from or ''}–{f.date_to or ''}")
    if f.include_own:
        parts.append("med egna visningar")
    base = _request_columns(user, method, "log-review", path, 200, remote_addr, AuditAction.VIEW)
    return AccessLogEntry.objects.create(
        person_id=person_id,
        outside_own=False,  # the reviewer's own municipality's log (`_own_clients`)
        detail=("Åtkomstloggen granskad: " + "; ".join(parts) + ".")[:300],
        **base,
    )


REFUSED_STATUSES = frozenset({403, 404})


def record_no_client(
    *,
    user,
    method: str,
    route: str,
    path: str,
    status_code: int | None,
    remote_addr: str | None,
    declared: AuditAction,
) -> AccessLogEntry:
    """One row without a client for a request to a client-data route that touched none: a
    refused probe (403, 404: marked outside the user's own) or an empty list or search. The
    search terms are not logged (they may be a personnummer); the path and time are."""
    refused = status_code in REFUSED_STATUSES
    action = declared if declared != AuditAction.CHANGE else AuditAction.VIEW
    if method in UNSAFE_METHODS and declared == AuditAction.CHANGE:
        action = AuditAction.CHANGE
    base = _request_columns(user, method, route, path, status_code, remote_addr, action)
    return AccessLogEntry.objects.create(
        person_id=None,
        outside_own=refused,
        detail="Nekad: ingen klient visades." if refused else "Ingen klient i svaret.",
        **base,
    )


def _request_columns(user, method, route, path, status_code, remote_addr, action) -> dict:
    authenticated = getattr(user, "is_authenticated", False)
    return {
        "occurred_at": clock.now(),
        "request_id": uuid.uuid4(),
        "user_id": user.pk if authenticated else None,
        "username": user.get_username() if authenticated else "",
        "role": (user.role or "") if authenticated else "",
        "municipality_id": user.municipality_id if authenticated else None,
        "user_unit_id": user.unit_id if authenticated else None,
        "user_provider_id": user.provider_id if authenticated else None,
        "method": method[:8],
        "route": route[:120],
        "path": path[:300],
        "status_code": status_code,
        "remote_addr": remote_addr or None,
        "action": action.value,
    }


def _system_columns(
    action: AuditAction, municipality_id: int | None, detail: str, actor: str
) -> dict:
    return {
        "occurred_at": clock.now(),
        "request_id": uuid.uuid4(),
        "username": actor[:150],
        "role": "system",
        "municipality_id": municipality_id,
        "action": action.value,
        "detail": detail[:300],
    }


def record_system(
    *, action: AuditAction, person_ids, municipality_id: int | None, detail: str, actor: str
) -> int:
    """Rows for what the system itself did to clients (retention, R10.6)."""
    ids = sorted(set(person_ids))
    base = _system_columns(action, municipality_id, detail, actor)
    AccessLogEntry.objects.bulk_create([AccessLogEntry(person_id=pid, **base) for pid in ids])
    return len(ids)


def record_system_no_client(
    *, action: AuditAction, municipality_id: int | None, detail: str, actor: str
) -> AccessLogEntry:
    """One row without a client for what the system itself did to personal data of someone
    who is not a client (retention of a declined temporary stay, R10.6, R8.4). The row names
    no client, so the detail says what it was about, by model and id, never by personnummer."""
    return AccessLogEntry.objects.create(
        person_id=None, **_system_columns(action, municipality_id, detail, actor)
    )
