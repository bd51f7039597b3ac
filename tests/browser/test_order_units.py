"""The order form's unit list follows the provider (issue 17 item 4), in the browser: choosing
a provider swaps in its units alone (htmx asks the form's screen for the list), and the order
is created with one of them. The server side: orders/tests/test_order_form_provider.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from verkstall.orders.models import Order
from verkstall.tooling import testing as build

from .helpers import field, log_in


def _options(page: Page) -> list[str]:
    return page.get_by_label(field("Utförarenhet")).locator("option").all_inner_texts()


@pytest.mark.browser
def test_the_unit_list_follows_the_provider(page: Page, world):
    decision = world.decision()
    nord = build.provider_unit(world.provider_a, "A Nord")
    build.provider_unit(world.provider_a, "A Syd")
    build.provider_unit(world.provider_b, "B Enheten")
    log_in(page, "officer")
    page.goto(f"/decisions/{decision.pk}/orders/new/")
    expect(page.get_by_label(field("Utförarenhet"))).to_contain_text("Välj utförare först")

    page.get_by_label(field("Utförare")).select_option(label=world.provider_a.name)
    expect(page.get_by_label(field("Utförarenhet"))).to_contain_text("A Nord")
    assert _options(page) == ["–", "A Nord", "A Syd"]

    page.get_by_label(field("Utförare")).select_option(label=world.provider_b.name)
    expect(page.get_by_label(field("Utförarenhet"))).to_contain_text("B Enheten")
    assert _options(page) == ["–", "B Enheten"]

    page.get_by_label(field("Utförare")).select_option(label=world.provider_a.name)
    expect(page.get_by_label(field("Utförarenhet"))).to_contain_text("A Nord")
    page.get_by_label(field("Utförarenhet")).select_option(label="A Nord")
    page.get_by_role("button", name="Skapa beställning").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    assert Order.objects.get(decision=decision).provider_unit == nord
