"""Demo data for the safety alarm and meal delivery on Region Gotland (SPEC R4.1, R2.6, R3.6;
issue 14 §6): the aids centre user `hmc` logs in to alarms waiting for installation (one
overdue), a contact move after a provider switch to confirm, and an installed alarm in its
history; Björkens Hemtjänst has an alarm to order from the aids centre and a meal delivery to
order. Written through the services on a moved clock; idempotent (a client already registered
is skipped). Every personnummer is a test number (birth numbers 980-999, born on the 29th:
no other demo client is)."""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.alarms import meal_services
from verkstall.alarms import services as alarms
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.decisions.services import record_decision
from verkstall.orders import services as orders
from verkstall.orders import switch_services
from verkstall.people.selectors import person_number_registered
from verkstall.people.services import register_person
from verkstall.providers import selectors as provider_reads
from verkstall.tooling.demo_catalogue import at_hour

ALARM = {"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"}
MEAL = {"service_type": "matdistribution", "scope_amount": "7", "scope_unit": "days_per_week"}

# (first name, last name, services, how far the routine has come, days ago the order was sent)
CLIENTS = [
    ("Ester", "Hallgren", (ALARM,), "sent", 1),  # Björkens orders it from the aids centre
    ("Gösta", "Klintberg", (ALARM,), "ordered", 2),  # hmc: to install, due soon
    ("Ingrid", "Lummelund", (ALARM,), "ordered", 9),  # hmc: to install, overdue
    ("Sven", "Roma", (ALARM,), "installed", 15),  # done
    ("Maj", "Fröjel", (ALARM,), "switched", 30),  # hmc: a contact move to confirm
    ("Rut", "Västergarn", (MEAL,), "sent", 1),  # Björkens orders the meals
    ("Alf", "Tofta", (MEAL,), "meal_ordered", 6),  # done
]


def seed_alarms(today: date) -> int:
    """The Gotland alarm and meal clients; returns how many were made."""
    officer = users.first_user(role=Role.OFFICER, municipality__code="0980")
    if officer is None:
        return 0
    bjorkens = provider_reads.providers_for(officer).get(name="Björkens Hemtjänst")
    angens = provider_reads.providers_for(officer).get(name="Ängens Omsorg")
    staff = users.first_user(provider=bjorkens)
    hmc = users.first_user(role=Role.AIDS_CENTRE, municipality__code="0980")
    area = provider_reads.areas_for(officer).order_by("pk").first()
    made = 0
    for n, (first, last, granted, life, ago) in enumerate(CLIENTS):
        number = make_test_personal_number(date(1932 + n * 2, 3 + n, 29), 981 + n * 2)
        if person_number_registered(officer.municipality_id, number.value):
            continue
        sent = today - timedelta(days=ago)
        with clock.travel_to(at_hour(sent, 8)):
            person = register_person(
                officer,
                personal_number=number.value,
                first_name=first,
                last_name=last,
                street_address=f"{last}vägen {3 + n}",
                postal_code="621 41",
                city="Visby",
                area=area.pk if area else None,
                phone=f"0498-20 00 {10 + n}",
            )
            decision = record_decision(
                officer,
                person=person,
                decided_on=sent,
                assessment_summary="Behov av trygghet och stöd i hemmet enligt utredning.",
                services=[{**s, "valid_from": sent} for s in granted],
            )
            order = orders.create_order(
                officer,
                decision=decision,
                provider=bjorkens,
                instructions="Ring på och vänta; klienten hör dåligt. Nyckel i nyckelgömman.",
            )
        with clock.travel_to(at_hour(sent, 9)):
            orders.send_order(officer, order)
        made += 1
        _walk(life, order, sent, officer=officer, staff=staff, hmc=hmc, angens=angens)
    return made


def _walk(life: str, order, sent: date, *, officer, staff, hmc, angens) -> None:
    if life == "sent":
        return
    next_day = sent + timedelta(days=1)
    with clock.travel_to(at_hour(next_day, 10)):
        orders.acknowledge_order(staff, order)
    with clock.travel_to(at_hour(next_day, 11)):
        if life == "meal_ordered":
            meal_services.register_meal_ordered(staff, order=order)
            return
        alarms.register_alarm_ordered(staff, order=order)
    if life == "ordered":
        return
    with clock.travel_to(at_hour(next_day, 12)):
        orders.register_start(staff, order, start_date=next_day)
    with clock.travel_to(at_hour(sent + timedelta(days=3), 10)):
        alarms.register_alarm_installed(hmc, order=order)
    if life == "switched":
        _switch(order, sent + timedelta(days=10), officer=officer, angens=angens)


def _switch(order, requested: date, *, officer, angens) -> None:
    """Maj moves to Ängens Omsorg (R2.6): the switch completes on the end of the notice, Ängens
    orders the alarm's move, and the aids centre gets the contact move to confirm."""
    angens_staff = users.first_user(provider=angens)
    with clock.travel_to(at_hour(requested, 9)):
        switch = switch_services.request_switch(
            officer, order=order, new_provider=angens, requested_on=requested
        )
        switch_services.inform_new_provider(officer, switch=switch)
    with clock.travel_to(at_hour(requested + timedelta(days=2), 10)):
        switch_services.register_agreed_date(
            angens_staff, switch=switch, agreed_date=switch.notice_ends_on
        )
    with clock.travel_to(at_hour(switch.notice_ends_on, 9)):
        done = switch_services.complete_switch(officer, switch=switch)
    with clock.travel_to(at_hour(switch.notice_ends_on, 11)):  # Ängens orders the alarm's move
        alarms.register_alarm_ordered(angens_staff, order=done.new_order)
