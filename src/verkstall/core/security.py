"""Security headers on every response: a Content-Security-Policy and the usual companions.

Django's SecurityMiddleware already sets nosniff, Referrer-Policy and (in production) HSTS;
XFrameOptionsMiddleware sets X-Frame-Options. This adds what Django does not:

* Content-Security-Policy (`POLICY`): scripts and styles only from our own origin, so no
  inline <script>, no `on...=` handlers and no `style="..."` attributes anywhere in the
  templates (core/tests/test_security.py scans them). htmx's injected indicator <style> is
  switched off with the `htmx-config` meta tag in base.html.
* A page that must carry an inline <style> block (the printable order, whose one template
  is also laid out by WeasyPrint) prints `{{ request.csp_nonce }}` as the block's nonce; only
  a response whose template used the nonce gets `'nonce-…'` added to style-src.
* Permissions-Policy (no camera, microphone, geolocation, ...) and
  Cross-Origin-Opener-Policy: same-origin.
* `Cache-Control: no-store, private` on every response but a static file (issue 11): pages,
  htmx partials, API answers, CSV, PDF and error pages may all carry client data, and no
  browser cache or shared proxy may keep them. A view that sets its own Cache-Control keeps
  it. Static files (WhiteNoise in production, in front of this middleware) are cached as
  usual.

Exempt from the CSP: only the Swagger UI and ReDoc pages of drf-spectacular-sidecar
(`CSP_EXEMPT_PATHS`), whose HTML starts the bundled viewers with inline scripts. They show
the API's schema, no personal data, and still get every other header here.
"""

from __future__ import annotations

import secrets

from django.conf import settings

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
CSP_EXEMPT_PATHS = frozenset({"/api/docs/", "/api/redoc/"})
NO_STORE = "no-store, private"


class CspNonce:
    """A per-request nonce that remembers whether a template printed it."""

    def __init__(self) -> None:
        self.value = secrets.token_urlsafe(16)
        self.used = False

    def __str__(self) -> str:
        self.used = True
        return self.value

    def __bool__(self) -> bool:
        return True


def policy_for(nonce: CspNonce | None) -> str:
    if nonce is None or not nonce.used:
        return POLICY
    return POLICY.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce.value}'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = CspNonce()
        response = self.get_response(request)
        if request.path not in CSP_EXEMPT_PATHS:
            response.headers.setdefault("Content-Security-Policy", policy_for(request.csp_nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not _is_static(request.path):
            response.headers.setdefault("Cache-Control", NO_STORE)
        return response


def _is_static(path: str) -> bool:
    prefix = "/" + (settings.STATIC_URL or "").lstrip("/")
    return prefix != "/" and path.startswith(prefix)
