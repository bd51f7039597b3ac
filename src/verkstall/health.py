"""Liveness and readiness for the reverse proxy, the load balancer and monitoring (issue 18
item 3: "`/healthz` and `/readyz` (database, task queue and mail outbox checked)").

- `GET /healthz`: the process answers (nothing else is asked; a restart is the cure for a no).
- `GET /readyz`: the process can serve when the database answers (else 503, "unavailable").
  It also checks that the task worker keeps up (no task ready to run has waited longer than
  VERKSTALL_READY_TASK_AGE_SECONDS, default 600) and that the mail outbox drains (no mail due
  to go has waited longer than VERKSTALL_READY_MAIL_AGE_SECONDS, default 900); either behind
  is "degraded", still 200, for monitoring to alert on: a slow worker does not stop this
  process from serving. The body names each check and its figures (counts and ages in
  seconds only: no personal data, nothing about clients), so the checks need no login and
  are never in the access log.

Project wiring (urls.py): the checks read the task queue's and the outbox's tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from verkstall.core import clock
from verkstall.core.task_selectors import ready_backlog
from verkstall.outbox.selectors import due_backlog


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _age(moment) -> int:
    return max(0, int((clock.now() - moment).total_seconds())) if moment else 0


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _tasks() -> dict:
    limit = _setting("VERKSTALL_READY_TASK_AGE_SECONDS", 600)
    queue = ready_backlog(clock.now())
    return {"ok": queue["oldest_seconds"] <= limit, **queue}


def _outbox() -> dict:
    """Mails due to go and how long the oldest has been due (a mail in a backoff's wait is
    not due): one due for long means that no worker delivers the outbox."""
    limit = _setting("VERKSTALL_READY_MAIL_AGE_SECONDS", 900)
    waiting = due_backlog(clock.now())
    oldest = _age(waiting["since"])
    return {"ok": oldest <= limit, "due": waiting["due"], "oldest_seconds": oldest}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {}
    for name, check in (("database", _database), ("tasks", _tasks), ("outbox", _outbox)):
        try:
            checks[name] = check()
        except DatabaseError as exc:
            checks[name] = {"ok": False, "error": type(exc).__name__}
            break  # the others read the same database
    # Only the database decides whether this process can serve; a task worker or an outbox
    # that falls behind is reported ("degraded") for monitoring, not taken out of service.
    if not checks["database"]["ok"]:
        status, code = "unavailable", 503
    elif all(check["ok"] for check in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)
