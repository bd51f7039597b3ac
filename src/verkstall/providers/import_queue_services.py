"""The upload screen's contract import (SPEC R2.1, issue 17 item 8): a small file at once, in
the request; a large one as a background job with its progress shown.

A file of at most VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS rows (default 2 000) is imported
by `import_services.import_contracts` in the request. A larger one is kept as an `ImportJob`
and queued, once the transaction commits, for the task `providers.tasks.run_contract_import`
(`python -m verkstall db_worker` runs it); import_views.py shows its progress. The rows are
estimated cheaply (`estimate_rows`), without checking anything: the check itself is the same
on either path.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from verkstall.core import clock, uploads
from verkstall.core.errors import ValidationFailed
from verkstall.jobs import run_services

from . import importing, tasks
from .import_models import ImportJob
from .import_services import FAILED, finish_job, import_contracts, require_importer

logger = logging.getLogger(__name__)

# A check of 2 000 rows takes well under a second in the request (bench: python -m verkstall
# bench_contract_import); a job costs the worker's and the page's poll, a second or two.
DEFAULT_BACKGROUND_ROWS = 2000


def background_rows() -> int:
    """Files of more rows than this are imported as a background task."""
    return int(
        getattr(settings, "VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS)
    )


@dataclass
class Started:
    """What `start_import` did: a report (imported at once) or a job (queued)."""

    report: importing.ImportReport | None = None
    job: ImportJob | None = None


def estimate_rows(filename: str, content: bytes) -> int:
    """About how many rows the file has, cheaply, to choose inline or background: a CSV's
    non-blank lines after the header, an XLSX's first sheet's stated dimension (judged as a
    zip first, core.uploads). 0 for a file that cannot be read: the check, run inline, says why
    at once. A sheet that states a wrong size is judged by that size (it is only slower)."""
    if len(content) > importing.MAX_BYTES:
        return 0
    if not importing.is_xlsx(filename, content):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return 0
        return max(sum(1 for line in text.splitlines() if line.strip()) - 1, 0)
    from openpyxl import load_workbook

    book = None
    try:
        with uploads.open_zip(content, field="file"):
            pass
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return max((book.worksheets[0].max_row or 0) - 1, 0)
    except (ValidationFailed, zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        return 0
    finally:
        if book is not None:
            book.close()


def start_import(actor, *, filename: str, content: bytes, dry_run: bool = False) -> Started:
    """The upload screen's import: at once when the file is small, else a queued job."""
    require_importer(actor)
    rows = estimate_rows(filename, content)
    if rows <= background_rows():
        return Started(
            report=import_contracts(actor, filename=filename, content=content, dry_run=dry_run)
        )
    return Started(
        job=queue_import(actor, filename=filename, content=content, dry_run=dry_run, rows=rows)
    )


@transaction.atomic
def queue_import(actor, *, filename: str, content: bytes, dry_run: bool, rows: int) -> ImportJob:
    """A job for the file, queued for a worker once this transaction commits."""
    require_importer(actor)
    now = clock.now()
    job = ImportJob.objects.create(
        municipality_id=actor.municipality_id,
        started_by=actor,
        filename=filename[:255],
        content=content,
        dry_run=dry_run,
        rows_total=rows,
        created_at=now,
        updated_at=now,
    )
    run_services.queue_on_commit(tasks.run_contract_import, job.pk, failed=_failed)
    return job


def _failed(job_id: int) -> None:
    finish_job(job_id, ImportJob.Status.FAILED, {"failure": FAILED})
