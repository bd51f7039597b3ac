"""The isolation proof's safety alarms (SPEC R4.1, R3.6; issue 14): in each municipality of a
generated world, two clients with a safety alarm and meal delivery, one whose alarm the
provider ordered from the aids centre (the aids centre sees it) and one not yet ordered (it
must not), so that the oracle (tooling/isolation_oracle.py) holds the aids centre to the
orders ordered from it."""

from __future__ import annotations

from datetime import timedelta

from verkstall.core import clock
from verkstall.tooling import canaries
from verkstall.tooling import testing as build
from verkstall.tooling.isolation_world import CanaryRec, OrderRec, World, register_client

SERVICES = (
    {"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"},
    {"service_type": "matdistribution", "scope_amount": "7", "scope_unit": "days_per_week"},
)


def plant_alarm_orders(world: World, rng) -> None:
    """Through the services, for each municipality's first unit and connected provider."""
    from verkstall.alarms import services as alarms
    from verkstall.decisions.services import record_decision
    from verkstall.orders import services as orders
    from verkstall.providers.selectors import areas_for

    for m_index, muni in enumerate(dict.fromkeys(world.units.values())):
        unit = next(u for u, m in world.units.items() if m == muni)
        officer = world.officers[unit]
        provider = next(p for p, m in world.providers.items() if m == muni and world.connected[p])
        staff = world.provider_staff[provider]
        area = areas_for(officer).order_by("pk").first()
        scope = f"m{m_index}u0"
        for ordered in (True, False):
            number = build.test_number()
            person = register_client(world, rng, officer, scope, number=number, area=area)
            summary = canaries.token(rng, scope)
            decision = record_decision(
                officer,
                person=person,
                decided_on=clock.today() - timedelta(days=3),
                assessment_summary=summary,
                services=[dict(s) for s in SERVICES],
            )
            world.decisions[decision.pk] = (muni, unit, person.pk)
            world.canaries.append(CanaryRec(summary, "assessment", person.pk, decision=decision.pk))
            instructions = canaries.token(rng, scope)
            order = orders.create_order(
                officer, decision=decision, provider=provider, instructions=instructions
            )
            world.canaries.append(
                CanaryRec(instructions, "order instructions", person.pk, order=order.pk)
            )
            world.orders[order.pk] = OrderRec(muni, unit, provider, person.pk, decision.pk, True)
            orders.send_order(officer, order)
            if ordered:
                alarms.register_alarm_ordered(staff, order=order)
    world.refresh_derived()
