"""A screen's create form is saved once (issue 18 item 1): the same form sent twice (a double
click, a reload that posts again, back and submit) creates one record; the second is sent to
what the first created with "Redan sparat – formuläret skickades två gånger"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from verkstall.audit.models import FormSubmission
from verkstall.core import clock
from verkstall.journal.models import Message
from verkstall.orders.models import Order
from verkstall.people.models import Person
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

ALREADY = "Redan sparat – formuläret skickades två gånger."
TOKEN = re.compile(r'name="form_token" value="([0-9a-f]{32})"')


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_of(page) -> str:
    assert page.status_code == 200
    found = TOKEN.findall(page.content.decode())
    assert len(found) == 1, "the create form carries one one-time token"
    return found[0]


def order_form(world, decision, token: str) -> dict:
    return {
        "provider": world.provider_a.pk,
        "provider_unit": "",
        "services": [decision.services.get().pk],
        "instructions": "Nyckel i kodlåda",
        "form_token": token,
    }


def test_the_same_order_form_sent_twice_creates_one_order(world):  # issue 18 item 1
    decision = world.decision()
    client = login(world.officer)
    url = f"/decisions/{decision.pk}/orders/new/"
    token = token_of(client.get(url))
    first = client.post(url, order_form(world, decision, token))
    assert first.status_code == 302
    assert Order.objects.filter(decision=decision).count() == 1
    again = client.post(url, order_form(world, decision, token))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Order.objects.filter(decision=decision).count() == 1
    assert ALREADY in [str(m) for m in get_messages(again.wsgi_request)]
    # The form opened anew has a new token: a second order is a second order.
    second = client.post(url, order_form(world, decision, token_of(client.get(url))))
    assert second.status_code == 302 and second["Location"] != first["Location"]
    assert Order.objects.filter(decision=decision).count() == 2


def test_a_form_sent_back_with_errors_may_be_sent_again_with_its_token(world):
    """Only a saved form keeps its token: one refused for its errors is corrected and sent
    again, and then saved."""  # issue 18 item 1
    decision = world.decision()
    client = login(world.officer)
    url = f"/decisions/{decision.pk}/orders/new/"
    token = token_of(client.get(url))
    refused = client.post(url, {**order_form(world, decision, token), "services": []})
    assert refused.status_code == 200
    assert not FormSubmission.objects.exists()
    saved = client.post(url, order_form(world, decision, token))
    assert saved.status_code == 302
    assert Order.objects.filter(decision=decision).count() == 1


def test_a_token_is_the_users_own(world):  # issue 18 item 1
    person = world.person()
    url = "/messages/new/"
    first = login(world.officer)
    token = token_of(first.get(url))
    order = world.order(decision=world.decision(person), state="sent")
    body = {"order": order.pk, "subject": "Fråga", "body": "Hej", "form_token": token}
    assert first.post(url, body).status_code == 302
    colleague = build.user(
        world.officer.role_enum, world.muni, unit=world.unit, username="officer_colleague"
    )
    other = login(colleague)
    assert other.post(url, body).status_code == 302
    assert Message.objects.filter(order=order, subject="Fråga").count() == 2


def test_the_same_client_form_sent_twice_registers_one_client(world):  # issue 18, R1.1
    client = login(world.officer)
    token = token_of(client.get("/clients/new/"))
    number = build.test_number()
    body = {
        "personal_number": number,
        "first_name": "Greta",
        "last_name": "Gustafsson",
        "form_token": token,
    }
    first = client.post("/clients/new/", body)
    assert first.status_code == 302, first.content.decode()[:3000]
    again = client.post("/clients/new/", body)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Person.objects.filter(first_name="Greta").count() == 1


def test_kept_tokens_go_after_a_day(world):  # issue 18 item 1
    FormSubmission.objects.create(
        user=world.officer,
        token="a" * 32,
        redirect_to="/",
        created_at=clock.now() - timedelta(hours=25),
    )
    decision = world.decision()
    client = login(world.officer)
    url = f"/decisions/{decision.pk}/orders/new/"
    client.post(url, order_form(world, decision, token_of(client.get(url))))
    assert list(FormSubmission.objects.values_list("token", flat=True)) != ["a" * 32]
    assert not FormSubmission.objects.filter(token="a" * 32).exists()


def test_the_pages_load_the_script_that_sends_a_form_once(world):  # issue 18 item 1
    page = login(world.officer).get("/").content.decode()
    assert "verkstall/submit_once.js" in page


def test_a_refusal_that_redirects_keeps_no_token(world):  # issue 18 item 1, review
    """A form refused with a redirect (the plan start of an order not yet acknowledged goes
    back to the plan page with the error) saved nothing: the same token may be sent again and
    is refused again, never answered "Redan sparat"."""
    order = world.order(state="sent")  # not yet acknowledged: no plan may be started
    client = login(world.staff_a)
    token = "b" * 32
    url = f"/orders/{order.pk}/plan/start/"
    first = client.post(url, {"form_token": token})
    assert first.status_code == 302
    assert not FormSubmission.objects.filter(token=token).exists()
    again = client.post(url, {"form_token": token})
    assert again.status_code == 302
    assert ALREADY not in [m.message for m in get_messages(again.wsgi_request)]


def test_a_claim_purges_only_the_callers_own_old_tokens(world):  # issue 18 item 1, review
    old = clock.now() - timedelta(hours=25)
    FormSubmission.objects.create(
        user=world.staff_a, token="c" * 32, redirect_to="/", created_at=old
    )
    decision = world.decision()
    client = login(world.officer)
    url = f"/decisions/{decision.pk}/orders/new/"
    client.post(url, order_form(world, decision, token_of(client.get(url))))
    assert FormSubmission.objects.filter(token="c" * 32).exists()  # another user's: left
