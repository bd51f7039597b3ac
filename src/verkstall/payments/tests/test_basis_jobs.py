"""A large month's payment basis as a background job (issue 17 item 8, SPEC R9.4, R9.1): the
file for the finance system and the month close run as a task above
VERKSTALL_BACKGROUND_BASIS_LINES, with their progress on the jobs app's page; the file is the
same bytes as the request's own export, and its clients reach the access log when it is
downloaded."""

from __future__ import annotations

import re
from datetime import date

import pytest

from verkstall.audit.models import AccessLogEntry
from verkstall.core.clock import travel_to
from verkstall.jobs import services as job_services
from verkstall.jobs.models import Job
from verkstall.payments import job_kinds, services
from verkstall.payments.models import MonthClose, PaymentLine

from .conftest import at

APR_2 = date(2026, 4, 2)


def _job_of(response) -> Job:
    assert response.status_code == 302, response.content[:300]
    match = re.fullmatch(r"/jobs/(\d+)/", response["Location"])
    assert match, response["Location"]
    return Job.objects.get(pk=int(match.group(1)))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_large_months_file_is_made_by_a_task_with_the_same_bytes(pw, client, settings, fmt):
    orders = [pw.order(), pw.order(provider=pw.b)]
    url = f"/payments/basis/export.{fmt}?period=2026-03"
    with travel_to(at(APR_2)):
        client.force_login(pw.lov)
        inline = client.get(url).content  # 2 lines: at most the threshold, in the request
        settings.VERKSTALL_BACKGROUND_BASIS_LINES = 1
        client.force_login(pw.fee)
        # The link of a large month leads back to the page, whose buttons start the job.
        sent_back = client.get(url, follow=True).content.decode()
        assert "Underlaget har 2 rader: filen skapas i bakgrunden" in sent_back
        assert 'action="/payments/basis/export-job/"' in sent_back and not Job.objects.exists()
        job = _job_of(
            client.post("/payments/basis/export-job/", {"period": "2026-03", "format": fmt})
        )
        exported = AccessLogEntry.objects.filter(action="export", user_id=pw.fee.pk)
        assert not exported.exists()  # nothing has left yet
        page = client.get(f"/jobs/{job.pk}/").content.decode()
        assert "Jobbet väntar i kön" in page and 'hx-trigger="every 1s"' in page
        assert job_services.run_job(job_id=job.pk) == "done"
        page = client.get(f"/jobs/{job.pk}/").content.decode()
        assert "Underlaget för 2026-03: 2 rader" in page and 'hx-trigger="every 1s"' not in page
        download = client.get(f"/jobs/{job.pk}/file/")
    assert download.status_code == 200 and download.content == inline
    assert download["Content-Disposition"] == (
        f'attachment; filename="ersattningsunderlag-2026-03.{fmt}"'
    )
    logged = set(
        AccessLogEntry.objects.filter(action="export", user_id=pw.fee.pk).values_list(
            "person_id", flat=True
        )
    )
    assert logged == {o.person_id for o in orders}


def test_the_same_file_asked_twice_while_it_waits_is_one_job(pw, client, settings):
    pw.order()
    settings.VERKSTALL_BACKGROUND_BASIS_LINES = 0
    client.force_login(pw.lov)
    start = "/payments/basis/export-job/"
    with travel_to(at(APR_2)):
        first = _job_of(client.post(start, {"period": "2026-03", "format": "xlsx"}))
        again = _job_of(client.post(start, {"period": "2026-03", "format": "xlsx"}))
        other = _job_of(client.post(start, {"period": "2026-03", "format": "csv"}))
        for bad in (
            {"period": "2026-13", "format": "xlsx"},
            {"period": "2026-03", "format": "pdf"},
        ):
            assert client.post(start, bad).status_code == 400
    assert first == again != other
    assert Job.objects.count() == 2


def test_the_file_tells_its_progress_row_by_row(pw, settings, monkeypatch):
    from verkstall.payments import exports

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    for _ in range(5):
        pw.order()
    seen = []
    with travel_to(at(APR_2)):
        job_kinds.write_file(
            pw.lov,
            {"period": "2026-03", "provider": None, "format": "xlsx"},
            lambda step, done=0, total=0: seen.append((step, done, total)),
        )
    assert seen == [
        ("computing", 0, 0),
        ("naming", 0, 0),
        ("writing", 0, 5),
        ("writing", 2, 5),
        ("writing", 4, 5),
        ("writing", 5, 5),
    ]


def test_a_provider_managers_file_job_holds_only_its_own_provider(pw, client, settings):
    mine, theirs = pw.order(), pw.order(provider=pw.b)
    settings.VERKSTALL_BACKGROUND_BASIS_LINES = 0
    client.force_login(pw.manager_a)
    with travel_to(at(APR_2)):
        start = "/payments/basis/export-job/"
        other = client.post(start, {"period": "2026-03", "format": "csv", "provider": pw.b.pk})
        assert other.status_code == 404 and not Job.objects.exists()
        job = _job_of(client.post(start, {"period": "2026-03", "format": "csv"}))
        job_services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.params["provider"] == pw.a.pk
    assert job.person_ids == [mine.person_id] and theirs.person_id not in job.person_ids
    assert job.filename == f"ersattningsunderlag-2026-03-utforare-{pw.a.pk}.csv"
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 200
    # Nobody else sees it: not the municipality's LOV administrator, not the other manager.
    for other in (pw.lov, pw.manager_b):
        client.force_login(other)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/file/").status_code == 404
    # Nor the manager once moved to the other provider: the file is still provider A's.
    pw.manager_a.provider = pw.b
    pw.manager_a.save(update_fields=["provider"])
    client.force_login(pw.manager_a)
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 404


def test_a_municipality_file_is_not_read_by_its_starter_become_a_unit_manager(pw, client, settings):
    pw.order()
    settings.VERKSTALL_BACKGROUND_BASIS_LINES = 0
    client.force_login(pw.fee)
    with travel_to(at(APR_2)):
        job = _job_of(
            client.post("/payments/basis/export-job/", {"period": "2026-03", "format": "csv"})
        )
        job_services.run_job(job_id=job.pk)
        assert client.get(f"/jobs/{job.pk}/file/").status_code == 200
    pw.fee.role, pw.fee.provider = "provider_manager", pw.a
    pw.fee.save(update_fields=["role", "provider"])
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 404


def test_a_large_month_is_closed_by_a_task(pw, client, settings):  # R9.1
    pw.order(), pw.order(provider=pw.b)
    settings.VERKSTALL_BACKGROUND_BASIS_LINES = 1
    client.force_login(pw.lov)
    with travel_to(at(date(2026, 3, 4))):
        # What the close refuses at once is said on the form, not by a job.
        refused = client.post("/payments/months/close/", {"period": "2026-02"}, follow=True)
        assert "Ange skäl" in refused.content.decode() and not Job.objects.exists()
        job = _job_of(
            client.post("/payments/months/close/", {"period": "2026-02", "reason": "Bokslut"})
        )
        assert not MonthClose.objects.exists()
        assert job_services.run_job(job_id=job.pk) == "done"
        close = MonthClose.objects.get()
        assert (close.line_count, close.early, close.reason) == (2, True, "Bokslut")
        assert PaymentLine.objects.filter(close=close).count() == 2
        page = client.get(f"/jobs/{job.pk}/").content.decode()
        assert "Månaden 2026-02 är stängd: 2 rader" in page
        assert "/payments/basis/?period=2026-02" in page
        # A second close of the same month, queued before the first ran, fails with the reason.
        second = job_services.run_job(
            job_id=job_services.Job.objects.create(
                municipality=pw.muni,
                started_by=pw.lov,
                kind="month_close",
                params={"period": "2026-02", "reason": "Igen"},
                created_at=close.closed_at,
                updated_at=close.closed_at,
            ).pk
        )
    assert second == "failed"
    failed = Job.objects.get(params__reason="Igen")
    assert failed.failure == "Månaden 2026-02 är redan stängd."
    assert MonthClose.objects.count() == 1


def test_the_close_tells_its_progress_batch_by_batch(pw, monkeypatch):
    monkeypatch.setattr(services, "CLOSE_BATCH", 2)
    for _ in range(5):
        pw.order()
    seen = []
    with travel_to(at(date(2026, 3, 10))):
        services.close_month(
            pw.lov, period="2026-02", progress=lambda s, d=0, t=0: seen.append((s, d, t))
        )
    assert seen == [
        ("computing", 0, 0),
        ("naming", 0, 0),
        ("saving", 0, 5),
        ("saving", 2, 5),
        ("saving", 4, 5),
        ("saving", 5, 5),
    ]
    assert list(PaymentLine.objects.order_by("seq").values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_a_close_job_of_someone_no_longer_lov_admin_fails_with_the_reason(pw, settings):
    from verkstall.jobs import queue_services

    pw.order()
    with travel_to(at(date(2026, 3, 10))):
        job = queue_services.start_job(
            pw.lov, kind="month_close", params={"period": "2026-02", "reason": ""}
        )
        pw.lov.role = "fee_officer"
        pw.lov.save(update_fields=["role"])
        assert job_services.run_job(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.failure == "Din roll kan inte starta det här jobbet."
    assert not MonthClose.objects.exists()
