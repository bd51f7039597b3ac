"""The isolation proof's care-home queue, temporary stays and cleaning vouchers (SPEC R8.1, R8.2,
R8.3, R8.4, R4.2, R10.5; issue 14), planted in each municipality of a generated world through
the real services and recorded in the `World`, so that the oracle (tooling/isolation_oracle.py)
holds the placement unit, the officers and the providers to what each of them may see:

- the queue: an urgent entry (where the client is now, the hospital's notice, notes: canaries)
  waiting, one with a place offered by the placement unit, one the client accepted and the
  officer ordered to the home, and an urgent entry of a protected client in the other unit
  (where it is now is a protected field: "Skyddade uppgifter" to anyone not named, R10.5);
- temporary stays from another municipality (R8.4), received by the placement unit and
  pending: one of a client of another municipality of the world, one of nobody known;
- cleaning on voucher (R4.2): an order to a connected provider and one to a provider that is
  not, each sent, with a voucher issued (its extent, from the granted frequency, a canary)
  and report-form reports (their notes canaries), by the provider or on its behalf.
"""

from __future__ import annotations

from datetime import timedelta

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.tooling import canaries
from verkstall.tooling import testing as build
from verkstall.tooling.isolation_clients import (
    client_area,
    plant_decision,
    plant_order,
    register_client,
    world_user,
)
from verkstall.tooling.isolation_records import CanaryRec, OrderRec
from verkstall.tooling.isolation_world import World, protect_client

CARE_HOME = "vard-och-omsorgsboende"
CLEANING = "hemtjanst-stad"


def plant_placements(world: World, rng) -> None:
    """The queue, the stays and the vouchers of every municipality of the world."""
    munis = world.municipalities()
    for m_index, muni in enumerate(munis):
        _plant_queue(world, rng, muni, m_index)
        _plant_stays(world, rng, muni, m_index, munis)
        _plant_vouchers(world, rng, muni, m_index)
    world.refresh_derived()


# --- the care-home queue (R8.1, R8.2, R8.3) ---------------------------------------------------


def _plant_queue(world: World, rng, muni: int, m_index: int) -> None:
    from verkstall.placements import services as placements
    from verkstall.providers.services import ensure_provider_unit, ensure_unit_offers

    placement = world_user(world, Role.PLACEMENT_UNIT, muni)
    connected = world.connected_providers(muni)
    homes = []
    for i, provider in enumerate((connected * 2)[:2]):
        home = ensure_provider_unit(
            provider=world.provider_staff[provider].provider,
            name=f"Omsorgsboendet {m_index}-{i + 1}",
        )
        homes.append(ensure_unit_offers(unit=home, service_types=[CARE_HOME]))
    unit0, unit1 = world.units_of(muni)[:2]
    # (unit, urgent, what happens next, protected client)
    plan = [
        (unit0, True, "waiting", False),
        (unit0, False, "offered", False),
        (unit0, False, "ordered", False),
        (unit1, True, "waiting", True),
    ]
    for e_index, (unit, urgent, step, protect) in enumerate(plan):
        officer = world.officers[unit]
        scope = f"m{m_index}u{0 if unit == unit0 else 1}"
        person = register_client(
            world,
            rng,
            officer,
            scope,
            number=build.test_number(),
            area=client_area(officer),
        )
        if protect:
            protect_client(officer, person)
        service = {"service_type": CARE_HOME, "scope_amount": "1", "scope_unit": "place"}
        decision = plant_decision(world, rng, officer, person, scope, [service], days_ago=5)
        notes = canaries.token(rng, scope)
        extra = {"notes": notes}
        location = None
        if urgent:
            location = canaries.token(rng, scope)
            extra |= {
                "urgent": True,
                "current_location": location,
                "discharge_ready_at": clock.now() - timedelta(hours=3),
            }
        chosen = homes if e_index % 2 == 0 else homes[::-1]
        entry = placements.enqueue(
            officer, granted_service=decision.services.get(), homes=chosen, **extra
        )
        world.queue_entries[entry.pk] = world.decisions[decision.pk]
        world.canaries.append(CanaryRec(notes, "queue notes", person.pk, queue_entry=entry.pk))
        if location is not None:
            # The hospital ward is where the client is now: a protected client's whereabouts
            # (R10.5), "Skyddade uppgifter" to anyone not named.
            world.canaries.append(
                CanaryRec(
                    location,
                    "queue current location",
                    person.pk,
                    queue_entry=entry.pk,
                    protected_field=True,
                )
            )
        if step == "waiting":
            continue
        offer = placements.offer_place(placement, entry=entry, home=chosen[0])
        if step == "offered":
            continue
        placements.record_answer(placement, offer=offer, accepted=True)
        order = placements.order_to_home(officer, entry=entry)
        muni_, unit_, person_ = world.decisions[decision.pk]
        world.orders[order.pk] = OrderRec(
            muni_, unit_, order.provider_id, person_, decision.pk, True
        )


# --- temporary stays from another municipality (R8.4) ---------------------------------------


def _plant_stays(world: World, rng, muni: int, m_index: int, munis: list[int]) -> None:
    """Two pending intakes: a client of the next municipality of the world staying here (the
    same personnummer), and someone the world does not know."""
    from verkstall.placements import stay_services

    placement = world_user(world, Role.PLACEMENT_UNIT, muni)
    home_muni = munis[(m_index + 1) % len(munis)]
    visitor = next(p for p, (m, _u) in world.persons.items() if m == home_muni)
    home = world_user(world, Role.PLACEMENT_UNIT, home_muni).municipality
    scope = f"m{m_index}stay"
    for s_index, number in enumerate((world.numbers[visitor], build.test_number())):
        tokens = {
            what: canaries.token(rng, scope)
            for what in ("first name", "last name", "address", "help requested", "contact")
        }
        intake, created = stay_services.receive_intake(
            placement,
            external_id=f"E-{m_index}-{s_index}-{rng.getrandbits(24):06x}",
            personal_number=number,
            first_name=tokens["first name"],
            last_name=tokens["last name"],
            home_municipality_name=home.name if s_index == 0 else "Annan kommun",
            home_municipality_code=home.code if s_index == 0 else "",
            stay_from=(clock.today() + timedelta(days=10)).isoformat(),
            stay_to=(clock.today() + timedelta(days=24)).isoformat(),
            street_address=tokens["address"],
            postal_code="12345",
            city="Sommarby",
            help_requested=tokens["help requested"],
            contact_name=tokens["contact"],
            contact_phone="070-1234567",
        )
        assert created
        world.stay_intakes[intake.pk] = muni
        world.intake_numbers[intake.pk] = intake.personal_number
        for what, text in tokens.items():
            world.canaries.append(CanaryRec(text, f"stay intake {what}", 0, stay_intake=intake.pk))


# --- cleaning on voucher (R4.2, routine 004) -------------------------------------------------


def _plant_vouchers(world: World, rng, muni: int, m_index: int) -> None:
    """A cleaning order to the first connected provider (its staff report the start and a
    move) and one to a provider that is not connected (the officer registers its returned
    form on its behalf); each sent, with a voucher issued."""
    from verkstall.orders import services as orders
    from verkstall.vouchers import services as vouchers

    unit = world.units_of(muni)[0]
    officer = world.officers[unit]
    scope = f"m{m_index}u0"
    mine = [p for p, m in world.providers.items() if m == muni]
    connected = next(p for p in mine if world.connected[p])
    unconnected = next(p for p in mine if not world.connected[p])
    for v_index, provider_pk in enumerate((connected, unconnected)):
        person = register_client(
            world, rng, officer, scope, number=build.test_number(), area=client_area(officer)
        )
        frequency = canaries.token(rng, scope)  # the voucher's extent says it
        service = {
            "service_type": CLEANING,
            "scope_amount": "2",
            "scope_unit": "hours_per_month",
            "frequency": frequency,
        }
        decision = plant_decision(world, rng, officer, person, scope, [service], days_ago=5)
        world.voucher_decisions.add(decision.pk)
        world.canaries.append(
            CanaryRec(frequency, "voucher extent", person.pk, decision=decision.pk)
        )
        order = plant_order(world, rng, officer, decision, provider_pk, scope)
        orders.send_order(officer, order)  # an e-mail goes on commit: the world never gets there
        voucher = vouchers.issue_voucher(
            officer, order=order, kind=("cleaning", "cleaning_fbh")[v_index]
        )
        world.vouchers[voucher.pk] = order.pk
        reporter, channel = (
            (world.provider_staff[provider_pk], "") if v_index == 0 else (officer, "post")
        )
        kinds = ("start", "move") if v_index == 0 else ("start",)
        for kind in kinds:
            note = canaries.token(rng, scope)
            vouchers.register_report(
                reporter,
                order=order,
                kind=kind,
                occurred_on=clock.today().isoformat(),
                note=note,
                channel=channel,
            )
            world.canaries.append(
                CanaryRec(note, f"voucher report note ({kind})", person.pk, order=order.pk)
            )
