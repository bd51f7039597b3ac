"""Background work of the providers app, as django-tasks tasks (ARCHITECTURE "background work"),
run by `python -m verkstall worker`.

`run_contract_import` checks (and imports) a large contract spreadsheet that the upload screen
queued as an `ImportJob` (import_services.py, issue 17 item 8). Safe to run twice: a job that
is no longer waiting is left alone.
"""

from __future__ import annotations

from django_tasks import task

from .import_services import run_import_job


@task()
def run_contract_import(job_id: int) -> str:
    """Run one queued contract import; returns the job's status."""
    return str(run_import_job(job_id=job_id))
