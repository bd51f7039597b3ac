"""The LOV contract import at municipality size (issue 17 item 8):
`python -m verkstall bench_contract_import [--rows 5000] [--runs 3]`.

A file of `rows` contract lines (50 providers, 25 areas, the four LOV service types of home
care, two periods per provider, type and area, so the overlap check has pairs to compare) is
checked and imported by the LOV administrator, and the figures are printed: the check alone
(`importing.check_file`), the dry run the upload screen's "Kontrollera bara" does (the check
plus the writes, rolled back), the same through the screen (HTTP, middleware, access log,
template) in the request and as a queued job run by the task, the check of the same rows as
an XLSX workbook, the import, and the check of the same file again once every line is registered
(then every row updates a line and the overlap check meets the registered ones).

Everything runs in one transaction that is rolled back, so the database (which must be
migrated) is left as it was. Printed for people, never asserted on time (ARCHITECTURE:
benchmarks print, tests count queries).
"""

from __future__ import annotations

import io
import time
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings

from verkstall.access.roles import Role
from verkstall.providers import import_services, importing, selectors
from verkstall.providers.import_models import ImportJob
from verkstall.providers.import_services import run_import_job
from verkstall.tooling import testing as build
from verkstall.tooling.measure import count_queries

PROVIDERS = 50
AREAS = 25
TYPES = ("hemtjanst-service", "hemtjanst-omvardnad", "hemtjanst-stad", "boendestod")
PERIODS = (("2025-01-01", "2025-12-31"), ("2026-01-01", ""))
HEADER = "utförare;insats;område;från;till;ickeval;tar_emot_nya;skäl;till_och_med"


def contract_csv(rows: int) -> bytes:
    """`rows` good lines: each (provider, type, area) with its two periods, the second open."""
    lines = [HEADER]
    for i in range(rows):
        group, period = divmod(i, len(PERIODS))
        provider = group % PROVIDERS
        area = (group // PROVIDERS) % AREAS
        kind = TYPES[(group // (PROVIDERS * AREAS)) % len(TYPES)]
        start, end = PERIODS[period]
        full = period == 1 and i % 7 == 0
        lines.append(
            f"Bänkutförare {provider:03d} AB;{kind};Bänkområde {area:02d};{start};{end};ja;"
            + ("nej;Kapacitetstak nått;" if full else "ja;;")
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def contract_xlsx(content: bytes) -> bytes:
    """The same rows as an Excel workbook."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in content.decode("utf-8").splitlines():
        sheet.append([cell or None for cell in line.split(";")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _timed(label: str, fn, results: list[dict]):
    with count_queries() as queries:
        t0 = time.perf_counter()
        outcome = fn()
        seconds = time.perf_counter() - t0
    results.append({"step": label, "seconds": round(seconds, 3), "queries": queries[0]})
    return outcome


def run(rows: int = 5000) -> list[dict]:
    """Each step once, in one transaction rolled back at the end."""
    if rows > PROVIDERS * AREAS * len(TYPES) * len(PERIODS):
        raise ValueError("more rows than distinct contract lines")
    content = contract_csv(rows)
    results: list[dict] = []
    with transaction.atomic():
        muni = build.municipality(profile="gotland")
        for n in range(PROVIDERS):
            build.provider(muni, f"Bänkutförare {n:03d} AB")
        for n in range(AREAS):
            build.area(muni, f"Bänkområde {n:02d}")
        admin = build.user(Role.LOV_ADMIN, muni)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin)

        def check_of(filename, data):
            return importing.check_file(
                filename,
                data,
                lookups=selectors.import_lookups(muni.pk),
                existing=selectors.contract_lines(muni.pk),
            )

        def check():
            return check_of("avtal.csv", content)

        def dry_run():
            return import_services.import_contracts(
                admin, filename="avtal.csv", content=content, dry_run=True
            )

        def screen(name="avtal.csv", data=content):
            upload = SimpleUploadedFile(name, data, content_type="text/csv")
            return client.post("/lov/contracts/import/", {"file": upload, "dry_run": "on"})

        def screen_inline():
            with override_settings(VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS=rows):
                return screen()

        report = _timed("check (importing.check_file)", check, results)
        assert report.ok, report.errors[:3]
        report = _timed("dry run (check + writes rolled back)", dry_run, results)
        assert report.ok and report.created == rows, report.errors[:3]
        response = _timed("dry run through the screen, inline", screen_inline, results)
        assert response.status_code == 200, response.status_code
        response = _timed("dry run through the screen, queues a job", screen, results)
        assert response.status_code == 302, response.status_code
        job = ImportJob.objects.latest("pk")
        status = _timed(
            "  the job, run by the task", lambda: run_import_job(job_id=job.pk), results
        )
        assert status == ImportJob.Status.DONE, job.result
        workbook = contract_xlsx(content)
        xlsx = _timed("  XLSX: check", lambda: check_of("avtal.xlsx", workbook), results)
        assert xlsx.ok, xlsx.errors[:3]
        report = _timed(
            "import",
            lambda: import_services.import_contracts(admin, filename="avtal.csv", content=content),
            results,
        )
        assert report.created == rows, report.errors[:3]
        report = _timed("dry run again, all registered", dry_run, results)
        assert report.ok and report.unchanged == rows, report.errors[:3]
        transaction.set_rollback(True)
    for r in results:
        r["rows"] = rows
        r["day"] = date.today().isoformat()
    return results


def table(results: list[dict]) -> str:
    width = max(len(r["step"]) for r in results)
    lines = [f"{'step':<{width}}  {'rows':>6}  {'seconds':>8}  {'queries':>8}"]
    for r in results:
        lines.append(
            f"{r['step']:<{width}}  {r['rows']:>6}  {r['seconds']:>8.3f}  {r['queries']:>8}"
        )
    return "\n".join(lines)
