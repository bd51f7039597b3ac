"""The isolation proof's month models (SPEC R9.2, R9.3, R9.4, R9.5; issue 15), planted in each
municipality of a generated world through the real services and recorded in the `World`, so
that the oracle (tooling/isolation_oracle.py) holds every reader to them:

- fee notices (R9.3): a client of the second unit with home care under the profile's hours a
  month, its order started and the changes collected (a notice "Insatsen började"), and the
  provider's own notice, its text a canary; seen through the order (fees/selectors.py);
- performed time (R9.2): a respite order of the first unit, started, with the provider's
  hours for today, its note a canary; and the municipality's price per performed hour of
  respite, set by its LOV administrator (R9.4); the payment basis of the month then names
  the clients of the started orders (payments.selectors.basis_scope);
- the IVO report (R9.5): a decision of the second unit not carried out for four months, in
  the current quarter's report made by the LOV administrator, the reason for the delay given
  by the officer of the unit: a canary, seen by the LOV administrator and the unit only;
- the month screen (R9.1) reads what the world has; nothing is planted for it.
"""

from __future__ import annotations

from datetime import timedelta

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.tooling import canaries
from verkstall.tooling import testing as build
from verkstall.tooling.isolation_clients import register_client
from verkstall.tooling.isolation_records import CanaryRec, OrderRec
from verkstall.tooling.isolation_world import World

HOME_SERVICE = "hemtjanst-service"
RESPITE = "avlosning"
CARE = "hemtjanst-omvardnad"
IVO_LATE_DAYS = 122  # four months: the IVO rule's three months have run out


def plant_months(world: World, rng) -> None:
    """Fee notices, performed time and a price, and the IVO report, of every municipality."""
    munis = list(dict.fromkeys(world.units.values()))
    for m_index, muni in enumerate(munis):
        units = [u for u, m in world.units.items() if m == muni]
        provider = next(p for p, m in world.providers.items() if m == muni and world.connected[p])
        _plant_fee_notices(world, rng, muni, units[1], provider, f"m{m_index}u1")
        _plant_performed_time(world, rng, muni, units[0], provider, f"m{m_index}u0")
        _plant_ivo(world, rng, muni, units[1], f"m{m_index}u1")
    world.refresh_derived()


def _user(world: World, role: Role, muni: int):
    return next(u for u in world.users if u.role_enum == role and u.municipality_id == muni)


def _started_order(world: World, rng, muni, unit, provider, scope, service: dict):
    """A client of `unit` with a decision of `service` and an order to the connected
    `provider`, sent, acknowledged and started today."""
    from verkstall.decisions.services import record_decision
    from verkstall.orders import services as orders
    from verkstall.providers.selectors import areas_for

    officer = world.officers[unit]
    staff = world.provider_staff[provider]
    person = register_client(
        world,
        rng,
        officer,
        scope,
        number=build.test_number(),
        area=areas_for(officer).order_by("pk").first(),
    )
    summary = canaries.token(rng, scope)
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today() - timedelta(days=4),
        assessment_summary=summary,
        services=[service],
    )
    world.decisions[decision.pk] = (muni, unit, person.pk)
    instructions = canaries.token(rng, scope)
    order = orders.create_order(
        officer, decision=decision, provider=staff.provider, instructions=instructions
    )
    world.orders[order.pk] = OrderRec(muni, unit, provider, person.pk, decision.pk, True)
    world.canaries += [
        CanaryRec(summary, "assessment", person.pk, decision=decision.pk),
        CanaryRec(instructions, "order instructions", person.pk, order=order.pk),
    ]
    orders.send_order(officer, order)
    orders.acknowledge_order(staff, order)
    orders.register_start(staff, order, start_date=clock.today())
    return person, decision, order


def _plant_fee_notices(world: World, rng, muni, unit, provider, scope) -> None:
    from verkstall.fees import services as fees

    service = {
        "service_type": HOME_SERVICE,
        "scope_amount": "4",
        "scope_unit": "hours_per_month",
        "frequency": "varannan vecka",
    }
    person, _decision, order = _started_order(world, rng, muni, unit, provider, scope, service)
    fees.collect_fee_notices(municipality=order.municipality)  # the start, under 7 hours
    text = canaries.token(rng, scope)
    fees.report_fee_notice(
        world.provider_staff[provider], order=order, text=text, effective_from=clock.today()
    )
    world.canaries.append(CanaryRec(text, "fee notice text", person.pk, order=order.pk))


def _plant_performed_time(world: World, rng, muni, unit, provider, scope) -> None:
    from verkstall.payments import services as payments

    service = {"service_type": RESPITE, "scope_amount": "8", "scope_unit": "hours_per_month"}
    person, decision, order = _started_order(world, rng, muni, unit, provider, scope, service)
    note = canaries.token(rng, scope)
    payments.register_performed_time(
        world.provider_staff[provider],
        order=order,
        granted_service=decision.services.get(),
        day=clock.today(),
        hours="2",
        note=note,
    )
    world.canaries.append(CanaryRec(note, "performed time note", person.pk, order=order.pk))
    payments.add_price(
        _user(world, Role.LOV_ADMIN, muni),
        service_type=RESPITE,
        unit="performed_hour",
        amount="380",
        valid_from=clock.today() - timedelta(days=400),
    )


def _plant_ivo(world: World, rng, muni, unit, scope) -> None:
    """A decision of `unit` not carried out (no order) for four months, in the quarter's
    report; the unit's officer gives the reason."""
    from verkstall.decisions.services import record_decision
    from verkstall.ivo import services as ivo
    from verkstall.ivo.quarters import Quarter
    from verkstall.providers.selectors import areas_for

    officer = world.officers[unit]
    person = register_client(
        world,
        rng,
        officer,
        scope,
        number=build.test_number(),
        area=areas_for(officer).order_by("pk").first(),
    )
    summary = canaries.token(rng, scope)
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today() - timedelta(days=IVO_LATE_DAYS),
        assessment_summary=summary,
        services=[{"service_type": CARE, "scope_amount": "5", "scope_unit": "hours_per_month"}],
    )
    world.decisions[decision.pk] = (muni, unit, person.pk)
    world.canaries.append(CanaryRec(summary, "assessment", person.pk, decision=decision.pk))
    report = ivo.create_report(
        _user(world, Role.LOV_ADMIN, muni), quarter=Quarter.of(clock.today()).code
    )
    case = report.cases.get(granted_service__decision=decision)
    reason = canaries.token(rng, scope)
    ivo.record_reason(officer, case, reason=reason)
    world.canaries.append(CanaryRec(reason, "IVO case reason", person.pk, ivo_case=case.pk))
