"""The progress of a contract import run in the background (issue 17 item 8, SPEC R2.1).

The upload screen (views.contract_import) sends a large file here: the page shows the job's
state and, while it is not finished, polls itself with htmx every second for the status part
("Kontrollerar rad 1 200 av 5 000" and a <progress>); a polite live region outside it says
only what changed (jobs/_announce.html, as on the other jobs' page). A job waiting for
a worker says so, and says how long it has waited; one whose worker stopped says that too.
When the job is done, the same report as the upload screen's is shown (_import_report.html).

The job is its municipality's LOV administrators' (import_selectors): 404 to anyone else.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from verkstall.jobs import run_services

from . import import_selectors, import_services
from .import_models import ImportJob


def announcement(job: ImportJob) -> str:
    """What the page's live region says when the state changes (jobs/views.py does the same
    for the other jobs): the step, or that the check is done; a failure says it itself."""
    if job.status == ImportJob.Status.QUEUED:
        return str(_("Jobbet väntar i kön."))
    if job.status == ImportJob.Status.RUNNING:
        return str(ImportJob.Step(job.step).label) + "."
    if job.status == ImportJob.Status.DONE:
        return str(_("Kontrollen är klar."))
    return ""


def job_context(job: ImportJob, *, announced: str | None = None) -> dict:
    """The page's context; `announced`: the state the polling page last announced (None on
    a whole page): the live region is sent again only when the state is another."""
    seen = f"{job.status}:{job.step}"
    return {
        "job": job,
        "finished": job.finished,
        "report": (
            import_services.report_from_result(job.result)
            if job.status == ImportJob.Status.DONE
            else None
        ),
        "failure": job.result.get("failure", "") if job.status == ImportJob.Status.FAILED else "",
        "waiting_long": run_services.waiting_long(job),
        "stale": import_services.is_stale(job),
        "seen": seen,
        "announce": announced != seen,
        "announcement": announcement(job),
    }


@login_required
@require_GET
def import_job(request, pk):
    """One contract import's progress and, once done, its report."""
    import_services.require_importer(request.user)
    job = import_selectors.get_import_job(request.user, pk)
    if request.htmx:
        context = job_context(job, announced=request.GET.get("seen", ""))
        return render(request, "providers/_import_job_status.html", context)
    return render(request, "providers/import_job.html", job_context(job))
