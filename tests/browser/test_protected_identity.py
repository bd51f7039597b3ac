"""Protected identity in the browser (SPEC R10.1, R10.5): the provider's staff open a protected
client's order and see the placeholder where the address and phone would be, never the data;
the log reviewer then finds that read in the access log (R10.4).
The client, the flag, the oral briefing and the sent order are built through the services
(`world`)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.orders import services as orders
from verkstall.people import protection_services
from verkstall.people.models import Protection
from verkstall.tooling import testing as build

from .helpers import log_in, log_out

STREET = "Hemliga vägen 7"
PHONE = "070-111 22 33"


@pytest.mark.browser
def test_provider_staff_see_the_placeholder_on_a_protected_clients_order(
    page: Page, world
):  # R10.5, R10.1
    person = world.person(street_address=STREET, phone=PHONE, city="Doldaby")
    protection_services.set_protection(
        world.officer, person, protection=Protection.PROTECTED_REGISTRATION
    )
    order = world.order(decision=world.decision(person))
    protection_services.record_oral_briefing(
        world.officer,
        order,
        told_name="Enhetschefen",
        told_at=clock.now() - timedelta(minutes=10),
    )
    orders.send_order(world.officer, order)

    log_in(page, "staff_a")
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=f"#{order.pk}", exact=True)
    )
    expect(row).to_contain_text("Skyddade personuppgifter")
    row.get_by_role("link", name=f"#{order.pk}", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))

    document = page.get_by_role("region", name="Beställningen", exact=True)
    expect(document).to_contain_text(person.full_name)
    expect(document).to_contain_text(person.formatted_personal_number)
    expect(document).to_contain_text("Skyddade personuppgifter")
    expect(page.locator("#client-address")).to_have_text("Skyddade uppgifter")
    expect(page.locator("body")).not_to_contain_text(STREET)
    expect(page.locator("body")).not_to_contain_text(PHONE)
    expect(page.locator("body")).not_to_contain_text("Doldaby")

    # The log reviewer finds who read the client, searching by personnummer (R10.4).
    build.user(Role.LOG_REVIEWER, world.muni, username="reviewer")
    log_out(page)
    log_in(page, "reviewer")
    page.get_by_label("Klientens personnummer").fill(person.formatted_personal_number)
    page.get_by_role("button", name="Sök klient").click()
    expect(page.locator("#log-client")).to_contain_text(person.full_name)
    assert person.personal_number not in page.url
    rows = page.locator("#log-rows tbody tr")
    read = rows.filter(has_text="staff_a").filter(has_text=f"/orders/{order.pk}/")
    expect(read.first).to_contain_text("Visning")
    expect(read.first).to_contain_text("Utförare, personal")
