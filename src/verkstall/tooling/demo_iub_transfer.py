"""Demo data of the IUB request (SPEC R1.3) and the transfer at 65 (R1.4):

- Gotland (seed 002 §IUB): `handlaggare.gotland` has an open request for a service without
  needs assessment, asked for by a client's son by phone, waiting for its decision
  (**Förfrågningar om IUB**, `/iub-requests/`);
- Solna (seed 003): the socialpsykiatri's unit hands its clients' housing support over to the
  elderly care's unit ("Omvårdnadsförvaltningen, myndighet") at 65, announced 90 days before;
  `handlaggare.psykiatri` has a client turning 65 in a month with housing support from Solna
  Boendestöd (**Överlämning**, `/transfers/`).

Idempotent, through the services, with test personnummer only.
"""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.access.services import create_user, ensure_unit
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.deadlines.routine_selectors import needs_booked_staff
from verkstall.decisions.iub_services import register_iub_request
from verkstall.decisions.services import record_decision
from verkstall.orders import services as orders
from verkstall.people.selectors import person_number_registered
from verkstall.people.services import register_person
from verkstall.providers import selectors as provider_reads
from verkstall.tooling.demo_catalogue import DEMO_PASSWORD
from verkstall.transfers.route_services import set_transfer_route

PSYCHIATRY_UNIT = "Socialpsykiatrin, myndighet"
PSYCHIATRY_OFFICER = ("handlaggare.psykiatri", "Lena Lindqvist")
SOLNA_PROVIDER = "Solna Boendestöd (egen regi)"


def seed_iub_and_transfer(today: date) -> int:
    """Returns how many clients it made."""
    return _gotland_request(today) + _solna_transfer(today)


def _gotland_request(today: date) -> int:
    officer = users.first_user(role=Role.OFFICER, municipality__code="0980")
    number = make_test_personal_number(date(1941, 6, 14), 992)
    if officer is None or person_number_registered(officer.municipality_id, number.value):
        return 0
    person = register_person(
        officer,
        personal_number=number.value,
        first_name="Agda",
        last_name="Iubsson",
        street_address="Strandgatan 4",
        postal_code="621 56",
        city="Visby",
        phone="0498-12 34 56",
    )
    register_iub_request(
        officer,
        person=person,
        asked_by="Sonen Nils Iubsson",
        asked_on=today - timedelta(days=2),
        channel="phone",
        note="Önskar hjälp med inköp och tvätt.",
        service_type="iub-service",
        relatives=[{"name": "Nils Iubsson", "relation": "son", "phone": "070-765 43 21"}],
    )
    return 1


def _solna_transfer(today: date) -> int:
    elderly_officer = users.first_user(role=Role.OFFICER, municipality__code="0184")
    if elderly_officer is None:
        return 0
    muni = elderly_officer.municipality
    psychiatry = ensure_unit(municipality=muni, name=PSYCHIATRY_UNIT)
    set_transfer_route(
        None,
        from_unit=psychiatry,
        to_unit=elderly_officer.unit,
        at_age=65,
        notice_days=90,
        source="Solna, seed 003: Pågående ärende från Socialpsykiatri",
    )
    username, full_name = PSYCHIATRY_OFFICER
    if not users.user_exists(username):
        create_user(
            username=username,
            password=DEMO_PASSWORD,
            role=Role.OFFICER,
            full_name=full_name,
            municipality=muni,
            unit=psychiatry,
        )
    officer = users.first_user(username=username)
    turns = today + timedelta(days=30)
    born = date(turns.year - 65, turns.month, min(turns.day, 28))
    number = make_test_personal_number(born, 993)
    if person_number_registered(muni.pk, number.value):
        return 0
    provider = provider_reads.providers_for(officer).get(name=SOLNA_PROVIDER)
    staff = users.first_user(role=Role.PROVIDER_STAFF, provider=provider)
    started = today - timedelta(days=200)
    with clock.travel_to(clock.start_of_day(started) + timedelta(hours=9)):
        person = register_person(
            officer,
            personal_number=number.value,
            first_name="Holger",
            last_name="Sextiofemsson",
            street_address="Råsundavägen 12",
            postal_code="169 67",
            city="Solna",
            phone="070-123 45 67",
        )
        decision = record_decision(
            officer,
            person=person,
            decided_on=started,
            assessment_summary="Behov av stöd i vardagen: struktur, inköp och kontakter.",
            services=[
                {
                    "service_type": "boendestod",
                    "scope_amount": "12",
                    "scope_unit": "hours_per_month",
                    "frequency": "tre gånger i veckan",
                }
            ],
        )
        order = orders.create_order(officer, decision=decision, provider=provider)
        orders.send_order(officer, order)
        orders.acknowledge_order(staff, order)
        # R3.6, seed 003: where the routine says so, the start names the booked staff member.
        booked = "Ordinarie boendestödjare" if needs_booked_staff(order) else ""
        orders.register_start(staff, order, start_date=started, booked_staff=booked)
    return 1
