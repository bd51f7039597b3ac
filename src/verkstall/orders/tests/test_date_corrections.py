"""Corrections of a registered start or end date (SPEC R9.1, seed 002 §Verkställighet:
"Utföraren korrigerar datum snarast i verksamhetssystemet senast den 5:e i nästkommande
månad"). The history keeps both dates, the deadlines move with the new one, bad input gets
Swedish field errors, and nobody else's order can be corrected."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from verkstall.core import clock
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem
from verkstall.journal.models import Message
from verkstall.orders import change_services, services
from verkstall.orders.correction_services import correct_date, may_correct
from verkstall.orders.models import EventKind, Order

pytestmark = pytest.mark.django_db

MON_2_MAR = date(2026, 3, 2)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def started(world, day: date = MON_2_MAR, provider=None) -> Order:
    """An order sent, acknowledged and started on `day` (the clock at `day`)."""
    with travel_to(at(day, 9)):
        decision = world.decision(decided_on=day - timedelta(days=3))
        return world.order(state="started", decision=decision, provider=provider)


def test_the_provider_corrects_the_start_and_the_history_keeps_both_dates(world):  # R9.1
    order = started(world, MON_2_MAR)
    with travel_to(at(MON_2_MAR + timedelta(days=3))):
        event = correct_date(
            world.staff_a,
            order,
            which="start",
            date=MON_2_MAR + timedelta(days=1),
            reason="Första besöket blev dagen efter.",
        )
    order.refresh_from_db()
    assert order.start_date == date(2026, 3, 3)
    assert event.kind == EventKind.START_CORRECTED
    assert event.data["old_date"] == "2026-03-02" and event.data["new_date"] == "2026-03-03"
    assert event.data["reason"] == "Första besöket blev dagen efter."
    kinds = list(order.events.order_by("seq").values_list("kind", "data"))
    started_event = [data for kind, data in kinds if kind == EventKind.STARTED]
    assert started_event == [{"start_date": "2026-03-02"}]  # the first registration stays
    assert kinds[-2][0] == EventKind.START_CORRECTED
    # The officer is told (R3.7): a message on the order, with no personnummer in it, and in
    # the history after the correction (R10.3).
    message = Message.objects.filter(order=order).order_by("-id").first()
    assert "korrigerat" in message.subject and "2026-03-03" in message.body
    assert kinds[-1] == (EventKind.MESSAGE_SENT, {"message": message.pk, "from_provider": True})


def test_the_deadlines_counted_from_the_start_move_with_a_corrected_start(world):  # R9.1, R11
    # stockholm-hv: the plan within 15 working days of the start (R5.1); it is still open.
    order = started(world, MON_2_MAR)
    item = DueItem.objects.get(order=order, rule__code="genomforandeplan-skickad")
    before = item.due_date
    with travel_to(at(date(2026, 3, 6))):
        correct_date(world.staff_a, order, which="start", date=date(2026, 3, 4), reason="Fel dag.")
    item.refresh_from_db()
    assert item.started_at == clock.start_of_day(date(2026, 3, 4))
    assert item.due_date > before  # two weekdays later


def test_the_officer_corrects_the_end_and_the_decision_follows(world):  # R9.1, R3.9
    order = started(world, MON_2_MAR)
    with travel_to(at(date(2026, 3, 20))):
        services.end_order(world.officer, order, end_date=date(2026, 3, 20))
    service = order.services.get()
    assert service.valid_to == date(2026, 3, 20)
    with travel_to(at(date(2026, 3, 25))):
        event = correct_date(
            world.officer, order, which="end", date=date(2026, 3, 18), reason="Flyttade den 18:e."
        )
    order.refresh_from_db()
    service.refresh_from_db()
    assert order.end_date == date(2026, 3, 18) and service.valid_to == date(2026, 3, 18)
    assert event.kind == EventKind.END_CORRECTED and event.on_behalf_of is None
    assert event.channel == "system"


@pytest.mark.parametrize(
    ("which", "day", "reason", "field", "words"),
    [
        ("start", date(2026, 3, 9), "x", "date", "framtiden"),
        ("start", date(2026, 2, 20), "x", "date", "före beställningen"),
        ("start", MON_2_MAR, "x", "date", "redan"),
        ("start", date(2026, 3, 3), "  ", "reason", "varför"),
        ("start", "3 mars", "x", "date", "ÅÅÅÅ-MM-DD"),
        ("middle", date(2026, 3, 3), "x", "which", "startdatum eller slutdatum"),
    ],
)
def test_bad_input_gets_a_swedish_message_on_its_field(
    world, which, day, reason, field, words
):  # R9.1
    order = started(world, MON_2_MAR)
    with travel_to(at(date(2026, 3, 5))), pytest.raises(ValidationFailed) as exc:
        correct_date(world.staff_a, order, which=which, date=day, reason=reason)
    assert words in exc.value.errors[field][0]
    order.refresh_from_db()
    assert order.start_date == MON_2_MAR
    assert not order.events.filter(kind=EventKind.START_CORRECTED).exists()


def test_an_end_not_before_the_start_and_a_start_not_after_the_end(world):  # R9.1
    order = started(world, MON_2_MAR)
    with travel_to(at(date(2026, 3, 10))):
        services.end_order(world.staff_a, order, end_date=date(2026, 3, 10))
    with travel_to(at(date(2026, 3, 12))):
        with pytest.raises(ValidationFailed) as exc:
            correct_date(world.staff_a, order, which="end", date=date(2026, 3, 1), reason="x")
        assert "före startdatum" in exc.value.errors["date"][0]
        with pytest.raises(ValidationFailed) as exc:
            correct_date(world.staff_a, order, which="start", date=date(2026, 3, 11), reason="x")
        assert "efter slutdatum" in exc.value.errors["date"][0]


def test_nothing_to_correct_before_the_start_is_a_conflict(world):  # R9.1
    order = world.order(state="acknowledged")
    with pytest.raises(TransitionNotAllowed) as exc:
        correct_date(world.staff_a, order, which="start", date=clock.today(), reason="x")
    assert exc.value.action == "correct_start"
    started_order = world.order(state="started")
    with pytest.raises(TransitionNotAllowed):
        correct_date(world.staff_a, started_order, which="end", date=clock.today(), reason="x")


def test_only_the_provider_and_the_officer_of_the_unit_may_correct(world):  # R9.1, Actors
    order = started(world, MON_2_MAR)
    with travel_to(at(date(2026, 3, 5))):
        for other in (world.staff_b, world.fee_officer, world.other_officer):
            with pytest.raises(PermissionDenied):
                correct_date(other, order, which="start", date=date(2026, 3, 3), reason="x")
            assert may_correct(other, order) == []
    assert may_correct(world.staff_a, order) == ["start"]
    assert may_correct(world.officer, order) == ["start"]


def test_for_a_provider_not_connected_the_correction_is_registered_on_its_behalf(world):  # R3.3
    order = started(world, MON_2_MAR, provider=world.offline)
    with travel_to(at(date(2026, 3, 5))):
        with pytest.raises(ValidationFailed) as exc:
            correct_date(world.fee_officer, order, which="start", date=date(2026, 3, 3), reason="x")
        assert "channel" in exc.value.errors
        event = correct_date(
            world.officer,
            order,
            which="start",
            date=date(2026, 3, 3),
            reason="Utföraren ringde.",
            channel="phone",
        )
    assert event.on_behalf_of == world.offline and event.channel == "phone"


def test_a_corrected_start_of_a_new_version_moves_the_old_orders_end(world):  # R3.10, R9.1
    old = started(world, MON_2_MAR)
    with travel_to(at(date(2026, 3, 10))):
        decision = world.decision(person=old.person, decided_on=date(2026, 3, 9))
        new = change_services.reissue_order(
            world.officer, old, decision=decision, change_summary="Mer hjälp på morgonen."
        )
        services.acknowledge_order(world.staff_a, new)
    with travel_to(at(date(2026, 3, 12))):
        services.register_start(world.staff_a, new, start_date=date(2026, 3, 12))
    old.refresh_from_db()
    assert old.end_date == date(2026, 3, 11)
    with travel_to(at(date(2026, 3, 13))):
        correct_date(world.staff_a, new, which="start", date=date(2026, 3, 10), reason="Fel.")
    old.refresh_from_db()
    assert old.end_date == date(2026, 3, 9)
    assert old.events.filter(kind=EventKind.END_CORRECTED).exists()
    # The old order's end cannot be corrected onto or past the new version's start: both
    # would then run (the payment basis and the fee officer's hours count on it).
    with travel_to(at(date(2026, 3, 13))), pytest.raises(ValidationFailed) as caught:
        correct_date(world.staff_a, old, which="end", date=date(2026, 3, 10), reason="Fel.")
    assert "nästa beställning startade (2026-03-10)" in caught.value.errors["date"][0]


def test_a_start_is_not_corrected_past_the_decisions_validity(world):  # R9.1
    order = started(world, MON_2_MAR)
    order.services.update(valid_to=date(2026, 3, 5))
    with travel_to(at(date(2026, 3, 13))), pytest.raises(ValidationFailed) as caught:
        correct_date(world.staff_a, order, which="start", date=date(2026, 3, 6), reason="Fel.")
    assert "efter beslutets giltighet (2026-03-05)" in caught.value.errors["date"][0]


# --- the API and the order page -------------------------------------------------------------


def test_the_api_corrects_a_date_and_shows_both_in_the_events(world, api):  # R9.1
    order = world.order(state="started")
    yesterday = clock.today() - timedelta(days=1)
    # Sent two days ago, so that yesterday is a start the bounds allow.
    Order.objects.filter(pk=order.pk).update(sent_at=clock.now() - timedelta(days=2))
    response = api(world.staff_a).post(
        f"/api/orders/{order.pk}/correct-date/?full=true",
        {"which": "start", "date": yesterday.isoformat(), "reason": "Fel dag."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["start_date"] == yesterday.isoformat()
    kinds = [e["kind"] for e in body["events"]]
    # The officer is told by a message, recorded after the correction (R3.7, R10.3).
    assert kinds.count("started") == 1 and kinds[-2:] == ["start_corrected", "message_sent"]
    assert body["events"][-2]["data"]["old_date"] == clock.today().isoformat()


def test_the_api_refuses_bad_input_and_others_orders(world, api):  # R9.1, Actors
    order = world.order(state="started")
    url = f"/api/orders/{order.pk}/correct-date/"
    bad = api(world.staff_a).post(url, {"which": "start", "date": "2026-13-01"}, format="json")
    assert bad.status_code == 400 and {"date", "reason"} <= set(bad.json())
    future = clock.today() + timedelta(days=3)
    body = {"which": "start", "date": future.isoformat(), "reason": "x"}
    assert api(world.staff_a).post(url, body, format="json").status_code == 400
    body = {"which": "start", "date": clock.today().isoformat(), "reason": "x"}
    assert api(world.staff_b).post(url, body, format="json").status_code == 404
    assert api(world.other_officer).post(url, body, format="json").status_code == 404
    assert api(world.fee_officer).post(url, body, format="json").status_code == 403
    body = {"which": "end", "date": clock.today().isoformat(), "reason": "x"}
    assert api(world.staff_a).post(url, body, format="json").status_code == 409


def test_the_order_page_offers_the_form_and_shows_the_correction(world, client):  # R9.1
    order = started(world, MON_2_MAR)
    client.force_login(world.staff_a)
    with travel_to(at(date(2026, 3, 5))):
        page = client.get(f"/orders/{order.pk}/")
        assert 'id="correct-date-form"' in page.content.decode()
        refused = client.post(
            f"/orders/{order.pk}/correct-date/", {"which": "start", "date": "2026-03-03"}
        )
        assert refused.status_code == 400
        assert 'id="correct_reason_error"' in refused.content.decode()
        done = client.post(
            f"/orders/{order.pk}/correct-date/",
            {"which": "start", "date": "2026-03-03", "reason": "Fel dag."},
        )
        assert done.status_code == 302
        page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Verkställt från och med 2026-03-02" in page
    assert "Startdatum korrigerat från 2026-03-02 till 2026-03-03: Fel dag." in page
    client.force_login(world.staff_b)
    assert client.post(f"/orders/{order.pk}/correct-date/", {}).status_code == 404
