"""Starting a background job (issue 17 item 8): `start_job` checks that the user may start the
kind, keeps the job and queues its task (tasks.run_job) once the transaction commits. The same
user asking for the same work while it still waits or runs gets that job back, not a second
one (a double click, a page reloaded)."""

from __future__ import annotations

from django.db import transaction

from verkstall.core import clock

from . import run_services, services, tasks
from .models import Job


@transaction.atomic
def start_job(actor, *, kind: str, params: dict) -> Job:
    """Queue `kind` with `params` for the actor (the same waiting job if there is one)."""
    services.kind_for(actor, kind)
    waiting = (
        Job.objects.select_for_update()
        .filter(
            started_by=actor,
            kind=kind,
            status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
            params=params,
        )
        .first()
    )
    if waiting is not None and not run_services.is_stale(waiting):
        return waiting
    now = clock.now()
    job = Job.objects.create(
        municipality_id=actor.municipality_id,
        started_by=actor,
        kind=kind,
        params=params,
        created_at=now,
        updated_at=now,
    )
    run_services.queue_on_commit(tasks.run_job, job.pk, failed=_failed)
    return job


def _failed(job_id: int) -> None:
    services.finish(job_id, status=Job.Status.FAILED, failure=services.failed_message())
