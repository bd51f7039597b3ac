"""On-time statistics in the browser (SPEC R9.4, issue 15 item 7): a provider logs in, follows
"Frister i tid" and sees its on-time chart (server-drawn SVG with its title) and the table
beside it, with its own figures and the municipality's average, never another provider."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.decisions.services import record_decision
from verkstall.ontime import figures
from verkstall.orders import services as orders
from verkstall.people.services import register_person
from verkstall.tooling import testing as build

from .helpers import log_in


def _started_order(officer, area, provider, actor, first_name):
    person = register_person(
        officer,
        personal_number=build.test_number(),
        first_name=first_name,
        last_name="Tidsson",
        street_address="Testgatan 3",
        postal_code="16255",
        city="Vällingby",
        area=area.pk,
        phone="08-123 47",
    )
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today(),
        services=[
            {
                "service_type": "hemtjanst-omvardnad",
                "scope_amount": "20",
                "scope_unit": "hours_per_month",
            }
        ],
    )
    order = orders.create_order(officer, decision=decision, provider=provider)
    orders.send_order(officer, order)
    orders.acknowledge_order(actor, order, channel="")
    orders.register_start(actor, order, start_date=clock.today())


@pytest.mark.browser
def test_a_provider_sees_its_on_time_chart(page: Page):  # R9.4
    muni = build.municipality(name="Tidskommunen")
    unit = build.unit(muni, "Biståndsenheten")
    area = build.area(muni, "Centrum")
    officer = build.user(Role.OFFICER, muni, unit=unit, username="handlaggare")
    ours = build.provider(muni, "Punktlig Omsorg AB")
    other = build.provider(muni, "Annan Omsorg AB")
    staff = build.user(Role.PROVIDER_MANAGER, muni, provider=ours, username="punktlig")
    other_staff = build.user(Role.PROVIDER_STAFF, muni, provider=other, username="annan")
    _started_order(officer, area, ours, staff, "Asta")
    _started_order(officer, area, other, other_staff, "Berit")

    log_in(page, "punktlig")
    page.get_by_role("link", name="Frister i tid").click()
    # The acknowledge-and-start rule falls due within three weekdays: this month or the next.
    month = figures.month_of(clock.today())
    page.get_by_label("Från månad").fill(f"{month:%Y-%m}")
    page.get_by_label("Till och med månad").fill(f"{figures.add_months(month, 1):%Y-%m}")
    page.get_by_role("button", name="Visa").click()

    chart = page.get_by_role("img", name="Andel klarade i tid")
    expect(chart).to_be_visible()
    table = page.locator("#ontime-table")
    # One bar per row of the table: own figures and the average, per rule and month.
    assert chart.locator("rect.bar").count() == table.locator("tbody tr").count() >= 2
    expect(table).to_contain_text("Punktlig Omsorg AB")
    expect(table).to_contain_text("Kommunens genomsnitt")
    expect(table).to_contain_text("100")
    expect(page.locator("main")).not_to_contain_text("Annan Omsorg AB")
