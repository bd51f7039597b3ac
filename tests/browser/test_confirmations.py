"""No irreversible action on one click, in the browser (issue 17 item 3): the officer cannot
cancel an order without a reason; with one, a page "Kontrollera innan du makulerar ..." says
what will happen, "Tillbaka" keeps what was typed, and only "Bekräfta" cancels (R3.9)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from verkstall.orders.models import Order, OrderEvent

from .helpers import field, log_in

REASON = "Anledning till makuleringen"


@pytest.mark.browser
def test_officer_cancels_only_with_a_reason_and_after_confirming(page, world):
    order = world.order(state="sent")
    log_in(page, "officer")
    page.goto(f"/orders/{order.pk}/")
    cancel = page.get_by_role("form", name="makulera")

    # Without a reason: refused, the error by the field and in the summary, nothing changed.
    cancel.get_by_role("button", name="Makulera", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/cancel/$"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Ange varför beställningen makuleras.")
    reason = page.get_by_label(field(REASON))
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#order-state")).to_have_text("Skickad")
    assert Order.objects.get(pk=order.pk).state == "sent"

    # With a reason: the confirmation page says what will happen; nothing is done yet.
    reason.fill("Klienten har flyttat till en annan kommun.")
    page.get_by_role("form", name="makulera").get_by_role(
        "button", name="Makulera", exact=True
    ).click()
    heading = f"Kontrollera innan du makulerar beställning #{order.pk}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page).to_have_title(f"{heading} – Verkställ")
    facts = page.locator("dl#confirm-facts")
    expect(facts.locator("dt:text-is('Anledning') + dd")).to_have_text(
        "Klienten har flyttat till en annan kommun."
    )
    expect(page.locator("#confirm-consequences")).to_contain_text("Det går inte att ångra")
    assert Order.objects.get(pk=order.pk).state == "sent"

    # Tillbaka: the order page again, with the reason as it was typed.
    page.get_by_role("button", name="Tillbaka", exact=True).click()
    expect(page.locator("#order-state")).to_have_text("Skickad")
    expect(page.get_by_label(field(REASON))).to_have_value(
        "Klienten har flyttat till en annan kommun."
    )
    assert Order.objects.get(pk=order.pk).state == "sent"

    # Makulera again, then Bekräfta: cancelled, with the reason in the history.
    page.get_by_role("form", name="makulera").get_by_role(
        "button", name="Makulera", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.get_by_role("button", name="Bekräfta", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Beställningen är makulerad.")
    expect(page.locator("#order-state")).to_have_text("Makulerad")
    expect(page.locator("#events tbody tr").last).to_contain_text(
        "Klienten har flyttat till en annan kommun."
    )
    event = OrderEvent.objects.get(order=order, kind="cancelled")
    assert event.data == {"reason": "Klienten har flyttat till en annan kommun."}
    assert event.actor == world.officer
