"""Demo data for scenario 2 (SCENARIOS.md, Region Gotland; SPEC R2.4, R2.6, R4.1, issue 14 §6):
Bengt Stenkumla was granted service, personal care and a safety alarm about three months ago
and did not choose; the officer assigned his personal care by rotation (Ängens Omsorg was at
its cap in Visby; Björkens Hemtjänst got the order). Sixteen days ago he asked to
move to Ängens: the officer registered the wish and told Ängens, and Ängens reported the agreed
date, the end of the 14 days' notice (Ängens's cap was lifted then; it is back, and Gotland's
LOV administrator `lovadmin.gotland` has it to review). What is left can be walked in the
demo: the officer `handlaggare.gotland` completes the switch on its page (the old order ends,
the new one starts, in one step), and the aids centre `hmc` confirms that the alarm's contact
moved to Ängens; `lovadmin.gotland` may lift or change Ängens's cap.

Written through the services on a moved clock; idempotent (skipped once Bengt exists)."""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.alarms import services as alarms
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.decisions.services import record_decision
from verkstall.orders import services as orders
from verkstall.orders import switch_services
from verkstall.people.selectors import person_number_registered
from verkstall.people.services import register_person
from verkstall.providers import rotation_services
from verkstall.providers import selectors as provider_reads
from verkstall.providers import services as provider_writes
from verkstall.tooling.demo_catalogue import CAPPED, at_hour

#: Bengt's test personnummer: born on 28 February 1947, birth number 997 (no other demo client).
BENGT = (date(1947, 2, 28), 997)
GRANTED_AGO = 100  # days: "three months on, Bengt wants Ängens after all"
SWITCH_ASKED_AGO = 16  # days: the 14 days' notice has run out, the agreed date is reached


def seed_switch(today: date) -> int:
    """Bengt and his switch half way; returns 1 if made, else 0."""
    officer = users.first_user(role=Role.OFFICER, municipality__code="0980")
    if officer is None:
        return 0
    number = make_test_personal_number(*BENGT)
    if person_number_registered(officer.municipality_id, number.value):
        return 0
    angens = provider_reads.providers_for(officer).get(name="Ängens Omsorg")
    hmc = users.first_user(role=Role.AIDS_CENTRE, municipality__code="0980")
    visby = provider_reads.areas_for(officer).get(name="Visby")
    granted = today - timedelta(days=GRANTED_AGO)
    with clock.travel_to(at_hour(granted, 9)):
        person = register_person(
            officer,
            personal_number=number.value,
            first_name="Bengt",
            last_name="Stenkumla",
            street_address="Stenkumlavägen 7",
            postal_code="621 41",
            city="Visby",
            area=visby.pk,
            phone="0498-20 00 99",
        )
        decision = record_decision(
            officer,
            person=person,
            decided_on=granted,
            assessment_summary="Behov av service, personlig omvårdnad och trygghetslarm.",
            services=[
                {"service_type": code, "scope_amount": amount, "scope_unit": unit,
                 "valid_from": granted}
                for code, amount, unit in (
                    ("hemtjanst-service", "6", "hours_per_month"),
                    ("hemtjanst-omvardnad", "20", "hours_per_month"),
                    ("trygghetslarm", "1", "place"),
                )
            ],
        )  # fmt: skip
        care = decision.services.get(service_type__code="hemtjanst-omvardnad")
        assignment = rotation_services.assign_by_rotation(officer, granted_service=care)
        order = orders.create_order(
            officer,
            decision=decision,
            provider=assignment.provider,
            instructions="Bengt valde inte utförare; tilldelad enligt turordning.",
        )
    staff = users.first_user(provider=assignment.provider)
    with clock.travel_to(at_hour(granted, 10)):
        orders.send_order(officer, order)
    with clock.travel_to(at_hour(granted + timedelta(days=1), 9)):
        orders.acknowledge_order(staff, order)
        alarms.register_alarm_ordered(staff, order=order)
        orders.register_start(staff, order, start_date=granted + timedelta(days=1))
    with clock.travel_to(at_hour(granted + timedelta(days=3), 10)):
        alarms.register_alarm_installed(hmc, order=order)
    if assignment.provider == angens:  # rotation gave Ängens: no switch to walk
        return 1
    asked = today - timedelta(days=SWITCH_ASKED_AGO)
    capped = _capped_lines(angens, visby)
    _set_caps(capped, asked - timedelta(days=1), lifted=True)  # Ängens took clients again
    with clock.travel_to(at_hour(asked, 9)):
        switch = switch_services.request_switch(
            officer, order=order, new_provider=angens, requested_on=asked
        )
        switch_services.inform_new_provider(officer, switch=switch)
    with clock.travel_to(at_hour(asked + timedelta(days=2), 10)):
        switch_services.register_agreed_date(
            users.first_user(provider=angens), switch=switch, agreed_date=switch.notice_ends_on
        )
    _set_caps(capped, today - timedelta(days=1), lifted=False)  # and is at its cap again
    return 1


def _capped_lines(provider, area) -> list:
    return [
        c
        for c in provider_reads.contracts_for(_lov_admin()).filter(provider=provider, area=area)
        if not c.accepts_new_clients
    ]


def _lov_admin():
    return users.first_user(role=Role.LOV_ADMIN, municipality__code="0980")


def _set_caps(contracts, day: date, *, lifted: bool) -> None:
    """Gotland's LOV administrator lifts the cap of `contracts` on `day`, or puts it back
    (R2.1): the switch needs Ängens to take new clients on the day it is requested."""
    admin = _lov_admin()
    with clock.travel_to(at_hour(day, 8)):
        for contract in contracts:
            if lifted:
                provider_writes.set_capacity(admin, contract, accepts_new_clients=True)
            else:
                provider_writes.set_capacity(
                    admin,
                    contract,
                    accepts_new_clients=False,
                    capacity_reason=CAPPED["0980"][2],
                    capacity_until=day + timedelta(days=120),
                )
