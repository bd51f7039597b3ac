"""Keeping the task queue alive when a worker dies (issue 18 items 1 and 5).

`beat` records that a worker lives; `requeue_orphans` gives a RUNNING job back to the queue
when the worker that claimed it has not been seen for the lease (it was killed, or its machine
went away). Jobs are written to be safe to run twice (ARCHITECTURE "background work"): a job
run again after its worker died has its effect once. `forget_stale` removes heartbeats of
workers long gone.

The lease is VERKSTALL_WORKER_LEASE_SECONDS (default 60); a worker beats every
VERKSTALL_WORKER_BEAT_SECONDS (default 5), so a living worker is never taken for dead unless
the database was unreachable for the whole lease.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import clock
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "VERKSTALL_WORKER_LEASE_SECONDS", 60)))


def beat(*, worker_id: str, host: str, pid: int, started_at: datetime) -> None:
    """Record that the worker lives (one row per worker, updated in place)."""
    now = clock.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"host": host[:255], "pid": pid, "started_at": started_at, "seen_at": now},
        )


def requeue_orphans() -> list[str]:
    """Queue again every RUNNING job whose worker has not been seen for the lease (or never
    beat: a worker of another kind, or one that died before its first beat, once the job has
    run longer than the lease). Returns the ids of the jobs queued again."""
    now = clock.now()
    cutoff = now - lease()
    requeued: list[str] = []
    with transaction.atomic():
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            running = running.select_for_update(skip_locked=True)
        rows = list(running.only("id", "worker_ids", "started_at"))
        if not rows:
            return requeued
        owners = {row.worker_ids[-1] for row in rows if row.worker_ids}
        seen = dict(
            WorkerHeartbeat.objects.filter(worker_id__in=owners).values_list("worker_id", "seen_at")
        )
        for row in rows:
            owner = row.worker_ids[-1] if row.worker_ids else None
            # A worker that never beat is given the lease from the job's start.
            last_sign = seen.get(owner) or row.started_at
            if last_sign is not None and last_sign >= cutoff:
                continue
            requeued.append(str(row.id))
        if requeued:
            DBTaskResult.objects.filter(id__in=requeued, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
    for job in requeued:
        logger.warning("Task %s queued again: its worker was not seen for %s", job, lease())
    return requeued


def forget_stale(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Remove the heartbeats of workers not seen for a day."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=clock.now() - older_than).delete()
    return deleted


def requeue_mine(worker_id: str) -> list[str]:
    """Queue again the RUNNING jobs claimed by `worker_id`, which runs none of them now: its
    loop lost the database in the middle of one and could not mark it done or failed."""
    with transaction.atomic():
        rows = [
            str(pk)
            for pk, owners in DBTaskResult.objects.filter(
                status=TaskResultStatus.RUNNING
            ).values_list("id", "worker_ids")
            if owners and owners[-1] == worker_id
        ]
        if rows:
            DBTaskResult.objects.filter(id__in=rows, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
    return rows
