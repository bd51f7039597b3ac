"""Signed-in sessions end after a working day and after a pause (issue 11).

* Absolute lifetime: SESSION_COOKIE_AGE (10 hours) from the first request of the session,
  whatever happens in between. (Django's own expiry only backs this up: it moves forward each
  time the session is saved.)
* Idle timeout: VERKSTALL_SESSION_IDLE_MINUTES (30) without a request.

Both are read from the project clock (core/clock.py), so tests move time with `travel_to`.
The last activity is written to the session at most once a minute, not on every request.
An expired session is logged out before the view runs: a screen then sends the user to the
login page, which says why; the API answers as to anyone not signed in (401/403).
Token-authenticated API calls carry no session and are not touched.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in

from verkstall.core import clock

STARTED = "verkstall_session_started"
LAST_SEEN = "verkstall_session_last_seen"
WRITE_EVERY_SECONDS = 60
MESSAGE = "Du har loggats ut eftersom du inte har varit aktiv på {minutes} minuter. Logga in igen."
MESSAGE_ABSOLUTE = "Du har varit inloggad i {hours} timmar och har loggats ut. Logga in igen."


def idle_seconds() -> int:
    return int(getattr(settings, "VERKSTALL_SESSION_IDLE_MINUTES", 30)) * 60


class SessionTimeoutMiddleware:
    """After SessionMiddleware, AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None:
            return self.get_response(request)
        if SESSION_KEY in session:
            reason = _expired(session, clock.now().timestamp())
            if reason is not None:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, reason)
        response = self.get_response(request)
        session = request.session
        if SESSION_KEY in session:
            _record_activity(session, clock.now().timestamp())
        return response


def _expired(session, now: float) -> str | None:
    started = session.get(STARTED)
    last_seen = session.get(LAST_SEEN)
    if started is None or last_seen is None:
        return None  # stamped when this request's answer leaves
    if now - started >= settings.SESSION_COOKIE_AGE:
        return MESSAGE_ABSOLUTE.format(hours=round(settings.SESSION_COOKIE_AGE / 3600))
    if now - last_seen >= idle_seconds():
        return MESSAGE.format(minutes=idle_seconds() // 60)
    return None


def _record_activity(session, now: float) -> None:
    if STARTED not in session or LAST_SEEN not in session:
        _start(session, now)  # a session signed in before these stamps existed
    elif now - session[LAST_SEEN] >= WRITE_EVERY_SECONDS:
        session[LAST_SEEN] = now


def _start(session, now: float) -> None:
    session[STARTED] = now
    session[LAST_SEEN] = now


def _on_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        _start(session, clock.now().timestamp())


def connect() -> None:
    """Called by AccessConfig.ready: a sign-in (the login page, the admin's, or a test's
    force_login) starts the clocks, also when the same user signs in again."""
    user_logged_in.connect(_on_login, dispatch_uid="verkstall-session-timeout-login")
