"""Provider choice under LOV in the browser: the choice screen with every contracted provider
and who cannot take new clients, an active choice that leads to a sent order, and assignment
by the no-choice rotation with the letter, the journal and the rotation report (SPEC R2.1,
R2.2, R2.4, R3.1; SCENARIOS story 2).

What the story starts from (contracts, capacity, clients, decisions) is built through the
services (`world` in /work/main/conftest.py, `providers.services.ensure_contract`); the
officer then works in the browser. Assertions are on what the officer sees and on the rows
the screens wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from verkstall.core import clock
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders.models import Order
from verkstall.providers import rotation
from verkstall.providers.models import Provider, ProviderChoice, RotationAssignment
from verkstall.providers.rotation_selectors import kind_label
from verkstall.providers.services import ensure_contract
from verkstall.tooling import testing as build

from .helpers import act, confirm, field, log_in, order_pk_from

SERVICE = "hemtjanst-omvardnad"
SERVICE_NAME = "Hemtjänst – personlig omvårdnad"
CAP_REASON = "Personalbrist i området under sommaren"
PASSED_AT_CAP = f"{rotation.PASSED_AT_CAP}: {CAP_REASON}"
LETTER_MAY_CHOOSE = "Du kan när som helst senare välja en annan utförare."
ROTATION_JOURNAL_TITLE = "Ickeval – tilldelad enligt turordning"


@dataclass
class Lov:
    """Three contracted providers in the no-choice alternative of world.area, one at its cap,
    and two clients with a decision granting personlig omvårdnad."""

    angen: Provider
    client_1: object
    decision_1: object
    client_2: object
    decision_2: object


def client_with_decision(world, first_name: str, last_name: str):
    person = world.person(first_name=first_name, last_name=last_name)
    return person, world.decision(person)


@pytest.fixture
def lov(world) -> Lov:
    since = clock.today() - timedelta(days=30)  # in force today, open-ended
    angen = build.provider(world.muni, "Ängens Omsorg")  # connected (channel "system")
    for provider in (world.provider_a, world.provider_b):
        ensure_contract(
            provider=provider,
            service_type=SERVICE,
            area=world.area,
            valid_from=since,
            in_no_choice=True,
        )
    # R2.1, R2.4: at its capacity cap, with the reason the officer is shown.
    ensure_contract(
        provider=angen,
        service_type=SERVICE,
        area=world.area,
        valid_from=since,
        in_no_choice=True,
        accepts_new_clients=False,
        capacity_reason=CAP_REASON,
    )
    client_1, decision_1 = client_with_decision(world, "Anna", "Berg")
    client_2, decision_2 = client_with_decision(world, "Britta", "Ek")
    return Lov(angen, client_1, decision_1, client_2, decision_2)


def fact(page: Page, term: str) -> Locator:
    """The value of a term in the page's facts list (<dl class="facts">)."""
    return page.locator(f"dl.facts dt:text-is('{term}') + dd")


def assign_from_client_page(page: Page, person) -> None:
    """On the client's page, press "Tilldela enligt turordning" for the (only) granted
    service; the result page comes back."""
    page.goto(f"/clients/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.full_name)
    page.get_by_role("button", name="Tilldela enligt turordning").click()
    confirm(page)  # issue 17 item 3: the assignment asks first
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilldelad enligt turordning")


def expect_result(page: Page, person, provider: str, passed: str) -> None:
    """The result page of an assignment by rotation: who got it, who was passed over and why,
    the journal note and the letter telling the client they may choose later (R2.4)."""
    expect(page.get_by_role("status")).to_contain_text(
        f"{provider} har tilldelats enligt turordningen."
    )
    expect(fact(page, "Klient")).to_have_text(person.full_name)
    expect(fact(page, "Insats")).to_have_text(SERVICE_NAME)
    expect(fact(page, "Utförare")).to_have_text(provider)
    expect(fact(page, "Passerade")).to_have_text(passed)
    expect(page.get_by_text("Tilldelningen är antecknad i myndighetsjournalen.")).to_be_visible()
    letter = page.locator("h2:text-is('Brev till brukaren') + .card")
    expect(letter).to_contain_text(f"Hej {person.first_name} {person.last_name},")
    expect(letter).to_contain_text(f"Din utförare är {provider}.")
    expect(letter).to_contain_text(LETTER_MAY_CHOOSE)


@pytest.mark.browser
def test_officer_registers_an_active_choice_and_sends_the_order(
    page, world, lov
):  # R2.1, R2.2, R3.1
    person, decision = lov.client_1, lov.decision_1
    granted = decision.services.get()
    today = clock.today().isoformat()

    log_in(page, "officer")
    page.get_by_role("link", name="Klienter", exact=True).click()
    page.get_by_role("link", name=f"{person.last_name}, {person.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.full_name)
    page.get_by_role("link", name="Val av utförare").click()
    expect(page).to_have_url(re.compile(rf"/clients/{person.pk}/services/{granted.pk}/choice/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Val av utförare för {person.full_name}"
    )

    # R2.1: every provider contracted for the service in the client's area; the one at its
    # capacity cap is marked, with the reason, and listed last.
    providers = page.get_by_role("table", name="Valbara utförare")
    rows = providers.locator("tbody tr")
    expect(rows).to_have_count(3)
    names = rows.locator("td:first-child").all_inner_texts()
    assert sorted(names[:2]) == ["Omsorg A AB", "Omsorg B AB"] and names[2] == "Ängens Omsorg"
    for name in ("Omsorg A AB", "Omsorg B AB"):
        row = rows.filter(has=page.locator("td:first-child", has_text=name))
        expect(row.locator("td").nth(1)).to_have_text("Ja")
        expect(row.locator("td").nth(2)).to_have_text("I systemet")
    angen = rows.filter(has_text="Ängens Omsorg")
    expect(angen.locator("td").nth(1)).to_have_text(f"Nej, inte just nu – {CAP_REASON}")
    expect(angen).to_have_class("at-capacity")

    # R2.2: the active choice, with the signed form's arrival date (today, prefilled).
    chosen = page.get_by_role("group", name="Vald utförare")
    expect(chosen.get_by_role("radio")).to_have_count(3)
    expect(chosen.get_by_label("Ängens Omsorg – tar inte emot nya brukare just nu")).to_be_visible()
    chosen.get_by_label("Omsorg A AB", exact=True).check()
    expect(
        page.get_by_role("group", name="Händelse").get_by_label("Val av utförare LOV")
    ).to_be_checked()
    received = page.get_by_label(field("Valblanketten inkom"))
    expect(received).to_have_value(today)
    received.fill(today)
    page.get_by_role("button", name="Registrera val").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Val av utförare LOV registrerat: Omsorg A AB."
    )
    registered = page.locator("#registered-choice")
    expect(registered).to_contain_text(
        f"Omsorg A AB – Val av utförare LOV, valblanketten inkom {today}."
    )

    choice = ProviderChoice.objects.get(granted_service=granted)
    assert (choice.kind, choice.provider, choice.form_received_on) == (
        "choice",
        world.provider_a,
        clock.today(),
    )
    entry = CaseJournalEntry.objects.get(person=person, title="Val av utförare LOV")
    assert entry.kind == CaseJournalEntry.Kind.CHOICE
    assert "Omsorg A AB" in entry.text and f"Valblanketten inkom {today}." in entry.text

    # R3.1: from the choice to the order, with the chosen provider preselected, and sent.
    registered.get_by_role("link", name="Skapa beställning till Omsorg A AB").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Ny beställning för {person.full_name}"
    )
    provider_field = page.get_by_label(field("Utförare"))
    expect(provider_field).to_have_value(str(world.provider_a.pk))
    expect(provider_field.locator("option:checked")).to_have_text("Omsorg A AB")
    expect(page.get_by_label(SERVICE_NAME)).to_be_checked()
    page.get_by_role("button", name="Skapa beställning").click()
    expect(page.get_by_role("status")).to_contain_text("Beställningen är skapad som utkast.")
    pk = order_pk_from(page)
    expect(page.get_by_role("region", name="Beställningen", exact=True)).to_contain_text(
        "Omsorg A AB"
    )
    act(page, "Skicka", "Skickad", "Beställningen är skickad.")

    order = Order.objects.get(pk=pk)
    assert (order.state, order.provider, order.decision) == ("sent", world.provider_a, decision)
    assert ProviderChoice.objects.filter(person=person, kind="choice").count() == 1
    assert CaseJournalEntry.objects.filter(person=person, title="Val av utförare LOV").exists()
    # An active choice is not an assignment by rotation.
    assert not RotationAssignment.objects.exists()


@pytest.mark.browser
def test_client_without_a_choice_gets_the_next_provider_in_turn(page, world, lov):  # R2.4
    client_3, _decision_3 = client_with_decision(world, "Cecilia", "Falk")
    client_4, decision_4 = client_with_decision(world, "Dagny", "Grön")
    a, b = world.provider_a.name, world.provider_b.name
    log_in(page, "officer")

    # A fresh rotation starts at the beginning of the Swedish alphabet: "Omsorg A AB" (Ä
    # sorts after Z, and Ängens Omsorg is at its cap anyway). Nobody is passed over.
    assign_from_client_page(page, lov.client_2)
    expect_result(page, lov.client_2, a, "–")
    expect(fact(page, "Skäl")).to_have_text(rotation.REASON_TURN)

    # The next client gets the next provider in turn.
    assign_from_client_page(page, client_3)
    expect_result(page, client_3, b, "–")

    # After Omsorg B AB it is Ängens Omsorg's turn: at its cap it is passed over (and keeps
    # its turn), so the turn goes round to Omsorg A AB. The preview says so before confirming.
    gs_4 = decision_4.services.get()
    page.goto(f"/rotation/assign/{gs_4.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilldela enligt turordning")
    expect(page.get_by_text("Nästa på tur just nu")).to_contain_text(a)
    expect(page.get_by_role("listitem").filter(has_text="Ängens Omsorg")).to_have_text(
        f"Ängens Omsorg: {PASSED_AT_CAP}"
    )
    page.get_by_role("button", name="Tilldela enligt turordning").click()
    confirm(page)  # issue 17 item 3: the assignment asks first
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilldelad enligt turordning")
    expect_result(page, client_4, a, f"Ängens Omsorg: {PASSED_AT_CAP}")
    expect(fact(page, "Skäl")).to_have_text(
        "Näst på tur i turordningen (bokstavsordning), efter att Ängens Omsorg passerats "
        "(kapacitetstak)."
    )

    # The rows the screens wrote, oldest first.
    assignments = list(RotationAssignment.objects.order_by("assigned_at", "id"))
    assert [(r.person, r.provider.name) for r in assignments] == [
        (lov.client_2, a),
        (client_3, b),
        (client_4, a),
    ]
    assert [r.passed_over for r in assignments[:2]] == [[], []]
    assert assignments[2].passed_over == [
        {"provider_id": lov.angen.pk, "name": "Ängens Omsorg", "reason": PASSED_AT_CAP}
    ]
    assert all(r.area == world.area for r in assignments)
    for r in assignments:
        choice = ProviderChoice.objects.get(granted_service=r.granted_service)
        assert (choice.kind, choice.provider) == ("rotation", r.provider)
        # R2.4: every assignment by rotation is in the case journal.
        entry = CaseJournalEntry.objects.get(person=r.person, title=ROTATION_JOURNAL_TITLE)
        assert entry.kind == CaseJournalEntry.Kind.ROTATION
        assert f"Tilldelad utförare: {r.provider.name}." in entry.text
    assert (
        "- Ängens Omsorg: " + PASSED_AT_CAP
        in CaseJournalEntry.objects.get(person=client_4, title=ROTATION_JOURNAL_TITLE).text
    )

    # The rotation report: the current order (Ängens owed a turn, still at its cap, so B is
    # next) and the history, newest first, clients as first name and initial.
    page.get_by_role("link", name="Visa turordningen").click()
    expect(page).to_have_url(re.compile(r"/rotation/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ickeval – turordning")
    rotation_list = page.get_by_role(
        "region", name=f"{world.area.name} – {kind_label('personal_care')}"
    )
    expect(rotation_list).to_contain_text(f"Nästa tilldelning: {b}")
    order_rows = rotation_list.locator("tbody tr")
    expect(order_rows.locator("td:nth-child(2)")).to_have_text([b, "Ängens Omsorg", a])
    expect(order_rows.nth(1).locator("td").nth(2)).to_contain_text("Har en tur till godo")
    expect(order_rows.nth(1).locator("td").nth(2)).to_contain_text(
        f"Kapacitetstak – tar inte emot nya brukare ({CAP_REASON})"
    )

    heading = "h2:text-is('Tilldelningar enligt turordning')"
    history = page.locator(f"{heading} ~ .table-scroll table tbody tr")
    expect(history).to_have_count(3)
    expect(history.locator("td:nth-child(4)")).to_have_text(["Dagny G.", "Cecilia F.", "Britta E."])
    expect(history.locator("td:nth-child(5)")).to_have_text([a, b, a])
    expect(history.locator("td:nth-child(7)")).to_have_text(
        [f"Ängens Omsorg: {PASSED_AT_CAP}", "–", "–"]
    )
    expect(history.locator("td:nth-child(2)")).to_have_text([world.area.name] * 3)
