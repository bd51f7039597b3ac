"""An officer corrects a client's address after the order was sent; the provider's order page
and the order PDF show the new address, and the history shows the change (SPEC R1.1; issue 16,
acceptance; seed 002 "Person- och anhöriguppgifter uppdateras kontinuerligt av handläggare och
utförare, ansvaret är gemensamt").

The order is built through the services (`world` in /work/main/conftest.py); the officer and
the provider's staff work in the browser.
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from verkstall.people.models import Person, PersonChange

from .helpers import field, log_in, log_out

OLD_ADDRESS = "Testgatan 1, 16255 Vällingby"
NEW_ADDRESS = "Nygatan 5, 16256 Hässelby"
REASON = "Klienten har flyttat"


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.mark.browser
def test_officer_corrects_the_address_and_the_provider_sees_it_on_the_order_and_its_pdf(
    page, world
):  # R1.1
    order = world.order(state="sent")
    person = order.person

    # The officer opens the client and corrects the address, with a reason.
    log_in(page, "officer")
    page.get_by_role("link", name="Klienter", exact=True).click()
    page.get_by_role("link", name=f"{person.last_name}, {person.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.full_name)
    page.get_by_role("link", name="Ändra uppgifter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ändra uppgifter för")
    page.get_by_label(field("Gatuadress")).fill("Nygatan 5")
    page.get_by_label(field("Postnummer")).fill("16256")
    page.get_by_label(field("Ort")).fill("Hässelby")
    # Saving without a reason is refused: nothing is overwritten silently.
    page.get_by_role("button", name="Spara ändringen").click()
    expect(page.get_by_role("alert").first).to_contain_text("Ange varför uppgifterna ändras.")
    assert Person.objects.get(pk=person.pk).street_address == "Testgatan 1"
    page.get_by_label(field("Skäl till ändringen")).fill(REASON)
    page.get_by_role("button", name="Spara ändringen").click()
    expect(page.get_by_role("status")).to_contain_text("Uppgifterna är ändrade")
    history = page.locator("#change-history")
    expect(history.get_by_role("row").filter(has_text="Gatuadress")).to_contain_text(
        ["Testgatan 1"]
    )
    expect(history).to_contain_text("Nygatan 5")
    expect(history).to_contain_text(REASON)
    log_out(page)

    # The provider opens the order: the document shows the new address, the history the change.
    log_in(page, "staff_a")
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    page.get_by_role("link", name=f"#{order.pk}", exact=True).first.click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    expect(page.locator("#client-address")).to_have_text(NEW_ADDRESS)
    changes = page.locator("#change-history")
    expect(changes).to_contain_text("Ändringar av klientens uppgifter")
    row = changes.get_by_role("row").filter(has_text="Gatuadress")
    expect(row).to_contain_text("Testgatan 1")
    expect(row).to_contain_text("Nygatan 5")
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("Biståndsenheten Väst")

    # The order as PDF, fetched with the provider's session: the new address, not the old.
    href = page.get_by_role("link", name="Beställningen som PDF").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Nygatan 5" in text and "16256 Hässelby" in text
    assert "Testgatan 1" not in text

    # The whole history, from the order page's panel.
    page.get_by_role("link", name="Visa historiken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ändringshistorik för")
    expect(page.locator("#person-changes")).to_contain_text("Nygatan 5")
    assert list(
        PersonChange.objects.filter(person=person).order_by("pk").values_list("field", flat=True)
    ) == ["street_address", "postal_code", "city"]
