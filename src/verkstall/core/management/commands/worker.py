"""`python -m verkstall worker`: runs queued tasks (django_tasks_db's worker) and keeps the
queue alive when workers die (issue 18 items 1 and 5, core/worker_services.py).

Beside the worker's loop a thread records the worker's heartbeat every
VERKSTALL_WORKER_BEAT_SECONDS and queues again the jobs of workers not seen for
VERKSTALL_WORKER_LEASE_SECONDS (killed in the middle of a job). When the database goes away
(a restart of PostgreSQL) the worker waits and goes on by itself instead of exiting, and gives
back to the queue the job it could not finish. Run as many as you like, on as many machines:
a job is claimed by one worker at a time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import Error as DatabaseFault
from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from verkstall.core import clock, worker_services

logger = logging.getLogger("verkstall.worker")


def _keep_alive(*, worker_id: str, started_at) -> None:
    """The heartbeat thread (a daemon: it ends with the process). It looks for dead workers'
    jobs only once it has itself beaten without a gap for a whole lease: after an outage of
    the database every living worker first gets the time to beat again, so none of them is
    taken for dead (and its running job run twice) by the first one back."""
    every = float(getattr(settings, "VERKSTALL_WORKER_BEAT_SECONDS", 5))
    lease = worker_services.lease().total_seconds()
    host, pid = socket.gethostname(), os.getpid()
    beating_since = None
    while True:
        try:
            worker_services.beat(worker_id=worker_id, host=host, pid=pid, started_at=started_at)
            beating_since = beating_since or time.monotonic()
            if time.monotonic() - beating_since >= lease:
                worker_services.requeue_orphans()
        except Exception as exc:  # never let the heartbeat die: log, reconnect, beat again
            logger.warning("Worker %s: no heartbeat (%s)", worker_id, type(exc).__name__)
            beating_since = None
            connections.close_all()
        time.sleep(every)


class Command(BaseCommand):
    help = "Run queued tasks; queue again the jobs of workers that died."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME)
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between looks.")
        parser.add_argument("--worker-id", default="", help="Unique id (default: host-pid-random).")

    def handle(self, *args, **opt):
        worker_id = opt["worker_id"] or (
            f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        )
        # A worker started again under its old id runs nothing yet: what that id still holds
        # was left by the process before it (killed), and goes back to the queue.
        self._give_back(worker_id)
        beat = threading.Thread(
            target=_keep_alive,
            kwargs={"worker_id": worker_id, "started_at": clock.now()},
            daemon=True,
        )
        beat.start()
        worker = Worker(
            queue_names=opt["queue_name"].split(","),
            interval=opt["interval"],
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=True,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        logger.info("Worker %s started", worker_id)
        while True:
            try:
                worker.run()
                return
            except DatabaseFault as exc:
                # The database went away (restarted, failed over): wait, then go on.
                logger.warning("Worker %s lost the database: %s", worker_id, exc.__class__)
                connections.close_all()
                time.sleep(opt["interval"])
                self._give_back(worker_id)

    def _give_back(self, worker_id: str) -> None:
        try:
            jobs = worker_services.requeue_mine(worker_id)
        except DatabaseFault:
            connections.close_all()
            return
        if jobs:
            logger.warning("Worker %s queued its unfinished jobs again: %s", worker_id, jobs)
