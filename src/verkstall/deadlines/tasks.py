"""Background work of the deadline engine, as django-tasks tasks (ARCHITECTURE "background
work"): the database backend (django_tasks_db) keeps the queue in the application's own
database, so it runs on SQLite and PostgreSQL alike without a broker. A worker started with
`python -m verkstall worker` runs what is queued; `db_worker --batch` runs it and exits.

Every task here is safe to run twice (ARCHITECTURE "Tenancy and scale").
"""

from __future__ import annotations

from datetime import date

from django_tasks import task

from .reminders import send_reminders


@task()
def send_daily_reminders(day: str | None = None) -> dict:
    """Queue the day's reminder mails in the outbox (reminders.send_reminders), which the
    outbox's `deliver_mail` sends. `day` is an ISO date for a catch-up run; without it the
    worker queues for the day it runs on. Returns the counts."""
    return send_reminders(date.fromisoformat(day) if day else None)
