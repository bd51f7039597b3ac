"""The LOV contract import (SPEC R2.1): check a spreadsheet and write it, all rows or none; and
the work of a background import job (issue 17 item 8).

`import_contracts` checks and writes one file and returns its report (importing.py reads and
checks; this module writes). The upload screen goes through import_queue_services.py, which
imports a small file at once and queues a large one as an `ImportJob`; the task
`providers.tasks.run_contract_import` then runs `run_import_job` here, which runs the same
`import_contracts` as the user who uploaded the file, writing how many rows it has checked as
it goes, and keeps the report on the job for the page that polls it (import_views.py).

The check reads outside a transaction, so that the job's progress rows are committed (and seen
by the polling screen) as they are written; the writes run in one transaction that first locks
the municipality's contract lines and checks the overlaps again against what is then
registered, so a line registered while the file was checked cannot slip through.
"""

from __future__ import annotations

import functools
import logging

from django.db import IntegrityError, transaction

from verkstall.core import clock
from verkstall.core.errors import DomainError, PermissionDenied
from verkstall.jobs import run_services

from . import importing, selectors
from .import_models import ImportJob
from .models import Contract
from .services import may_administer_lov

logger = logging.getLogger(__name__)

BATCH = 500  # rows per INSERT or UPDATE statement
# A line named again changes only these (the others are its key: provider, type, area, from).
UPDATED_FIELDS = (
    "valid_to",
    "in_no_choice",
    "accepts_new_clients",
    "capacity_reason",
    "capacity_until",
)
FAILED = "Importen kunde inte slutföras på grund av ett tekniskt fel. Ingenting har sparats."


def require_importer(actor, municipality_id: int | None = None) -> None:
    """Only the municipality's LOV administrator imports its contracts (SPEC "Actors")."""
    if not may_administer_lov(actor) or (
        municipality_id is not None and actor.municipality_id != municipality_id
    ):
        raise PermissionDenied("Endast kommunens LOV-administratör kan ändra detta.")


# --- one file, checked and written ------------------------------------------------------------


def import_contracts(
    actor, *, filename: str, content: bytes, dry_run: bool = False, progress=None
) -> importing.ImportReport:
    """Import the contract spreadsheet (CSV or XLSX; format in `importing`) into the LOV
    administrator's municipality: all rows or none.

    Every row is checked first; any bad row means nothing is written and the report lists
    each bad row by line, field and a Swedish message. A good file creates the lines that are
    new and updates the ones it names again (same provider, service type, area and start
    date). With `dry_run` the writes run and are rolled back, so the report says exactly what
    an import would do, database checks included. `progress(step, done, total)`, if given,
    hears how far it has come: step "checking" with the rows checked, then "saving".
    """
    require_importer(actor)
    municipality_id = actor.municipality_id
    on_row = functools.partial(progress, ImportJob.Step.CHECKING) if progress else None
    report = importing.check_file(
        filename,
        content,
        lookups=selectors.import_lookups(municipality_id),
        existing=selectors.contract_lines(municipality_id),
        progress=on_row,
    )
    if report.errors:
        return report
    if progress:
        progress(ImportJob.Step.SAVING, report.rows, report.rows)
    _write(municipality_id, report, dry_run=dry_run)
    report.dry_run = dry_run
    return report


@transaction.atomic
def _write(municipality_id: int, report: importing.ImportReport, *, dry_run: bool) -> None:
    """The checked lines, in one transaction: new ones inserted and changed ones updated in
    batches (not one statement a row), or nothing if the database refuses any."""
    registered = {
        (c.provider_id, c.service_type_id, c.area_id, c.valid_from): c
        for c in Contract.objects.select_for_update().filter(municipality_id=municipality_id)
    }
    importing.check_overlaps(report.lines, list(registered.values()), report)
    if report.errors:
        importing.sort_errors(report)
        report.lines = []
        return
    new, changed = [], []
    for line in report.lines:
        current = registered.get(line.key)
        if current is None:
            new.append(Contract(municipality_id=municipality_id, **line.values()))
        elif any(getattr(current, f) != getattr(line, f) for f in UPDATED_FIELDS):
            for f in UPDATED_FIELDS:
                setattr(current, f, getattr(line, f))
            changed.append(current)
    try:
        with transaction.atomic():
            Contract.objects.bulk_create(new, batch_size=BATCH)
            Contract.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=BATCH)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as exc:
        report.add_error(0, "", f"Databasen vägrade importen; inget sparades ({exc}).")
        return
    report.created, report.updated = len(new), len(changed)
    report.unchanged = len(report.lines) - len(new) - len(changed)


# --- the task's work ---------------------------------------------------------------------------


def is_stale(job: ImportJob) -> bool:
    """A running import whose worker is gone (jobs.run_services.is_stale)."""
    return run_services.is_stale(job)


def finish_job(job_id: int, status: str, result: dict, rows: int | None = None) -> None:
    """The job finished: its status and result kept, the file's bytes cleared."""
    now = clock.now()
    changes = {"status": status, "result": result, "content": b"", "finished_at": now}
    if rows is not None:
        changes.update(rows_done=rows, rows_total=rows)
    ImportJob.objects.filter(pk=job_id).update(updated_at=now, **changes)


def run_import_job(*, job_id: int) -> str:
    """Check (and import) a queued job's file as the user who uploaded it, writing progress as
    it goes; the report, or why it failed, is kept on the job. Returns the job's status."""
    job = run_services.claim(ImportJob, job_id)
    if job is None:
        return "skipped"
    progress = run_services.Progress(
        ImportJob, job_id, done_field="rows_done", total_field="rows_total"
    )
    try:
        require_importer(job.started_by, job.municipality_id)
        report = import_contracts(
            job.started_by,
            filename=job.filename,
            content=bytes(job.content),
            dry_run=job.dry_run,
            progress=progress,
        )
    except DomainError as exc:  # the uploader is no longer the LOV administrator
        finish_job(job_id, ImportJob.Status.FAILED, {"failure": exc.message})
        return ImportJob.Status.FAILED
    except Exception:
        logger.exception("Contract import %s failed", job_id)
        finish_job(job_id, ImportJob.Status.FAILED, {"failure": FAILED})
        return ImportJob.Status.FAILED
    finally:
        progress.close()
    finish_job(job_id, ImportJob.Status.DONE, report_result(report), rows=report.rows)
    return ImportJob.Status.DONE


def report_result(report: importing.ImportReport) -> dict:
    """A report as the job keeps it (JSON)."""
    return {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "dry_run": report.dry_run,
        "errors": [[e.line, e.field, e.message] for e in report.errors],
    }


def report_from_result(result: dict) -> importing.ImportReport:
    """The report a job kept, to be shown as the inline import shows its own."""
    return importing.ImportReport(
        rows=result.get("rows", 0),
        errors=[importing.RowError(*e) for e in result.get("errors", ())],
        created=result.get("created", 0),
        updated=result.get("updated", 0),
        unchanged=result.get("unchanged", 0),
        dry_run=result.get("dry_run", False),
    )
