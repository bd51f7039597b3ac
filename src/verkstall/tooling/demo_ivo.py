"""Demo data of the quarterly IVO report (SPEC R9.5): two Stockholm clients whose decisions have
waited more than three months, so that the LOV administrator `lovadmin` finds cases waiting in
this quarter's report and the officer `handlaggare` gives their reasons. Signe's decision grants
home care (started within days) and escort (never ordered): only the escort is a case, each
granted service being its own. Arvid's home care was ordered and acknowledged but never
started. Written through the services on a moved clock; idempotent (a client already
registered is skipped). Every personnummer is a test number (born on the 30th of a month no
other demo client is born on)."""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.decisions.services import record_decision
from verkstall.orders import services as orders
from verkstall.people.selectors import person_number_registered
from verkstall.people.services import register_person
from verkstall.providers import selectors as provider_reads
from verkstall.tooling.demo_catalogue import at_hour

PROVIDER = "Omsorg Väst AB"
CARE = {
    "service_type": "hemtjanst-omvardnad",
    "scope_amount": "12",
    "scope_unit": "hours_per_month",
}
ESCORT = {"service_type": "ledsagning", "scope_amount": "8", "scope_unit": "hours_per_month"}

# born, birth number, first, last, days ago decided, granted, days after the decision that the
# order of the first service started (None: never)
CLIENTS = [
    (date(1936, 6, 30), 986, "Signe", "Väntberg", 130, (CARE, ESCORT), 9),
    (date(1942, 10, 30), 991, "Arvid", "Dröjer", 100, (CARE,), None),
]


def seed_ivo(today: date) -> int:
    """The IVO cases in Stockholm; returns how many clients were made."""
    officer = users.first_user(role=Role.OFFICER, municipality__code="0180", username="handlaggare")
    if officer is None:
        return 0
    provider = provider_reads.providers_for(officer).filter(name=PROVIDER).first()
    staff = users.first_user(provider=provider) if provider else None
    if provider is None or staff is None:
        return 0
    area = provider_reads.areas_for(officer).order_by("pk").first()
    made = 0
    for born, birth_number, first, last, ago, granted, start_after in CLIENTS:
        number = make_test_personal_number(born, birth_number)
        if person_number_registered(officer.municipality_id, number.value):
            continue
        decided = today - timedelta(days=ago)
        with clock.travel_to(at_hour(decided, 9)):
            person = register_person(
                officer,
                personal_number=number.value,
                first_name=first,
                last_name=last,
                street_address=f"{last}s väg {ago}",
                postal_code="162 44",
                city="Vällingby",
                area=area.pk if area else None,
                phone=f"070-555 30 {ago % 100:02d}",
            )
            decision = record_decision(
                officer,
                person=person,
                decided_on=decided,
                assessment_summary="Behov av stöd i vardagen enligt utredning.",
                services=[{**s, "valid_from": decided} for s in granted],
            )
            services = list(decision.services.order_by("id"))
            order = orders.create_order(
                officer, decision=decision, provider=provider, services=[services[0]]
            )
            orders.send_order(officer, order)
        with clock.travel_to(at_hour(decided + timedelta(days=1), 10)):
            orders.acknowledge_order(staff, order)
        if start_after is not None:
            day = decided + timedelta(days=start_after)
            with clock.travel_to(at_hour(day, 11)):
                orders.register_start(staff, order, start_date=day)
        made += 1
    return made
