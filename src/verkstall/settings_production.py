"""Production settings: `DJANGO_SETTINGS_MODULE=verkstall.settings_production`.

Everything in verkstall.settings, plus HTTPS-only cookies, HSTS and a secret key that must
come from the environment. `python -m verkstall check --deploy --fail-level WARNING` passes
with these (core/tests/test_security.py).

DJANGO_SECRET_KEY            required, 50+ random characters
VERKSTALL_PROXY_SSL_HEADER   behind a TLS-terminating proxy, the header it sets, as
                             "HTTP_X_FORWARDED_PROTO=https"; unset when Django sees HTTPS itself
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403

DEBUG = False

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set for verkstall.settings_production "
        "(50 or more random characters, e.g. python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')."
    )

SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # htmx reads the token from hx-headers in base.html
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

_proxy_ssl_header = os.environ.get("VERKSTALL_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    _name, _, _value = _proxy_ssl_header.partition("=")
    SECURE_PROXY_SSL_HEADER = (_name.strip(), _value.strip() or "https")
