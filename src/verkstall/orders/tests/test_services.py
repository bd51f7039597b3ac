"""The order's services: every write, its event, and the rules each transition enforces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.orders import services
from verkstall.orders.models import AppendOnlyError, EventKind, Order, OrderEvent

pytestmark = pytest.mark.django_db


def reload(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def events(order: Order) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order_id=order.pk).order_by("seq"))


def field_errors(caught) -> dict:
    return caught.value.errors


def assert_nothing_written(order: Order, *, state: str, seq: int) -> None:
    row = reload(order)
    assert row.state == state
    assert row.last_event_seq == seq
    assert OrderEvent.objects.filter(order_id=order.pk).count() == seq


def test_the_whole_life_writes_one_event_per_step_with_who_and_when(world):  # R3.1, R3.7, R3.9
    today = timezone.localdate()
    before = timezone.now()
    order = services.create_order(
        world.officer, decision=world.decision(), provider=world.provider_a
    )
    assert reload(order).state == "draft"

    steps = [
        (world.officer, lambda o: services.send_order(world.officer, o), "sent"),
        (world.staff_a, lambda o: services.acknowledge_order(world.staff_a, o), "acknowledged"),
        (
            world.staff_a,
            lambda o: services.register_start(world.staff_a, o, start_date=today),
            "started",
        ),
        (world.staff_a, lambda o: services.end_order(world.staff_a, o, end_date=today), "ended"),
    ]
    previous, n = "draft", 1
    for actor, step, new_state in steps:
        event = step(order)
        n += 1
        row = reload(order)
        stored = OrderEvent.objects.get(pk=event.pk)
        assert row.state == new_state
        assert (stored.seq, stored.kind) == (n, new_state)
        # The start and the end tell the other side by a message: its event follows (R10.3).
        told = new_state in ("started", "ended")
        n += told
        assert row.last_event_seq == n
        assert len(events(order)) == n
        assert (events(order)[-1].kind == "message_sent") == told
        assert (stored.from_state, stored.to_state) == (previous, new_state)
        assert stored.actor_id == actor.pk
        assert stored.actor_organisation == actor.organisation_name
        assert stored.on_behalf_of_id is None
        # A reply from a connected provider came through the system itself.
        assert stored.channel == ("" if actor == world.officer else "system")
        assert stored.occurred_at is not None
        assert stored.recorded_at >= before
        previous = new_state

    row = reload(order)
    kinds = [e.kind for e in events(order)]
    assert kinds == [
        "created", "sent", "acknowledged", "started", "message_sent", "ended", "message_sent"
    ]  # fmt: skip
    assert events(order)[0].actor_id == world.officer.pk
    assert row.written_on == today
    assert row.sent_at is not None and row.acknowledged_at is not None
    assert row.acknowledged_at >= row.sent_at
    assert row.start_date == today and row.end_date == today
    assert events(order)[1].data["written_on"] == today.isoformat()
    assert events(order)[3].data["start_date"] == today.isoformat()
    # The provider's events are signed by the provider, the officer's by the unit.
    assert events(order)[2].actor_organisation == "Omsorg A AB"
    assert events(order)[1].actor_organisation == "Biståndsenheten Väst"


def test_the_start_event_is_dated_by_the_start_date_and_recorded_now(world):  # R3.7
    order = world.order(state="acknowledged")
    event = services.register_start(world.staff_a, order, start_date=timezone.localdate())
    assert timezone.localdate(event.occurred_at) == timezone.localdate()
    assert event.occurred_at <= event.recorded_at


# --- acute oral order (R3.2) -----------------------------------------------------------------


def test_an_acute_oral_order_is_recorded_as_an_event_and_awaits_the_written_order(world):  # R3.2
    oral_at = timezone.now() - timedelta(hours=5)
    order = world.order(acute_oral_at=oral_at)
    history = events(order)
    assert [e.kind for e in history] == ["created", "oral_order"]
    assert history[1].occurred_at == oral_at
    assert history[1].actor_id == world.officer.pk
    assert history[1].recorded_at > oral_at
    row = reload(order)
    assert row.acute_oral_at == oral_at
    assert row.state == "draft"
    assert row.awaits_written_order is True

    services.send_order(world.officer, row)
    assert reload(order).awaits_written_order is False


def test_an_order_without_an_oral_order_never_awaits_a_written_one(world):  # R3.2
    order = world.order()
    assert order.awaits_written_order is False
    assert [e.kind for e in events(order)] == ["created"]


def test_an_oral_order_cannot_be_in_the_future(world):  # R3.2
    with pytest.raises(ValidationFailed) as caught:
        world.order(acute_oral_at=timezone.now() + timedelta(hours=2))
    assert "acute_oral_at" in field_errors(caught)
    assert not Order.objects.exists()


def test_the_written_order_cannot_be_dated_before_today_and_nothing_is_written(world):  # R3.2
    order = world.order()
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        services.send_order(world.officer, order, written_on=yesterday)
    assert "retroaktivt" in field_errors(caught)["written_on"][0]
    assert_nothing_written(order, state="draft", seq=1)
    row = reload(order)
    assert row.sent_at is None and row.written_on is None


def test_after_an_oral_order_the_written_order_still_cannot_carry_the_oral_date(world):  # R3.2
    oral_at = timezone.now() - timedelta(days=3)
    order = world.order(acute_oral_at=oral_at)
    with pytest.raises(ValidationFailed) as caught:
        services.send_order(world.officer, order, written_on=timezone.localdate(oral_at))
    assert "written_on" in field_errors(caught)
    assert_nothing_written(order, state="draft", seq=2)
    assert reload(order).awaits_written_order is True

    services.send_order(world.officer, order, written_on=timezone.localdate().isoformat())
    assert reload(order).written_on == timezone.localdate()


def test_the_written_order_is_dated_the_day_it_is_sent_not_later(world):  # R3.2
    order = world.order()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        services.send_order(world.officer, order, written_on=tomorrow)
    assert "written_on" in field_errors(caught)
    assert_nothing_written(order, state="draft", seq=1)


def test_a_malformed_written_date_is_a_field_error(world):  # R3.2
    order = world.order()
    with pytest.raises(ValidationFailed) as caught:
        services.send_order(world.officer, order, written_on="12/03/2026")
    assert "written_on" in field_errors(caught)
    assert_nothing_written(order, state="draft", seq=1)


# --- the start date (R3.7) -------------------------------------------------------------------


def test_an_acute_order_may_start_before_it_was_sent_recorded_later(world):  # R3.2, R3.7
    """Oral order and start on Friday; the written order, receipt and start recorded Monday."""
    oral_at = timezone.now() - timedelta(days=3)
    friday = timezone.localdate(oral_at)
    order = world.order(acute_oral_at=oral_at, state="acknowledged")
    assert timezone.localdate(reload(order).sent_at) > friday

    event = services.register_start(world.staff_a, order, start_date=friday)
    assert reload(order).start_date == friday
    assert reload(order).state == "started"
    assert timezone.localdate(event.occurred_at) == friday
    assert timezone.localdate(event.recorded_at) == timezone.localdate()
    assert event.recorded_at - event.occurred_at > timedelta(days=2)
    assert event.is_backdated


def test_an_acute_order_cannot_start_before_the_oral_order(world):  # R3.2, R3.7
    oral_at = timezone.now() - timedelta(days=3)
    order = world.order(acute_oral_at=oral_at, state="acknowledged")
    day_before = timezone.localdate(oral_at) - timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        services.register_start(world.staff_a, order, start_date=day_before)
    assert "start_date" in field_errors(caught)
    assert_nothing_written(order, state="acknowledged", seq=4)
    assert reload(order).start_date is None


def test_an_order_without_oral_order_cannot_start_before_it_was_sent(world):  # R3.7
    order = world.order(state="acknowledged")
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        services.register_start(world.staff_a, order, start_date=yesterday)
    assert "start_date" in field_errors(caught)
    assert_nothing_written(order, state="acknowledged", seq=3)


def test_a_start_date_in_the_future_is_refused(world):  # R3.7
    order = world.order(state="acknowledged")
    with pytest.raises(ValidationFailed) as caught:
        services.register_start(
            world.staff_a, order, start_date=timezone.localdate() + timedelta(days=1)
        )
    assert "framtiden" in field_errors(caught)["start_date"][0]
    assert_nothing_written(order, state="acknowledged", seq=3)


def test_a_missing_start_date_is_a_field_error(world):  # R3.7
    order = world.order(state="acknowledged")
    with pytest.raises(ValidationFailed) as caught:
        services.register_start(world.staff_a, order, start_date=None)
    assert "start_date" in field_errors(caught)


# --- acknowledgement (R3.3, R3.5) ------------------------------------------------------------


def test_an_acknowledgement_cannot_be_dated_before_the_order_was_sent(world):  # R3.5
    order = world.order(state="sent")
    with pytest.raises(ValidationFailed) as caught:
        services.acknowledge_order(
            world.staff_a, order, occurred_at=reload(order).sent_at - timedelta(minutes=1)
        )
    assert "occurred_at" in field_errors(caught)
    with pytest.raises(ValidationFailed) as caught:
        services.acknowledge_order(
            world.staff_a, order, occurred_at=timezone.now() + timedelta(hours=1)
        )
    assert "occurred_at" in field_errors(caught)
    assert_nothing_written(order, state="sent", seq=2)


# --- providers not connected: the municipality registers on their behalf (R3.3) --------------


def test_an_officer_registers_acknowledgement_for_a_provider_not_connected(world):  # R3.3
    order = world.order(provider=world.offline, state="sent")
    event = services.acknowledge_order(world.officer, order, channel="phone")
    assert event.on_behalf_of_id == world.offline.pk
    assert event.channel == "phone"
    assert event.actor_id == world.officer.pk
    assert reload(order).state == "acknowledged"


def test_a_fee_officer_registers_acknowledgement_and_start_on_behalf(world):  # R3.3
    order = world.order(provider=world.offline, state="sent")
    ack = services.acknowledge_order(world.fee_officer, order, channel="fax")
    start = services.register_start(
        world.fee_officer, order, start_date=timezone.localdate(), channel="post"
    )
    for event, channel in ((ack, "fax"), (start, "post")):
        assert event.actor_id == world.fee_officer.pk
        assert event.on_behalf_of_id == world.offline.pk
        assert event.channel == channel
    assert reload(order).state == "started"


@pytest.mark.parametrize("channel", ["", "system", "pigeon"])
def test_registering_on_behalf_needs_the_channel_the_reply_came_by(world, channel):  # R3.3
    order = world.order(provider=world.offline, state="sent")
    with pytest.raises(ValidationFailed) as caught:
        services.acknowledge_order(world.officer, order, channel=channel)
    assert "channel" in field_errors(caught)
    assert_nothing_written(order, state="sent", seq=2)

    services.acknowledge_order(world.officer, order, channel="email")
    with pytest.raises(ValidationFailed) as caught:
        services.register_start(
            world.fee_officer, order, start_date=timezone.localdate(), channel=channel
        )
    assert "channel" in field_errors(caught)
    assert_nothing_written(order, state="acknowledged", seq=3)


def test_provider_staff_cannot_register_for_a_provider_not_connected(world):  # R3.3, Actors
    order = world.order(provider=world.offline, state="sent")
    with pytest.raises(PermissionDenied):
        services.acknowledge_order(world.staff_a, order, channel="phone")
    services.acknowledge_order(world.officer, order, channel="phone")
    with pytest.raises(PermissionDenied):
        services.register_start(
            world.staff_b, order, start_date=timezone.localdate(), channel="phone"
        )
    assert_nothing_written(order, state="acknowledged", seq=3)


def test_staff_of_another_provider_cannot_acknowledge_start_or_end(world):  # Actors
    order = world.order(state="sent")
    with pytest.raises(PermissionDenied):
        services.acknowledge_order(world.staff_b, order)
    order = world.order(state="acknowledged")
    with pytest.raises(PermissionDenied):
        services.register_start(world.staff_b, order, start_date=timezone.localdate())
    order = world.order(state="started")
    with pytest.raises(PermissionDenied):
        services.end_order(world.staff_b, order, end_date=timezone.localdate())
    assert_nothing_written(order, state="started", seq=5)  # with the start's message (R10.3)


@pytest.mark.parametrize("who", ["officer", "fee_officer"])
def test_for_a_connected_provider_the_municipality_cannot_acknowledge_or_start(world, who):  # R3.3
    actor = getattr(world, who)
    order = world.order(state="sent")
    with pytest.raises(PermissionDenied) as caught:
        services.acknowledge_order(actor, order, channel="phone")
    assert "ansluten" in caught.value.message
    assert_nothing_written(order, state="sent", seq=2)

    order = world.order(state="acknowledged")
    with pytest.raises(PermissionDenied):
        services.register_start(actor, order, start_date=timezone.localdate(), channel="phone")
    assert_nothing_written(order, state="acknowledged", seq=3)


def test_only_an_officer_of_the_clients_unit_sends_or_cancels(world):  # R3.1, Actors
    order = world.order()
    for actor in (world.other_officer, world.fee_officer, world.staff_a):
        with pytest.raises(PermissionDenied):
            services.send_order(actor, order)
        with pytest.raises(PermissionDenied):
            services.cancel_order(actor, order, reason="fel")
    assert_nothing_written(order, state="draft", seq=1)


def test_only_an_officer_of_the_clients_unit_creates_orders(world):  # R3.1, Actors
    decision = world.decision()
    for actor in (world.other_officer, world.fee_officer, world.staff_a):
        with pytest.raises(PermissionDenied):
            services.create_order(actor, decision=decision, provider=world.provider_a)
    assert not Order.objects.exists()


# --- events are append-only ------------------------------------------------------------------


def test_an_existing_event_cannot_be_changed(world):  # R3, ARCHITECTURE events, R10.2
    order = world.order(state="sent")
    event = events(order)[1]
    event.kind = "cancelled"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert OrderEvent.objects.get(pk=event.pk).kind == "sent"


def test_an_existing_event_cannot_be_deleted(world):  # R3, ARCHITECTURE events, R10.2
    order = world.order(state="sent")
    event = events(order)[0]
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert OrderEvent.objects.filter(pk=event.pk).exists()


def test_a_new_event_object_cannot_overwrite_a_stored_one_by_its_id(world):  # R10.2
    order = world.order(state="sent")
    stored = events(order)[1]
    forged = OrderEvent(
        pk=stored.pk,
        municipality_id=stored.municipality_id,
        order_id=order.pk,
        seq=stored.seq,
        kind="cancelled",
        actor=world.officer,
        actor_organisation="x",
        occurred_at=stored.occurred_at,
        recorded_at=stored.recorded_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert OrderEvent.objects.get(pk=stored.pk).kind == "sent"


def test_two_events_of_one_order_cannot_share_a_sequence_number(world):  # R10.2
    order = world.order()
    first = events(order)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderEvent.objects.create(
            municipality_id=first.municipality_id,
            order_id=order.pk,
            seq=1,
            kind="sent",
            actor=world.officer,
            actor_organisation="x",
            occurred_at=first.occurred_at,
            recorded_at=first.recorded_at,
        )


# --- cancel and end (R3.9) -------------------------------------------------------------------


def test_a_draft_is_cancelled_with_its_reason(world):  # R3.9, issue 17 item 3
    # Withdrawing an unsent draft is a makulering too: it needs a reason, kept in the event.
    order = world.order()
    with pytest.raises(ValidationFailed) as caught:
        services.cancel_order(world.officer, order)
    assert field_errors(caught) == {"reason": ["Ange varför beställningen makuleras."]}
    assert_nothing_written(order, state="draft", seq=1)

    event = services.cancel_order(world.officer, order, reason="Fel utförare valdes.")
    assert event.kind == "cancelled"
    assert (event.from_state, event.to_state) == ("draft", "cancelled")
    assert event.data == {"reason": "Fel utförare valdes."}
    assert reload(order).state == "cancelled"


@pytest.mark.parametrize("state", ["draft", "sent", "acknowledged"])
def test_cancelling_an_order_needs_a_reason(world, state):  # R3.9, issue 17 item 3
    order = world.order(state=state)
    seq = reload(order).last_event_seq
    with pytest.raises(ValidationFailed) as caught:
        services.cancel_order(world.officer, order, reason="   ")
    assert "reason" in field_errors(caught)
    assert_nothing_written(order, state=state, seq=seq)

    event = services.cancel_order(world.officer, order, reason="Klienten har flyttat")
    assert event.data == {"reason": "Klienten har flyttat"}
    assert reload(order).state == "cancelled"


def test_a_started_order_cannot_be_cancelled_only_ended(world):  # R3.9
    order = world.order(state="started")
    with pytest.raises(TransitionNotAllowed) as caught:
        services.cancel_order(world.officer, order, reason="fel")
    assert caught.value.state == "started"
    assert caught.value.allowed == ["end"]
    assert "verkställd" in caught.value.message
    assert_nothing_written(order, state="started", seq=5)  # with the start's message (R10.3)


def test_a_transition_the_state_does_not_allow_is_refused_and_names_the_state(world):  # R3.1
    order = world.order(state="ended")
    with pytest.raises(TransitionNotAllowed) as caught:
        services.register_start(world.staff_a, order, start_date=timezone.localdate())
    assert caught.value.state == "ended"
    assert caught.value.action == "start"
    assert caught.value.allowed == []
    assert "avslutad" in caught.value.message
    assert caught.value.status_code == 409
    # created, sent, acknowledged, started, ended, each of the last two with its message
    assert_nothing_written(order, state="ended", seq=7)


def test_an_end_date_before_the_start_date_is_refused(world):  # R3.9
    oral_at = timezone.now() - timedelta(days=4)
    order = world.order(acute_oral_at=oral_at, state="acknowledged")
    start = timezone.localdate() - timedelta(days=2)
    services.register_start(world.staff_a, order, start_date=start)
    with pytest.raises(ValidationFailed) as caught:
        services.end_order(world.staff_a, order, end_date=start - timedelta(days=1))
    assert "end_date" in field_errors(caught)
    assert_nothing_written(order, state="started", seq=6)  # with the start's message (R10.3)

    services.end_order(world.staff_a, order, end_date=start)
    assert reload(order).end_date == start


def test_an_end_date_in_the_future_is_refused(world):  # R3.9
    order = world.order(state="started")
    with pytest.raises(ValidationFailed) as caught:
        services.end_order(world.staff_a, order, end_date=timezone.localdate() + timedelta(days=1))
    assert "end_date" in field_errors(caught)
    assert_nothing_written(order, state="started", seq=5)  # with the start's message (R10.3)


def test_the_officer_of_the_unit_may_end_an_order_too(world):  # R3.9
    order = world.order(state="started")
    event = services.end_order(world.officer, order, end_date=timezone.localdate(), note="Flytt")
    assert event.actor_id == world.officer.pk
    assert event.on_behalf_of_id is None
    assert event.data["note"] == "Flytt"
    assert reload(order).state == "ended"


def test_the_municipality_ends_on_behalf_of_a_provider_not_connected(world):  # R3.3, R3.9
    order = world.order(provider=world.offline, state="started")
    with pytest.raises(ValidationFailed) as caught:
        services.end_order(world.fee_officer, order, end_date=timezone.localdate())
    assert "channel" in field_errors(caught)
    event = services.end_order(
        world.fee_officer, order, end_date=timezone.localdate(), channel="email"
    )
    assert event.on_behalf_of_id == world.offline.pk
    assert event.channel == "email"


# --- the sequence ----------------------------------------------------------------------------


def test_event_sequence_numbers_run_1_to_n_without_gaps_even_after_refusals(world):  # R10.2
    oral_at = timezone.now() - timedelta(days=2)
    order = world.order(acute_oral_at=oral_at)
    with pytest.raises(ValidationFailed):
        services.send_order(world.officer, order, written_on=timezone.localdate(oral_at))
    services.send_order(world.officer, order)
    with pytest.raises(TransitionNotAllowed):
        services.send_order(world.officer, order)
    with pytest.raises(PermissionDenied):
        services.acknowledge_order(world.officer, order)
    services.acknowledge_order(world.staff_a, order)
    with pytest.raises(ValidationFailed):
        services.register_start(
            world.staff_a, order, start_date=timezone.localdate() + timedelta(days=1)
        )
    services.register_start(world.staff_a, order, start_date=timezone.localdate())
    services.end_order(world.staff_a, order, end_date=timezone.localdate())

    seqs = [e.seq for e in events(order)]
    assert seqs == list(range(1, len(seqs) + 1))
    # created, oral_order, sent, acknowledged, started, ended, and a message after each of the
    # last two (R10.3)
    assert len(seqs) == 8
    assert reload(order).last_event_seq == 8
    moves = [e for e in events(order) if e.kind not in ("oral_order", "message_sent")]
    states = [(e.from_state, e.to_state) for e in moves]
    assert states == [
        ("", "draft"),
        ("draft", "sent"),
        ("sent", "acknowledged"),
        ("acknowledged", "started"),
        ("started", "ended"),
    ]


def test_sequence_numbers_are_per_order(world):  # R10.2
    first = world.order(state="sent")
    second = world.order()
    assert [e.seq for e in events(first)] == [1, 2]
    assert [e.seq for e in events(second)] == [1]


def test_a_history_note_moves_no_clock_and_is_not_recomputed(world):  # R10.3, issue 19
    """A message or a received document only notes something on the order: no rule can name
    it and it corrects no date, so recording one does not recompute the clocks."""
    from django.db import connection

    from verkstall.core.event_kinds import CLOCK_EVENT_LABELS, HISTORY_NOTES, clock_event
    from verkstall.deadlines.facts import CORRECTS

    for kind in HISTORY_NOTES:
        assert clock_event(kind) not in CLOCK_EVENT_LABELS and kind not in CORRECTS
    order = world.order(state="sent")
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        services.record_event(
            world.officer,
            order,
            kind=EventKind.MESSAGE_SENT,
            data={"message": 1},
            allowed_states=None,
        )
    assert not [sql for sql in seen if "deadlines_" in sql]
    assert order.events.filter(kind=EventKind.MESSAGE_SENT).count() == 1
