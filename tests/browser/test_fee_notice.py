"""Fee notices in the browser (SPEC R9.3, seed 002 §Verkställighet av avgift): the provider
registers a start and tells the fee officer of cancelled visits on the order page; the fee
officer logs in to its inbox, sees both notices (and both on its watchlist), and marks one
handled."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.decisions.services import record_decision
from verkstall.orders import services as orders
from verkstall.people.services import register_person
from verkstall.tooling import testing as build

from .helpers import log_in, log_out

HOURS = "hours_per_month"
RULE = "Förändring som påverkar avgiften till avgiftshandläggaren"


def _started_order():
    """Region Gotland (profile `gotland`): 4 hours a month of service, started today."""
    muni = build.municipality(name="Region Gotland", profile="gotland")
    unit = build.unit(muni, "Myndighetsavdelningen")
    area = build.area(muni, "Visby")
    officer = build.user(Role.OFFICER, muni, unit=unit, username="karin")
    bjorkens = build.provider(muni, "Björkens Hemtjänst")
    staff = build.user(Role.PROVIDER_STAFF, muni, provider=bjorkens, username="bjorkens")
    build.user(Role.FEE_OFFICER, muni, username="avgift")
    person = register_person(
        officer,
        personal_number=build.test_number(),
        first_name="Signe",
        last_name="Timgren",
        street_address="Strandgatan 9",
        postal_code="62155",
        city="Visby",
        area=area.pk,
    )
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today(),
        services=[{"service_type": "hemtjanst-service", "scope_amount": "4", "scope_unit": HOURS}],
    )
    order = orders.create_order(officer, decision=decision, provider=bjorkens)
    orders.send_order(officer, order)
    orders.acknowledge_order(staff, order)
    orders.register_start(staff, order, start_date=clock.today())
    return order


@pytest.mark.browser
def test_the_fee_officer_logs_in_and_sees_a_fee_notice(page: Page):  # R9.3
    order = _started_order()

    # The provider tells the fee officer of a change the system cannot see.
    log_in(page, "bjorkens")
    page.goto(f"/orders/{order.pk}/")
    panel = page.locator("#fee-notice-panel")
    panel.locator("summary").click()
    panel.get_by_label("Vad har ändrats som påverkar avgiften").fill("Signe avbokade två besök.")
    panel.get_by_label("Från och med").fill(f"{clock.today():%Y-%m-%d}")
    panel.get_by_role("button", name="Skicka till avgiftshandläggaren").click()
    expect(page.get_by_role("status")).to_contain_text("Avgiftshandläggaren har fått meddelandet.")
    expect(page.locator("#order-fee-notices")).to_contain_text("Signe avbokade två besök.")
    log_out(page)

    # The fee officer: its start page is the inbox, with the start and the provider's notice.
    log_in(page, "avgift")
    expect(page).to_have_url(re.compile(r"/fee-notices/$"))
    notices = page.locator("#fee-notices")
    start = notices.locator("tr", has_text="Insatsen verkställd")
    expect(start).to_contain_text("Signe Timgren")
    expect(start).to_contain_text("4 timmar per månad")
    reported = notices.locator("tr", has_text="Signe avbokade två besök.")
    expect(reported).to_contain_text("Meddelande från utföraren")
    expect(reported).to_contain_text("Björkens Hemtjänst")

    # Both are on its watchlist, to be handled as soon as possible.
    page.get_by_role("navigation").get_by_role("link", name="Bevakning").click()
    rows = page.locator("table.watchlist tbody tr", has_text=RULE)
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Signe Timgren")

    # It handles the provider's notice with a note; the start stays in the inbox.
    page.get_by_role("navigation").get_by_role("link", name="Avgiftsmeddelanden").click()
    reported = page.locator("#fee-notices tr", has_text="Signe avbokade två besök.")
    reported.get_by_label("Anteckning (valfri)").fill("Avgiften minskad för två besök.")
    reported.get_by_role("button", name="Markera som hanterat").click()
    expect(page.get_by_role("status")).to_contain_text("Meddelandet om Signe Timgren är hanterat.")
    expect(page.locator("#fee-notices")).not_to_contain_text("Signe avbokade två besök.")
    expect(page.locator("#fee-notices")).to_contain_text("Insatsen verkställd")
    page.get_by_role("link", name="Hanterade").click()
    expect(page.locator("#fee-notices")).to_contain_text("Avgiften minskad för två besök.")
