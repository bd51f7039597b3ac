"""Follow-ups (SPEC R6) through the real services, views and the deadline engine.

Seeds: 002 Uppföljning (Gotland: ask the provider in good time, the provider answers promptly;
a simple follow-up after one month for new home care; documented in the journal and a message
to the provider; may lead to a new assessment), 003 uppföljning (Solna: within 3 months of the
plan's arrival).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.urls import reverse

from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.deadlines.calendar import STOCKHOLM, compute_due
from verkstall.deadlines.models import DueItem
from verkstall.decisions.services import record_decision
from verkstall.followups import selectors, services
from verkstall.followups.models import FollowUp
from verkstall.journal.models import CaseJournalEntry, Message
from verkstall.orders import services as order_services
from verkstall.orders.models import EventKind, Order
from verkstall.plans import services as plan_services

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def use_profile(world, slug: str) -> None:
    world.muni.rule_profile = slug
    world.muni.save()


def started_order(world, on: date, code: str = "hemtjanst-omvardnad") -> Order:
    with travel_to(at(on, 9)):
        decision = record_decision(
            world.officer,
            person=world.person(),
            decided_on=on,
            services=[
                {"service_type": code, "scope_amount": "20", "scope_unit": "hours_per_month"}
            ],
        )
        order = order_services.create_order(
            world.officer, decision=decision, provider=world.provider_a
        )
        order_services.send_order(world.officer, order)
        order_services.acknowledge_order(world.staff_a, order)
        # Solna's housing support starts when a staff member is booked (R3.6, seed 003).
        booked = "Ordinarie boendestödjare" if code == "boendestod" else ""
        order_services.register_start(world.staff_a, order, start_date=on, booked_staff=booked)
    return Order.objects.get(pk=order.pk)


def test_gotland_one_month_follow_up_met_by_followup_done(world):  # R6.2 R6.3 [002]
    use_profile(world, "gotland")
    start = date(2026, 3, 2)
    order = started_order(world, start)
    due = DueItem.objects.get(decision=order.decision, rule__code="uppfoljning-en-manad", cycle=0)
    assert due.status == "open" and due.responsible == "officer"
    assert due.due_date == compute_due(start, 1, "months").due_date

    with travel_to(at(date(2026, 3, 30))):
        followup = services.record_followup(
            world.officer, order, "unchanged", "Insatsen fungerar väl."
        )
    due.refresh_from_db()
    assert due.status == "met_on_time"
    assert followup.is_done and followup.get_outcome_display() == "Oförändrad insats"
    assert order.events.filter(kind=EventKind.FOLLOWUP_DONE).count() == 1
    # Documented in the case journal, and a message to the provider (R6.3).
    entry = CaseJournalEntry.objects.get(person=order.person, title="Uppföljning")
    assert "Oförändrad insats" in entry.text and "Insatsen fungerar väl." in entry.text
    message = Message.objects.get(order=order, from_provider=False)
    assert message.provider == world.provider_a and "Oförändrad insats" in message.body


def test_solna_follow_up_within_3_months_of_the_plan(world):  # R6.2 [003]
    use_profile(world, "solna-boendestod")
    start = date(2026, 3, 2)
    order = started_order(world, start, "boendestod")
    with travel_to(at(date(2026, 3, 20))):
        plan = plan_services.start_plan(world.staff_a, order)
        plan_services.save_draft(
            world.staff_a, plan, what="Stöd i vardagen", participation="Han deltog själv."
        )
        plan_services.send_plan(world.staff_a, plan)
    due = DueItem.objects.get(order=order, rule__code="uppfoljning", cycle=0)
    assert due.status == "open"
    assert compute_due(date(2026, 3, 20), 3, "months").due_date == date(2026, 6, 20)
    assert due.due_date == date(2026, 6, 22)  # midsommardagen, a Saturday: rolls to Monday

    with travel_to(at(date(2026, 6, 10))):
        services.record_followup(world.officer, order, "reassessment", "Behoven har ändrats.")
    due.refresh_from_db()
    assert due.status == "met_on_time"


def test_status_request_is_answered_promptly_and_goes_back_and_forth(world):  # R6.1 [002]
    use_profile(world, "gotland")
    order = started_order(world, date(2026, 3, 2))
    with travel_to(at(date(2026, 3, 23))):
        followup = services.request_status(world.officer, order, "Hur går det för Elsa?")
    reply = DueItem.objects.get(order=order, rule__code="uppfoljning-svar", cycle=0)
    assert reply.status == "open" and reply.responsible_provider == world.provider_a
    question = Message.objects.get(order=order, from_provider=False)
    assert "Hur går det för Elsa?" in question.body and question.provider == world.provider_a
    with pytest.raises(TransitionNotAllowed):  # one open question at a time
        services.request_status(world.officer, order, "Och nu?")

    with travel_to(at(date(2026, 3, 23), 14)):
        followup = services.answer_status(world.staff_a, followup, "Det går bra, hon är nöjd.")
    reply.refresh_from_db()
    assert reply.status.startswith("met")
    # The provider's messages: the start's "verkställt från och med" (R3.7) and the answer.
    answer = Message.objects.filter(order=order, from_provider=True).latest("id")
    assert answer.unit == order.unit and answer.body == "Det går bra, hon är nöjd."
    with pytest.raises(TransitionNotAllowed):
        services.answer_status(world.staff_a, followup, "Igen")

    with travel_to(at(date(2026, 3, 27))):
        done = services.record_followup(world.officer, followup, "new_decision", "Mer hjälp.")
    assert done.pk == followup.pk and done.outcome == "new_decision"
    entry = CaseJournalEntry.objects.get(person=order.person, title="Uppföljning")
    assert "Nytt beslut" in entry.text and "hon är nöjd" in entry.text
    with pytest.raises(TransitionNotAllowed):
        services.record_followup(world.officer, done, "unchanged")
    # A new round may start once the follow-up is done.
    services.request_status(world.officer, order, "Inför årsuppföljningen: hur går det?")
    assert FollowUp.objects.filter(order=order).count() == 2


def test_only_the_orders_officer_and_provider_may_act(world):  # R6.1 R6.3, Actors
    order = world.order(state="started")
    with pytest.raises(PermissionDenied):
        services.request_status(world.other_officer, order, "Hur går det?")
    with pytest.raises(PermissionDenied):
        services.request_status(world.staff_a, order, "Hur går det?")
    with pytest.raises(ValidationFailed):
        services.request_status(world.officer, order, "  ")
    followup = services.request_status(world.officer, order, "Hur går det?")
    with pytest.raises(PermissionDenied):
        services.answer_status(world.staff_b, followup, "Bra")
    with pytest.raises(PermissionDenied):
        services.answer_status(world.officer, followup, "Bra")  # a connected provider answers
    with pytest.raises(PermissionDenied):
        services.record_followup(world.staff_a, followup, "unchanged")
    with pytest.raises(ValidationFailed):
        services.record_followup(world.officer, followup, "kanske")
    assert not selectors.followups_for(world.staff_b).exists()
    assert not selectors.followups_for(world.other_officer).exists()
    assert selectors.followups_for(world.staff_a).get() == followup


def test_municipality_answers_for_a_provider_not_connected(world):  # R6.1, R3.3
    order = world.order(provider=world.offline, state="started")
    followup = services.request_status(world.officer, order, "Hur går det?")
    followup = services.answer_status(world.officer, followup, "Enligt telefon: bra.")
    assert followup.on_behalf_of == world.offline
    event = order.events.get(kind=EventKind.FOLLOWUP_ANSWERED)
    assert event.channel == "phone" and event.on_behalf_of == world.offline


def test_screens_for_both_sides_and_another_provider_gets_404(world, client):  # R6.1 R6.3
    order = world.order(state="started")
    url = reverse("followup-page", args=[order.pk])

    client.force_login(world.officer)
    page = client.get(url)
    assert page.status_code == 200 and "Fråga utföraren hur det går" in page.text
    assert (
        client.post(reverse("followup-request", args=[order.pk]), {"question": ""}).status_code
        == 400
    )
    response = client.post(
        reverse("followup-request", args=[order.pk]), {"question": "Hur går det?"}
    )
    assert response.status_code == 302
    followup = FollowUp.objects.get(order=order)

    client.force_login(world.staff_b)
    assert client.get(url).status_code == 404
    answer_url = reverse("followup-answer", args=[order.pk, followup.pk])
    assert client.post(answer_url, {"answer": "Bra"}).status_code == 404

    client.force_login(world.staff_a)
    page = client.get(url)
    assert "Hur går det?" in page.text and "Skicka svar" in page.text
    assert "Registrera uppföljning" not in page.text
    assert client.post(answer_url, {"answer": "Det går bra."}).status_code == 302
    assert (
        client.post(
            reverse("followup-record", args=[order.pk]), {"outcome": "unchanged"}
        ).status_code
        == 400
    )

    client.force_login(world.officer)
    response = client.post(
        reverse("followup-record", args=[order.pk]),
        {"outcome": "reassessment", "notes": "Ny prövning behövs."},
    )
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.outcome == "reassessment" and followup.answer == "Det går bra."
    page = client.get(url)
    assert "Ny prövning (omprövning)" in page.text
