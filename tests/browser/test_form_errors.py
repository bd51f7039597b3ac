"""Errors all at once, where they belong (issue 17 item 2), in the browser: a form with three
errors shows the three in one submit, in a summary at the top that has the focus and links to
each field; the fields are marked and keep what was typed. The browser's own one-at-a-time
checks of required fields are off (static/verkstall/forms.js), so even a form without
`novalidate` reaches the server and gets every error. A reload of a refused action's URL is
the page with its form, not an empty 405."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import log_in, order_pk_from


@pytest.mark.browser
def test_three_errors_in_one_submit_with_a_summary_linking_to_the_fields(page, world):
    log_in(page, "officer")
    page.goto("/clients/new/")
    page.get_by_label(re.compile(r"^Personnummer")).fill("")  # the three required fields empty
    page.get_by_label("Gatuadress").fill("Storgatan 1")
    page.get_by_role("button", name="Registrera", exact=True).click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Det finns fel i formuläret")
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    hrefs = [links.nth(i).get_attribute("href") for i in range(3)]
    assert hrefs == ["#id_personal_number", "#id_first_name", "#id_last_name"]
    for href in hrefs:
        field = page.locator(href)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".field-error").filter(has=field)).to_have_count(1)
    expect(page.get_by_label("Gatuadress")).to_have_value("Storgatan 1")  # what was typed is kept

    links.nth(1).click()  # a link in the summary takes the user to the field
    expect(page.locator("#id_first_name")).to_be_focused()


@pytest.mark.browser
def test_a_form_without_novalidate_still_reports_every_error(page, world):
    """The journal note's form: both required fields empty, the browser does not stop at the
    first; the server lists both."""
    person = world.person()
    log_in(page, "officer")
    page.goto(f"/clients/{person.pk}/journal/")
    page.get_by_role("button", name="Spara anteckning").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)


@pytest.mark.browser
def test_reloading_a_refused_action_shows_the_page_with_its_form(page, world):  # R3.3
    order = world.order(provider=world.provider_a, state="acknowledged")
    log_in(page, "staff_a")
    page.goto(f"/orders/{order.pk}/")
    start = page.locator(f'form[action="/orders/{order.pk}/start/"]')
    start.get_by_label("Verkställd från och med").fill("1980-01-01")  # outside the window
    start.get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/start/$"))
    expect(page.locator("[data-error-summary]")).to_be_focused()

    page.goto(page.url)  # the address bar, or the history: a GET of the action's URL
    assert order_pk_from(page) == order.pk
    expect(page.get_by_role("heading", level=1)).to_be_visible()
