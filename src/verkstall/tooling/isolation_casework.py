"""The isolation proof's reports from the provider to the officer (SPEC R3.7, R7.2; issue 16):
in each municipality of a generated world, the provider of an order not yet started reports
why it has not started, and the provider of a started order reports that the support is not
received as ordered, each reason a canary.

Who may read them, as the oracle (tooling/isolation_oracle.py) already says by where each
canary is recorded: the reason is the order's (its event's data, on the order's page and in
the API's order), so those who see the order (its unit's officers, the fee officer, the
provider that holds or held it); the message that tells the officer is seen by a subset of
them (the unit and the provider)."""

from __future__ import annotations

from verkstall.tooling import canaries
from verkstall.tooling.isolation_records import CanaryRec
from verkstall.tooling.isolation_world import World


def _first_order(muni: int, world: World, states: tuple[str, ...]):
    """The municipality's first order of the world in one of `states`."""
    from verkstall.access.roles import Role
    from verkstall.orders.selectors import orders_for
    from verkstall.tooling.isolation_clients import world_user

    rows = orders_for(world_user(world, Role.FEE_OFFICER, muni))
    rows = rows.filter(pk__in=list(world.orders), state__in=states)
    return rows.select_related("provider", "person").order_by("pk").first()


def plant_casework(world: World, rng) -> None:
    """Through orders.casework_services: a "not started, and why" (R3.7) and a "support not
    received as ordered" (R7.2) in each municipality that has such orders."""
    from verkstall.core import clock
    from verkstall.orders import casework_services

    for m_index, muni in enumerate(world.municipalities()):
        scope = f"m{m_index}r"
        for states, what in (
            (("sent", "acknowledged"), "not-started reason"),
            (("started",), "support-not-received reason"),
        ):
            order = _first_order(muni, world, states)
            if order is None:
                continue
            reason = canaries.token(rng, scope)
            world.canaries.append(CanaryRec(reason, what, order.person_id, order=order.pk))
            connected = order.provider.is_connected
            unit = world.orders[order.pk].unit
            actor = world.provider_staff[order.provider_id] if connected else world.officers[unit]
            channel = "" if connected else "phone"
            if order.state == "started":
                casework_services.report_support_not_received(
                    actor, order, from_date=clock.today(), reason=reason, channel=channel
                )
            else:
                casework_services.report_not_started(actor, order, reason=reason, channel=channel)
    world.refresh_derived()
