"""No irreversible action on one click (issue 17 item 3): send, end and cancel ask first on a
page that says what will happen, and only the POST that carries the explicit confirmation acts;
a makulering always needs a reason, on the screen, in the API and in the service (R3.1, R3.9)."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from verkstall.core import clock
from verkstall.core.confirm_views import BACK_FIELD, CONFIRM_FIELD, CONFIRM_VALUE
from verkstall.orders.models import Order, OrderEvent
from verkstall.people import protection_services
from verkstall.people.models import Protection
from verkstall.tooling.testing import confirmed

REASON_MISSING = "Ange varför beställningen makuleras."


class Page(HTMLParser):
    """What a test reads from a page: title, headings, the summary list, buttons, hidden
    fields and the values of text inputs."""

    def __init__(self, html: str):
        super().__init__()
        self.title = ""
        self.h1: list[str] = []
        self.dl: list[tuple[str, str]] = []
        self.buttons: list[dict] = []
        self.hidden: list[tuple[str, str]] = []
        self.inputs: dict[str, str] = {}
        self._in: str | None = None
        self._text = ""
        self._button: dict | None = None
        self._term = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("title", "h1", "dt", "dd"):
            self._in, self._text = tag, ""
        elif tag == "button":
            self._button, self._text = attrs, ""
        elif tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden.append((attrs["name"], attrs.get("value", "")))
        elif tag == "input" and attrs.get("name"):
            self.inputs[attrs["name"]] = attrs.get("value", "")

    def handle_data(self, data):
        if self._in or self._button is not None:
            self._text += data

    def handle_endtag(self, tag):
        text = " ".join(self._text.split())
        if tag == "title" and self._in == "title":
            self.title = text
        elif tag == "h1" and self._in == "h1":
            self.h1.append(text)
        elif tag == "dt" and self._in == "dt":
            self._term = text
        elif tag == "dd" and self._in == "dd":
            self.dl.append((self._term, text))
        elif tag == "button" and self._button is not None:
            self.buttons.append({**self._button, "text": text})
            self._button = None
        if tag == self._in:
            self._in = None

    def fact(self, term: str) -> str:
        return dict(self.dl)[term]

    def button(self, text: str) -> dict:
        [found] = [b for b in self.buttons if b["text"] == text]
        return found


def action_url(order, action: str) -> str:
    return reverse("order-action", args=[order.pk, action])


def snapshot(order) -> tuple:
    row = Order.objects.get(pk=order.pk)
    return row.state, row.last_event_seq, OrderEvent.objects.filter(order=order).count()


def assert_confirmation_page(response, heading: str) -> Page:
    """The confirmation page (issue 17 item 3, accessibility): one <h1>, a title of its own,
    the facts as a <dl>, and Bekräfta and Tillbaka as real submit buttons of a POST form that
    carries what was typed back."""
    assert response.status_code == 200
    assert response.templates[0].name == "core/confirm.html"
    html = response.content.decode()
    page = Page(html)
    assert page.h1 == [heading]
    assert page.title == f"{heading} – Verkställ"
    assert page.dl, "the facts are a summary list"
    confirm = page.button("Bekräfta")
    assert (confirm["type"], confirm["name"], confirm["value"]) == (
        "submit",
        CONFIRM_FIELD,
        CONFIRM_VALUE,
    )
    back = page.button("Tillbaka")
    assert (back["type"], back["name"]) == ("submit", BACK_FIELD)
    assert 'method="post"' in html and 'id="confirm-form"' in html
    return page


# --- send (R3.1, R3.3) ---------------------------------------------------------------------


def test_send_asks_first_saying_to_whom_by_which_channel_and_that_the_clocks_start(
    world, client
):  # R3.1, R3.3, issue 17 item 3
    order = world.order()
    before = snapshot(order)
    client.force_login(world.officer)

    asked = client.post(action_url(order, "send"), {"do": "send"})
    page = assert_confirmation_page(asked, f"Kontrollera innan du skickar beställning #{order.pk}")
    assert page.fact("Utförare") == "Omsorg A AB"
    assert page.fact("Kanal") == "I systemet"
    assert page.fact("Dateras") == clock.today().isoformat()
    text = asked.content.decode()
    assert "tidsfrister börjar löpa" in text
    assert snapshot(order) == before  # nothing is sent without the confirmation

    # A double-click on the order page's button asks twice and still sends nothing.
    assert client.post(action_url(order, "send"), {"do": "send"}).status_code == 200
    assert snapshot(order) == before

    done = client.post(action_url(order, "send"), dict(page.hidden) | confirmed())
    assert done.status_code == 302
    assert snapshot(order)[0] == "sent"


def test_send_to_a_provider_not_connected_names_the_channel(world, client):  # R3.3
    order = world.order(provider=world.offline)
    client.force_login(world.officer)
    asked = client.post(action_url(order, "send"))
    page = assert_confirmation_page(asked, f"Kontrollera innan du skickar beställning #{order.pk}")
    assert page.fact("Kanal") == "Fax"
    assert "skickar den per fax" in " ".join(asked.content.decode().split())
    assert Order.objects.get(pk=order.pk).state == "draft"


def test_a_send_that_would_be_refused_is_refused_before_confirmation(world, client):  # R10.1
    person = protection_services.set_protection(
        world.officer, world.person(), protection=Protection.PROTECTED_REGISTRATION
    )
    order = world.order(decision=world.decision(person))
    client.force_login(world.officer)
    response = client.post(action_url(order, "send"))
    assert response.status_code == 400
    assert "underrätta enhetschefen hos Omsorg A AB muntligt" in response.content.decode()
    assert "Kontrollera innan du" not in response.content.decode()
    assert Order.objects.get(pk=order.pk).state == "draft"


# --- end (R3.9) ----------------------------------------------------------------------------


def test_end_asks_first_with_date_reason_and_who_is_told(world, client):  # R3.9
    order = world.order(state="started")
    before = snapshot(order)
    today = clock.today().isoformat()
    body = {"end_date": today, "end_reason": "moved", "note": "Flyttar till dottern."}
    client.force_login(world.officer)

    asked = client.post(action_url(order, "end"), body)
    page = assert_confirmation_page(asked, f"Kontrollera innan du avslutar beställning #{order.pk}")
    assert page.fact("Slutdatum") == today
    assert page.fact("Orsak till avslut") == "Flyttat"
    assert page.fact("Avslutsanteckning") == "Flyttar till dottern."
    text = asked.content.decode()
    assert "Omsorg A AB får ett meddelande om avslutet." in text
    assert "Slutdatumet förs in i beslutet" in text
    assert 'class="danger"' in text
    assert snapshot(order) == before

    done = client.post(action_url(order, "end"), dict(page.hidden) | confirmed())
    assert done.status_code == 302
    row = Order.objects.get(pk=order.pk)
    assert (row.state, str(row.end_date), row.end_reason) == ("ended", today, "moved")


def test_the_provider_ending_is_told_the_officer_hears_of_it(world, client):  # R3.9
    order = world.order(state="started")
    client.force_login(world.staff_a)
    body = {"end_date": clock.today().isoformat(), "end_reason": "other"}
    asked = client.post(action_url(order, "end"), body)
    assert "Handläggaren får ett meddelande om avslutet." in asked.content.decode()
    assert "Slutdatumet förs in i beslutet" not in asked.content.decode()
    assert Order.objects.get(pk=order.pk).state == "started"


def test_an_end_with_a_missing_reason_is_refused_not_put_up_for_confirmation(world, client):
    # Seed 004: the end form asks why; a refusal comes before any confirmation page.
    order = world.order(state="started")
    client.force_login(world.officer)
    response = client.post(action_url(order, "end"), {"end_date": clock.today().isoformat()})
    assert response.status_code == 400
    assert 'id="id_end_reason_error"' in response.content.decode()
    assert "Kontrollera innan du" not in response.content.decode()


def test_an_end_the_service_would_refuse_is_refused_before_confirmation(world, client):
    # R3.9: an end before the start; R3.3: a reply registered for a provider not connected
    # without saying how it came. The service's own checks, before anyone confirms.
    order = world.order(state="started")
    offline = world.order(provider=world.offline, state="started")
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    today = clock.today().isoformat()
    for user, target, body, error in (
        (world.officer, order, {"end_date": yesterday}, "Slutdatum kan inte ligga före"),
        (world.fee_officer, offline, {"end_date": today}, "Ange hur utförarens svar kom in"),
    ):
        before = snapshot(target)
        client.force_login(user)
        response = client.post(action_url(target, "end"), body | {"end_reason": "other"})
        assert response.status_code == 400
        assert error in response.content.decode()
        assert "Kontrollera innan du" not in response.content.decode()
        assert snapshot(target) == before


# --- cancel (makulera) -----------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "sent"])
@pytest.mark.parametrize("with_confirmation", [False, True])
def test_cancel_without_a_reason_is_refused(world, client, state, with_confirmation):
    # Issue 17 item 3: every makulering needs a reason, an unsent draft's too.
    order = world.order(state=state)
    before = snapshot(order)
    client.force_login(world.officer)
    body = {"reason": "   "}
    response = client.post(
        action_url(order, "cancel"), confirmed(body) if with_confirmation else body
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert REASON_MISSING in text
    assert 'id="id_reason_error"' in text
    assert snapshot(order) == before


def test_cancel_asks_first_with_the_reason_and_that_it_cannot_be_undone(world, client):
    order = world.order(state="sent")
    before = snapshot(order)
    client.force_login(world.officer)

    asked = client.post(action_url(order, "cancel"), {"reason": "Klienten avböjer insatsen."})
    page = assert_confirmation_page(
        asked, f"Kontrollera innan du makulerar beställning #{order.pk}"
    )
    assert page.fact("Anledning") == "Klienten avböjer insatsen."
    assert page.fact("Status") == "Skickad"
    text = asked.content.decode()
    assert "Det går inte att ångra" in text
    assert "Omsorg A AB har fått beställningen och ser att den är makulerad" in text
    assert ("reason", "Klienten avböjer insatsen.") in page.hidden
    assert snapshot(order) == before

    done = client.post(action_url(order, "cancel"), dict(page.hidden) | confirmed())
    assert done.status_code == 302
    assert Order.objects.get(pk=order.pk).state == "cancelled"
    event = OrderEvent.objects.get(order=order, kind="cancelled")
    assert event.data == {"reason": "Klienten avböjer insatsen."}

    # The same confirmed form sent again (a replay, a double-click on Bekräfta) does nothing.
    again = client.post(action_url(order, "cancel"), dict(page.hidden) | confirmed())
    assert again.status_code == 400
    assert OrderEvent.objects.filter(order=order, kind="cancelled").count() == 1


def test_back_shows_the_order_page_with_what_was_typed(world, client):
    order = world.order()
    before = snapshot(order)
    client.force_login(world.officer)
    typed = "Fel utförare <valdes> & rättas"
    asked = client.post(action_url(order, "cancel"), {"reason": typed})
    page = assert_confirmation_page(
        asked, f"Kontrollera innan du makulerar beställning #{order.pk}"
    )

    back = client.post(action_url(order, "cancel"), dict(page.hidden) | {BACK_FIELD: "1"})
    assert back.status_code == 200
    assert back.templates[0].name == "orders/order_detail.html"
    assert Page(back.content.decode()).inputs["reason"] == typed
    assert "errorlist" not in back.content.decode()
    assert snapshot(order) == before


def test_only_the_officer_of_the_unit_is_asked_to_confirm_a_cancel(world, client):  # Actors
    order = world.order(state="sent")
    before = snapshot(order)
    for user in (world.staff_a, world.other_officer):
        client.force_login(user)
        response = client.post(action_url(order, "cancel"), {"reason": "Fel"})
        assert response.status_code in (400, 404)
        assert "Kontrollera innan du" not in response.content.decode()
    assert snapshot(order) == before


def test_the_api_refuses_a_draft_cancelled_without_a_reason(world, api):  # issue 17 item 3
    order = world.order()
    for body in ({}, {"reason": ""}, {"reason": "  "}):
        response = api(world.officer).post(f"/api/orders/{order.pk}/cancel/", body, format="json")
        assert response.status_code == 400
        assert response.json()["reason"] == [REASON_MISSING]
    assert Order.objects.get(pk=order.pk).state == "draft"
    response = api(world.officer).post(
        f"/api/orders/{order.pk}/cancel/", {"reason": "Dubblett"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_the_order_page_asks_for_the_cancel_reason(world, client):
    order = world.order()
    client.force_login(world.officer)
    html = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Anledning till makuleringen" in html
    assert Page(html).button("Makulera")["type"] == "submit"
