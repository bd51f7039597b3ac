"""Steps shared by the browser tests: log in and out, find a field, act on an order."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "pw-test-123"


def field(text: str) -> re.Pattern:
    """A form field's label: Django renders "Label:", and "Utförare" must not match
    "Utförarenhet"."""
    return re.compile(rf"^{re.escape(text)}:?$")


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()


def order_pk_from(page: Page) -> int:
    match = re.search(r"/orders/(\d+)/$", page.url)
    assert match, f"not on an order page: {page.url}"
    return int(match.group(1))


#: The order page's actions that ask first (issue 17 item 3): their button shows the page
#: "Kontrollera innan du ...", where "Bekräfta" does it.
ASKS_FIRST = frozenset({"Skicka", "Avsluta", "Makulera"})


def confirm(page: Page) -> None:
    """On the confirmation page "Kontrollera innan du ...", press "Bekräfta"."""
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kontrollera innan du")
    page.get_by_role("button", name="Bekräfta", exact=True).click()


def act(page: Page, button: str, state: str, message: str) -> None:
    """Press an action button on the order page (and confirm it where it asks first); the page
    comes back with the new state."""
    page.get_by_role("button", name=button, exact=True).click()
    if button in ASKS_FIRST:
        confirm(page)
    expect(page.get_by_role("status")).to_contain_text(message)
    expect(page.locator("#order-state")).to_have_text(state)
