"""A write and its access-log rows commit together or not at all (R10.4): the middleware runs
a POST, PUT, PATCH or DELETE in one transaction with the log insert, so a log that cannot be
written rolls the write back, and the answer is an error, never a success."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from verkstall.audit.models import AccessLogEntry
from verkstall.orders.models import Order, OrderEvent
from verkstall.people.models import Person
from verkstall.tooling import testing as build


class LogDown(Exception):
    pass


@pytest.fixture
def log_down(monkeypatch):
    """Every insert into the access log fails from now on."""

    def refuse(*args, **kwargs):
        raise LogDown("the access log cannot be written")

    monkeypatch.setattr(AccessLogEntry.objects, "bulk_create", refuse)
    monkeypatch.setattr(AccessLogEntry.objects, "create", refuse)


def _snapshot(order: Order) -> tuple:
    order = Order.objects.get(pk=order.pk)
    events = list(OrderEvent.objects.filter(order=order).values_list("seq", "kind"))
    return order.state, order.acknowledged_at, order.last_event_seq, events


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _screen(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_an_api_write_is_rolled_back_when_its_log_cannot_be_written(world, log_down):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    before = _snapshot(order)
    response = _api(world.staff_a).post(f"/api/orders/{order.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 500
    assert _snapshot(order) == before  # still sent, no "acknowledged" event
    assert not AccessLogEntry.objects.exists()


def test_a_screen_write_is_rolled_back_when_its_log_cannot_be_written(world, log_down):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    before = _snapshot(order)
    response = _screen(world.staff_a).post(reverse("order-action", args=[order.pk, "acknowledge"]))
    assert response.status_code == 500
    assert _snapshot(order) == before


def test_a_client_registered_on_the_screen_is_not_kept_without_its_log(world, log_down):  # R10.4
    response = _screen(world.officer).post(
        reverse("person-create"),
        {"personal_number": build.test_number(), "first_name": "Ny", "last_name": "Klient"},
    )
    assert response.status_code == 500
    assert not Person.objects.filter(first_name="Ny", last_name="Klient").exists()


def test_a_write_whose_view_then_fails_is_undone_but_the_attempt_is_logged(
    world, monkeypatch
):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    before = _snapshot(order)

    def broken(*args, **kwargs):
        raise RuntimeError("the answer could not be built")

    # The service has acknowledged the order; building the API's answer then fails (a 500).
    monkeypatch.setattr("verkstall.orders.api.OrderStepSerializer", broken)
    response = _api(world.staff_a).post(f"/api/orders/{order.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 500
    assert _snapshot(order) == before
    # Nothing of the write is kept; who tried, on which client, is (written after the rollback).
    [row] = AccessLogEntry.objects.filter(person_id=order.person_id)
    assert row.status_code == 500 and row.action == "change" and row.username == "staff_a"


def test_a_posted_search_takes_no_write_transaction(world, client, monkeypatch):  # R10.4
    """A POST that only reads (the client search) runs outside the write transaction; a POST
    that writes runs inside it."""
    from types import SimpleNamespace

    from django.db import transaction

    opened = []

    def counting_atomic(*args, **kwargs):
        opened.append(args)
        return transaction.atomic(*args, **kwargs)

    monkeypatch.setattr(
        "verkstall.audit.middleware.transaction",
        SimpleNamespace(atomic=counting_atomic, set_rollback=transaction.set_rollback),
    )
    world.person()
    client.force_login(world.officer)
    assert client.post(reverse("person-list"), {"q": "Testsson"}).status_code == 200
    assert opened == []
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.staff_a)
    client.post(reverse("order-action", args=[order.pk, "acknowledge"]))
    assert len(opened) == 1
