"""Each request timed, counted and logged once (issue 18 item 3): the request latency metric
(core/metrics.py) and one INFO line on the logger `verkstall.request`.

What is recorded of a request: its method, the name of the URL pattern it resolved to (Django's
`view_name`, "orders:order-detail" style; "unresolved" when nothing matched), the status and
the time taken. Never the path or the query string: paths carry client and order ids, and a
search can carry a personnummer. Never the user.

Each request gets an id, put in the logging context (core/log_json.py) for every line logged
while it is served and returned as the response's `X-Request-ID`. A proxy's `X-Request-ID`
(nginx's `$request_id`, deploy/nginx-verkstall.conf) is taken when it is a UUID, so that the
proxy's log and this one meet; anything else is replaced by a new one.

Placed right after SecurityMiddleware (settings.MIDDLEWARE): the HTTPS redirect and the static
files that WhiteNoise serves before it are not application requests. Pure Python: the
middleware uses only the request's and response's attributes, no Django import.
"""

from __future__ import annotations

import logging
import time
import uuid

from . import metrics
from .log_json import current_request_id

logger = logging.getLogger("verkstall.request")

#: Methods counted by name; any other is "other", so junk cannot add series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNRESOLVED = "unresolved"


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is a UUID (32 hex digits, dashes or not), else a new one."""
    if header:
        try:
            return str(uuid.UUID(header.strip()))
        except ValueError:
            pass
    return str(uuid.uuid4())


def route_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None else "") or UNRESOLVED


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            method = request.method if request.method in METHODS else "other"
            route = route_name(request)
            metrics.observe_request(
                seconds, route=route, method=method, status=response.status_code
            )
            duration_ms = round(seconds * 1000, 1)
            logger.info(
                "%s %s %s %sms",
                method,
                route,
                response.status_code,
                duration_ms,
                extra={
                    "method": method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            response["X-Request-ID"] = request_id
            return response
        finally:
            current_request_id.reset(token)
