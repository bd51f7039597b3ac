"""A background job's page and its file (issue 17 item 8).

The page shows the job's state and, while it is not finished, polls itself with htmx every
second for the status part (the kind's step text, "12 000 av 49 817 rader skrivna", and a
<progress>). A polite live region outside the polled part says only what changed ("Jobbet är
klart"): the poll tells which state it last saw (`?seen=`), and the answer carries the region
again (an htmx out-of-band swap) only when the state is another, so a screen reader is not
read the counts every second. A job waiting for a worker says so and how long it has waited; one
whose worker stopped says that too. Finished, it shows the kind's result (`result_template`)
and the file, if there is one, to download: the download writes every client in the file to
the access log as exported (R10.4), as the screen's own export does.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from verkstall.core import hooks

from . import registry, run_services, selectors
from .models import Job


def _number(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def step_text(kind: registry.JobKind, job: Job) -> str:
    """How far the running step has come ("12 000 av 33 859 rader skrivna"), or what it is."""
    step = kind.steps.get(job.step)
    if step is None:
        return ""
    if job.total and step.progress:
        return str(step.progress) % {"done": _number(job.done), "total": _number(job.total)}
    return str(step.label)


def announcement(kind: registry.JobKind, job: Job) -> str:
    """What the page's live region says: only when the step or the status changes (the
    counts are on the page, not read out every second), nothing for a failure (its own
    alert says it)."""
    if job.status == Job.Status.QUEUED:
        return str(_("Jobbet väntar i kön."))
    if job.status == Job.Status.RUNNING:
        step = kind.steps.get(job.step)
        return str(step.label) if step is not None else str(_("Jobbet pågår."))
    if job.status == Job.Status.DONE:
        return str(_("Jobbet är klart."))
    return ""


def seen(job: Job) -> str:
    return f"{job.status}:{job.step}"


def job_context(job: Job, *, announced: str | None = None) -> dict:
    """The page's context; `announced`: the state the polling page last announced (None on
    a whole page): the live region is sent again only when the state is another."""
    kind = registry.kind_of(job.kind)
    context = {
        "job": job,
        "kind": kind,
        "finished": job.finished,
        "step_text": step_text(kind, job),
        "waiting_long": run_services.waiting_long(job),
        "stale": run_services.is_stale(job),
        "back": kind.back(job),
        "has_file": bool(job.filename),
        "seen": seen(job),
        "announce": announced != seen(job),
        "announcement": announcement(kind, job),
    }
    if job.status == Job.Status.DONE and kind.result_context is not None:
        context |= kind.result_context(job)
    return context


@login_required
@require_GET
def job_page(request, pk):
    """One job's progress and, once finished, its result."""
    job = selectors.get_job(request.user, pk)
    if request.htmx:
        context = job_context(job, announced=request.GET.get("seen", ""))
        return render(request, "jobs/_job_status.html", context)
    return render(request, "jobs/job.html", job_context(job))


@login_required
@require_GET
def job_file(request, pk):
    """The finished job's file; its clients are logged as exported (R10.4)."""
    job = selectors.get_job(request.user, pk, with_file=True)
    if job.status != Job.Status.DONE or not job.filename:
        raise Http404
    hooks.emit(hooks.CLIENTS_READ, person_ids=list(job.person_ids))
    response = HttpResponse(bytes(job.file), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response
