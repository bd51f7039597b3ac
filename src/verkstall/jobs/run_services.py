"""Running a job row as a task, for any model with a job's columns (`status`, `step`,
`updated_at`, `started_at` and two progress counters): this app's `Job` and the contract
import's `providers.ImportJob` (issue 17 item 8). The statuses are the strings "queued",
"running", "done", "failed" of both models.

- `claim`: the queued job, now running; None when it is not waiting (done already, or running
  in another worker), so a task run twice does the work once. A running job that has written
  nothing for a worker's lease has lost its worker (killed in the middle): a run of the task
  queued again (core.worker_services) takes it over.
- `Progress`: writes how far the work has come, the first and last report of each step always,
  others at most every PROGRESS_SECONDS (an UPDATE per row would slow the work it reports on).
  Work done in one transaction (the month close stores 50 000 lines in one) would show its
  progress only when it commits: on PostgreSQL a report made inside a transaction goes through
  a second connection of its own, in autocommit, so the page sees it at once. SQLite has one
  writer at a time, so there it stays in the work's transaction (the page sees the step before
  the transaction and then the end).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from verkstall.core import clock

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
PROGRESS_SECONDS = 0.5


#: A job waiting this long for a worker is told to be waiting on one that may not be running.
WAITING_WARNING_SECONDS = 10


def stale_after() -> timedelta:
    """How long a running job may write nothing before it counts as its worker's loss: the
    task workers' lease (VERKSTALL_WORKER_LEASE_SECONDS, default 60) less one heartbeat
    (VERKSTALL_WORKER_BEAT_SECONDS, default 5). A dead worker's task is queued again a lease
    after its last heartbeat, and its job's last progress was at most a beat after that
    heartbeat: so the job is stale by the time its task runs again, never left running."""
    lease = int(getattr(settings, "VERKSTALL_WORKER_LEASE_SECONDS", 60))
    beat = float(getattr(settings, "VERKSTALL_WORKER_BEAT_SECONDS", 5))
    return timedelta(seconds=max(lease - beat, 1))


def waiting_long(job) -> bool:
    """A queued job no worker has taken for WAITING_WARNING_SECONDS: the page says so."""
    waited = (clock.now() - job.created_at).total_seconds()
    return job.status == QUEUED and waited > WAITING_WARNING_SECONDS


def is_stale(job) -> bool:
    """A running job that has written nothing for a lease: its worker is gone."""
    return job.status == RUNNING and job.updated_at < clock.now() - stale_after()


def queue_on_commit(task, job_id: int, *, failed: Callable[[int], None]) -> None:
    """Queue `task(job_id)` once the current transaction commits. A queue that refuses it (no
    task backend, the database gone) fails the job at once through `failed(job_id)`, logged,
    rather than leave it waiting for ever."""
    transaction.on_commit(functools.partial(_enqueue, task, job_id, failed))


def _enqueue(task, job_id: int, failed: Callable[[int], None]) -> None:
    try:
        task.enqueue(job_id)
    except Exception:
        logger.exception("Job %s: not queued", job_id)
        failed(job_id)


def claim(model, job_id: int):
    """The queued (or stale) job of `model`, marked running; None if it is not waiting."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not (job.status == QUEUED or is_stale(job)):
            return None
        now = clock.now()
        job.status, job.started_at, job.updated_at = RUNNING, now, now
        job.save(update_fields=["status", "started_at", "updated_at"])
    return job


class Progress:
    """`progress(step, done, total)` for one job row of `model`; `done_field` and
    `total_field` name its counters. `close()` ends the second connection, if one was made."""

    def __init__(self, model, job_id: int, *, done_field: str = "done", total_field: str = "total"):
        self.model, self.job_id = model, job_id
        self.done_field, self.total_field = done_field, total_field
        self.last = 0.0
        self.step = ""
        self.side = None  # the second connection (PostgreSQL, inside a transaction)
        # Transactions already open when the work began (a test's own) are not the work's:
        # only a report from inside one the work opened goes through the second connection.
        self.depth = len(connection.atomic_blocks)

    def __call__(self, step: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if step == self.step and 0 < done < total and now - self.last < PROGRESS_SECONDS:
            return
        self.step, self.last = step, now
        values = {
            "step": step,
            "updated_at": clock.now(),
            self.done_field: done,
            self.total_field: total,
        }
        if len(connection.atomic_blocks) > self.depth and connection.vendor == "postgresql":
            self._write_aside(values)
        else:
            self.model.objects.filter(pk=self.job_id).update(**values)

    def _write_aside(self, values: dict) -> None:
        """Best effort: a progress report that cannot be written (no connection left, the
        row locked) is logged and skipped, never the end of the work it reports on."""
        try:
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
                with self.side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            quote = self.side.ops.quote_name
            columns = ", ".join(
                f"{quote(self.model._meta.get_field(k).column)} = %s" for k in values
            )
            # Names of the model's own table and columns, quoted; every value a parameter.
            sql = f"UPDATE {quote(self.model._meta.db_table)} SET {columns} WHERE id = %s"  # noqa: S608
            with self.side.cursor() as cursor:
                cursor.execute(sql, [*values.values(), self.job_id])
        except DatabaseError:
            logger.warning("Job %s: progress not written", self.job_id, exc_info=True)
            self.close()

    def close(self) -> None:
        if self.side is not None:
            side, self.side = self.side, None
            try:
                side.close()
            except DatabaseError:
                logger.warning("Job %s: progress connection not closed", self.job_id)
