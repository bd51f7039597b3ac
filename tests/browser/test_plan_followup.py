"""The implementation plan and the follow-up of one order in the browser (SPEC R5, R6): the
provider writes and sends the plan, the officer confirms it, asks how it is going, the provider
answers, and the officer records the follow-up. The order is built through the services
(`world`); assertions are on what the user sees and on the rows the screens wrote."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from verkstall.followups.models import FollowUp
from verkstall.journal.models import CaseJournalEntry, Message
from verkstall.orders.models import EventKind
from verkstall.plans.models import ImplementationPlan

from .test_order_walk import log_in, log_out


def label(text: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(text)}:?$")


@pytest.mark.browser
def test_provider_sends_plan_officer_confirms_and_followup_goes_back_and_forth(
    page: Page, world
):  # R5.1 R5.2 R5.4 R6.1 R6.3
    order = world.order(state="started")

    # The provider's staff writes the plan and sends it.
    log_in(page, "staff_a")
    page.goto(f"/orders/{order.pk}/")
    page.get_by_role("link", name="Genomförandeplan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Genomförandeplan")
    page.get_by_role("button", name="Påbörja genomförandeplan").click()
    expect(page.get_by_role("status")).to_contain_text("Genomförandeplanen är påbörjad.")
    page.get_by_label(label("Vad ska göras")).fill("Hjälp med morgonrutiner")
    page.get_by_label(label("Hur det ska göras")).fill("Stöd vid dusch och påklädning")
    page.get_by_label(label("Den enskildes delaktighet")).fill("Elsa deltog med dottern.")
    page.get_by_role("button", name="Skicka till handläggaren").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Genomförandeplanen är skickad till handläggaren."
    )
    expect(page.locator("#current-plan")).to_contain_text("Hjälp med morgonrutiner")
    plan = ImplementationPlan.objects.get(order=order)
    assert plan.status == "sent" and plan.sent_by == world.staff_a
    log_out(page)

    # The officer confirms the plan and asks the provider how it is going.
    log_in(page, "officer")
    page.goto(f"/orders/{order.pk}/plan/")
    page.get_by_role("button", name="Bekräfta att planen mottagits").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Du har bekräftat att genomförandeplanen mottagits."
    )
    plan.refresh_from_db()
    assert plan.status == "confirmed" and plan.confirmed_by == world.officer
    page.goto(f"/orders/{order.pk}/")
    page.get_by_role("link", name="Uppföljning", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uppföljning")
    page.get_by_label(label("Fråga till utföraren")).fill("Hur fungerar morgonrutinerna?")
    page.get_by_role("button", name="Skicka fråga").click()
    expect(page.get_by_role("status")).to_contain_text("Frågan är skickad till utföraren.")
    expect(page.locator("#followup-answer")).to_contain_text("Inte besvarad ännu")
    followup = FollowUp.objects.get(order=order)
    assert followup.requested_by == world.officer and followup.answered_at is None
    assert Message.objects.filter(order=order, from_provider=False).count() == 1
    log_out(page)

    # The provider answers.
    log_in(page, "staff_a")
    page.goto(f"/orders/{order.pk}/followups/")
    expect(page.locator("#followup-question")).to_contain_text("Hur fungerar morgonrutinerna?")
    expect(page.get_by_role("button", name="Registrera uppföljning")).to_have_count(0)
    page.get_by_label(label("Ert svar")).fill("Det fungerar bra, Elsa är nöjd.")
    page.get_by_role("button", name="Skicka svar").click()
    expect(page.get_by_role("status")).to_contain_text("Ert svar är skickat till handläggaren.")
    expect(page.locator("#followup-answer")).to_contain_text("Det fungerar bra, Elsa är nöjd.")
    followup.refresh_from_db()
    assert followup.answered_by == world.staff_a
    # The answer, besides the start's "Verkställt från och med" (R3.7).
    answers = Message.objects.filter(order=order, from_provider=True, subject__startswith="Svar")
    assert answers.count() == 1
    log_out(page)

    # The officer reads the answer and records the follow-up.
    log_in(page, "officer")
    page.goto(f"/orders/{order.pk}/followups/")
    expect(page.locator("#followup-answer")).to_contain_text("Det fungerar bra, Elsa är nöjd.")
    page.get_by_label("Ny prövning (omprövning)").check()
    page.get_by_label(label("Anteckningar")).fill("Behovet av kvällsinsatser prövas.")
    page.get_by_role("button", name="Registrera uppföljning").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Uppföljningen är registrerad och utföraren har fått besked."
    )
    expect(page.locator("#followups")).to_contain_text("Ny prövning (omprövning)")
    expect(page.locator("#followups")).to_contain_text("Behovet av kvällsinsatser prövas.")
    followup.refresh_from_db()
    assert followup.outcome == "reassessment" and followup.done_by == world.officer
    assert order.events.filter(kind=EventKind.FOLLOWUP_DONE).count() == 1
    entry = CaseJournalEntry.objects.get(person=order.person, title="Uppföljning")
    assert "Ny prövning (omprövning)" in entry.text
    assert Message.objects.filter(order=order, from_provider=False).count() == 2
