"""Delivery of the outbox as django-tasks tasks (ARCHITECTURE "background work"), run by
`python -m verkstall worker`; or `python -m verkstall deliver_mail --every 30` as a service.

A committed `enqueue` queues `deliver_mail` (unless one already waits), so a mail goes out
within moments of the write that made it, and never inside the web request. While mails wait
for a retry, each run queues the next one for when the earliest is due, so retries need no
scheduler. `purge_sent_mail` removes what was sent long ago; schedule it daily (the command
`deliver_mail --every` also does it). Both are safe to run twice, and several at once.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from . import delivery_services, selectors

logger = logging.getLogger(__name__)


def deliver_all_due(*, limit: int = delivery_services.BATCH, rounds: int = 50) -> dict:
    """Deliver batches until none is full (or `rounds` batches); the summed counts."""
    total: dict[str, int] = {}
    for _ in range(rounds):
        counts = delivery_services.deliver_due(limit=limit)
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        if counts["claimed"] < limit:
            break
    return total


@task()
def deliver_mail() -> dict:
    """Send what is due in the outbox, then queue the next run for the earliest retry."""
    result = deliver_all_due()
    schedule_next()
    return result


@task()
def purge_sent_mail() -> int:
    """Remove mails sent (or given up) more than VERKSTALL_OUTBOX_KEEP_DAYS ago."""
    return delivery_services.purge_finished()


def schedule_next() -> None:
    """Queue `deliver_mail` for when the earliest waiting mail is due, unless a run is queued
    by then already (or the backend cannot defer a task)."""
    try:
        if not getattr(deliver_mail.get_backend(), "supports_defer", False):
            return
        due = selectors.next_attempt_at()
        if due is None or selectors.delivery_task_queued(deliver_mail, by=due):
            return
        deliver_mail.using(run_after=due).enqueue()
    except Exception as exc:  # `deliver_mail --every` or the next commit picks it up
        logger.warning("Outbox: next delivery not queued: %s", type(exc).__name__)


def deliver_soon() -> None:
    """Queue `deliver_mail` to run now, unless a run waits already (it will see the new rows:
    they were committed before this looked)."""
    try:
        if not selectors.delivery_task_queued(deliver_mail):
            deliver_mail.enqueue()
    except Exception as exc:  # `deliver_mail --every` or the next commit picks it up
        logger.warning("Outbox: delivery not queued: %s", type(exc).__name__)


def deliver_after_commit() -> None:
    """Once the current transaction commits, have the outbox delivered soon: registered once
    per transaction, however many mails it queues; nothing if it rolls back."""
    connection = transaction.get_connection()
    if any(entry[1] is deliver_soon for entry in getattr(connection, "run_on_commit", ())):
        return
    transaction.on_commit(deliver_soon, robust=True)
