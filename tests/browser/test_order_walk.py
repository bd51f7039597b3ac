"""One order from draft to ended in the browser, a client and a decision registered through the
screens, and a provider kept out of another provider's order (SPEC R1, R3; SCENARIOS story 1).

The officer and the provider's staff work in the browser; what the story starts from is built
through the services (`world` in /work/main/conftest.py). Assertions are on what the user sees
and on the rows the screens wrote.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from verkstall.decisions.models import Decision
from verkstall.orders.models import Order, OrderEvent
from verkstall.people.models import Person
from verkstall.tooling import testing as build

from .helpers import act, field, log_in, log_out, order_pk_from


@pytest.mark.browser
def test_officer_sends_order_and_provider_acknowledges_and_starts_it(
    page, world
):  # R3.1, R3.3, R3.7
    decision = world.decision()
    person = decision.person
    today = timezone.localdate().isoformat()

    # The officer finds the client and writes the order to the provider.
    log_in(page, "officer")
    page.get_by_role("link", name="Klienter", exact=True).click()
    page.get_by_role("link", name=f"{person.last_name}, {person.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.full_name)
    page.get_by_role("link", name="Skapa beställning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Ny beställning för {person.full_name}"
    )
    expect(page.get_by_label("Hemtjänst – personlig omvårdnad")).to_be_checked()
    page.get_by_label(field("Utförare")).select_option(label="Omsorg A AB")
    page.get_by_role("button", name="Skapa beställning").click()
    expect(page.get_by_role("status")).to_contain_text("Beställningen är skapad som utkast.")
    expect(page.locator("#order-state")).to_have_text("Utkast")
    pk = order_pk_from(page)
    document = page.get_by_role("region", name="Beställningen", exact=True)
    expect(document).to_contain_text("Omsorg A AB")
    expect(document).to_contain_text("Hemtjänst – personlig omvårdnad, 20 timmar per månad")

    act(page, "Skicka", "Skickad", "Beställningen är skickad.")
    order = Order.objects.get(pk=pk)
    assert (order.state, order.provider, order.decision) == ("sent", world.provider_a, decision)
    assert order.written_on == timezone.localdate()
    log_out(page)

    # The provider's staff find it in the inbox, acknowledge it and register the start.
    log_in(page, "staff_a")
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    new_orders = page.locator("h2:text-is('Nya beställningar att kvittera') + .table-scroll table")
    expect(new_orders.get_by_role("row").filter(has_text=person.full_name)).to_have_count(1)
    new_orders.get_by_role("link", name=f"#{pk}", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/orders/{pk}/$"))
    expect(page.locator("#order-state")).to_have_text("Skickad")

    act(page, "Kvittera", "Kvitterad", "Beställningen är kvitterad.")
    page.get_by_label(field("Verkställd från och med")).fill(today)
    act(page, "Registrera start", "Verkställd", "Startdatum är registrerat.")
    expect(page.locator("#start-date")).to_have_text(today)
    events = page.locator("#events tbody tr")
    # The start tells the officer "Verkställt från och med ..." by a message (R3.7, R10.3).
    expect(events.locator("td:first-child")).to_have_text(
        [
            "Beställning skapad",
            "Skickad",
            "Kvitterad",
            "Verkställd",
            "Meddelande skickat (från utföraren)",
        ]
    )
    expect(events.nth(3)).to_contain_text(f"Verkställt från och med {today}")
    order.refresh_from_db()
    assert (order.state, order.start_date) == ("started", timezone.localdate())
    assert order.acknowledged_at is not None
    assert OrderEvent.objects.filter(order=order).count() == 5  # with the start's message

    # The provider ends it: the same order has walked from draft to ended.
    page.get_by_label(field("Slutdatum")).fill(today)
    page.get_by_label(field("Orsak till avslut")).select_option("moved")  # seed 004
    act(page, "Avsluta", "Avslutad", "Insatsen är avslutad.")
    told = "Meddelande skickat (från utföraren)"  # the officer is told of start and end
    expect(events.locator("td:first-child")).to_have_text(
        ["Beställning skapad", "Skickad", "Kvitterad", "Verkställd", told, "Avslutad", told]
    )
    expect(page.get_by_role("heading", name="Åtgärder")).to_have_count(0)
    order.refresh_from_db()
    assert (order.state, order.end_date) == ("ended", timezone.localdate())
    assert list(order.events.order_by("seq").values_list("kind", "actor__username")) == [
        ("created", "officer"),
        ("sent", "officer"),
        ("acknowledged", "staff_a"),
        ("started", "staff_a"),
        ("message_sent", "staff_a"),
        ("ended", "staff_a"),
        ("message_sent", "staff_a"),
    ]


@pytest.mark.browser
def test_officer_registers_client_and_decision_in_the_browser(page, world):  # R1.1, R1.2
    number = build.test_number()
    log_in(page, "officer")
    page.get_by_role("link", name="Klienter", exact=True).click()
    page.get_by_role("link", name="Registrera ny klient").click()
    expect(page).to_have_url(re.compile(r"/clients/new/$"))

    # A personnummer with a wrong check digit is refused, with the reason by the field.
    number_field = page.get_by_label(field("Personnummer eller samordningsnummer"))
    number_field.fill("19400101-1235")
    page.get_by_label(field("Förnamn")).fill("Karin")
    page.get_by_label(field("Efternamn")).fill("Bladh")
    page.get_by_label(field("Hemtjänstområde")).select_option(label="Västra området")
    page.get_by_role("button", name="Registrera", exact=True).click()
    number_box = page.locator("div.field").filter(has=number_field)
    expect(number_box.locator(".errorlist")).to_have_text(
        "Kontrollsiffran stämmer inte; kontrollera numret."
    )
    expect(number_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(field("Förnamn"))).to_have_value("Karin")
    assert not Person.objects.exists()

    # A valid number registers the client.
    number_field.fill(number)
    page.get_by_role("button", name="Registrera", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Klienten är registrerad.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Karin Bladh {number}")
    person = Person.objects.get()
    assert (person.formatted_personal_number, person.area) == (number, world.area)
    expect(page).to_have_url(re.compile(rf"/clients/{person.pk}/$"))

    # A decision with one granted service, shown on the client's page.
    page.get_by_role("link", name="Registrera beslut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beslut för Karin Bladh")
    row = page.get_by_role("group", name="Beviljad insats 1")
    row.get_by_label(field("Insats")).select_option(label="Hemtjänst – personlig omvårdnad")
    row.get_by_label(field("Omfattning")).fill("20")
    row.get_by_label(field("Enhet")).select_option(label="timmar per månad")
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.get_by_role("status")).to_contain_text("Beslutet är registrerat.")
    expect(page).to_have_url(re.compile(rf"/clients/{person.pk}/$"))
    today = timezone.localdate().isoformat()
    expect(page.get_by_text(f"Beslut {today}", exact=True)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="personlig omvårdnad")).to_contain_text(
        f"Hemtjänst – personlig omvårdnad, 20 timmar per månad – gäller från {today}"
    )
    decision = Decision.objects.get(person=person)
    granted = [(s.service_type.code, s.scope_amount, s.scope_unit) for s in decision.services.all()]
    assert granted == [("hemtjanst-omvardnad", 20, "hours_per_month")]


@pytest.mark.browser
def test_provider_cannot_open_another_providers_order(page, world):  # scoping, Actors
    theirs = world.order(provider=world.provider_b, state="sent")
    ours = world.order(provider=world.provider_a, state="sent")
    log_in(page, "staff_a")

    response = page.goto(f"/orders/{theirs.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Hittades inte")
    expect(page.locator("body")).not_to_contain_text(theirs.person.full_name)
    expect(page.locator("body")).not_to_contain_text(f"Beställning #{theirs.pk}")

    # The same user does open their own provider's order: the 404 above is the scoping.
    response = page.goto(f"/orders/{ours.pk}/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Beställning #{ours.pk}")
