"""The isolation proof's requests for IUB (SPEC R1.3) and the transfer at 65 (R1.4), planted in
each municipality of a generated world through the real services and recorded in the `World`,
so that the oracle (tooling/isolation_oracle.py) holds every reader to them:

- a request for a service without needs assessment, taken by the first unit's officer for a
  client of that unit, who asked and the note canaries; the decision that grants it points at
  it and its order went to the first (connected) provider, whose order page shows who asked.
  The requests themselves (the unit's list, `/api/iub-requests/`) are the officers' of the
  client's current unit only (`Oracle.iub_requests`);
- the municipality's transfer route from the first unit to the second at 65, and a client of
  the first unit turning 65 in 20 days with housing support ordered: the first unit's list
  (`transfers/`) names the client, no other unit's or municipality's does.
"""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.personal_number import make_test_personal_number
from verkstall.people.selectors import person_number_registered
from verkstall.tooling import canaries
from verkstall.tooling import testing as build
from verkstall.tooling.isolation_clients import (
    client_area,
    plant_decision,
    plant_order,
    register_client,
    world_user,
)
from verkstall.tooling.isolation_records import CanaryRec
from verkstall.tooling.isolation_world import World

IUB = {"service_type": "iub-service", "scope_amount": "2", "scope_unit": "hours_per_month"}
HOUSING_SUPPORT = {
    "service_type": "boendestod",
    "scope_amount": "8",
    "scope_unit": "hours_per_month",
}


def plant_iub_requests_and_transfers(world: World, rng) -> None:
    for m_index, muni in enumerate(world.municipalities()):
        units = world.units_of(muni)
        provider = world.connected_providers(muni)[0]
        scope = f"m{m_index}u0"
        _plant_iub_request(world, rng, world.officers[units[0]], provider, scope)
        _plant_transfer(world, rng, muni, units, provider, scope, m_index)
    world.refresh_derived()


def _plant_iub_request(world: World, rng, officer, provider, scope: str) -> None:
    from verkstall.decisions.iub_services import register_iub_request
    from verkstall.decisions.services import record_decision
    from verkstall.orders import services as orders

    person = register_client(
        world, rng, officer, scope, number=build.test_number(), area=client_area(officer)
    )
    who, note = canaries.token(rng, scope), canaries.token(rng, scope)
    request = register_iub_request(
        officer,
        person=person,
        asked_by=who,
        asked_on=clock.today() - timedelta(days=3),
        channel="phone",
        note=note,
    )
    world.iub_requests[request.pk] = (person.municipality_id, person.unit_id, person.pk)
    world.canaries += [
        CanaryRec(who, "who asked for IUB", person.pk),
        CanaryRec(note, "IUB request note", person.pk),
    ]
    decision = record_decision(
        officer, person=person, decided_on=clock.today(), services=[IUB], iub_request=request
    )
    world.decisions[decision.pk] = (person.municipality_id, person.unit_id, person.pk)
    order = plant_order(world, rng, officer, decision, provider, scope)
    orders.send_order(officer, order)


def _plant_transfer(world: World, rng, muni, units, provider, scope: str, m_index: int) -> None:
    from verkstall.orders import services as orders
    from verkstall.transfers.route_services import set_transfer_route

    officer = world.officers[units[0]]
    set_transfer_route(
        world_user(world, Role.LOV_ADMIN, muni),
        from_unit=officer.unit,
        to_unit=world.officers[units[1]].unit,
        notice_days=60,
    )
    turns = clock.today() + timedelta(days=20 + m_index)
    born = date(turns.year - 65, turns.month, min(turns.day, 28))
    # A client who turns 65 soon; a birth number no other client of the world has taken
    # (build.test_number draws from the same test range by a counter of the process).
    number = next(
        n
        for n in (make_test_personal_number(born, b).value for b in range(999, 979, -1))
        if not person_number_registered(muni, n)
    )
    person = register_client(world, rng, officer, scope, number=number, area=client_area(officer))
    decision = plant_decision(world, rng, officer, person, scope, [HOUSING_SUPPORT], days_ago=30)
    order = plant_order(world, rng, officer, decision, provider, scope)
    orders.send_order(officer, order)
