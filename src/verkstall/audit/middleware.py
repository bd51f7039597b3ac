"""Writes the access log of each request before its response leaves (R10.4).

If the log cannot be written, the request fails rather than hand out unlogged client data."""

from __future__ import annotations

from axes.helpers import get_client_ip_address

from verkstall.access import declarations

from . import capture, services


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with capture.capturing() as cap:
            response = self.get_response(request)
        if cap:
            match = request.resolver_match
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
        return response


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
