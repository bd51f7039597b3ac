"""Demo data: four municipalities, one per built-in routine (SPEC R11.1), each on its own copy
of that routine's profile (R11.3), with providers, clients, decisions and orders in every
state, and a demo user for every role.

Everything is written through the services, on a moved clock (core.clock.travel_to), so the
history is what the system itself would have recorded. Idempotent: a second run finds what
the first one made and adds nothing. Every personnummer is in Skatteverket's test range
(core.personal_number.make_test_personal_number).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from verkstall.absences import services as absences
from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.access.services import create_user, ensure_municipality, ensure_unit
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.deadlines import profile_selectors as deadline_reads
from verkstall.deadlines import services as profile_services
from verkstall.deadlines.routine_selectors import needs_booked_staff
from verkstall.decisions.services import record_decision
from verkstall.journal import services as journal
from verkstall.orders import services as orders
from verkstall.people.protection_services import (
    decide_protection_request,
    record_oral_briefing,
    set_protection,
)
from verkstall.people.selectors import (
    pending_protection_requests,
    person_number_registered,
    persons_for,
)
from verkstall.people.services import register_person, update_person
from verkstall.plans import services as plans
from verkstall.providers import selectors as provider_reads
from verkstall.providers.choice_services import register_choice
from verkstall.providers.models import Channel
from verkstall.providers.services import (
    ensure_area,
    ensure_contract,
    ensure_provider,
    ensure_provider_unit,
    ensure_unit_offers,
)
from verkstall.tooling.demo_alarms import seed_alarms
from verkstall.tooling.demo_catalogue import (
    CAPPED,
    CLIENTS_PER_MUNICIPALITY,
    CONTRACTS_FROM,
    DEMO_PASSWORD,
    FIRST,
    HOMES,
    LAST,
    LIVES,
    MUNICIPALITIES,
    PROTECTED_CLIENTS,
    STREETS,
    USERS,
    at_hour,
)
from verkstall.tooling.demo_fees import seed_fees
from verkstall.tooling.demo_iub_transfer import seed_iub_and_transfer
from verkstall.tooling.demo_ivo import seed_ivo
from verkstall.tooling.demo_payments import seed_payments
from verkstall.tooling.demo_queue import seed_queue
from verkstall.tooling.demo_stays import seed_stays
from verkstall.tooling.demo_switch import seed_switch


@transaction.atomic
def seed(stdout=None) -> dict[str, int]:
    rng = random.Random(20261126)
    created = {"municipalities": 0, "users": 0, "clients": 0, "orders": 0}
    today = timezone.localdate()
    for index, spec in enumerate(MUNICIPALITIES):
        muni, made = ensure_municipality(
            code=spec["code"], name=spec["name"], rule_profile=spec["profile"]
        )
        created["municipalities"] += made
        _own_profile(muni)
        unit = ensure_unit(municipality=muni, name=spec["unit"])
        areas = [ensure_area(municipality=muni, name=a) for a in spec["areas"]]
        providers = {}
        for name, connected, channel in spec["providers"]:
            provider = ensure_provider(
                municipality=muni,
                name=name,
                is_connected=connected,
                channel=channel,
                email="order@stad-och-service.example" if channel == Channel.EMAIL else "",
                fax="08-555 000 00" if channel == Channel.FAX else "",
                postal_address="Box 1, 100 00 Exempelstad",
            )
            ensure_provider_unit(
                provider=provider, name="Huvudenheten", manager_name="Enhetschef " + name
            )
            providers[name] = provider
        _users(muni, unit, providers, created)
        officer = users.first_user(role=Role.OFFICER, unit=unit)
        providers = list(providers.values())
        for n in range(CLIENTS_PER_MUNICIPALITY[index]):
            born = date(1930 + (n * 3 + index * 7) % 60, 1 + (n + index) % 12, 1 + (n * 5) % 28)
            number = make_test_personal_number(born, 980 + (n + index * 5) % 20)
            if person_number_registered(muni.pk, number.value):
                continue
            life = LIVES[n % len(LIVES)]
            decided = today - timedelta(days=40 - n)
            with clock.travel_to(at_hour(decided, 9)):
                person = register_person(
                    officer,
                    personal_number=number.value,
                    first_name=FIRST[(n + index * 3) % len(FIRST)],
                    last_name=LAST[(n * 7 + index) % len(LAST)],
                    street_address=f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                    postal_code=spec["postal"],
                    city=spec["city"],
                    area=areas[n % len(areas)].pk,
                    phone=f"070-{rng.randint(1000000, 9999999)}",
                    relatives=[{"name": "Anhörig " + LAST[n % len(LAST)], "relation": "barn"}],
                    **_home_position(spec, areas[n % len(areas)].name, n),
                )
                codes = spec["services"][: 1 + n % 2]
                decision = record_decision(
                    officer,
                    person=person,
                    decided_on=decided,
                    assessment_summary="Behov av stöd i vardagen enligt utredning.",
                    services=[
                        {
                            "service_type": code,
                            "scope_amount": str(8 + (n % 5) * 4),
                            "scope_unit": "hours_per_month",
                            "frequency": "enligt överenskommelse",
                            "valid_from": decided,
                        }
                        for code in codes
                    ],
                )
            provider = providers[n % len(providers)]
            _walk(officer, decision, provider, life, decided, n)
            created["clients"] += 1
            created["orders"] += 1
        _contracts(spec, muni, areas, providers, today)
        _positions(spec, officer)
    _homes_and_choice(today)
    protected = _protected_clients(today)
    alarm_clients = seed_alarms(today)  # R4.1, R3.6: work for the aids centre `hmc`
    seed_queue(today)
    seed_stays(today)  # R8.4: a temporary stay from Uppsala for `placering`
    switched = seed_switch(today)  # scenario 2: Bengt's switch to complete (R2.6)
    seed_fees(today)  # R9.3: fee notices waiting for the fee officer `avgift`
    seed_ivo(today)  # R9.5: cases waiting in this quarter's IVO report for `lovadmin`
    seed_payments(today)  # R9.2, R9.4: prices and performed time for last month's basis
    seed_iub_and_transfer(today)  # R1.3, R1.4: an IUB request (Gotland), the transfer at 65
    created["clients"] += protected + alarm_clients + switched
    created["orders"] += protected + alarm_clients + switched
    if stdout:
        stdout.write(", ".join(f"{k}: {v} new" for k, v in created.items()))
    return created


def _own_profile(muni) -> None:
    """The municipality works by its own copy of its routine's built-in profile, which its
    LOV administrator may edit; the built-in stays a template (R11.3). Copied and assigned
    once: a second run finds the municipality on its own profile already. Set-up by the
    system itself (no acting user)."""
    current = deadline_reads.get_profile(muni.rule_profile)
    if current is None or current.owner_id == muni.pk:
        return
    own = profile_services.copy_profile(None, source=current, owner=muni)
    profile_services.assign_profile(None, municipality=muni, profile=own)


def _walk(officer, decision, provider, life: str, decided: date, n: int) -> None:
    """Walk one order through the services, each step on its own day."""
    actor = officer
    if provider.is_connected:
        actor = users.first_user(provider=provider)
    channel = "" if provider.is_connected else "phone"
    day = decided
    acute_at = at_hour(day, 15) if life == "acute" else None
    with clock.travel_to(at_hour(day, 10 if not acute_at else 16)):
        order = orders.create_order(
            officer,
            decision=decision,
            provider=provider,
            instructions="Klienten vill helst ha besök före klockan 10.",
            acute_oral_at=acute_at,
        )
    if life in ("draft", "acute"):
        return
    day += timedelta(days=1)
    with clock.travel_to(at_hour(day, 9)):
        orders.send_order(officer, order)
        if life == "cancelled":
            orders.cancel_order(officer, order, reason="Klienten flyttade till annan kommun.")
            return
    if life == "sent":
        return
    day += timedelta(days=1)
    with clock.travel_to(at_hour(day, 11)):
        orders.acknowledge_order(actor, order, channel=channel)
    if life == "acknowledged":
        return
    day += timedelta(days=1 + n % 2)
    with clock.travel_to(at_hour(day, 14)):
        # R3.6, seed 003: where the routine says so, the start names the booked staff member.
        booked = "Ordinarie boendestödjare" if needs_booked_staff(order) else ""
        orders.register_start(actor, order, start_date=day, channel=channel, booked_staff=booked)
    if life == "started":
        _after_start(officer, actor, order, day, n, channel)
    if life == "ended":
        day += timedelta(days=10)
        with clock.travel_to(at_hour(day, 13)):
            orders.end_order(
                actor, order, end_date=day, note="Insatsen behövs inte längre.", channel=channel
            )


def _after_start(officer, actor, order, started: date, n: int, channel: str) -> None:
    """Life after the start on some demo orders, so the plan, absence, notice, journal and
    message screens have something to show (SPEC R5, R7, R10.2, R10.3)."""
    day = started + timedelta(days=5)
    if n % 3 == 0:
        with clock.travel_to(at_hour(day, 10)):
            plan = plans.start_plan(
                actor,
                order,
                channel=channel,
                what="Stöd vid morgon- och kvällsrutiner.",
                how="Enligt den enskildes önskemål, i lugnt tempo.",
                when="Varje dag 07.30 och 20.00.",
                by_whom="Kontaktpersonen och ordinarie personal.",
                participation="Planen gjordes tillsammans med den enskilde och en anhörig.",
            )
            plans.send_plan(actor, plan, channel=channel)
    elif n % 3 == 1:
        with clock.travel_to(at_hour(day, 9)):
            absences.register_absence(
                actor,
                order,
                reason="hospital",
                from_date=day - timedelta(days=2),
                to_date=day + timedelta(days=1),
                channel=channel,
            )
    else:
        with clock.travel_to(at_hour(day, 8)):
            absences.receive_notice(
                officer,
                order.person,
                kind="admission",
                occurred_at=at_hour(day, 7),
                text="Inskriven på medicinavdelningen.",
            )
    with clock.travel_to(at_hour(day, 15)):
        journal.send_message(
            officer,
            person=order.person,
            order=order,
            subject="Inför uppföljning",
            body="Hej! Hur fungerar insatsen? Hör gärna av er inför uppföljningen.",
        )


def _users(muni, unit, providers, created) -> None:
    for username, role, code, provider_name, full_name in USERS:
        if code != muni.code and not (code is None and muni.code == MUNICIPALITIES[0]["code"]):
            continue
        if users.user_exists(username):
            continue
        create_user(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            full_name=full_name,
            municipality=muni if code else None,
            unit=unit if role == Role.OFFICER else None,
            provider=providers[provider_name] if provider_name else None,
        )
        created["users"] += 1


def _home_position(spec, area_name: str, n: int) -> dict:
    """A client's home near the centre of their area (R2.5): a few hundred metres apart."""
    lat, lon = spec["positions"][area_name]
    return {
        "latitude": f"{lat + ((n * 7) % 11 - 5) * 0.0012:.6f}",
        "longitude": f"{lon + ((n * 5) % 13 - 6) * 0.0020:.6f}",
    }


def _contracts(spec, muni, areas, providers, today: date) -> None:
    """Contract lines for every LOV service of the municipality in every area (R2.1); the
    capped provider of CAPPED takes no new clients in its area for now."""
    from verkstall.decisions.selectors import service_types

    lov = {t.code for t in service_types().filter(lov=True, code__in=spec["services"])}
    capped = CAPPED.get(spec["code"])
    for provider in providers:
        codes = spec.get("contracts", {}).get(provider.name, spec["services"])
        for code in codes:
            if code not in lov:
                continue
            for area in areas:
                cap = {}
                if capped and (provider.name, area.name) == capped[:2]:
                    cap = {
                        "accepts_new_clients": False,
                        "capacity_reason": capped[2],
                        "capacity_until": today + timedelta(days=120),
                    }
                ensure_contract(
                    provider=provider,
                    service_type=code,
                    area=area,
                    valid_from=CONTRACTS_FROM,
                    **cap,
                )


def _positions(spec, officer) -> None:
    """Coordinates for clients registered before the demo had them (idempotent)."""
    for n, person in enumerate(persons_for(officer).filter(latitude__isnull=True)):
        if person.area is not None:
            update_person(
                officer,
                person,
                reason="Hemmets position för närhetsprincipen",
                **_home_position(spec, person.area.name, n),
            )


def _homes_and_choice(today: date) -> None:
    """Short-term and profile homes in Stockholm with their positions (R2.5), a short-term
    stay granted to the first Stockholm client, and one registered active choice in Solna
    (R2.2; SCENARIOS story 3: Sara picks Stödpartner AB)."""
    stockholm = users.first_user(role=Role.OFFICER, municipality__code="0180")
    for provider_name, unit_name, manager, lat, lon, codes in HOMES:
        provider = provider_reads.providers_for(stockholm).get(name=provider_name)
        unit = ensure_provider_unit(provider=provider, name=unit_name, manager_name=manager)
        if unit.latitude is None:
            ensure_unit_offers(unit=unit, latitude=lat, longitude=lon, service_types=codes)
    first = persons_for(stockholm).order_by("id").first()
    if (
        first is not None
        and not first.decisions.filter(services__service_type__code="korttidsboende").exists()
    ):
        record_decision(
            stockholm,
            person=first,
            decided_on=today,
            assessment_summary="Behov av korttidsboende efter sjukhusvistelse.",
            services=[
                {
                    "service_type": "korttidsboende",
                    "scope_amount": "1",
                    "scope_unit": "place",
                    "frequency": "två veckor",
                    "valid_from": today,
                }
            ],
        )
    solna = users.first_user(role=Role.OFFICER, municipality__code="0184")
    # The first client whose first LOV service is still in force (an ended order has ended
    # its services in the decision, R3.9) gets a registered choice.
    for person in persons_for(solna).order_by("id")[:20]:
        decision = person.decisions.order_by("id").first()
        granted = (
            decision and decision.services.filter(service_type__lov=True).order_by("id").first()
        )
        if granted is not None and (granted.valid_to is None or granted.valid_to >= today):
            break
    else:
        return
    if provider_reads.choices_of(granted).exists():
        return
    chosen = provider_reads.providers_for(solna).get(name="Stödpartner AB")
    register_choice(
        solna,
        granted_service=granted,
        provider=chosen,
        form_received_on=min(today, decision.decided_on + timedelta(days=3)),
    )


def _protected_clients(today: date) -> int:
    """One protected client whose order waits for the oral briefing of the unit manager, and
    one whose order went out after it (R10.1). The officer `handlaggare` set both flags and
    so sees the data; `enhetschef` was told about the second and, once `handlaggare2`
    approved it, sees its data; `utforare` sees the placeholder."""
    officer = users.first_user(role=Role.OFFICER, municipality__code="0180")
    spec = MUNICIPALITIES[0]
    provider = provider_reads.providers_for(officer).get(name="Omsorg Väst AB")
    manager = users.first_user(role=Role.PROVIDER_MANAGER, provider=provider)
    made = 0
    for n, (born, birth_number, first, last, protection, send) in enumerate(PROTECTED_CLIENTS):
        number = make_test_personal_number(born, birth_number)
        if person_number_registered(officer.municipality_id, number.value):
            continue
        decided = today - timedelta(days=3 - n)
        area = spec["areas"][1]
        with clock.travel_to(at_hour(decided, 9)):
            person = register_person(
                officer,
                personal_number=number.value,
                first_name=first,
                last_name=last,
                street_address=f"Skyddad väg {10 + n}",
                postal_code=spec["postal"],
                city=spec["city"],
                area=provider_reads.areas_for(officer).get(name=area).pk,
                phone=f"070-555 00 0{n}",
                whereabouts="",
                relatives=[{"name": "Anhörig Skyddad", "relation": "syster", "phone": "070-1"}],
                **_home_position(spec, area, 40 + n),
            )
            set_protection(officer, person, protection=protection)
            decision = record_decision(
                officer,
                person=person,
                decided_on=decided,
                assessment_summary="Behov av stöd i vardagen enligt utredning.",
                services=[
                    {
                        "service_type": "hemtjanst-omvardnad",
                        "scope_amount": "12",
                        "scope_unit": "hours_per_month",
                        "frequency": "morgon och kväll",
                        "valid_from": decided,
                    }
                ],
            )
        with clock.travel_to(at_hour(decided, 10)):
            order = orders.create_order(officer, decision=decision, provider=provider)
        made += 1
        if not send:
            continue
        with clock.travel_to(at_hour(decided, 14)):
            record_oral_briefing(
                officer,
                order,
                told_user=manager.pk if manager else None,
                told_name="" if manager else "Enhetschefen",
                told_at=at_hour(decided, 13),
            )
            orders.send_order(officer, order)
            # The briefing asked that the manager see the data; a second officer of the unit
            # approves it (four eyes).
            second = users.first_user(role=Role.OFFICER, unit=officer.unit, username="handlaggare2")
            for asked in pending_protection_requests(person):
                decide_protection_request(second, person, request=asked, approve=True)
    return made
