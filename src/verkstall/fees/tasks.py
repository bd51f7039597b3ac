"""Background work of the fee notices, as a django-tasks task like deadlines/tasks.py: a worker
(`python -m verkstall worker`) collects every municipality's notices (SPEC R9.3), so that the
fee officer's watchlist has them even before the inbox is opened. Safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def collect_all_fee_notices() -> dict:
    """Collect the fee notices of every municipality (services.collect_all)."""
    return {"made": services.collect_all()}
