"""Project wiring. Every setting that differs between installations comes from the environment.

DATABASE_URL    database (default: SQLite file under VERKSTALL_DATA_DIR, created on first run)
VERKSTALL_DATA_DIR  folder for the SQLite file, uploaded documents and the generated dev secret
DJANGO_SECRET_KEY   required when VERKSTALL_DEBUG is off and no key file exists
VERKSTALL_DEBUG     "1" for local development only
VERKSTALL_ALLOWED_HOSTS  comma-separated host names
VERKSTALL_BASE_URL  the address users reach the site at, for links in e-mail
VERKSTALL_EMAIL_HOST, VERKSTALL_EMAIL_PORT, ...  outgoing mail (see "E-mail" below)
VERKSTALL_OUTBOX_MAX_ATTEMPTS, VERKSTALL_OUTBOX_KEEP_DAYS, VERKSTALL_OUTBOX_LEASE_SECONDS
                    the mail outbox: attempts before a mail is given up (default 54, about
                    two days of retries), days a sent mail is kept (30), a worker's claim (300)
VERKSTALL_OUTBOX_FIRST_RETRY_SECONDS, VERKSTALL_OUTBOX_RETRY_CAP_SECONDS  the wait after a
                    mail's first failed attempt (60), doubled each time up to the cap (3600)
VERKSTALL_WORKER_LEASE_SECONDS, VERKSTALL_WORKER_BEAT_SECONDS  a task worker not seen for the
                    lease (default 60) has its running job queued again; workers beat every 5
VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS  a contract file of more rows is checked and imported
                    by a task, its progress shown (default 2000); a smaller one at once
VERKSTALL_RETENTION_YEARS, VERKSTALL_RETENTION_RESEARCH_DAYS,
VERKSTALL_RETENTION_REMOVE_WITHIN_YEARS  the retention rule (R10.6, see "Retention" below)
VERKSTALL_EARLIEST_DATE, VERKSTALL_YEARS_AHEAD  the window of entered dates (default 1990-01-01
                    to 31 December ten years ahead)
VERKSTALL_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES, VERKSTALL_UPLOAD_ZIP_MAX_RATIO,
VERKSTALL_UPLOAD_ZIP_MAX_MEMBERS  limits for uploaded DOCX, ODT and XLSX (zip) files
VERKSTALL_LOG_FORMAT  "json" for one JSON object per log line, else plain text (see "Logging")
VERKSTALL_LOG_LEVEL, VERKSTALL_REQUEST_LOG_LEVEL  the root logger's level (default WARNING) and
                    the request log's (`verkstall.request`, one line per request; default INFO)
VERKSTALL_METRICS_ALLOW, VERKSTALL_METRICS_TOKEN  who may read /metrics: client addresses as
                    comma-separated CIDRs (default 127.0.0.1/32,::1/128), or a bearer token
VERKSTALL_METRICS_DIR  a directory gunicorn's workers share their counters through (unset:
                    each process counts alone; see "Metrics" below)
VERKSTALL_READY_TASK_AGE_SECONDS, VERKSTALL_READY_MAIL_AGE_SECONDS  /readyz says "degraded" when
                    a ready task or a due mail has waited longer (default 600 and 900)
DEFAULT_FROM_EMAIL  sender address of the reminders
VERKSTALL_SESSION_HOURS, VERKSTALL_SESSION_IDLE_MINUTES  a session's lifetime (default 10 hours)
                    and idle timeout (default 30 minutes)
VERKSTALL_API_TOKEN_DAYS  how long a new API key is valid (default 90 days)
VERKSTALL_IDEMPOTENCY_HOURS  how long an API write's answer is kept for a retry with the
                    same Idempotency-Key (default 24 hours)
VERKSTALL_WEBHOOK_ALLOW_INTERNAL  "1" lets a webhook go to plain http and internal addresses
                    (a receiver on the same host or network); default: https to public hosts
VERKSTALL_DB_PREPARE  "1" turns on prepared statements on PostgreSQL (default off; issue 19)
VERKSTALL_DB_APP_ROLE, VERKSTALL_DB_RETENTION_ROLE  PostgreSQL roles the application and
                    retention act as (docs/database-roles.md; see "Database roles" below)
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
# SPEC.md, for the SPEC index (`python -m verkstall spec_index`): `shared/` beside the
# repository (as CI clones it), else the development machine's shared folder.
_SPEC_BESIDE = REPO_DIR.parent / "shared" / "SPEC.md"
SPEC_PATH = Path(
    os.environ.get(
        "VERKSTALL_SPEC",
        _SPEC_BESIDE if _SPEC_BESIDE.is_file() else "/work/shared/SPEC.md",
    )
)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("VERKSTALL_DATA_DIR", REPO_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = _env_bool("VERKSTALL_DEBUG")


def _secret_key() -> str:
    """The key comes from the environment; a local install keeps a generated one in DATA_DIR."""
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("VERKSTALL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "verkstall.core",
    "verkstall.outbox",  # outgoing e-mail, delivered outside the request (issue 18, 19)
    "verkstall.access",
    "verkstall.jobs",  # long work run as a task with its progress shown (issue 17 item 8)
    "verkstall.providers",
    "verkstall.people",
    "verkstall.drafts",  # drafts of long text fields while typing (issue 17 item 1)
    "verkstall.decisions",
    "verkstall.orders",
    "verkstall.deadlines",
    "verkstall.journal",
    "verkstall.absences",
    "verkstall.plans",
    "verkstall.followups",
    "verkstall.transfers",  # the transfer at an age between units (R1.4)
    "verkstall.placements",
    "verkstall.alarms",
    "verkstall.vouchers",
    "verkstall.fees",
    "verkstall.ivo",
    "verkstall.ontime",
    "verkstall.payments",
    "verkstall.months",
    "verkstall.national_statistics",
    "verkstall.integrations",
    "verkstall.audit",
    "verkstall.tooling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Times, counts (/metrics) and logs each request by its URL name, with a request id.
    "verkstall.core.request_log.RequestLogMiddleware",
    "verkstall.core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL character in the path, query or a posted form is a 400, not a database error.
    "verkstall.core.request_guards.RefuseNulMiddleware",
    # Every read and write of client data in this request goes to the access log (R10.4).
    "verkstall.audit.middleware.AccessLogMiddleware",
    # A retried API write with the same Idempotency-Key gets the first answer (issue 20).
    "verkstall.audit.idempotency.IdempotencyMiddleware",
    # Deny by default: a screen not declared in access/declarations.py is refused (issue 6).
    "verkstall.access.middleware.DeclaredAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sessions end after SESSION_COOKIE_AGE and after VERKSTALL_SESSION_IDLE_MINUTES idle.
    "verkstall.access.session_timeout.SessionTimeoutMiddleware",
    # A create form sent again (double click, reload, back) is not saved twice (issue 18).
    "verkstall.audit.form_once.SubmitOnceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A GET of a POST-only action's URL (a reload after its form's errors) goes to the page
    # with the form instead of an empty 405 (issue 17).
    "verkstall.core.middleware.FormPageMiddleware",
    "verkstall.core.views.DomainErrorMiddleware",
    # Last, as django-axes asks: turns a lockout signalled by its backend into the page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "verkstall.urls"
WSGI_APPLICATION = "verkstall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "verkstall.journal.context_processors.unread_messages",
                "verkstall.orders.context_processors.client_search",
            ],
            # `{% submit_once %}` in every create form without a load (issue 18 item 1).
            "builtins": ["verkstall.core.templatetags.submit_once"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'verkstall.sqlite3'}",
        conn_max_age=int(os.environ.get("VERKSTALL_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request uses it: after a restart of the
        # database the first request opens a new one instead of failing (issue 18 item 1).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short queries only (lists of hundreds of rows): PostgreSQL's JIT compiler spent 22 of a
    # watchlist's 35 ms compiling, because a misestimated row count crossed jit_above_cost
    # (bench/RESULTS.md). Off for this application's connections.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Prepared statements (issue 19), off unless VERKSTALL_DB_PREPARE=1. PostgreSQL spends
    # 0.8-1.7 ms planning the scoped read of an order against 0.1-0.25 ms running it; with the
    # parameters bound by the server, psycopg prepares a statement the second time a connection
    # sends it and PostgreSQL keeps its plan: its CPU per transition fell from 7.0 to 3.3 ms and
    # transitions rose from ~50 to 79-86 per second (bench/RESULTS.md, 2026-12-07). Off by
    # default because the watchlist's query then runs on a generic plan that is no faster, while
    # the hand-written SQL it is held to gets 3-4 times faster (ratios 1.85-2.92, over the 1.5
    # goal); and a pooler in transaction mode cannot keep a session's prepared statements.
    if os.environ.get("VERKSTALL_DB_PREPARE", "0") == "1":
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "access.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes). AxesStandaloneBackend goes first and refuses a locked
# username+address; it needs the request, which LoginView gives. It sees only username and
# password logins: the API's token authentication and SessionAuthentication never call
# authenticate(), and the test client's force_login/force_authenticate bypass it (tests
# that want `client.login` must pass `request=`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_USERNAME_FORM_FIELD = "username"
# The client address: REMOTE_ADDR only, so that a forged X-Forwarded-For cannot rotate the
# address. Behind a reverse proxy set VERKSTALL_CLIENT_IP_HEADER (e.g. HTTP_X_FORWARDED_FOR)
# and VERKSTALL_PROXY_COUNT (the number of proxies in front of Django).
AXES_IPWARE_META_PRECEDENCE_ORDER = [
    h for h in (os.environ.get("VERKSTALL_CLIENT_IP_HEADER", "").strip(), "REMOTE_ADDR") if h
]
if os.environ.get("VERKSTALL_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["VERKSTALL_PROXY_COUNT"])

# Retention (gallring, SPEC R10.6); the rule is a setting since the law may change.
# Defaults live in verkstall/audit/retention.py; `python -m verkstall retention` applies it.
VERKSTALL_RETENTION_YEARS = int(os.environ.get("VERKSTALL_RETENTION_YEARS", "5"))
VERKSTALL_RETENTION_RESEARCH_DAYS = tuple(
    int(day)
    for day in os.environ.get("VERKSTALL_RETENTION_RESEARCH_DAYS", "5,15,25").split(",")
    if day.strip()
)  # an empty string: no research sample
VERKSTALL_RETENTION_REMOVE_WITHIN_YEARS = int(
    os.environ.get("VERKSTALL_RETENTION_REMOVE_WITHIN_YEARS", "1")
)  # remove by 31 December of this many years after the period ran out

# Database roles on PostgreSQL (issue 18, docs/database-roles.md; `python -m verkstall db_roles`).
# VERKSTALL_DB_APP_ROLE: the role the application connects as; when set, every `migrate` grants
# it again (a new table gets its grants). VERKSTALL_DB_RETENTION_ROLE: the only role that may
# remove order events (retention, R10.6); the trigger names it, so change it, then run db_roles.
VERKSTALL_DB_APP_ROLE = os.environ.get("VERKSTALL_DB_APP_ROLE", "").strip()
VERKSTALL_DB_RETENTION_ROLE = (
    os.environ.get("VERKSTALL_DB_RETENTION_ROLE", "").strip() or "verkstall_retention"
)

# The window of every date and time entered in a form, the API or a service (core/dates.py):
# from VERKSTALL_EARLIEST_DATE to 31 December VERKSTALL_YEARS_AHEAD years from now.
VERKSTALL_EARLIEST_DATE = os.environ.get("VERKSTALL_EARLIEST_DATE", "1990-01-01")
VERKSTALL_YEARS_AHEAD = int(os.environ.get("VERKSTALL_YEARS_AHEAD", "10"))

# Uploaded zip containers (DOCX, ODT, XLSX) are judged by their central directory before any
# member is decompressed (core/uploads.py, issue 11): all members together at most this many
# bytes, compressed at most this many times (archive and member), at most this many members.
VERKSTALL_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("VERKSTALL_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024))
)
VERKSTALL_UPLOAD_ZIP_MAX_RATIO = int(os.environ.get("VERKSTALL_UPLOAD_ZIP_MAX_RATIO", "100"))
VERKSTALL_UPLOAD_ZIP_MAX_MEMBERS = int(os.environ.get("VERKSTALL_UPLOAD_ZIP_MAX_MEMBERS", "1000"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

SESSION_COOKIE_HTTPONLY = True
# A session lasts a working day at most, and ends after a pause (issue 11): the absolute
# lifetime is SESSION_COOKIE_AGE from the first request, the idle timeout
# VERKSTALL_SESSION_IDLE_MINUTES (access/session_timeout.py).
SESSION_COOKIE_AGE = int(os.environ.get("VERKSTALL_SESSION_HOURS", "10")) * 60 * 60
VERKSTALL_SESSION_IDLE_MINUTES = int(os.environ.get("VERKSTALL_SESSION_IDLE_MINUTES", "30"))
# API keys (access.models.ApiToken, `python -m verkstall create_api_token`) expire after
# this many days unless the command says otherwise.
VERKSTALL_API_TOKEN_DAYS = int(os.environ.get("VERKSTALL_API_TOKEN_DAYS", "90"))
VERKSTALL_IDEMPOTENCY_HOURS = int(os.environ.get("VERKSTALL_IDEMPOTENCY_HOURS", "24"))
VERKSTALL_WEBHOOK_ALLOW_INTERNAL = _env_bool("VERKSTALL_WEBHOOK_ALLOW_INTERNAL")
SESSION_COOKIE_SAMESITE = "Lax"
# htmx takes the CSRF token from the `hx-headers` attribute on <body> (base.html), never from
# the cookie, so the cookie can be hidden from scripts.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    # Token first: a refused key is a 401 with `WWW-Authenticate: Token`. Keys are stored
    # hashed and expire (access/authentication.py, issue 11).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "verkstall.access.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every action must be declared in access/declarations.py (issue 6).
    "DEFAULT_PERMISSION_CLASSES": ["verkstall.access.permissions.DeclaredAccess"],
    # Documents the error answers every operation can give (400, 401, 403, 404, 415).
    "DEFAULT_SCHEMA_CLASS": "verkstall.core.openapi.AutoSchema",
    # limit/offset with upper bounds: a number beyond 64 bits is a 400, not a database error.
    "DEFAULT_PAGINATION_CLASS": "verkstall.core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "verkstall.core.api.exception_handler",
    # JSON nested deeper than 64 levels is a 400, not a RecursionError (issue 11).
    "DEFAULT_PARSER_CLASSES": [
        "verkstall.core.request_guards.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

SPECTACULAR_SETTINGS = {
    # ASCII: a client generator makes its package name of the title (issue 20), and pip
    # refuses a non-ASCII one. The product's name is in the description.
    "TITLE": "Verkstall API",
    "DESCRIPTION": (
        "Verkställ: orders, decisions and clients between a municipality and its care providers."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["verkstall.access.permissions.DeclaredAccess"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets share the field name "channel": name each one instead of a hash suffix.
    "ENUM_NAME_OVERRIDES": {
        "ProviderChannelEnum": "verkstall.providers.models.Channel",
        "ReplyChannelEnum": "verkstall.orders.models.ReplyChannel",
        # ... and "kind": the two kinds of the vouchers and of their report form (R4.2).
        "VoucherKindEnum": "verkstall.vouchers.models.Voucher.Kind",
        "VoucherReportKindEnum": "verkstall.vouchers.models.VoucherReport.Kind",
        # ... and the order events' kinds (an order's history and the event feed, issue 20).
        "OrderEventKindEnum": "verkstall.orders.models.EventKind",
    },
}

# Background work (ARCHITECTURE "background work"): tasks are rows in this database, run by
# `python -m verkstall worker` (django_tasks_db's worker with a heartbeat, core/worker_services.py).
# No broker, the same on SQLite and PostgreSQL. `db_worker --batch` runs what is queued and
# exits, for a cron job; it does not beat, so beside `worker` processes a job of its that runs
# longer than the lease is queued again (run once more: every task is safe to run twice).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The LOV contract import (issue 17 item 8): a file of more rows than this is checked and
# imported by a task while its page shows the progress; a smaller one in the request.
VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS = int(
    os.environ.get("VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS", "2000")
)
# Other long work (issue 17 item 8) runs as a background job (verkstall/jobs) above these sizes:
# the payment basis of a month as a file and the month close above this many lines, the
# on-time statistics above this many due items (measured: bench/RESULTS.md).
VERKSTALL_BACKGROUND_BASIS_LINES = int(os.environ.get("VERKSTALL_BACKGROUND_BASIS_LINES", "5000"))
VERKSTALL_BACKGROUND_ONTIME_ITEMS = int(
    os.environ.get("VERKSTALL_BACKGROUND_ONTIME_ITEMS", "100000")
)
# `python -m verkstall worker` (core/worker_services.py) beats every BEAT seconds; a job whose
# worker has not been seen for LEASE seconds (killed in the middle of it) is queued again.
VERKSTALL_WORKER_LEASE_SECONDS = int(os.environ.get("VERKSTALL_WORKER_LEASE_SECONDS", "60"))
VERKSTALL_WORKER_BEAT_SECONDS = float(os.environ.get("VERKSTALL_WORKER_BEAT_SECONDS", "5"))

# E-mail (orders to providers, notices, reminders: all through the outbox, docs/mail.md).
# Backend: VERKSTALL_EMAIL_BACKEND if set (a dotted path, or "smtp", "console", "locmem",
# "dummy"); otherwise the console in DEBUG, so that a developer's machine never mails anyone,
# and SMTP everywhere else, so that a production install that forgot the setting fails
# loudly (connection refused: the mail waits in the outbox and is retried) instead of
# printing personal data to a log. The SMTP relay is VERKSTALL_EMAIL_HOST:VERKSTALL_EMAIL_PORT
# (default localhost:25, the local MTA), with optional VERKSTALL_EMAIL_USER /
# VERKSTALL_EMAIL_PASSWORD and VERKSTALL_EMAIL_USE_TLS (STARTTLS) or VERKSTALL_EMAIL_USE_SSL.
_EMAIL_BACKENDS = {
    name: f"django.core.mail.backends.{name}.EmailBackend"
    for name in ("smtp", "console", "locmem", "dummy")
}
_email_backend = os.environ.get("VERKSTALL_EMAIL_BACKEND", "").strip()
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend) or (
    _EMAIL_BACKENDS["console"] if DEBUG else _EMAIL_BACKENDS["smtp"]
)
EMAIL_HOST = os.environ.get("VERKSTALL_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("VERKSTALL_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("VERKSTALL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("VERKSTALL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("VERKSTALL_EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("VERKSTALL_EMAIL_USE_SSL")
# Mail is sent by the outbox's worker, never in a request (docs/mail.md): a slow server only
# delays the outbox, but do not wait long for one.
EMAIL_TIMEOUT = int(os.environ.get("VERKSTALL_EMAIL_TIMEOUT", "10"))
# The outbox (outbox/delivery_services.py): every mail waits in the database until the server
# takes it; a failed attempt is retried after 1, 2, 4 ... minutes, at most an hour apart, and
# given up (with a warning in the log) after this many attempts: 54 is about two days.
VERKSTALL_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("VERKSTALL_OUTBOX_MAX_ATTEMPTS", "54"))
# The first of those waits (then doubled each time); the fault runs shorten it (issue 18).
VERKSTALL_OUTBOX_FIRST_RETRY_SECONDS = int(
    os.environ.get("VERKSTALL_OUTBOX_FIRST_RETRY_SECONDS", "60")
)
VERKSTALL_OUTBOX_RETRY_CAP_SECONDS = int(
    os.environ.get("VERKSTALL_OUTBOX_RETRY_CAP_SECONDS", "3600")
)
# Sent (and given-up) mails are removed after this many days (task purge_sent_mail).
VERKSTALL_OUTBOX_KEEP_DAYS = int(os.environ.get("VERKSTALL_OUTBOX_KEEP_DAYS", "30"))
# How long a worker holds the mails it took before another may take them.
VERKSTALL_OUTBOX_LEASE_SECONDS = int(os.environ.get("VERKSTALL_OUTBOX_LEASE_SECONDS", "300"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Verkställ <verkstall@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[Verkställ] "
VERKSTALL_BASE_URL = os.environ.get("VERKSTALL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Logging (issue 18 item 3, docs/production.md): to stderr (journald under systemd), plain text
# or, with VERKSTALL_LOG_FORMAT=json, one JSON object per line (core/log_json.py: time, level,
# logger, message, request_id, and the request log's method, route, status, duration_ms).
# `verkstall.request` writes one INFO line per request (core/request_log.py): the URL's name,
# never its path or query string.
VERKSTALL_LOG_FORMAT = os.environ.get("VERKSTALL_LOG_FORMAT", "text").strip().lower() or "text"
if VERKSTALL_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(
        f"VERKSTALL_LOG_FORMAT must be 'text' or 'json', not {VERKSTALL_LOG_FORMAT!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No personnummer in any log line, whichever logger wrote it (issue 6).
    "filters": {"personal_numbers": {"()": "verkstall.core.log_redaction.RedactPersonalNumbers"}},
    "formatters": {"json": {"()": "verkstall.core.log_json.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["personal_numbers"],
            **({"formatter": "json"} if VERKSTALL_LOG_FORMAT == "json" else {}),
        },
    },
    "loggers": {
        "verkstall.request": {"level": os.environ.get("VERKSTALL_REQUEST_LOG_LEVEL", "INFO")},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("VERKSTALL_LOG_LEVEL", "WARNING")},
}

# Metrics (monitoring.py, GET /metrics): readable from these client addresses (CIDRs), or with
# `Authorization: Bearer <VERKSTALL_METRICS_TOKEN>`; anyone else gets a 404. Counters are kept
# per process unless VERKSTALL_METRICS_DIR names a directory that gunicorn's workers share
# (core/metrics.py; deploy/verkstall-web.service gives a runtime directory).
VERKSTALL_METRICS_ALLOW = tuple(
    entry.strip()
    for entry in os.environ.get("VERKSTALL_METRICS_ALLOW", "127.0.0.1/32,::1/128").split(",")
    if entry.strip()
)
for _entry in VERKSTALL_METRICS_ALLOW:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"VERKSTALL_METRICS_ALLOW: {_entry!r} is not an address or CIDR network"
        ) from None
VERKSTALL_METRICS_TOKEN = os.environ.get("VERKSTALL_METRICS_TOKEN", "").strip()
VERKSTALL_METRICS_DIR = os.environ.get("VERKSTALL_METRICS_DIR", "").strip()
# /readyz (health.py): "degraded" when the task worker or the outbox is this far behind.
VERKSTALL_READY_TASK_AGE_SECONDS = int(os.environ.get("VERKSTALL_READY_TASK_AGE_SECONDS", "600"))
VERKSTALL_READY_MAIL_AGE_SECONDS = int(os.environ.get("VERKSTALL_READY_MAIL_AGE_SECONDS", "900"))
