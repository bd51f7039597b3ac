"""Every message about an order is an order event (SPEC R10.3, issue 20 item 1): the order's
history, the event feed and the webhooks know that a message was sent, in which direction and
which one, never what it says; it moves no state and no clock."""

from __future__ import annotations

import pytest
from django.urls import reverse

from verkstall.core.errors import ValidationFailed
from verkstall.core.event_kinds import CLOCK_EVENT_LABELS, clock_event
from verkstall.deadlines.models import DueItem
from verkstall.journal import services
from verkstall.journal.models import Message
from verkstall.orders import services as order_services
from verkstall.orders.models import EventKind, Order, OrderEvent

ORDER_FIELDS = ("state", "sent_at", "acknowledged_at", "start_date", "end_date", "end_reason")
DUE_FIELDS = ("rule_id", "cycle", "status", "due_at", "due_date", "met_at", "start_event")


def _order_facts(order) -> tuple:
    return Order.objects.filter(pk=order.pk).values_list(*ORDER_FIELDS).get()


def _clocks(order) -> list[tuple]:
    """Every due item of the order and of its decision, as the watchlists read them."""
    items = DueItem.objects.filter(decision_id=order.decision_id) | DueItem.objects.filter(
        order_id=order.pk
    )
    return sorted(items.values_list("pk", *DUE_FIELDS), key=lambda row: row[0])


def _message(sender, order, subject="Fråga om insatsen", body="Kan ni ringa mig?"):
    return services.send_message(
        sender, person=order.person, order=order, subject=subject, body=body
    )


def test_a_message_records_message_sent_with_its_id_and_direction_only(world):  # R10.3
    order = world.order(state="acknowledged")
    facts, clocks = _order_facts(order), _clocks(order)
    assert clocks  # the acknowledgement's and start's clocks run: there is something to keep
    seq = Order.objects.get(pk=order.pk).last_event_seq

    to_provider = _message(world.officer, order)
    from_provider = _message(world.staff_a, order, subject="Svar", body="Vi ringer i dag.")

    events = list(OrderEvent.objects.filter(order=order, seq__gt=seq).order_by("seq"))
    assert [e.kind for e in events] == [EventKind.MESSAGE_SENT, EventKind.MESSAGE_SENT]
    assert [e.data for e in events] == [
        {"message": to_provider.pk, "from_provider": False},
        {"message": from_provider.pk, "from_provider": True},
    ]
    assert [e.actor_id for e in events] == [world.officer.pk, world.staff_a.pk]
    assert all(e.from_state == e.to_state == "" for e in events)
    # No state, date or clock moved.
    assert _order_facts(order) == facts
    assert _clocks(order) == clocks
    assert Order.objects.get(pk=order.pk).last_event_seq == seq + 2


def test_no_deadline_rule_can_start_or_stop_on_a_message():  # R11, issue 20
    """The profiles may name only the clock events with a label (core/event_kinds.py): a
    message has none, so the engine never moves a clock on it."""
    assert clock_event(EventKind.MESSAGE_SENT) not in CLOCK_EVENT_LABELS


@pytest.mark.parametrize("state", ["draft", "sent", "started", "ended"])
def test_a_message_is_recorded_in_every_state_it_can_be_sent_in(world, state):  # R10.3
    order = world.order(state=state)
    facts = _order_facts(order)
    message = _message(world.officer, order)
    last = OrderEvent.objects.filter(order=order).order_by("-seq").first()
    assert last.kind == EventKind.MESSAGE_SENT and last.data["message"] == message.pk
    assert _order_facts(order) == facts


def test_a_cancelled_orders_provider_is_told_and_the_history_shows_it(world):  # R10.3
    order = world.order(state="sent")
    order_services.cancel_order(world.officer, order, reason="Klienten avböjde")
    message = _message(world.officer, order, subject="Makulerad", body="Beställningen makulerad.")
    last = OrderEvent.objects.filter(order=order).order_by("-seq").first()
    assert (last.kind, last.data["message"]) == (EventKind.MESSAGE_SENT, message.pk)
    assert Order.objects.get(pk=order.pk).state == "cancelled"


def test_a_refused_message_leaves_no_event(world):  # R10.3
    order = world.order(state="started")
    count = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(ValidationFailed):
        _message(world.officer, order, subject="199001011234 angående insatsen")
    assert OrderEvent.objects.filter(order=order).count() == count
    assert not Message.objects.filter(subject__contains="199001011234").exists()


def test_the_services_that_tell_the_other_side_record_the_event_too(world):  # R3.7, R3.9
    """The start's "verkställt från och med" and the end's message go through the same
    service (journal.services.send_message, through the ORDER_MESSAGE hook)."""
    order = world.order(state="ended")
    kinds = list(OrderEvent.objects.filter(order=order).order_by("seq").values_list("kind", "data"))
    messages = {m.pk: m for m in Message.objects.filter(order=order)}
    assert len(messages) == 2  # started and ended, both told by the provider's staff
    told = [(k, d) for k, d in kinds if k == EventKind.MESSAGE_SENT]
    assert {d["message"] for _, d in told} == set(messages)
    assert all(d["from_provider"] for _, d in told)
    codes = [k for k, _ in kinds]
    assert codes.index("started") + 1 == codes.index("message_sent")  # right after the start
    assert codes[-2:] == ["ended", "message_sent"]


def test_the_orders_history_names_the_direction_of_a_message(world, client):  # R10.3
    order = world.order(state="acknowledged")
    _message(world.staff_a, order, subject="Hemlig rubrik", body="Hemlig text")
    client.force_login(world.officer)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    history = page.split('id="events"', 1)[1]
    assert "Meddelande skickat (från utföraren)" in history
    assert "Hemlig rubrik" not in history and "Hemlig text" not in history
    _message(world.officer, order)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Meddelande skickat (från handläggaren)" in page.split('id="events"', 1)[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_feed_carries_a_message_event_to_its_provider_only(world, api):  # issue 20
    """The provider reads the message with its own key from the id the event gives; another
    provider's feed never carries it, and no feed carries its subject or text."""
    mine = world.order(state="acknowledged")
    theirs = world.order(provider=world.provider_b, state="acknowledged")
    to_a = _message(world.officer, mine, subject="Kanarie-ämne-A", body="Kanarie-text-A")
    to_b = _message(world.officer, theirs, subject="Kanarie-ämne-B", body="Kanarie-text-B")

    def message_events(user) -> tuple[list[dict], bytes]:
        response = api(user).get("/api/events/", {"limit": 500})
        assert response.status_code == 200
        rows = response.json()["results"]
        return [e for e in rows if e["kind"] == "message_sent"], response.content

    events_a, raw_a = message_events(world.staff_a)
    assert [(e["order"], e["message"]) for e in events_a] == [(mine.pk, to_a.pk)]
    assert events_a[0]["kind_label"] == "Meddelande skickat"
    events_b, raw_b = message_events(world.staff_b)
    assert [(e["order"], e["message"]) for e in events_b] == [(theirs.pk, to_b.pk)]
    for raw in (raw_a, raw_b):
        assert b"Kanarie" not in raw
    # The id leads to the message for its provider only.
    assert api(world.staff_a).get(f"/api/messages/{to_a.pk}/").json()["subject"] == (
        "Kanarie-ämne-A"
    )
    assert api(world.staff_b).get(f"/api/messages/{to_a.pk}/").status_code == 404
    # The officer's feed has both; the other unit's officer neither.
    officer_events, _ = message_events(world.officer)
    assert {e["message"] for e in officer_events} == {to_a.pk, to_b.pk}
    assert message_events(world.other_officer)[0] == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_on_a_draft_is_not_in_the_providers_feed(world, api):  # issue 20
    """Before the sending the order is not the provider's (orders.feed_selectors)."""
    draft = world.order(state="draft")
    early = _message(world.officer, draft, subject="Inför", body="Beställning kommer.")
    order_services.send_order(world.officer, draft)
    late = _message(world.officer, draft, subject="Skickad", body="Nu är den skickad.")
    rows = api(world.staff_a).get("/api/events/").json()["results"]
    ids = [e["message"] for e in rows if e["order"] == draft.pk and e["message"]]
    assert ids == [late.pk]
    assert early.pk not in ids
