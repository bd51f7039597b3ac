"""Reads of the outbox: what waits, for the order's page and for the task that delivers."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, Q, QuerySet

from .models import OutgoingMail


def pending() -> QuerySet[OutgoingMail]:
    """Mails neither sent nor given up."""
    return OutgoingMail.objects.filter(sent_at__isnull=True, given_up_at__isnull=True)


def pending_for(kind: str, reference_prefix: str) -> QuerySet[OutgoingMail]:
    """The pending mails of one kind whose reference starts with `reference_prefix`, newest
    first (e.g. the order's e-mail to its provider, still waiting)."""
    return (
        pending()
        .filter(kind=kind, reference__startswith=reference_prefix)
        .order_by("-created_at", "-id")
    )


def next_attempt_at() -> datetime | None:
    """When the earliest pending mail may be tried (or its claim runs out)."""
    return pending().aggregate(at=Min("next_attempt_at"))["at"]


def backlog() -> dict:
    """How many mails wait and since when (for health checks and metrics)."""
    row = pending().aggregate(oldest=Min("created_at"))
    return {"pending": pending().count(), "oldest": row["oldest"]}


def due_backlog(now: datetime) -> dict:
    """Mails due to go at `now` (not in a backoff's wait, not claimed by a worker) and since
    when the oldest has been due: a long wait means that no worker delivers (health checks)."""
    due = pending().filter(next_attempt_at__lte=now)
    return {"due": due.count(), "since": due.aggregate(at=Min("next_attempt_at"))["at"]}


def delivery_task_queued(task, *, by: datetime | None = None) -> bool:
    """Whether `task` waits in the database queue (django_tasks_db) and will run now, or at
    the latest `by`: then queuing another one would only run to find nothing. False on any
    other backend (the immediate one runs at once)."""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult, get_date_max
    except ImportError:  # pragma: no cover - the database backend is installed
        return False
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    queued = DBTaskResult.objects.filter(status="READY", task_path=task.module_path)
    if by is None:
        return queued.ready().exists()
    return queued.filter(Q(run_after=get_date_max()) | Q(run_after__lte=by)).exists()
