"""Liveness and readiness for the reverse proxy, the load balancer and monitoring (issue 18
item 3: "`/healthz` and `/readyz` (database, task queue and mail outbox checked)").

- `GET /healthz`: the process answers (nothing else is asked; a restart is the cure for a no).
- `GET /readyz`: the process can serve: the database answers, the task worker keeps up (no task
  ready to run has waited longer than VERKSTALL_READY_TASK_AGE_SECONDS, default 600) and the
  mail outbox drains (no mail due to go has waited longer than VERKSTALL_READY_MAIL_AGE_SECONDS,
  default 900). 200 when every check passes, else 503; the body names each check and its
  figures (counts and ages in seconds only: no personal data, nothing about clients), so
  they need no login and are never in the access log.

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
from verkstall.outbox.selectors import backlog


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
    """Mails neither sent nor given up, and the age of the oldest: one that waits long means
    the mail server refuses or the worker does not run."""
    limit = _setting("VERKSTALL_READY_MAIL_AGE_SECONDS", 900)
    waiting = backlog()
    oldest = _age(waiting["oldest"])
    return {"ok": oldest <= limit, "pending": waiting["pending"], "oldest_seconds": oldest}


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
    ready = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)
