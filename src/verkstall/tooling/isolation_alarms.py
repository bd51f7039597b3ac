"""The isolation proof's safety alarms (SPEC R4.1, R3.6, R2.6; issue 14): in each municipality
of a generated world, two clients with a safety alarm and meal delivery, one whose alarm the
provider ordered from the aids centre (the aids centre sees it) and one not yet ordered (it
must not), so that the oracle (tooling/isolation_oracle.py) holds the aids centre to the
orders ordered from it; and a third whose alarm order was switched to another connected
provider of the municipality (the whole switch walked through the services on a moved clock,
as tooling/demo_switch.py does), the new provider having ordered the alarm's move from the aids
centre: its contact move is open, the old provider keeps its old order and no more, the new
provider sees the new order and not the old one."""

from __future__ import annotations

from datetime import timedelta

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.tooling import testing as build
from verkstall.tooling.isolation_clients import (
    client_area,
    plant_decision,
    plant_order,
    register_client,
    world_user,
)
from verkstall.tooling.isolation_records import CanaryRec, OrderRec
from verkstall.tooling.isolation_world import World

SERVICES = (
    {"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"},
    {"service_type": "matdistribution", "scope_amount": "7", "scope_unit": "days_per_week"},
)


def plant_alarm_orders(world: World, rng) -> None:
    """Through the services, for each municipality's first unit and connected provider."""
    from verkstall.alarms import services as alarms
    from verkstall.orders import services as orders

    for m_index, muni in enumerate(world.municipalities()):
        unit = world.units_of(muni)[0]
        officer = world.officers[unit]
        provider = world.connected_providers(muni)[0]
        staff = world.provider_staff[provider]
        area = client_area(officer)
        scope = f"m{m_index}u0"
        for ordered in (True, False):
            number = build.test_number()
            person = register_client(world, rng, officer, scope, number=number, area=area)
            decision = plant_decision(world, rng, officer, person, scope, SERVICES, days_ago=3)
            order = plant_order(world, rng, officer, decision, provider, scope)
            orders.send_order(officer, order)
            if ordered:
                alarms.register_alarm_ordered(staff, order=order)
        _plant_switch(world, rng, muni, unit, area, provider, scope)
    world.refresh_derived()


# The switch's days, counted back from today: the decision and the order's start, the client's
# wish (the notice, 14 days in every profile, has run out well before today).
STARTED_AGO, REQUESTED_AGO = 45, 40


def _plant_switch(world: World, rng, muni: int, unit: int, area, old_provider: int, scope: str):
    """A started alarm order of `old_provider` (the alarm ordered and installed), switched to
    another connected provider of the municipality (R2.6): requested, the new provider
    informed, the date agreed, completed today; then the new provider orders the alarm's move
    on its new order, which opens the aids centre's contact move (R4.1)."""
    from verkstall.alarms import services as alarms
    from verkstall.orders import services as orders
    from verkstall.orders import switch_services

    officer = world.officers[unit]
    old_staff = world.provider_staff[old_provider]
    new_provider = _other_connected(world, muni, old_provider)
    new_staff = world.provider_staff[new_provider]
    aids = world_user(world, Role.AIDS_CENTRE, muni)
    with clock.travel_to(clock.now() - timedelta(days=STARTED_AGO)):
        person = register_client(world, rng, officer, scope, number=build.test_number(), area=area)
        decision = plant_decision(world, rng, officer, person, scope, SERVICES, days_ago=1)
        order = plant_order(world, rng, officer, decision, old_provider, scope)
        orders.send_order(officer, order)
        orders.acknowledge_order(old_staff, order)
        alarms.register_alarm_ordered(old_staff, order=order)
        orders.register_start(old_staff, order, start_date=clock.today())
        alarms.register_alarm_installed(aids, order=order)
    requested = clock.today() - timedelta(days=REQUESTED_AGO)
    with clock.travel_to(clock.start_of_day(requested) + timedelta(hours=9)):
        switch = switch_services.request_switch(
            officer, order=order, new_provider=new_staff.provider, requested_on=requested
        )
        switch_services.inform_new_provider(officer, switch=switch)
    with clock.travel_to(clock.start_of_day(requested) + timedelta(days=2, hours=10)):
        switch_services.register_agreed_date(
            new_staff, switch=switch, agreed_date=switch.notice_ends_on
        )
    switch = switch_services.complete_switch(officer, switch=switch)
    new_order = switch.new_order
    world.orders[new_order.pk] = OrderRec(muni, unit, new_provider, person.pk, decision.pk, True)
    alarms.register_alarm_ordered(new_staff, order=new_order)  # opens the contact move
    # The new order carries the old one's instructions: the same canary, on both orders.
    world.canaries.append(
        CanaryRec(
            order.instructions, "order instructions (switched)", person.pk, order=new_order.pk
        )
    )


def _other_connected(world: World, muni: int, provider: int) -> int:
    """Another connected provider of the municipality; one is made if the world has none."""
    found = next((p for p in world.connected_providers(muni) if p != provider), None)
    if found is not None:
        return found
    municipality = world.provider_staff[provider].municipality
    made = build.provider(municipality, connected=True)
    world.providers[made.pk] = muni
    world.connected[made.pk] = True
    staff = build.user(Role.PROVIDER_STAFF, municipality, provider=made)
    world.provider_staff[made.pk] = staff
    world.users += [staff, build.user(Role.PROVIDER_MANAGER, municipality, provider=made)]
    return made.pk
