"""Correcting a draft order (SPEC R1.1 "correct ... a draft order", R3.1): while the order is
a draft, the client's officer corrects its provider, unit, services and information with a
reason, and the order's history keeps the old and the new value, who and why."""

from __future__ import annotations

import pytest
from django.test import Client

from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.orders import draft_correction_services as drafts
from verkstall.orders import services
from verkstall.orders.models import EventKind, Order, OrderEvent
from verkstall.tooling import testing as build

HOME_CARE = [
    {"service_type": "hemtjanst-omvardnad", "scope_amount": "20", "scope_unit": "hours_per_month"},
    {"service_type": "hemtjanst-service", "scope_amount": "4", "scope_unit": "hours_per_month"},
]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_officer_corrects_a_draft_on_screen_and_its_history_shows_old_and_new(world):
    """R1.1: provider and information corrected with a reason; the order's history has an
    event of its own kind, "Utkast rättat", with both values; the provider first addressed
    never sees it."""
    order = world.order(instructions="Ring på")
    client = login(world.officer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/orders/{order.pk}/edit/"' in page
    form = client.get(f"/orders/{order.pk}/edit/")
    assert form.status_code == 200 and "Ring på" in form.content.decode()
    response = client.post(
        f"/orders/{order.pk}/edit/",
        {
            "provider": world.provider_b.pk,
            "provider_unit": "",
            "services": [s.pk for s in order.services.all()],
            "instructions": "Ring två gånger",
            "reason": "Klienten valde Omsorg B",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.provider, order.instructions, order.state) == (
        world.provider_b,
        "Ring två gånger",
        "draft",
    )
    event = order.events.order_by("seq").last()
    assert event.kind == EventKind.DRAFT_CORRECTED and "draft_corrected" not in event.data
    assert order.events.filter(kind=EventKind.CREATED).count() == 1  # only its creation
    assert event.actor == world.officer and event.data["reason"] == "Klienten valde Omsorg B"
    assert {(c["field"], c["old"], c["new"]) for c in event.data["changes"]} == {
        ("provider", "Omsorg A AB", "Omsorg B AB"),
        ("instructions", "Ring på", "Ring två gånger"),
    }
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "<td>Utkast rättat</td>" in page
    assert "Utförare: Omsorg A AB → Omsorg B AB" in page
    assert "Klienten valde Omsorg B" in page
    services.send_order(world.officer, order)
    assert login(world.staff_b).get(f"/orders/{order.pk}/").status_code == 200
    assert login(world.staff_a).get(f"/orders/{order.pk}/").status_code == 404


def test_a_draft_correction_needs_a_reason_and_a_change_and_valid_values(world):  # R1.1
    decision = world.decision(services=HOME_CARE)
    order = world.order(decision=decision)
    granted = list(decision.services.order_by("pk"))
    other_decision = world.decision()
    foreign_unit = build.provider_unit(world.provider_b)
    cases = [
        ({"instructions": "Ny", "reason": " "}, "reason"),
        ({"instructions": order.instructions, "reason": "Inget"}, "__all__"),
        ({"services": [other_decision.services.get().pk], "reason": "x"}, "services"),
        ({"services": [], "reason": "x"}, "services"),
        ({"provider_unit": foreign_unit.pk, "reason": "x"}, "provider_unit"),
        ({"provider": 999999, "reason": "x"}, "provider"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            drafts.correct_draft(world.officer, order, **values)
        assert field in caught.value.errors, values
    assert OrderEvent.objects.filter(order=order).count() == 1  # only its creation
    event = drafts.correct_draft(
        world.officer, order, services=[granted[1].pk], reason="Bara service"
    )
    assert list(Order.objects.get(pk=order.pk).services.all()) == [granted[1]]
    (change,) = event.data["changes"]
    assert change["field"] == "services" and "4 timmar" in change["new"]


def test_only_a_draft_and_only_the_clients_officer(world, api):  # R1.1
    draft = world.order()
    for user in (world.other_officer, world.fee_officer, world.staff_a):
        with pytest.raises(PermissionDenied):
            drafts.correct_draft(user, draft, instructions="x", reason="y")
    sent = world.order(state="sent")
    with pytest.raises(TransitionNotAllowed):
        drafts.correct_draft(world.officer, sent, instructions="x", reason="y")
    response = api(world.officer).post(
        f"/api/orders/{sent.pk}/correct-draft/",
        {"instructions": "x", "reason": "y"},
        format="json",
    )
    assert response.status_code == 409
    # The screen sends the officer back to a sent order, and offers no link.
    response = login(world.officer).get(f"/orders/{sent.pk}/edit/")
    assert response.status_code == 302
    assert (
        f"/orders/{sent.pk}/edit/"
        not in login(world.officer).get(f"/orders/{sent.pk}/").content.decode()
    )
    assert Order.objects.get(pk=sent.pk).instructions == ""


def test_the_api_corrects_a_draft_and_returns_its_history(world, api):  # R1.1
    decision = world.decision(services=HOME_CARE)
    order = world.order(decision=decision)
    unit = build.provider_unit(world.provider_a, "Enhet Norr")
    response = api(world.officer).post(
        f"/api/orders/{order.pk}/correct-draft/",
        {"provider_unit": unit.pk, "reason": "Enheten närmast"},
        format="json",
    )
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["state"] == "draft"
    # The recorded event (issue 19's step answer), or the last of the whole history.
    last = body["event"] if "event" in body else body["events"][-1]
    assert last["kind"] == "draft_corrected" and "draft_corrected" not in last["data"]
    assert last["data"]["changes"] == [
        {"field": "provider_unit", "label": "Utförarenhet", "old": "", "new": "Enhet Norr"}
    ]
    assert Order.objects.get(pk=order.pk).provider_unit == unit
    response = api(world.officer).post(
        f"/api/orders/{order.pk}/correct-draft/", {"provider_unit": None}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()


def test_a_correction_recorded_before_its_kind_existed_still_reads_as_one(world):  # R1.1
    """Order events are append-only: a draft correction recorded as a `created` event marked
    `draft_corrected` (before DRAFT_CORRECTED existed) stays as it is and the order page labels
    it like a new one, with its text; the order's own creation keeps its label."""
    order = world.order()
    services.record_event(
        world.officer,
        order,
        kind=EventKind.CREATED,
        data={
            "draft_corrected": True,
            "changes": [],
            "reason": "Gammal",
            "text": "Utkastet ändrat.",
        },
        allowed_states=None,
    )
    drafts.correct_draft(world.officer, order, instructions="Ny", reason="Ny rättning")
    kinds = list(order.events.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["created", "created", "draft_corrected"]
    page = login(world.officer).get(f"/orders/{order.pk}/").content.decode()
    assert page.count("<td>Utkast rättat</td>") == 2
    assert page.count("<td>Beställning skapad</td>") == 1
    assert "Utkastet ändrat." in page and "Skäl: Ny rättning" in page
