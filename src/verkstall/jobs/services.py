"""Writes of background jobs (issue 17 item 8): run one as its task, clean up (starting one:
queue_services.py).

`run_job` is the task's body: it claims the job (run_services: a task run twice does the
work once; a job whose worker died is taken over), runs the kind's work as the user who started
it with the progress written as it goes, and keeps the outcome, or a Swedish reason why it
failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils.translation import gettext as _

from verkstall.core import clock
from verkstall.core.errors import DomainError, PermissionDenied

from . import registry, run_services
from .models import Job

logger = logging.getLogger(__name__)

#: A finished job, with its file, is removed this many hours after it finished.
KEEP_HOURS = 24


def failed_message() -> str:
    return _(
        "Jobbet kunde inte slutföras på grund av ett tekniskt fel. Försök igen; kontakta "
        "systemförvaltaren om felet kvarstår."
    )


def kind_for(user, name: str) -> registry.JobKind:
    """The registered kind `name`, if `user` may start it; PermissionDenied otherwise."""
    kind = registry.kind_of(name)
    if kind is None:
        raise PermissionDenied(_("Jobbets slag finns inte längre i systemet."))
    if not kind.may_start(user):
        raise PermissionDenied(_("Din roll kan inte starta det här jobbet."))
    return kind


def finish(job_id: int, *, status: str, failure: str = "", outcome=None) -> None:
    now = clock.now()
    values = {"status": status, "failure": failure, "finished_at": now, "updated_at": now}
    if outcome is not None:
        values.update(
            result=dict(outcome.result),
            file=bytes(outcome.file),
            filename=outcome.filename[:255],
            content_type=outcome.content_type[:120],
            person_ids=sorted(set(outcome.person_ids)),
            file_size=len(outcome.file),
        )
    Job.objects.filter(pk=job_id).update(**values)


def run_job(*, job_id: int) -> str:
    """Run one queued job as the user who started it; returns its status ("skipped" when it
    was not waiting)."""
    job = run_services.claim(Job, job_id)
    if job is None:
        return "skipped"
    progress = run_services.Progress(Job, job_id)
    try:
        user = job.started_by
        kind = kind_for(user, job.kind)
        if user.municipality_id != job.municipality_id or not user.is_active:
            raise PermissionDenied(_("Du kan inte längre starta det här jobbet."))
        outcome = kind.run(user, dict(job.params), progress)
    except DomainError as exc:  # refused: the reason in Swedish, as the screen would say it
        finish(job_id, status=Job.Status.FAILED, failure=_domain_text(exc))
        return Job.Status.FAILED
    except Exception:
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        finish(job_id, status=Job.Status.FAILED, failure=failed_message())
        return Job.Status.FAILED
    finally:
        progress.close()
    finish(job_id, status=Job.Status.DONE, outcome=outcome)
    return Job.Status.DONE


def _domain_text(exc: DomainError) -> str:
    """Every message of a refusal (a ValidationFailed may carry several)."""
    errors = getattr(exc, "errors", None)
    if errors:
        return " ".join(str(m) for messages in errors.values() for m in messages)
    return str(exc.message)


def purge_finished_jobs() -> int:
    """Daily: remove jobs finished more than KEEP_HOURS ago (their files name clients), and
    jobs that never finished within a week (their task was lost with its queue)."""
    now = clock.now()
    old = Job.objects.filter(finished_at__lt=now - timedelta(hours=KEEP_HOURS))
    lost = Job.objects.filter(finished_at__isnull=True, created_at__lt=now - timedelta(days=7))
    return old.delete()[0] + lost.delete()[0]
