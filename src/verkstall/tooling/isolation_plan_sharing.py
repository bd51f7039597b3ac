"""The isolation proof's plan shared with the person (SPEC R5.2, seed 002 "Upprättad
genomförandeplan delges den enskilde"; issue 16): in each municipality of a generated world,
the provider of an order with a sent plan registers that the plan was shared, with a note
that is a canary.

Who may read it, as the oracle (tooling/isolation_oracle.py) already says by where the canary
is recorded: the registration is the order's (its event's data, in the order's history on its
page and in the API), and the plan's (its page and `/api/plans/`, for a sent plan those who see
the order): those who see the order (its unit's officers, the fee officer, the provider that
holds or held it)."""

from __future__ import annotations

from verkstall.tooling import canaries
from verkstall.tooling.isolation_records import CanaryRec
from verkstall.tooling.isolation_world import World


def plant_plan_sharings(world: World, rng) -> None:
    """Through plans.sharing_services: the first sent plan of each municipality's running
    orders is registered as shared with the person (R5.2)."""
    from verkstall.access.roles import Role
    from verkstall.core import clock
    from verkstall.plans.selectors import plans_for
    from verkstall.plans.sharing_services import share_plan
    from verkstall.tooling.isolation_clients import world_user

    for m_index, muni in enumerate(world.municipalities()):
        # As the municipality's fee officer sees them: its orders' sent plans.
        plan = (
            plans_for(world_user(world, Role.FEE_OFFICER, muni))
            .filter(order_id__in=list(world.orders), status="sent", order__state="started")
            .select_related("order__provider")
            .order_by("pk")
            .first()
        )
        if plan is None:
            continue
        order = plan.order
        note = canaries.token(rng, f"m{m_index}s")
        world.canaries.append(CanaryRec(note, "plan sharing note", order.person_id, order=order.pk))
        connected = order.provider.is_connected
        unit = world.orders[order.pk].unit
        actor = world.provider_staff[order.provider_id] if connected else world.officers[unit]
        share_plan(
            actor,
            plan,
            shared=True,
            shared_on=clock.today(),
            method="in_person",
            note=note,
            channel="" if connected else "phone",
        )
    world.refresh_derived()
