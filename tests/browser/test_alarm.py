"""Safety alarm in the browser (SPEC R4.1, seed 002 §Utförare av trygghetslarm): the alarm
provider records on the order that it ordered the alarm from the aids centre, the aids centre
finds the alarm in its inbox with what an installer needs and records the installation; both
due items (larm-bestallt-hmc, larm-installerat) are met. Each step is seen by the role that
takes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.deadlines.models import DueItem
from verkstall.decisions.services import record_decision
from verkstall.orders import services as orders
from verkstall.people.services import register_person
from verkstall.tooling import testing as build

from .helpers import log_in, log_out


def _alarm_order():
    """Region Gotland (profile `gotland`): an order of a safety alarm, sent to Björkens."""
    muni = build.municipality(name="Region Gotland", profile="gotland")
    unit = build.unit(muni, "Myndighetsavdelningen")
    area = build.area(muni, "Visby")
    officer = build.user(Role.OFFICER, muni, unit=unit, username="karin")
    bjorkens = build.provider(muni, "Björkens Hemtjänst")
    build.user(Role.PROVIDER_STAFF, muni, provider=bjorkens, username="bjorkens")
    build.user(Role.AIDS_CENTRE, muni, username="hmc")
    person = register_person(
        officer,
        personal_number=build.test_number(),
        first_name="Bengt",
        last_name="Larmsson",
        street_address="Strandgatan 4",
        postal_code="62155",
        city="Visby",
        area=area.pk,
        phone="0498-12 34 56",
    )
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today(),
        services=[{"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"}],
    )
    order = orders.create_order(
        officer, decision=decision, provider=bjorkens, instructions="Nyckel hos grannen."
    )
    orders.send_order(officer, order)
    return order


def _status(order, code: str) -> str:
    return DueItem.objects.get(order=order, rule__code=code).status


@pytest.mark.browser
def test_alarm_ordered_by_the_provider_and_installed_by_the_aids_centre(page: Page):  # R4.1
    order = _alarm_order()
    assert _status(order, "larm-bestallt-hmc") == "open"
    assert not DueItem.objects.filter(order=order, rule__code="larm-installerat").exists()

    # The alarm provider: from the order, "larm beställt från hjälpmedelscentralen".
    log_in(page, "bjorkens")
    page.goto(f"/orders/{order.pk}/")
    page.locator("#alarm-link").get_by_role("link", name="Trygghetslarm").click()
    page.get_by_role("button", name="Larm beställt från hjälpmedelscentralen").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Larmet är registrerat som beställt från hjälpmedelscentralen."
    )
    status = page.locator("#alarm-status")
    expect(status).not_to_contain_text("Beställt från hjälpmedelscentralen: nej")
    assert _status(order, "larm-bestallt-hmc") == "met_on_time"
    assert _status(order, "larm-installerat") == "open"
    log_out(page)

    # The aids centre: its start page is the alarm inbox; the alarm waits with the address.
    log_in(page, "hmc")
    expect(page).to_have_url(re.compile(r"/alarms/$"))
    row = page.locator("#awaiting tr", has_text="Bengt Larmsson")
    expect(row).to_contain_text("Strandgatan 4")
    expect(row).to_contain_text("Björkens Hemtjänst")
    row.get_by_role("link", name="Bengt Larmsson").click()
    expect(page.locator("#installer")).to_contain_text("Nyckel hos grannen.")
    page.get_by_role("button", name="Larm installerat").click()
    expect(page.get_by_role("status")).to_contain_text("Larmet är registrerat som installerat.")
    expect(page.get_by_role("main")).to_contain_text("Inga larm väntar på installation.")
    assert _status(order, "larm-bestallt-hmc") == "met_on_time"
    assert _status(order, "larm-installerat") == "met_on_time"
    log_out(page)

    # The provider sees both steps on the order's alarm page.
    log_in(page, "bjorkens")
    page.goto(f"/orders/{order.pk}/alarm/")
    expect(page.locator("#alarm-status")).not_to_contain_text(": nej")
    expect(page.locator("#alarm-events")).to_contain_text("Larmet installerat")
