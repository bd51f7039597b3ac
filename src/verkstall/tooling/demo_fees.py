"""Demo data of the fee notices (SPEC R9.3): four Stockholm clients whose home care is under the
profile's 7 hours a month, so that the fee officer `avgift` finds notices waiting in its inbox
and on its watchlist: a start registered by the fee officer for the provider not connected
(R3.3), an absence, a temporary increase, an end, and the provider's own notice of cancelled
visits; one start already handled. Written through the services on a moved clock; idempotent
(a client already registered is skipped). Every personnummer is a test number (born on the
31st: no other demo client is)."""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.absences import services as absences
from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.decisions.services import record_decision
from verkstall.fees import selectors as fee_reads
from verkstall.fees import services as fees
from verkstall.orders import change_services
from verkstall.orders import services as orders
from verkstall.people.selectors import person_number_registered
from verkstall.people.services import register_person
from verkstall.providers import selectors as provider_reads
from verkstall.tooling.demo_catalogue import at_hour

OMSORG = "Omsorg Väst AB"
FAXED = "Vällingby Privatomsorg AB"  # not connected: the fee officer registers for it

# born, birth number, first, last, service, hours a month, provider, what happens, days ago sent
CLIENTS = [
    (date(1935, 1, 31), 983, "Elsa", "Bergkvist", "hemtjanst-service", "4", OMSORG, "absence", 20),
    (date(1941, 5, 31), 985, "Olle", "Nyberg", "hemtjanst-omvardnad", "6", OMSORG, "increase", 25),
    (date(1946, 7, 31), 989, "Greta", "Lindholm", "hemtjanst-service", "3", OMSORG, "ended", 40),
    (date(1939, 8, 31), 993, "Karl", "Åström", "hemtjanst-service", "5", FAXED, "report", 8),
]


def seed_fees(today: date) -> int:
    """The fee officer's notices in Stockholm; returns how many clients were made."""
    officer = users.first_user(role=Role.OFFICER, municipality__code="0180", username="handlaggare")
    fee_officer = users.first_user(role=Role.FEE_OFFICER, municipality__code="0180")
    if officer is None or fee_officer is None:
        return 0
    providers = {p.name: p for p in provider_reads.providers_for(officer)}
    if OMSORG not in providers or FAXED not in providers:
        return 0
    staff = users.first_user(provider=providers[OMSORG])
    area = provider_reads.areas_for(officer).order_by("pk").first()
    made = 0
    for born, birth_number, first, last, code, hours, name, life, ago in CLIENTS:
        number = make_test_personal_number(born, birth_number)
        if person_number_registered(officer.municipality_id, number.value):
            continue
        provider = providers[name]
        sent = today - timedelta(days=ago)
        with clock.travel_to(at_hour(sent, 9)):
            person = register_person(
                officer,
                personal_number=number.value,
                first_name=first,
                last_name=last,
                street_address=f"{last}gränd {ago}",
                postal_code="162 65",
                city="Vällingby",
                area=area.pk if area else None,
                phone=f"070-555 31 {ago:02d}",
            )
            decision = record_decision(
                officer,
                person=person,
                decided_on=sent,
                assessment_summary="Behov av stöd några timmar i månaden enligt utredning.",
                services=[
                    {
                        "service_type": code,
                        "scope_amount": hours,
                        "scope_unit": "hours_per_month",
                        "frequency": "varannan vecka",
                        "valid_from": sent,
                    }
                ],
            )
            order = orders.create_order(officer, decision=decision, provider=provider)
            orders.send_order(officer, order)
        # The provider replies; for the one not connected the fee officer registers its reply
        # (R3.3, seed 001: "avgiftshandläggaren informeras").
        actor, channel = (staff, "") if provider.is_connected else (fee_officer, "fax")
        started = sent + timedelta(days=1)
        with clock.travel_to(at_hour(started, 10)):
            orders.acknowledge_order(actor, order, channel=channel)
            orders.register_start(actor, order, start_date=started, channel=channel)
        order.refresh_from_db()
        _life(life, order, staff, today)
        made += 1
    if made:
        fees.collect_fee_notices(municipality=officer.municipality)
        _handle_oldest(fee_officer)
    return made


def _life(life: str, order, staff, today: date) -> None:
    """What happened after the start, each on its own day."""
    if life == "absence":
        with clock.travel_to(at_hour(today - timedelta(days=3), 11)):
            absences.register_absence(
                staff, order, reason="hospital", from_date=today - timedelta(days=3)
            )
    elif life == "increase":
        with clock.travel_to(at_hour(today - timedelta(days=5), 14)):
            change_services.report_temporary_change(
                staff,
                order,
                kind="increase",
                from_date=today - timedelta(days=5),
                to_date=today - timedelta(days=3),
                reason="Anhörig bortrest; extra besök för inköp.",
            )
    elif life == "ended":
        with clock.travel_to(at_hour(today - timedelta(days=2), 13)):
            orders.end_order(
                staff, order, end_date=today - timedelta(days=2), note="Flyttar till dotter."
            )
    elif life == "report":
        with clock.travel_to(at_hour(today - timedelta(days=1), 15)):
            fees.report_fee_notice(
                order.officer,
                order=order,
                text="Klienten har själv avbokat två besök den här månaden (enligt fax).",
                effective_from=today - timedelta(days=6),
                channel="fax",
            )


def _handle_oldest(fee_officer) -> None:
    """The oldest notice is handled already: the inbox's "handled" list is not empty."""
    oldest = fee_reads.inbox(fee_officer).order_by("changed_at", "id").first()
    if oldest is not None:
        fees.handle_fee_notice(
            fee_officer, notice=oldest, note="Avgiften beräknad från startdatum."
        )
