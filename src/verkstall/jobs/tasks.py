"""Background jobs as django-tasks tasks (ARCHITECTURE "background work"), run by
`python -m verkstall worker`: `run_job` runs one queued job (safe to run twice: a job no longer
waiting is left alone); `purge_finished_jobs` is the nightly clean-up (`run_task
verkstall.jobs.tasks.purge_finished_jobs`, deploy/verkstall-daily.service)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> str:
    """Run one queued job; returns its status."""
    return str(services.run_job(job_id=job_id))


@task()
def purge_finished_jobs() -> int:
    """Daily: remove finished jobs and their files after KEEP_HOURS."""
    return services.purge_finished_jobs()
