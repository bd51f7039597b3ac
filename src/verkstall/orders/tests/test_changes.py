"""Changed needs, new order versions and ending (SPEC R3.8, R3.9, R3.10; seed 002
§Förändrat behov, §Bistånd som avslutas eller upphör, §Uppföljning "Handläggaren meddelar
utföraren vad ändringen gäller")."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.decisions.models import GrantedService
from verkstall.journal.models import CaseJournalEntry, Message
from verkstall.orders import change_services, services
from verkstall.orders.models import EventKind, Order, TemporaryChange

D1 = datetime(2026, 2, 3, 9)  # a Tuesday
D2 = datetime(2026, 2, 13, 9)
ALARM = {"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"}


def _started(world, **kw):
    with travel_to(D1):
        return world.order(state="started", **kw)


def _report(world, order, days, actor=None):
    start = date(2026, 2, 4)
    with travel_to(D2):
        return change_services.report_temporary_change(
            actor or world.staff_a,
            order,
            kind="increase",
            from_date=start,
            to_date=start + timedelta(days=days - 1),
            reason="Anhörig bortrest",
        )


def test_r3_8_five_days_stay_inside_the_current_payment(world):  # R3.8
    order = _started(world)
    change = _report(world, order, 5)
    assert change.days == 5 and change.needs_reassessment is False
    event = order.events.get(kind=EventKind.CHANGE_REPORTED)
    assert event.data["days"] == 5 and event.data["reason"] == "Anhörig bortrest"
    assert not CaseJournalEntry.objects.filter(title=change_services.REASSESSMENT_TITLE).exists()
    # Only the start's "verkställt från och med" (R3.7): nothing about the change.
    assert not Message.objects.exclude(subject__startswith="Verkställt").exists()


def test_r3_8_six_days_need_a_reassessment_journal_and_message(world):  # R3.8
    order = _started(world)
    change = _report(world, order, 6)
    assert change.needs_reassessment is True
    entry = CaseJournalEntry.objects.get(title="Förändrat behov – omprövning behövs")
    assert entry.person_id == order.person_id and "6 dagar" in entry.text
    message = Message.objects.get(subject=change_services.REASSESSMENT_TITLE)
    assert message.from_provider and message.unit_id == order.unit_id


def test_r3_8_alarm_only_client_needs_reassessment_even_for_one_day(world):  # R3.8
    with travel_to(D1):
        decision = world.decision(services=[ALARM])
        order = world.order(state="started", decision=decision)
    change = _report(world, order, 1)
    assert change.needs_reassessment is True
    assert TemporaryChange.objects.get().event.data["alarm_only"] is True


def test_r3_8_only_the_provider_reports_and_dates_are_checked(world):  # R3.8
    order = _started(world)
    with pytest.raises(PermissionDenied):
        _report(world, order, 2, actor=world.staff_b)
    with pytest.raises(PermissionDenied):
        _report(world, order, 2, actor=world.officer)  # provider A is connected
    with travel_to(D2), pytest.raises(ValidationFailed):
        change_services.report_temporary_change(
            world.staff_a,
            order,
            kind="increase",
            from_date=date(2026, 2, 10),
            to_date=date(2026, 2, 9),
            reason="x",
        )


def test_r3_10_reissue_sends_a_superseding_order_and_ends_the_old_when_new_starts(world):  # R3.10
    order = _started(world)
    with travel_to(D2):
        decision = world.decision(person=order.person)
        new = change_services.reissue_order(
            world.officer, order, decision=decision, change_summary="Utökad tid på morgonen"
        )
        assert new.state == "sent" and new.supersedes_id == order.pk
        assert new.provider_id == order.provider_id
        assert new.change_summary == "Utökad tid på morgonen"
        assert Message.objects.filter(order=new, body__contains="Ändrad beställning").exists()
        assert Order.objects.get(pk=order.pk).state == "started"  # stays until the new starts
        services.acknowledge_order(world.staff_a, new)
        services.register_start(world.staff_a, new, start_date=date(2026, 2, 13))
    old = Order.objects.get(pk=order.pk)
    assert old.state == "ended" and old.end_date == date(2026, 2, 12)
    assert "Ersatt av ändrad beställning" in old.events.get(kind=EventKind.ENDED).data["note"]


def test_r3_10_provider_sees_the_change_summary(world, client):  # R3.10
    order = _started(world)
    with travel_to(D2):
        decision = world.decision(person=order.person)
        new = change_services.reissue_order(
            world.officer, order, decision=decision, change_summary="Ny tid för dusch"
        )
    client.force_login(world.staff_a)
    page = client.get(f"/orders/{new.pk}/")
    assert "Ändrad beställning: Ny tid för dusch" in page.content.decode()


def test_r3_10_only_the_clients_officer_reissues(world):  # R3.10, Actors
    order = _started(world)
    decision = world.decision(person=order.person)
    for actor in (world.other_officer, world.staff_a):
        with pytest.raises(PermissionDenied):
            change_services.reissue_order(actor, order, decision=decision, change_summary="x")
    with pytest.raises(ValidationFailed):
        change_services.reissue_order(world.officer, order, decision=decision, change_summary="")


def test_r3_10_a_draft_cannot_be_reissued(world):  # R3.10
    order = world.order(state="draft")
    with pytest.raises(TransitionNotAllowed):
        change_services.reissue_order(
            world.officer, order, decision=order.decision, change_summary="x"
        )


def test_r3_9_officer_end_registers_valid_to_and_messages_the_provider(world):  # R3.9
    order = _started(world)
    with travel_to(D2):
        change_services.officer_end_order(world.officer, order, end_date=date(2026, 2, 10))
    for service in order.services.all():
        assert GrantedService.objects.get(pk=service.pk).valid_to == date(2026, 2, 10)
    message = Message.objects.get(order=order, subject__startswith="Insatsen avslutas")
    assert not message.from_provider and message.provider_id == order.provider_id


def test_r3_9_officer_end_order_needs_the_clients_officer(world):  # R3.9, Actors
    order = _started(world)
    with travel_to(D2), pytest.raises(PermissionDenied):
        change_services.officer_end_order(world.staff_a, order, end_date=date(2026, 2, 10))


def test_r3_9_provider_end_messages_the_officer_and_keeps_the_decision(world):  # R3.9
    order = _started(world)
    with travel_to(D2):
        services.end_order(world.staff_a, order, end_date=date(2026, 2, 10))
    message = Message.objects.get(order=order, subject__startswith="Insatsen avslutas")
    assert message.from_provider and message.unit_id == order.unit_id
    assert all(s.valid_to is None for s in GrantedService.objects.filter(orders=order))


def test_r3_9_safety_alarm_ends_with_its_notice(world):  # R3.9
    with travel_to(D1):
        order = world.order(state="started", decision=world.decision(services=[ALARM]))
    with travel_to(D2):
        services.end_order(world.staff_a, order, end_date=date(2026, 2, 10), note="Flyttar")
    note = order.events.get(kind=EventKind.ENDED).data["note"]
    assert note == "Flyttar Verkställighet på trygghetslarm avslutas i samband med uppsägning."


def test_views_report_and_reissue(world, client):  # R3.8, R3.10
    order = _started(world)
    client.force_login(world.staff_a)
    with travel_to(D2):
        response = client.post(
            f"/orders/{order.pk}/change/report/",
            {"kind": "decrease", "from_date": "2026-02-04", "to_date": "2026-02-12",
             "reason": "Sjukhusvistelse"},
        )  # fmt: skip
        assert response.status_code == 302
        assert TemporaryChange.objects.get().needs_reassessment is True
        assert client.get(f"/orders/{order.pk}/change/reissue/").status_code == 403
        client.force_login(world.officer)
        assert client.get(f"/orders/{order.pk}/change/report/").status_code == 403
        response = client.post(
            f"/orders/{order.pk}/change/reissue/",
            {"decision": order.decision_id, "change_summary": "Minskad tid"},
        )
        assert response.status_code == 302
    assert Order.objects.get(supersedes=order).change_summary == "Minskad tid"
