"""Urgent placement in the browser (SPEC R8.1, R8.2): the officer puts a client ready for
discharge in the queue, the placement unit offers a place and records that the client accepted,
the officer sends the order to the home in one step, and the home's provider finds it in its
inbox. Each step is seen by the role that takes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.decisions.models import ServiceType
from verkstall.orders.models import Order
from verkstall.placements.models import QueueEntry
from verkstall.tooling import testing as build

from .helpers import field, log_in, log_out


@pytest.mark.browser
def test_urgent_placement_offer_accepted_and_order_to_the_home(page: Page, world):  # R8.1 R8.2
    build.user(Role.PLACEMENT_UNIT, world.muni, username="placering")
    care_home = ServiceType.objects.get(code="vard-och-omsorgsboende")
    for provider, name in ((world.provider_a, "Solgården"), (world.provider_b, "Ekbacken")):
        build.provider_unit(provider, name).service_types.add(care_home)
    decision = world.decision(
        services=[{"service_type": care_home.code, "scope_amount": "1", "scope_unit": "place"}]
    )
    person = decision.person
    ready = timezone.localtime(clock.now() - timedelta(hours=3))

    # The officer: the client is ready for discharge and goes in the queue, urgently.
    log_in(page, "officer")
    page.goto(f"/clients/{person.pk}/")
    page.get_by_role("link", name="Ställ i kö").click()
    page.get_by_label(field("Förstahandsval")).select_option(
        label="Omsorg B AB, Ekbacken – Vård- och omsorgsboende"
    )
    page.get_by_label("Skyndsam placering").check()
    page.get_by_label(field("Var den enskilde befinner sig nu")).fill("Danderyds sjukhus, avd 12")
    page.get_by_label(field("Utskrivningsklar (sjukhusets underrättelse)")).fill(
        ready.strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Ställ i kö").click()
    expect(page.get_by_role("status")).to_contain_text("Klienten står i kö")
    expect(page.locator("#liability-from")).to_have_text(
        (ready.date() + timedelta(days=3)).isoformat()
    )
    entry = QueueEntry.objects.get(person=person)
    log_out(page)

    # The placement unit: the queue per home, urgent first; offer a place; the client accepts.
    log_in(page, "placering")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kö och placering")
    row = page.locator(f"#care-home-queue tr[data-entry='{entry.pk}']")
    expect(row).to_contain_text("Skyndsam")
    expect(row).to_contain_text("Danderyds sjukhus, avd 12")
    row.get_by_role("link", name=person.full_name).click()
    page.get_by_role("button", name="Erbjud plats på Ekbacken").click()
    expect(page.get_by_role("status")).to_contain_text("Platsen är erbjuden")
    page.get_by_label("Tackade ja").check()
    page.get_by_role("button", name="Registrera svar").click()
    expect(page.get_by_role("status")).to_contain_text("Svaret är registrerat")
    expect(page.locator("#entry-state")).to_have_text("Plats accepterad")
    log_out(page)

    # The officer: told, and sends the order to the home in one step.
    log_in(page, "officer")
    page.goto("/queue/")
    page.locator("#awaiting-order").get_by_role("link", name=person.full_name).click()
    page.get_by_role("button", name="Skicka beställning till boendet").click()
    expect(page.get_by_role("status")).to_contain_text("Beställningen är skickad till boendet.")
    expect(page.locator("#order-state")).to_have_text("Skickad")
    order = Order.objects.get(person=person)
    assert order.provider == world.provider_b and order.provider_unit.name == "Ekbacken"
    log_out(page)

    # The home's provider finds the order in its inbox.
    log_in(page, "staff_b")
    page.goto("/inbox/")
    expect(page.get_by_role("main")).to_contain_text(person.last_name)
