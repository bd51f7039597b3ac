"""A create form is sent once (issue 18 item 1), in the browser: a double click on "Skapa
beställning" creates one order; back to the form and sending it again creates none and says
"Redan sparat". The decision is built through the services (`world`)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from verkstall.orders.models import Order

from .helpers import field, log_in


@pytest.mark.browser
def test_a_double_click_and_back_and_again_create_one_order(page: Page, world):
    decision = world.decision()
    log_in(page, "officer")
    page.goto(f"/decisions/{decision.pk}/orders/new/")
    page.get_by_label(field("Utförare")).select_option(label=world.provider_a.name)
    page.get_by_label(field("Information till utföraren")).fill("Nyckel i kodlåda")
    page.get_by_role("button", name="Skapa beställning").dblclick()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Beställningen är skapad som utkast")
    assert Order.objects.filter(decision=decision).count() == 1

    # Back to the form, and sent again: what was saved is shown, nothing more is created.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/orders/new/$"))
    button = page.get_by_role("button", name="Skapa beställning")
    expect(button).to_be_enabled()
    if not page.get_by_label(field("Information till utföraren")).input_value():
        page.get_by_label(field("Utförare")).select_option(label=world.provider_a.name)
        page.get_by_label(field("Information till utföraren")).fill("Nyckel i kodlåda")
    button.click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    expect(page.get_by_text("Redan sparat – formuläret skickades två gånger.")).to_be_visible()
    assert Order.objects.filter(decision=decision).count() == 1
