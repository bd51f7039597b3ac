"""API clients on screen (issue 20 item 3): the provider's unit manager makes a client for its
own system, sees its key once, and ends keys and clients; the client has its own identity in
the access log, sees what its provider sees, and a client that may only read cannot write."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from verkstall.access.models import ApiToken
from verkstall.access.roles import Role
from verkstall.audit.models import AccessLogEntry
from verkstall.integrations.client_services import create_client
from verkstall.integrations.models import ApiClient
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world):
    return build.user(Role.PROVIDER_MANAGER, world.muni, provider=world.provider_a, username="chef")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _shown_key(response) -> str:
    match = re.search(r'<code id="shown-secret">([^<]+)</code>', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def test_the_manager_makes_a_client_and_sees_its_key_once(world, manager):
    screen = _signed_in(manager)
    assert screen.get("/integrationer/").status_code == 200
    made = screen.post(
        "/integrationer/klienter/", {"name": "Planeringssystemet", "can_write": "on", "days": 30}
    )
    assert made.status_code == 200
    key = _shown_key(made)
    client = ApiClient.objects.get()
    assert client.provider == world.provider_a and client.user.provider == world.provider_a
    assert not client.user.has_usable_password()  # it cannot sign in on screen
    token = ApiToken.objects.get(user=client.user)
    assert token.prefix == key[:8] and not token.read_only
    # The list shows the key's beginning, never the key.
    listed = screen.get("/integrationer/").content.decode()
    assert token.prefix in listed and key not in listed
    # The key works, and the access log names the system.
    order = world.order(state="sent")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(f"/api/orders/{order.pk}/").status_code == 200
    assert AccessLogEntry.objects.filter(username=client.user.username).exists()


def test_a_bad_name_is_a_swedish_field_error_and_nothing_is_made(manager):
    screen = _signed_in(manager)
    refused = screen.post("/integrationer/klienter/", {"name": " ", "days": 30})
    assert refused.status_code == 400
    assert "Systemets namn" in refused.content.decode()
    assert not ApiClient.objects.exists()
    assert screen.post("/integrationer/klienter/", {"name": "X", "days": 999}).status_code == 400
    assert not ApiClient.objects.exists()


def test_a_read_only_client_reads_but_cannot_write(world, manager):
    _, key = create_client(manager, name="Rapporter", can_write=False)
    order = world.order(state="sent")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/events/").status_code == 200
    refused = api.post(f"/api/orders/{order.pk}/acknowledge/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert order.events.filter(kind="acknowledged").count() == 0


def test_revoking_a_key_and_ending_a_client_shut_the_door(world, manager):
    client, key = create_client(manager, name="Tid", can_write=True)
    screen = _signed_in(manager)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/events/").status_code == 200
    second = _shown_key(screen.post(f"/integrationer/klienter/{client.pk}/nycklar/", {"days": 30}))
    first_token = ApiToken.objects.get(prefix=key[:8])
    revoked = screen.post(
        f"/integrationer/klienter/{client.pk}/nycklar/{first_token.pk}/aterkalla/"
    )
    assert revoked.status_code == 302
    assert api.get("/api/events/").status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Token {second}").get("/api/events/").status_code == 200
    screen.post(f"/integrationer/klienter/{client.pk}/avsluta/")
    assert Client(HTTP_AUTHORIZATION=f"Token {second}").get("/api/events/").status_code == 401
    client.refresh_from_db()
    assert client.ended_at is not None and not client.user.is_active


def test_only_the_providers_own_manager_reaches_its_clients(world, manager):
    client, _ = create_client(manager, name="Omsorg A:s tidssystem", can_write=True)
    staff = _signed_in(world.staff_a)
    assert staff.get("/integrationer/").status_code == 403
    other = build.user(
        Role.PROVIDER_MANAGER, world.muni, provider=world.provider_b, username="chef_b"
    )
    other_screen = _signed_in(other)
    assert client.name not in other_screen.get("/integrationer/").content.decode()
    end = other_screen.post(f"/integrationer/klienter/{client.pk}/avsluta/")
    assert end.status_code == 404
    client.refresh_from_db()
    assert client.ended_at is None
    officer = _signed_in(world.officer)
    assert officer.get("/integrationer/").status_code == 403
