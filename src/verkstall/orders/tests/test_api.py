"""The orders API: create, every transition, and the mapping of domain errors to HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from verkstall.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db

TRANSITIONS = ["send", "acknowledge", "start", "end", "cancel"]


def url(order=None, action: str | None = None) -> str:
    if order is None:
        return "/api/orders/"
    pk = getattr(order, "pk", order)
    return f"/api/orders/{pk}/{action}/" if action else f"/api/orders/{pk}/"


def today() -> str:
    return timezone.localdate().isoformat()


def valid_body(action: str) -> dict:
    return {
        "send": {},
        "acknowledge": {},
        "start": {"start_date": today()},
        "end": {"end_date": today(), "end_reason": "other"},
        "cancel": {"reason": "Fel utförare"},
    }[action]


def state_of(order) -> str:
    return Order.objects.get(pk=order.pk).state


# --- create ----------------------------------------------------------------------------------


def test_an_officer_creates_an_order_and_gets_its_detail_with_events(world, api):  # R3.1
    decision = world.decision()
    service_id = decision.services.get().pk
    response = api(world.officer).post(
        url(),
        {
            "decision": decision.pk,
            "provider": world.provider_a.pk,
            "services": [service_id],
            "instructions": "Ring på två gånger.",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["state"] == "draft"
    assert body["decision"] == decision.pk
    assert body["provider"] == world.provider_a.pk
    assert body["provider_name"] == "Omsorg A AB"
    assert body["person"] == decision.person_id
    assert [s["id"] for s in body["services"]] == [service_id]
    assert body["instructions"] == "Ring på två gånger."
    assert [e["kind"] for e in body["events"]] == ["created"]
    assert body["allowed_actions"] == ["send", "cancel"]
    assert Order.objects.get(pk=body["id"]).officer_id == world.officer.pk


def test_an_acute_oral_order_is_created_through_the_api(world, api):  # R3.2
    oral_at = timezone.now() - timedelta(hours=3)
    response = api(world.officer).post(
        url(),
        {
            "decision": world.decision().pk,
            "provider": world.provider_a.pk,
            "acute_oral_at": oral_at.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert [e["kind"] for e in response.json()["events"]] == ["created", "oral_order"]
    assert response.json()["acute_oral_at"] is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision": 999999}, "decision"),
        ({"decision": "abc"}, "decision"),
        ({"provider": 999999}, "provider"),
        ({"provider": None}, "provider"),
        ({"services": [999999]}, "services"),
        ({"services": []}, "services"),
        ({"acute_oral_at": "i fredags"}, "acute_oral_at"),
    ],
)
def test_bad_order_input_is_a_400_keyed_by_the_field(world, api, change, field):  # R3.1
    body = {"decision": world.decision().pk, "provider": world.provider_a.pk, **change}
    response = api(world.officer).post(url(), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Order.objects.exists()


def test_a_service_listed_twice_is_ordered_once(world, api):  # R3.1
    decision = world.decision()
    service_id = decision.services.get().pk
    response = api(world.officer).post(
        url(),
        {"decision": decision.pk, "provider": world.provider_a.pk, "services": [service_id] * 2},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert [s["id"] for s in response.json()["services"]] == [service_id]


def test_a_decision_of_another_unit_is_unknown_to_the_officer(world, api):  # Actors
    decision = world.decision()
    response = api(world.other_officer).post(
        url(), {"decision": decision.pk, "provider": world.provider_a.pk}, format="json"
    )
    assert response.status_code == 400
    assert "decision" in response.json()


def test_a_provider_of_another_municipality_is_an_unknown_provider(world, api):  # Actors
    from verkstall.tooling import testing as build

    elsewhere = build.provider(build.municipality(), "Annan kommuns utförare AB")
    response = api(world.officer).post(
        url(), {"decision": world.decision().pk, "provider": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert "provider" in response.json()


def test_provider_staff_cannot_create_orders(world, api):  # Actors
    order = world.order(state="sent")  # staff A may see this decision
    response = api(world.staff_a).post(
        url(), {"decision": order.decision_id, "provider": world.provider_a.pk}, format="json"
    )
    assert response.status_code == 403
    assert Order.objects.count() == 1


# --- transitions, each by the right actor ---------------------------------------------------


def test_every_transition_endpoint_works_for_the_right_actor(world, api):  # R3.1, R3.7, R3.9
    order = world.order()
    officer, staff = api(world.officer), api(world.staff_a)
    steps = [
        (officer, "send", {}, "sent"),
        (staff, "acknowledge", {}, "acknowledged"),
        (staff, "start", {"start_date": today()}, "started"),
        (staff, "end", {"end_date": today(), "note": "Flyttat", "end_reason": "moved"}, "ended"),
    ]
    for client, action, body, new_state in steps:
        response = client.post(url(order, action), body, format="json")
        assert response.status_code == 200, (action, response.data)
        detail = response.json()
        assert detail["id"] == order.pk
        assert detail["state"] == new_state
        assert "events" not in detail  # the lean answer (issue 19): the recorded event
        last = detail["event"]
        assert last["kind"] == new_state
        # The step's own event is the order's last but for a message it sends (MESSAGE_SENT).
        assert last["seq"] == Order.objects.get(pk=order.pk).events.get(kind=new_state).seq
        assert last["to_state"] == new_state
        assert last["occurred_at"] and last["recorded_at"]
        assert state_of(order) == new_state
    assert detail["start_date"] == today()
    assert detail["end_date"] == today()
    assert detail["event"]["data"]["note"] == "Flyttat"
    assert detail["allowed_actions"] == []


def test_a_transition_answers_with_the_whole_order_when_asked(world, api):  # R3.1, issue 19
    order = world.order()
    response = api(world.officer).post(url(order, "send") + "?full=true", {}, format="json")
    assert response.status_code == 200, response.data
    detail = response.json()
    assert [e["kind"] for e in detail["events"]] == ["created", "sent"]
    assert detail["new_client"] is True and "event" not in detail


def test_the_officer_cancels_through_the_api(world, api):  # R3.9
    order = world.order(state="sent")
    response = api(world.officer).post(url(order, "cancel"), {"reason": "Avböjt"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert response.json()["event"]["data"] == {"reason": "Avböjt"}


def test_cancelling_a_sent_order_without_reason_is_a_400_on_reason(world, api):  # R3.9
    order = world.order(state="sent")
    response = api(world.officer).post(url(order, "cancel"), {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert state_of(order) == "sent"


def test_the_municipality_registers_for_a_provider_not_connected(world, api):  # R3.3
    order = world.order(provider=world.offline, state="sent")
    response = api(world.fee_officer).post(
        url(order, "acknowledge"), {"channel": "fax"}, format="json"
    )
    assert response.status_code == 200, response.data
    event = response.json()["event"]
    assert event["on_behalf_of"] == "Faxomsorg HB"
    assert event["channel"] == "fax"
    response = api(world.officer).post(
        url(order, "start"), {"start_date": today(), "channel": "phone"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "started"


def test_the_detail_lists_only_the_actions_this_user_may_take(world, api):  # R3.3
    sent = world.order(state="sent")
    assert api(world.staff_a).get(url(sent)).json()["allowed_actions"] == ["acknowledge"]
    assert api(world.officer).get(url(sent)).json()["allowed_actions"] == ["cancel"]
    offline = world.order(provider=world.offline, state="sent")
    assert api(world.officer).get(url(offline)).json()["allowed_actions"] == [
        "acknowledge",
        "cancel",
    ]
    assert api(world.fee_officer).get(url(offline)).json()["allowed_actions"] == ["acknowledge"]


def test_an_officer_acknowledging_for_a_connected_provider_gets_403(world, api):  # R3.3
    order = world.order(state="sent")
    response = api(world.officer).post(
        url(order, "acknowledge"), {"channel": "phone"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert state_of(order) == "sent"


# --- 409: the state does not allow it --------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "client_of", "action", "allowed", "named"),
    [
        ("sent", "staff_a", "start", ["acknowledge", "cancel"], "skickad"),
        ("sent", "officer", "send", ["acknowledge", "cancel"], "skickad"),
        ("draft", "officer", "end", ["send", "cancel"], "utkast"),
        ("started", "officer", "cancel", ["end"], "verkställd"),
        ("ended", "staff_a", "end", [], "avslutad"),
        ("acknowledged", "staff_a", "acknowledge", ["start", "cancel"], "kvitterad"),
    ],
)
def test_a_transition_the_state_does_not_allow_is_409_with_state_and_allowed_actions(
    world, api, state, client_of, action, allowed, named
):  # R3.1
    """`allowed_actions` is what the state table allows, whoever asks."""
    order = world.order(state=state)
    seq = Order.objects.get(pk=order.pk).last_event_seq
    response = api(getattr(world, client_of)).post(
        url(order, action), valid_body(action), format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["state"] == state
    assert body["action"] == action
    assert body["allowed_actions"] == allowed
    assert body["code"] == "transition_not_allowed"
    assert named in body["detail"]
    assert state_of(order) == state
    assert OrderEvent.objects.filter(order=order).count() == seq


def test_a_refused_transition_is_409_even_when_the_body_is_empty(world, api):  # R3.1
    order = world.order(state="sent")
    response = api(world.staff_a).post(url(order, "start"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["state"] == "sent"
    response = api(world.staff_a).post(url(order, "end"), {}, format="json")
    assert response.status_code == 409


# --- 400: bad input, keyed by the field ------------------------------------------------------


def test_a_backdated_written_order_is_a_400_on_written_on(world, api):  # R3.2
    order = world.order()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api(world.officer).post(url(order, "send"), {"written_on": yesterday}, format="json")
    assert response.status_code == 400
    assert "written_on" in response.json()
    assert "retroaktivt" in response.json()["written_on"][0]
    assert state_of(order) == "draft"


@pytest.mark.parametrize(
    "start_date",
    [(timezone.localdate() + timedelta(days=1)).isoformat(), "i fredags", ""],
)
def test_a_bad_start_date_is_a_400_on_start_date(world, api, start_date):  # R3.7
    order = world.order(state="acknowledged")
    response = api(world.staff_a).post(
        url(order, "start"), {"start_date": start_date}, format="json"
    )
    assert response.status_code == 400
    assert "start_date" in response.json()
    assert state_of(order) == "acknowledged"


def test_a_missing_start_date_is_a_400_on_start_date(world, api):  # R3.7
    order = world.order(state="acknowledged")
    response = api(world.staff_a).post(url(order, "start"), {}, format="json")
    assert response.status_code == 400
    assert "start_date" in response.json()


@pytest.mark.parametrize("body", [{}, {"channel": "system"}, {"channel": "brevduva"}])
def test_registering_on_behalf_without_a_channel_is_a_400_on_channel(world, api, body):  # R3.3
    order = world.order(provider=world.offline, state="sent")
    response = api(world.officer).post(url(order, "acknowledge"), body, format="json")
    assert response.status_code == 400
    assert "channel" in response.json()
    assert state_of(order) == "sent"


def test_an_end_date_before_the_start_is_a_400_on_end_date(world, api):  # R3.9
    order = world.order(state="started")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api(world.staff_a).post(
        url(order, "end"), {"end_date": yesterday, "end_reason": "other"}, format="json"
    )
    assert response.status_code == 400
    assert "end_date" in response.json()


# --- 404: not yours to see -------------------------------------------------------------------


def test_staff_of_a_get_404_for_an_order_of_provider_b(world, api):  # Actors
    order = world.order(provider=world.provider_b, state="sent")
    client = api(world.staff_a)
    response = client.get(url(order))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api(world.staff_b).get(url(order)).status_code == 200


@pytest.mark.parametrize("action", TRANSITIONS)
@pytest.mark.parametrize("state", ["sent", "acknowledged", "started"])
def test_every_transition_on_provider_bs_order_is_404_for_staff_of_a(
    world, api, action, state
):  # Actors
    order = world.order(provider=world.provider_b, state=state)
    seq = Order.objects.get(pk=order.pk).last_event_seq
    response = api(world.staff_a).post(url(order, action), valid_body(action), format="json")
    # send and cancel are refused to provider roles outright (403); the rest do not find B's order
    assert response.status_code == (403 if action in ("send", "cancel") else 404)
    assert "state" not in response.json()
    assert state_of(order) == state
    assert OrderEvent.objects.filter(order=order).count() == seq


def test_a_nonexistent_order_is_404(world, api):  # Actors
    assert api(world.officer).get(url(999999)).status_code == 404
    assert api(world.officer).post(url(999999, "send"), {}, format="json").status_code == 404


# --- unauthenticated -------------------------------------------------------------------------


def test_an_anonymous_client_gets_nothing(world):  # Actors
    order = world.order(state="sent")
    client = APIClient()
    assert client.get(url()).status_code in (401, 403)
    assert client.get(url(order)).status_code in (401, 403)
    response = client.post(
        url(), {"decision": order.decision_id, "provider": world.provider_a.pk}, format="json"
    )
    assert response.status_code in (401, 403)
    for action in TRANSITIONS:
        response = client.post(url(order, action), valid_body(action), format="json")
        assert response.status_code in (401, 403)
    assert state_of(order) == "sent"
    assert Order.objects.count() == 1


# --- list ------------------------------------------------------------------------------------


def test_the_list_filters_by_state(world, api):  # R3.1
    draft = world.order()
    sent = world.order(state="sent")
    client = api(world.officer)
    ids = {o["id"] for o in client.get(url()).json()["results"]}
    assert ids == {draft.pk, sent.pk}
    only_sent = client.get(url(), {"state": "sent"}).json()["results"]
    assert [o["id"] for o in only_sent] == [sent.pk]
    assert "events" not in only_sent[0]


def test_an_officer_ending_through_the_api_ends_the_decision_too(world, api):  # R3.9
    order = world.order(provider=world.provider_a, state="started")
    end = Order.objects.get(pk=order.pk).start_date
    response = api(world.officer).post(
        url(order, "end"), {"end_date": end.isoformat(), "end_reason": "declined"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert {s.valid_to for s in Order.objects.get(pk=order.pk).services.all()} == {end}
