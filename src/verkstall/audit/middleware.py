"""Writes the access log of each request before its response leaves (R10.4).

If the log cannot be written, the request fails rather than hand out unlogged client data.
A write (POST, PUT, PATCH, DELETE) runs in one transaction with its log rows: the view and the
log insert sit inside one `transaction.atomic()`, so the services' own atomic blocks become
savepoints, and the write commits together with its log rows or not at all. If the log insert
fails, or the view ends in a server error (5xx), the whole request is rolled back; after a 5xx
the rows saying who tried, on which clients, are written after the rollback. What waits for a
commit (`transaction.on_commit`, such as the order e-mail) runs after this outer commit. Reads,
and posted searches that only read (`reads_on_post`), run outside a transaction.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.db import transaction
from django.urls import Resolver404, resolve

from verkstall.access import declarations
from verkstall.access.declarations import AuditAction
from verkstall.people.selectors import SEARCH_HEADER

from . import capture, services


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in services.UNSAFE_METHODS or _reads_only(request):
            response, cap = self._run(request)
            self._record(request, response, cap)
            return response
        with transaction.atomic():
            response, cap = self._run(request)
            failed = response.status_code >= 500
            if failed:
                # An error the view did not handle: nothing of the write is kept (R10.4).
                transaction.set_rollback(True)
            else:
                self._record(request, response, cap)
        if failed:
            # ...but who tried, on which clients, is: logged after the rollback.
            self._record(request, response, cap)
        return response

    def _run(self, request):
        with capture.capturing() as cap:
            response = self.get_response(request)
        return response, cap

    def _record(self, request, response, cap) -> None:
        match = request.resolver_match
        access = _access(request, match)
        if access is not None and access.url_token:
            # A secret in the URL authenticates it, not the session: its view logs the secret's
            # user, without the secret in the path (services.record_secret_url_read).
            return
        if cap:
            services.record_request(
                user=request.user,
                cap=cap,
                method=request.method,
                route=(match.view_name if match else "")[:120],
                path=request.path,
                status_code=response.status_code,
                # The same client address as login throttling: REMOTE_ADDR, or the proxy
                # header that VERKSTALL_CLIENT_IP_HEADER names (settings.py).
                remote_addr=get_client_ip_address(request),
                **_declared(request, match),
            )
        elif getattr(request.user, "is_authenticated", False):
            declared = _declared(request, match)
            if declared["declared"] is not None and (
                response.status_code in services.REFUSED_STATUSES or _searched(request, declared)
            ):
                # A request for client data that touched none: a refused probe or a search
                # without a match still says who looked for what (issue 11).
                services.record_no_client(
                    user=request.user,
                    method=request.method,
                    route=(match.view_name if match else "")[:120],
                    path=request.path,
                    status_code=response.status_code,
                    remote_addr=get_client_ip_address(request),
                    declared=declared["declared"],
                )


def _reads_only(request) -> bool:
    """A POST that only reads (a posted search, declared `reads_on_post`): no write lock."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return _declared(request, match)["reads_on_post"]


# Query parameters that page, sort or format a list (a screen's, core/paging.py, also under a
# list's prefix: `new-page`); any other one narrows it (a search, a filter).
PAGING_PARAMETERS = frozenset({"limit", "offset", "page", "size", "sort", "format"})


def _searched(request, declared: dict) -> bool:
    """Did the request look for something: a posted search, the API's search header, or a
    filter in the query string?"""
    if declared["reads_on_post"] and request.method == "POST":
        return True
    if request.headers.get(SEARCH_HEADER):
        return True
    return declared["declared"] == AuditAction.LIST and any(
        key.rsplit("-", 1)[-1] not in PAGING_PARAMETERS for key in request.GET
    )


def _declared(request, match) -> dict:
    access = _access(request, match)
    return {
        "declared": access.audit if access else None,
        "reads_on_post": bool(access and access.reads_on_post),
    }


def _access(request, match):
    if match is None:
        return None
    func = match.func
    if declarations.is_api_view(func):
        action = (getattr(func, "actions", None) or {}).get(request.method.lower())
        access = declarations.for_api(func.cls, action)
    else:
        access = declarations.for_view(func, match)
    return access
