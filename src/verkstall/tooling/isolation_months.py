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
- the fee officer handles the provider's notice, its note a canary (R9.3);
- a month closed for payment (R9.1, R9.4), in the first municipality only: a home care order of
  the first unit started on the first day of last month, the municipality's price per granted
  hour, and last month closed by the LOV administrator (early, with a reason, when the
  registration day has not passed); its lines are stored as paid, the clients' names and
  personnummer with them, and the screen and files of the closed month read those lines;
- the month screen (R9.1) and the national statistics (R9.6) read what the world has.
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
from verkstall.tooling.isolation_records import CanaryRec
from verkstall.tooling.isolation_world import World

HOME_SERVICE = "hemtjanst-service"
RESPITE = "avlosning"
CARE = "hemtjanst-omvardnad"
IVO_LATE_DAYS = 122  # four months: the IVO rule's three months have run out


def plant_months(world: World, rng) -> None:
    """Fee notices, performed time and a price, and the IVO report, of every municipality;
    last month closed for payment in the first."""
    munis = world.municipalities()
    for m_index, muni in enumerate(munis):
        units = world.units_of(muni)
        provider = world.connected_providers(muni)[0]
        _plant_fee_notices(world, rng, muni, units[1], provider, f"m{m_index}u1")
        _plant_performed_time(world, rng, muni, units[0], provider, f"m{m_index}u0")
        _plant_ivo(world, rng, muni, units[1], f"m{m_index}u1")
    first = munis[0]
    _plant_month_close(
        world, rng, first, world.units_of(first)[0], world.connected_providers(first)[0], "m0u0"
    )
    world.refresh_derived()


def _started_order(world: World, rng, unit, provider, scope, service: dict):
    """A client of `unit` with a decision of `service` and an order to the connected
    `provider`, sent, acknowledged and started today."""
    from verkstall.orders import services as orders

    officer = world.officers[unit]
    staff = world.provider_staff[provider]
    person = register_client(
        world, rng, officer, scope, number=build.test_number(), area=client_area(officer)
    )
    decision = plant_decision(world, rng, officer, person, scope, [service], days_ago=4)
    order = plant_order(world, rng, officer, decision, provider, scope)
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
    person, _decision, order = _started_order(world, rng, unit, provider, scope, service)
    fees.collect_fee_notices(municipality=order.municipality)  # the start, under 7 hours
    text = canaries.token(rng, scope)
    notice = fees.report_fee_notice(
        world.provider_staff[provider], order=order, text=text, effective_from=clock.today()
    )
    world.canaries.append(CanaryRec(text, "fee notice text", person.pk, order=order.pk))
    note = canaries.token(rng, scope)
    fees.handle_fee_notice(world_user(world, Role.FEE_OFFICER, muni), notice=notice, note=note)
    world.canaries.append(CanaryRec(note, "fee notice handled note", person.pk, order=order.pk))


def _plant_performed_time(world: World, rng, muni, unit, provider, scope) -> None:
    from verkstall.payments import services as payments

    service = {"service_type": RESPITE, "scope_amount": "8", "scope_unit": "hours_per_month"}
    person, decision, order = _started_order(world, rng, unit, provider, scope, service)
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
        world_user(world, Role.LOV_ADMIN, muni),
        service_type=RESPITE,
        unit="performed_hour",
        amount="380",
        valid_from=clock.today() - timedelta(days=400),
    )


def _plant_ivo(world: World, rng, muni, unit, scope) -> None:
    """A decision of `unit` not carried out (no order) for four months, in the quarter's
    report; the unit's officer gives the reason."""
    from verkstall.ivo import services as ivo
    from verkstall.ivo.quarters import Quarter

    officer = world.officers[unit]
    person = register_client(
        world, rng, officer, scope, number=build.test_number(), area=client_area(officer)
    )
    service = {"service_type": CARE, "scope_amount": "5", "scope_unit": "hours_per_month"}
    decision = plant_decision(world, rng, officer, person, scope, [service], days_ago=IVO_LATE_DAYS)
    report = ivo.create_report(
        world_user(world, Role.LOV_ADMIN, muni), quarter=Quarter.of(clock.today()).code
    )
    case = report.cases.get(granted_service__decision=decision)
    reason = canaries.token(rng, scope)
    ivo.record_reason(officer, case, reason=reason)
    world.canaries.append(CanaryRec(reason, "IVO case reason", person.pk, ivo_case=case.pk))


def _plant_month_close(world: World, rng, muni, unit, provider, scope) -> None:
    """Last month closed for payment (R9.1, R9.4) with a line of a home care order of `unit`
    started on its first day; recorded in `World.month_closes`."""
    from verkstall.payments import services as payments
    from verkstall.payments.basis_types import Period

    period = Period.of(clock.today()).previous()
    service = {"service_type": CARE, "scope_amount": "10", "scope_unit": "hours_per_month"}
    with clock.travel_to(clock.start_of_day(period.first) + timedelta(hours=9)):
        _started_order(world, rng, unit, provider, scope, service)
    admin = world_user(world, Role.LOV_ADMIN, muni)
    payments.add_price(
        admin,
        service_type=CARE,
        unit="granted_hour",
        amount="400",
        valid_from=clock.today() - timedelta(days=400),
    )
    close = payments.close_month(admin, period=period, reason="Provning av isoleringen.")
    world.month_closes[close.pk] = (muni, period.label)
