"""The progress of a contract import run in the background (issue 17 item 8, SPEC R2.1).

The upload screen (views.contract_import) sends a large file here: the page shows the job's
state and, while it is not finished, polls itself with htmx every second for the status part
("Kontrollerar rad 1 200 av 5 000", a <progress> and an aria-live region). A job waiting for
a worker says so, and says how long it has waited; one whose worker stopped says that too.
When the job is done, the same report as the upload screen's is shown (_import_report.html).

The job is its municipality's LOV administrators' (import_selectors): 404 to anyone else.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from verkstall.core import clock

from . import import_selectors, import_services
from .import_models import ImportJob

# A job waiting this long for a worker is told to be waiting on one that may not be running.
WAITING_WARNING_SECONDS = 10


def job_context(job: ImportJob) -> dict:
    waited = (clock.now() - job.created_at).total_seconds()
    finished = job.finished
    return {
        "job": job,
        "finished": finished,
        "report": (
            import_services.report_from_result(job.result)
            if job.status == ImportJob.Status.DONE
            else None
        ),
        "failure": job.result.get("failure", "") if job.status == ImportJob.Status.FAILED else "",
        "waiting_long": job.status == ImportJob.Status.QUEUED and waited > WAITING_WARNING_SECONDS,
        "stale": import_services.is_stale(job),
    }


@login_required
@require_GET
def import_job(request, pk):
    """One contract import's progress and, once done, its report."""
    import_services.require_importer(request.user)
    job = import_selectors.get_import_job(request.user, pk)
    template = "providers/_import_job_status.html" if request.htmx else "providers/import_job.html"
    return render(request, template, job_context(job))
