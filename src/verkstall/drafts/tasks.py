"""The drafts' daily clean-up (issue 17 item 1) as a django-tasks task: run by the nightly
`verkstall-daily` unit (`run_task verkstall.drafts.tasks.purge_old_drafts`, deploy/), safe to
run twice."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def purge_old_drafts() -> int:
    """Daily: remove drafts nobody touched for KEEP_DAYS days (they hold typed client text)."""
    return services.purge_old_drafts()
