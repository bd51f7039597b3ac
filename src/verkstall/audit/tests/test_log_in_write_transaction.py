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


def test_a_write_whose_view_then_fails_keeps_neither_write_nor_log(world, monkeypatch):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    before = _snapshot(order)

    def broken(*args, **kwargs):
        raise RuntimeError("the answer could not be built")

    # The service has acknowledged the order; building the API's answer then fails (a 500).
    monkeypatch.setattr("verkstall.orders.api.OrderDetailSerializer", broken)
    response = _api(world.staff_a).post(f"/api/orders/{order.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 500
    assert _snapshot(order) == before
    assert not AccessLogEntry.objects.filter(person_id=order.person_id).exists()


def test_with_the_log_working_the_write_and_its_row_are_both_kept(world):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    response = _screen(world.staff_a).post(reverse("order-action", args=[order.pk, "acknowledge"]))
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).state == "acknowledged"
    [row] = AccessLogEntry.objects.filter(person_id=order.person_id, method="POST")
    assert row.action == "change" and row.status_code == 302
