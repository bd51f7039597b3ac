"""A large contract file checked and imported as a background task, its progress shown
(issue 17 item 8, SPEC R2.1): the same report as the import in the request, progress written as
rows are checked, a page that says when no worker has taken the job, and a job that only its
municipality's LOV administrators see."""

from __future__ import annotations

import io
import random
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import Workbook

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.jobs import run_services
from verkstall.providers import import_queue_services, import_services, importing
from verkstall.providers.import_models import ImportJob
from verkstall.providers.models import Contract
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HEADER = "utförare;insats;område;från;till;ickeval;tar_emot_nya;skäl;till_och_med"
GOOD = [
    "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;2026-06-30;ja;ja;;",
    "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-07-01;;ja;nej;Fullt;2026-09-30",
    "Omsorg B AB;hemtjanst-service;Västra området;2026-01-01;;nej;ja;;",
    "Omsorg B AB;hemtjanst-stad;Västra området;2026-01-01;;ja;ja;;",
]
BAD = [
    *GOOD,
    "Okänd Omsorg AB;hemtjanst-omvardnad;Västra området;2026-01-01;;ja;ja;;",
    "Omsorg B AB;matdistribution;Västra området;2026-01-01;;ja;ja;;",
    "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-03-01;;ja;ja;;",  # overlaps 2 and 3
    "Omsorg B AB;hemtjanst-service;Västra området;1 januari;;kanske;nej;;",
]


def csv_bytes(rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def lov_admin(world):
    return build.user(Role.LOV_ADMIN, world.muni, username="lovadmin")


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def upload(client, content: bytes, *, dry_run: bool = False, name: str = "avtal.csv"):
    data = {"file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/lov/contracts/import/", data)


def report_part(html: str) -> str:
    """The report card of a page (the part _import_report.html renders)."""
    found = re.search(r'<div class="card" id="import-(errors|check|done)".*?</div>', html, re.S)
    assert found, html
    return found.group(0)


def queued_job(actor, content: bytes, *, dry_run: bool = False) -> ImportJob:
    return import_queue_services.queue_import(
        actor, filename="avtal.csv", content=content, dry_run=dry_run, rows=5000
    )


# --- the same report, in the request or by the task --------------------------------------------


@pytest.mark.parametrize("rows,dry_run", [(BAD, False), (GOOD, True)], ids=["bad", "check"])
def test_the_task_and_the_request_give_the_same_report(
    client,
    world,
    lov_admin,
    immediate,
    settings,
    django_capture_on_commit_callbacks,
    rows,
    dry_run,
):  # R2.1
    client.force_login(lov_admin)
    content = csv_bytes(rows)
    settings.VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS = 100
    inline = upload(client, content, dry_run=dry_run)
    assert inline.status_code == 200 and not ImportJob.objects.exists()
    settings.VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        queued = upload(client, content, dry_run=dry_run)
    job = ImportJob.objects.get()
    assert queued.status_code == 302 and queued["Location"] == f"/lov/contracts/import/{job.pk}/"
    assert job.status == ImportJob.Status.DONE and job.content in (b"", memoryview(b""))
    page = client.get(queued["Location"])
    assert page.status_code == 200
    assert report_part(page.content.decode()) == report_part(inline.content.decode())
    assert 'hx-trigger="every 1s"' not in page.content.decode()  # finished: no more polling
    assert Contract.objects.count() == 0


def test_a_large_import_by_the_task_writes_and_reports_what_it_did(
    client, world, lov_admin, immediate, settings, django_capture_on_commit_callbacks
):  # R2.1
    client.force_login(lov_admin)
    settings.VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(GOOD))
    job = ImportJob.objects.get()
    assert job.result == {
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
        "errors": [],
    }
    assert Contract.objects.count() == 4
    html = client.get(response["Location"]).content.decode()
    assert "Importen är klar: 4 nya, 0 ändrade, 0 oförändrade avtalsrader." in html
    # The same file again, in the request: every line is there already.
    report = import_services.import_contracts(
        lov_admin, filename="avtal.csv", content=csv_bytes(GOOD)
    )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)


def test_a_small_file_is_imported_in_the_request_and_a_large_one_queued(world, lov_admin, settings):
    settings.VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS = 4
    small = import_queue_services.start_import(lov_admin, filename="a.csv", content=csv_bytes(GOOD))
    assert small.report is not None and small.report.ok and small.job is None
    large = import_queue_services.start_import(
        lov_admin, filename="a.csv", content=csv_bytes([*GOOD, "", GOOD[0]]), dry_run=True
    )
    assert large.report is None and large.job.status == ImportJob.Status.QUEUED
    assert (large.job.rows_total, large.job.dry_run) == (5, True)


def test_the_row_estimate_counts_csv_lines_and_the_sheets_stated_size():
    assert import_queue_services.estimate_rows("a.csv", csv_bytes(GOOD)) == 4
    assert import_queue_services.estimate_rows("a.csv", b"\xff\xfe not utf-8") == 0
    assert import_queue_services.estimate_rows("a.xlsx", b"PK\x03\x04 not a zip") == 0
    book = Workbook()
    for row in [HEADER.split(";"), *(r.split(";") for r in GOOD)]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    assert import_queue_services.estimate_rows("a.xlsx", out.getvalue()) == 4


# --- progress --------------------------------------------------------------------------------


def test_the_task_writes_its_progress_as_it_checks_the_rows(world, lov_admin, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(run_services, "PROGRESS_SECONDS", 0)
    seen = []
    write = run_services.Progress.__call__

    def spy(self, step, done, total):
        write(self, step, done, total)
        seen.append(ImportJob.objects.values_list("step", "rows_done", "rows_total").get())

    monkeypatch.setattr(run_services.Progress, "__call__", spy)
    rows = [
        f"Omsorg A AB;hemtjanst-omvardnad;Västra området;{2020 + n}-01-01;{2020 + n}-12-31;;;;"
        for n in range(7)
    ]
    job = queued_job(lov_admin, csv_bytes(rows))
    assert job.rows_total == 5000  # the estimate, until the task has read the file
    assert import_services.run_import_job(job_id=job.pk) == ImportJob.Status.DONE
    assert seen == [
        ("checking", 0, 7),
        ("checking", 2, 7),
        ("checking", 4, 7),
        ("checking", 6, 7),
        ("checking", 7, 7),
        ("saving", 7, 7),
    ]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("done", 7, 7)
    assert job.started_at and job.finished_at and Contract.objects.count() == 7


def test_progress_is_written_at_most_twice_a_second_between_first_and_last(lov_admin):
    job = queued_job(lov_admin, csv_bytes(GOOD))
    progress = run_services.Progress(
        ImportJob, job.pk, done_field="rows_done", total_field="rows_total"
    )
    progress("checking", 0, 1000)
    for done in range(100, 1000, 100):
        progress("checking", done, 1000)  # within half a second: not written
    assert ImportJob.objects.get().rows_done == 0
    progress("checking", 1000, 1000)
    assert ImportJob.objects.get().rows_done == 1000


def test_the_progress_page_says_which_row_is_checked_and_polls(client, world, lov_admin):
    client.force_login(lov_admin)
    job = queued_job(lov_admin, csv_bytes(GOOD))
    ImportJob.objects.filter(pk=job.pk).update(status="running", step="checking", rows_done=1200)
    html = client.get(f"/lov/contracts/import/{job.pk}/").content.decode()
    assert "Kontrollerar rad 1\xa0200 av 5\xa0000" in html
    assert '<progress aria-labelledby="import-job-text" max="5000" value="1200">' in html
    assert 'aria-live="polite"' in html and 'hx-trigger="every 1s"' in html
    partial = client.get(
        f"/lov/contracts/import/{job.pk}/?seen=running:checking", headers={"HX-Request": "true"}
    )
    text = partial.content.decode()  # the state the page saw: nothing read out again
    assert text.lstrip().startswith('<div id="import-job-status"') and "<html" not in text
    changed = client.get(
        f"/lov/contracts/import/{job.pk}/?seen=queued:reading", headers={"HX-Request": "true"}
    ).content.decode()  # another state: the live region again, out of band
    assert 'hx-swap-oob="true">Kontrollerar raderna.</p>' in changed
    assert "Kontrollerar rad 1\xa0200 av 5\xa0000" in text and 'hx-trigger="every 1s"' in text
    ImportJob.objects.filter(pk=job.pk).update(step="saving", rows_done=5000)
    assert (
        "Alla 5\xa0000 rader är kontrollerade. Sparar" in client.get(job_url(job)).content.decode()
    )


def job_url(job) -> str:
    return f"/lov/contracts/import/{job.pk}/"


def test_without_a_worker_the_page_says_the_job_waits_in_the_queue(
    client, world, lov_admin, django_capture_on_commit_callbacks
):
    """The database queue of the settings, and no worker: the job is queued as a task and
    waits; the page says so at once, and after ten seconds says a worker may not be running."""
    from django_tasks_db.models import DBTaskResult

    client.force_login(lov_admin)
    with django_capture_on_commit_callbacks(execute=True):
        job = queued_job(lov_admin, csv_bytes(GOOD))
    waiting = DBTaskResult.objects.get()
    assert waiting.status == "READY" and waiting.args_kwargs["args"] == [job.pk]
    html = client.get(job_url(job)).content.decode()
    assert "Jobbet väntar i kön på att en bakgrundsprocess ska starta det." in html
    assert 'hx-trigger="every 1s"' in html and "import-job-waiting" not in html
    ImportJob.objects.filter(pk=job.pk).update(created_at=clock.now() - timedelta(seconds=30))
    html = client.get(job_url(job)).content.decode()
    assert "Ingen bakgrundsprocess har startat jobbet" in html
    assert "python -m verkstall worker" in html
    # A worker runs it (what `db_worker` calls), and the page shows the report.
    assert import_services.run_import_job(job_id=job.pk) == ImportJob.Status.DONE
    assert "Importen är klar: 4 nya" in client.get(job_url(job)).content.decode()


def test_a_job_whose_worker_stopped_says_so_and_is_taken_over(client, world, lov_admin):
    client.force_login(lov_admin)
    job = queued_job(lov_admin, csv_bytes(GOOD))
    ImportJob.objects.filter(pk=job.pk).update(status="running", step="checking", rows_done=2)
    assert import_services.run_import_job(job_id=job.pk) == "skipped"  # running, alive
    assert "import-job-stale" not in client.get(job_url(job)).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(updated_at=clock.now() - timedelta(minutes=5))
    assert "Jobbet har inte kommit vidare sedan" in client.get(job_url(job)).content.decode()
    assert import_services.run_import_job(job_id=job.pk) == ImportJob.Status.DONE
    assert import_services.run_import_job(job_id=job.pk) == "skipped"  # safe to run twice
    assert Contract.objects.count() == 4


# --- refusals and failures ---------------------------------------------------------------------


def test_only_the_municipalitys_lov_administrators_see_a_job(client, world, lov_admin):
    job = queued_job(lov_admin, csv_bytes(GOOD))
    colleague = build.user(Role.LOV_ADMIN, world.muni)
    other = build.user(Role.LOV_ADMIN, build.municipality())
    client.force_login(colleague)
    assert client.get(job_url(job)).status_code == 200
    client.force_login(other)
    assert client.get(job_url(job)).status_code == 404
    assert client.get("/lov/contracts/import/999999/").status_code == 404
    for user in (world.officer, world.staff_a, build.user(Role.SYSTEM_ADMIN, world.muni)):
        client.force_login(user)
        assert client.get(job_url(job)).status_code == 403
    client.force_login(lov_admin)
    assert client.post(job_url(job)).status_code in (302, 405)  # a page to read, not to post


def test_a_task_that_fails_shows_a_swedish_message_and_never_a_500(
    client, world, lov_admin, monkeypatch
):
    client.force_login(lov_admin)
    job = queued_job(lov_admin, csv_bytes(GOOD))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_services, "import_contracts", broken)
    assert import_services.run_import_job(job_id=job.pk) == ImportJob.Status.FAILED
    response = client.get(job_url(job))
    html = response.content.decode()
    assert response.status_code == 200 and "Importen kunde inte slutföras" in html
    assert import_services.FAILED in html and "disk full" not in html
    assert 'hx-trigger="every 1s"' not in html and Contract.objects.count() == 0


def test_an_uploader_who_lost_the_role_gets_the_reason(client, world, lov_admin):
    job = queued_job(lov_admin, csv_bytes(GOOD))
    lov_admin.role = Role.FEE_OFFICER.value
    lov_admin.save()
    assert import_services.run_import_job(job_id=job.pk) == ImportJob.Status.FAILED
    assert "LOV-administratör" in ImportJob.objects.get().result["failure"]
    assert Contract.objects.count() == 0


def test_a_job_that_cannot_be_queued_fails_at_once(
    world, lov_admin, monkeypatch, django_capture_on_commit_callbacks
):
    from verkstall.providers import tasks

    def no_queue(*args, **kwargs):
        raise RuntimeError("no queue")

    monkeypatch.setattr(tasks, "run_contract_import", SimpleNamespace(enqueue=no_queue))
    with django_capture_on_commit_callbacks(execute=True):
        job = queued_job(lov_admin, csv_bytes(GOOD))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.result == {
        "failure": import_services.FAILED
    }


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\xff\xfe\x00garbage", "Filen är inte UTF-8-kodad."),
        (csv_bytes(["Omsorg A AB;hemtjanst-omvardnad"]).replace(b"insats", b"vad"), "Okänd kolumn"),
    ],
    ids=["not-utf-8", "unknown-column"],
)
def test_a_bad_file_gets_swedish_errors_by_either_path(
    client,
    world,
    lov_admin,
    immediate,
    settings,
    django_capture_on_commit_callbacks,
    content,
    message,
):  # R2.1
    client.force_login(lov_admin)
    inline = upload(client, content)
    assert inline.status_code == 200 and message in inline.content.decode()
    job = queued_job(lov_admin, content)
    import_services.run_import_job(job_id=job.pk)
    html = client.get(job_url(job)).content.decode()
    assert message in html and report_part(html) == report_part(inline.content.decode())


# --- the overlap check, grouped (issue 17 item 8) ----------------------------------------------


def naive_overlaps(lines, existing, report) -> None:
    """The check as it was before it grouped the lines: every pair compared."""
    seen = {}
    for ln in lines:
        if ln.key in seen:
            report.add_error(
                ln.line, "från", f"Samma avtalsrad finns redan på rad {seen[ln.key].line}."
            )
        else:
            seen[ln.key] = ln
    stored = [
        c
        for c in existing
        if (c.provider_id, c.service_type_id, c.area_id, c.valid_from) not in set(seen)
    ]
    unique = list(seen.values())
    for i, ln in enumerate(unique):
        group = (ln.provider.pk, ln.service_type.pk, ln.area.pk)
        for other in unique[:i]:
            if (other.provider.pk, other.service_type.pk, other.area.pk) == group and (
                importing._overlaps(ln.valid_from, ln.valid_to, other.valid_from, other.valid_to)
            ):
                report.add_error(
                    ln.line, "från", f"Perioden överlappar avtalsraden på rad {other.line}."
                )
        for c in stored:
            if (c.provider_id, c.service_type_id, c.area_id) == group and importing._overlaps(
                ln.valid_from, ln.valid_to, c.valid_from, c.valid_to
            ):
                report.add_error(
                    ln.line,
                    "från",
                    "Perioden överlappar en registrerad avtalsrad som gäller "
                    f"{importing._period(c.valid_from, c.valid_to)}.",
                )


def _period(draw_day, rng: random.Random):
    start = date(2026, 1, 1) + timedelta(days=draw_day)
    end = None if rng.random() < 0.3 else start + timedelta(days=rng.randrange(0, 60))
    return start, end


@hsettings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 40), m=st.integers(0, 20))
def test_the_grouped_overlap_check_finds_what_comparing_every_pair_finds(seed, n, m):
    rng = random.Random(seed)
    ids = [SimpleNamespace(pk=k) for k in range(3)]
    lines, existing = [], []
    for line in range(2, n + 2):
        start, end = _period(rng.randrange(0, 120, 15), rng)
        lines.append(
            importing.ContractLine(
                line=line,
                provider=rng.choice(ids),
                service_type=rng.choice(ids[:2]),
                area=ids[0],
                valid_from=start,
                valid_to=end,
                in_no_choice=True,
                accepts_new_clients=True,
                capacity_reason="",
                capacity_until=None,
            )
        )
    for _ in range(m):
        start, end = _period(rng.randrange(0, 120, 15), rng)
        existing.append(
            SimpleNamespace(
                provider_id=rng.randrange(3),
                service_type_id=rng.randrange(2),
                area_id=0,
                valid_from=start,
                valid_to=end,
            )
        )
    grouped, naive = importing.ImportReport(), importing.ImportReport()
    importing.check_overlaps(lines, existing, grouped)
    naive_overlaps(lines, existing, naive)
    importing.sort_errors(grouped)
    importing.sort_errors(naive)
    assert grouped.errors == naive.errors
