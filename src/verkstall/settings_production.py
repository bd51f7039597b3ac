"""Production settings: `DJANGO_SETTINGS_MODULE=verkstall.settings_production`.

Everything in verkstall.settings, plus HTTPS-only cookies, HSTS and a secret key that must
come from the environment; the API answers in JSON only (no browsable API, whose HTML forms
list every choice of every related field); static files are served by WhiteNoise from
STATIC_ROOT, filled by `python -m verkstall collectstatic --noinput` at each deployment
(tests/test_production_server.py runs the README's steps against gunicorn).
`python -m verkstall check --deploy --fail-level WARNING` passes with these
(core/tests/test_security.py).

DJANGO_SECRET_KEY            required, 50+ random characters
VERKSTALL_PROXY_SSL_HEADER   behind a TLS-terminating proxy, the header it sets, as
                             "HTTP_X_FORWARDED_PROTO=https"; unset when Django sees HTTPS itself
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from .settings import *  # noqa: F403
from .settings import MIDDLEWARE, REST_FRAMEWORK

DEBUG = False

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set for verkstall.settings_production "
        "(50 or more random characters, e.g. python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')."
    )

SECURE_SSL_REDIRECT = True
# The load balancer's probes may come over plain HTTP on the internal network, and Prometheus
# scrapes gunicorn itself on the loopback address (issue 18, docs/production.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
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

# JSON only: `?format=api` is a 404 and `Accept: text/html` a 406. The OpenAPI schema and its
# Swagger UI and ReDoc pages (drf-spectacular's views) choose their own renderers and stay.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# Static files (CSS, htmx, the API docs' bundles): WhiteNoise, right after SecurityMiddleware
# (so the HTTPS redirect and HSTS still apply), serves STATIC_ROOT with hashed names, far-future
# caching and gzip/brotli. Same origin, so the CSP's 'self' (core/security.py) allows them.
MIDDLEWARE = list(MIDDLEWARE)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps are fetched only by developer tools: not worth compressing (it doubles the time
# collectstatic takes, for the API docs' bundles).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
