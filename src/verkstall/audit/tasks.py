"""Retention (gallring, SPEC R10.6) as a django-tasks task, like deadlines/tasks.py.

Scheduled, it *reports*: `review_retention` with no arguments lists who is due and who is
kept for research, and removes nothing; its return value (stored by the database backend,
client ids and dates only) is the list to review. Removal happens only when someone asks for
it: `python -m verkstall retention --apply` (or `--apply --enqueue`, which queues this task
with apply=True). A municipality typically runs the report in January, has the archive
officer review it, and applies it before the end of the year; the rule's own grace period
(by the end of the following calendar year) is made for exactly that rhythm.

On PostgreSQL an apply removes order events, which only the retention role may
(docs/database-roles.md): a queued apply must be run by a worker connected as that role; the
application's own worker raises RetentionRoleUnavailable and removes nothing.

Safe to run twice: a second apply finds nothing due (ARCHITECTURE "Tenancy and scale").
"""

from __future__ import annotations

from datetime import date

from django_tasks import task

from verkstall.core import clock

from . import idempotency_services
from . import retention_selectors as selectors
from . import retention_services as services


@task()
def review_retention(
    today: str | None = None, municipality: str | None = None, apply: bool = False
) -> dict:
    """Review (and with apply=True remove) the clients due under R10.6. `today` is an ISO
    date (default: the day it runs); `municipality` a code or id (default: all)."""
    day = date.fromisoformat(today) if today else clock.today()
    muni = None
    if municipality:
        muni = selectors.find_municipality(municipality)
        if muni is None:
            raise ValueError(f"unknown municipality {municipality!r}")
    report = selectors.review(day, municipality=muni)
    result = report.as_dict()
    if apply:
        if day > clock.today():
            raise ValueError("retention is never applied for a day in the future")
        result["applied"] = services.apply(report, actor="gallring (schemalagd uppgift)").as_dict()
    return result


@task()
def purge_idempotent_responses() -> int:
    """Daily: remove the answers kept for Idempotency-Key retries once they are older than
    VERKSTALL_IDEMPOTENCY_HOURS, also when no keyed write comes to do it."""
    return idempotency_services.purge_expired()
