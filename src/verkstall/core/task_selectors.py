"""Reads of the task queue (django_tasks_db): how far behind the task worker is, for the
readiness check (verkstall/health.py, issue 18 item 3)."""

from __future__ import annotations

from datetime import datetime

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max


def ready_backlog(now: datetime, *, sample: int = 100) -> dict:
    """Tasks ready to run at `now` and how long the longest has waited, in seconds: since it
    was queued, or since the moment it was queued for (`run_after`; the date maximum means
    "at once"). The `sample` queued first are looked at."""
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY).ready()
    at_once = get_date_max()
    rows = ready.order_by("enqueued_at").values_list("enqueued_at", "run_after")[:sample]
    waited = [
        (now - (queued if run_after == at_once else run_after)).total_seconds()
        for queued, run_after in rows
    ]
    return {"ready": ready.count(), "oldest_seconds": max(0, int(max(waited, default=0)))}
