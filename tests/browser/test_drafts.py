"""Nothing typed is lost (issue 17 item 1), in the browser: the provider types into the plan form,
the draft is kept on the server a second after typing stops, the page is closed without saving,
and opened again (in a new tab, then after logging out and in) the text is back with a note;
saved, the draft is gone. Leaving the page with unsaved text asks first; sending the form does
not. The order is built through the services (`world`)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from verkstall.drafts.models import MAX_TEXT, Draft
from verkstall.plans import services as plans

from .helpers import field, log_in, log_out

TYPED = "Stöd vid dusch och påklädning, i lugnt tempo"


@pytest.mark.browser
def test_plan_text_survives_a_closed_page_and_goes_when_saved(page: Page, world):  # R5.2
    order = world.order(state="started")
    plans.start_plan(world.staff_a, order)
    plan_url = f"/orders/{order.pk}/plan/"

    log_in(page, "staff_a")
    page.goto(plan_url)
    page.get_by_label(field("Hur det ska göras")).press_sequentially(TYPED[:20])
    page.get_by_label(field("Hur det ska göras")).press_sequentially(TYPED[20:])
    status = page.locator("#id_how-draft")
    expect(status).to_contain_text(re.compile(r"Utkast sparat kl\. \d\d\.\d\d\."))
    assert Draft.objects.get(user=world.staff_a).text == TYPED

    # Leaving with text not saved asks first (the dialog is accepted, so the page leaves).
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.get_by_role("link", name=f"Tillbaka till beställning #{order.pk}").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    assert asked == ["beforeunload"]

    # The tab is closed without saving; a new one shows the text, with a note.
    context = page.context
    page.close()
    tab = context.new_page()
    tab.goto(plan_url)
    expect(tab.get_by_label(field("Hur det ska göras"))).to_have_value(TYPED)
    expect(tab.locator("#id_how-draft")).to_contain_text(
        re.compile(r"Återställt utkast från kl\. \d\d\.\d\d\.")
    )
    expect(tab.get_by_role("button", name="Släng utkastet")).to_be_visible()

    # Logged out and in again: still there.
    log_out(tab)
    log_in(tab, "staff_a")
    tab.goto(plan_url)
    expect(tab.get_by_label(field("Hur det ska göras"))).to_have_value(TYPED)

    # Saved: the plan holds the text, the draft is gone, and sending asked nothing.
    asked.clear()
    tab.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    tab.get_by_label(field("Vad ska göras")).fill("Hjälp med morgonrutiner")
    tab.get_by_role("button", name="Spara utkast").click()
    expect(tab.get_by_role("status")).to_contain_text("Utkastet är sparat.")
    assert asked == []
    expect(tab.get_by_label(field("Hur det ska göras"))).to_have_value(TYPED)
    expect(tab.locator("#id_how-draft")).to_be_empty()
    assert not Draft.objects.exists()
    plan = order.plans.get()
    assert plan.how == TYPED and plan.what == "Hjälp med morgonrutiner"


@pytest.mark.browser
def test_discarding_a_restored_draft_puts_the_saved_text_back(page: Page, world):
    order = world.order(state="started")
    plans.start_plan(world.staff_a, order, what="Sparad text")
    log_in(page, "staff_a")
    page.goto(f"/orders/{order.pk}/plan/")
    what = page.get_by_label(field("Vad ska göras"))
    what.fill("Sparad text och mer därtill")
    expect(page.locator("#id_what-draft")).to_contain_text("Utkast sparat kl.")
    page.on("dialog", lambda dialog: dialog.accept())  # leaving asks first
    page.reload()
    expect(what).to_have_value("Sparad text och mer därtill")
    page.get_by_role("button", name="Släng utkastet").click()
    expect(page.locator("#id_what-draft")).to_have_text("Utkastet är slängt.")
    expect(what).to_have_value("Sparad text")
    assert not Draft.objects.exists()


@pytest.mark.browser
def test_a_draft_not_kept_says_so_beside_the_field(page: Page, world):
    order = world.order(state="started")
    plans.start_plan(world.staff_a, order)
    log_in(page, "staff_a")
    page.goto(f"/orders/{order.pk}/plan/")
    how, status = page.get_by_label(field("Hur det ska göras")), page.locator("#id_how-draft")
    how.fill("a" * (MAX_TEXT + 1))
    expect(status).to_contain_text("längre än 100\u00a0000 tecken")
    assert not Draft.objects.exists()
    # The session ended (another tab logged out): the login page is not swapped in.
    page.context.clear_cookies()
    how.fill("Skrivet efter utloggningen")
    expect(status).to_contain_text("Utkastet kunde inte sparas just nu.")
    expect(page.locator("#id_how-draft form")).to_have_count(0)
    assert not Draft.objects.exists()
