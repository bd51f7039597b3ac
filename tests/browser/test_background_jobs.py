"""The payment basis' long work in the browser (issue 17 item 8, SPEC R9.4, R9.1): with
VERKSTALL_BACKGROUND_BASIS_LINES at 0 every month is "large", so the LOV administrator's
Excel export and month close each land on a job page that says the job waits in the queue
while no worker runs; a worker (`db_worker --batch`, the real one) runs it, and the page,
polling by itself, shows the result without a reload. axe-core finds nothing on the page in
either state.

The live server runs on the real clock (core.clock.travel_to holds only in the test's own
thread), so the month is last month, already over; the data is written under travel_to as the
services would have written it then."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.jobs.models import Job
from verkstall.payments.basis_types import Period
from verkstall.tooling import testing as build

from .crawl import axe_violations
from .helpers import log_in

CARE = "hemtjanst-omvardnad"
JOB_URL = re.compile(r"/jobs/(\d+)/$")
QUEUED = "Jobbet väntar i kön på att en bakgrundsprocess ska starta det."


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def _month_with_orders(clients: int = 2) -> Period:
    """Region Gotland (profile `gotland`) with a price of granted care hours and `clients`
    orders started on the second day of last month: last month's basis has a line each."""
    from verkstall.decisions.models import ServiceType
    from verkstall.decisions.services import record_decision
    from verkstall.orders import services as orders
    from verkstall.payments import services as payments
    from verkstall.people.services import register_person
    from verkstall.providers.models import Contract

    period = Period.of(clock.today()).previous()
    start = date(period.first.year, period.first.month, 2)
    muni = build.municipality(name="Region Gotland", profile="gotland")
    unit = build.unit(muni, "Myndighetsavdelningen")
    area = build.area(muni, "Visby")
    officer = build.user(Role.OFFICER, muni, unit=unit, username="karin")
    lov = build.user(Role.LOV_ADMIN, muni, username="lovadmin")
    provider = build.provider(muni, "Björkens Hemtjänst")
    staff = build.user(Role.PROVIDER_STAFF, muni, provider=provider, username="bjorkens")
    Contract.objects.create(
        municipality=muni,
        provider=provider,
        service_type=ServiceType.objects.get(code=CARE),
        area=area,
        valid_from=date(2025, 1, 1),
    )
    with travel_to(_at(period.first, 10)):
        payments.add_price(
            lov, service_type=CARE, unit="granted_hour", amount="400", valid_from=period.first
        )
    for n in range(1, clients + 1):
        with travel_to(_at(start)):
            person = register_person(
                officer,
                personal_number=build.test_number(),
                first_name=f"Klient{n}",
                last_name="Gotlänning",
                street_address="Strandgatan 1",
                postal_code="62155",
                city="Visby",
                area=area.pk,
            )
            decision = record_decision(
                officer,
                person=person,
                decided_on=start,
                services=[
                    {"service_type": CARE, "scope_amount": "31", "scope_unit": "hours_per_month"}
                ],
            )
            order = orders.create_order(officer, decision=decision, provider=provider)
            orders.send_order(officer, order)
            orders.acknowledge_order(staff, order)
            orders.register_start(staff, order, start_date=start)
    return period


def _job_pk(page: Page) -> int:
    expect(page).to_have_url(JOB_URL)
    return int(JOB_URL.search(page.url).group(1))


def _queued_then_run(page: Page, kind: str, title: str) -> None:
    """On the job's page: it waits in the queue (said once in the live region, the counts
    not), axe finds nothing; the real worker runs it and the page, polling, says it is done."""
    pk = _job_pk(page)
    assert Job.objects.get(pk=pk).kind == kind
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    live = page.locator("#job-status")
    announce = page.locator("#job-announce")  # the live region: what changed, not the counts
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_have_text("Jobbet väntar i kön.")
    expect(live).to_contain_text(QUEUED)
    assert axe_violations(page) == []

    call_command("db_worker", "--batch", "--interval", "0")  # no reload: the page polls

    expect(live).to_contain_text("Klart")
    expect(announce).to_have_text("Jobbet är klart.")


@pytest.mark.browser
def test_a_large_basis_export_waits_for_a_worker_then_offers_its_file(
    page: Page, settings, tmp_path
):  # R9.4
    settings.VERKSTALL_BACKGROUND_BASIS_LINES = 0
    period = _month_with_orders()

    log_in(page, "lovadmin")
    page.goto(f"/payments/basis/?period={period.label}")
    # A large month: no download link but buttons that start the job (a POST).
    expect(page.get_by_role("link", name="Exportera (Excel)")).to_have_count(0)
    expect(page.locator("#basis-export-job")).to_contain_text("filen skapas i bakgrunden")
    page.get_by_role("button", name="Skapa Excel-fil").click()

    _queued_then_run(page, "payment_basis_file", "Ersättningsunderlag som fil")
    expect(page.locator("#job-result")).to_contain_text(f"Underlaget för {period.label}: 2 rader")
    link = page.locator("#job-file")
    expect(link).to_contain_text(f"ersattningsunderlag-{period.label}.xlsx")
    expect(page.locator("#job-status")).not_to_have_attribute("hx-trigger", "every 1s")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"ersattningsunderlag-{period.label}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved, read_only=True).worksheets[0]
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert header[0] == "Underlagsmånad"
    assert axe_violations(page) == []


@pytest.mark.browser
def test_a_large_month_close_waits_for_a_worker_then_the_month_is_closed(
    page: Page, settings
):  # R9.1
    settings.VERKSTALL_BACKGROUND_BASIS_LINES = 0
    period = _month_with_orders()

    log_in(page, "lovadmin")
    page.goto(f"/payments/basis/?period={period.label}")
    expect(page.locator("#month-state")).to_contain_text("Månaden är öppen")
    form = page.get_by_role("form", name="Stäng månaden")
    # Needed only before the month's registration deadline (the 5th of the next month).
    form.get_by_label("Skäl att stänga i förtid").fill("Bokslut")
    form.get_by_role("button", name=f"Stäng {period.label}").click()

    _queued_then_run(page, "month_close", "Stängning av månad")
    expect(page.locator("#job-result")).to_contain_text(
        f"Månaden {period.label} är stängd: 2 rader"
    )
    assert axe_violations(page) == []
    page.get_by_role("link", name=f"Visa underlaget för {period.label}").click()

    expect(page).to_have_url(re.compile(rf"/payments/basis/\?period={period.label}$"))
    expect(page.locator("#month-state")).to_contain_text("Månaden är stängd")
    expect(page.get_by_role("form", name="Stäng månaden")).to_have_count(0)
