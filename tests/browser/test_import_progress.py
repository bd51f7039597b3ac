"""A large contract file in the browser (issue 17 item 8, SPEC R2.1): the LOV administrator
uploads it, lands on its progress page, which says the job waits in the queue while no worker
runs; a worker (`db_worker --batch`, the real one) runs it, and the page, polling by itself,
shows the report without a reload. axe-core finds nothing on the page in either state."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from verkstall.access.roles import Role
from verkstall.providers.models import Contract
from verkstall.tooling import testing as build

from .crawl import axe_violations
from .helpers import field, log_in

HEADER = "utförare;insats;område;från;till;ickeval;tar_emot_nya;skäl;till_och_med"
ROWS = [
    "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;ja;ja;;",
    "Omsorg B AB;hemtjanst-service;Västra området;2026-01-01;;ja;ja;;",
    "Omsorg B AB;hemtjanst-stad;Västra området;2026-01-01;;ja;nej;Fullt;",
]


@pytest.mark.browser
def test_a_large_check_waits_for_a_worker_then_shows_its_report(
    page: Page, world, settings, tmp_path
):  # R2.1
    settings.VERKSTALL_CONTRACT_IMPORT_BACKGROUND_ROWS = 2
    build.user(Role.LOV_ADMIN, world.muni, username="lovadmin")
    path = tmp_path / "avtal.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")

    log_in(page, "lovadmin")
    page.goto("/lov/contracts/import/")
    page.get_by_label(field("Fil (CSV eller Excel .xlsx)")).set_input_files(str(path))
    page.get_by_label("Kontrollera bara, spara inget").check()
    page.get_by_role("button", name="Importera").click()

    expect(page).to_have_url(re.compile(r"/lov/contracts/import/\d+/$"))
    expect(page.get_by_role("heading", name="Kontroll av avtalsfil")).to_be_visible()
    live = page.locator("#import-job-live")
    announce = page.locator("#job-announce")  # the live region: what changed, not the counts
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_have_text("Jobbet väntar i kön.")
    expect(live).to_contain_text("Jobbet väntar i kön på att en bakgrundsprocess ska starta det.")
    assert axe_violations(page) == []

    call_command("db_worker", "--batch", "--interval", "0")  # no reload: the page polls

    expect(page.locator("#import-check")).to_contain_text("Filen är korrekt")
    expect(page.locator("#import-check")).to_contain_text(
        "En import skulle ge 3 nya, 0 ändrade och 0 oförändrade avtalsrader."
    )
    expect(page.locator("#import-job-status")).not_to_have_attribute("hx-trigger", "every 1s")
    expect(announce).to_have_text("Kontrollen är klar.")
    assert axe_violations(page) == []
    assert Contract.objects.count() == 0
