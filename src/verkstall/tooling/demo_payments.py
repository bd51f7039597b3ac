"""Demo data of the payment basis (SPEC R9.2, R9.4): Stockholm's prices, set by its LOV
administrator `lovadmin`, and a respite order at Omsorg Väst AB with performed time last month
and this month, so that last month's basis has lines for `lovadmin`, the fee officer `avgift`
and the unit manager `enhetschef` (tooling/demo.py calls `seed_payments` once the clients
exist). No month is closed: closing one is the demo's to try."""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.decisions.services import record_decision
from verkstall.orders import services as orders
from verkstall.payments import selectors as payment_reads
from verkstall.payments import services as payments
from verkstall.people.selectors import persons_for
from verkstall.providers import selectors as provider_reads
from verkstall.tooling.demo_catalogue import at_hour

# service type, price unit, kronor
PRICES = [
    ("hemtjanst-omvardnad", "granted_hour", "412.50"),
    ("hemtjanst-service", "granted_hour", "365.00"),
    ("matdistribution", "day", "62.00"),
    ("avlosning", "performed_hour", "385.00"),
    ("ledsagning", "performed_hour", "360.00"),
    ("sarskild-omvardnad", "performed_hour", "455.00"),
]
RESPITE_HOURS = [(3, "3"), (10, "2.5"), (17, "4"), (24, "3")]  # days into last month


def seed_payments(today: date) -> None:
    """Made once: a second run finds Stockholm's prices."""
    admin = users.first_user(role=Role.LOV_ADMIN, municipality__code="0180", username="lovadmin")
    officer = users.first_user(role=Role.OFFICER, municipality__code="0180", username="handlaggare")
    staff = users.first_user(
        role=Role.PROVIDER_STAFF, municipality__code="0180", username="utforare"
    )
    if admin is None or officer is None or staff is None:
        return
    if payment_reads.prices_for(admin).exists():
        return
    since = date(today.year - 1, 1, 1)
    with clock.travel_to(at_hour(since, 9)):
        for code, unit, amount in PRICES:
            payments.add_price(admin, service_type=code, unit=unit, amount=amount, valid_from=since)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    clients = [p for p in persons_for(officer).order_by("id") if not p.is_protected]
    if not clients:
        return
    person = clients[-1]
    provider = provider_reads.providers_for(officer).get(name="Omsorg Väst AB")
    start = last_month + timedelta(days=1)
    with clock.travel_to(at_hour(start, 9)):
        decision = record_decision(
            officer,
            person=person,
            decided_on=start,
            assessment_summary="Avlösning i hemmet för anhörig som vårdar.",
            services=[
                {
                    "service_type": "avlosning",
                    "scope_amount": "16",
                    "scope_unit": "hours_per_month",
                    "frequency": "en eftermiddag i veckan",
                }
            ],
        )
        order = orders.create_order(officer, decision=decision, provider=provider)
        orders.send_order(officer, order)
        orders.acknowledge_order(staff, order)
        orders.register_start(staff, order, start_date=start)
    service = decision.services.get()
    days = [(last_month + timedelta(days=n), hours) for n, hours in RESPITE_HOURS]
    days.append((today.replace(day=1), "3"))
    for day, hours in days:
        if day > today or day < start:
            continue
        with clock.travel_to(at_hour(day, 17)):
            payments.register_performed_time(
                staff, order=order, granted_service=service, day=day, hours=hours
            )
