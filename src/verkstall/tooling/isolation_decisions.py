"""The isolation proof's decision corrections and goals (SPEC R1.1, R5.2, R6.3, seed 002 "hur
målen i beslutet har uppnåtts"; issue 16): in each municipality of a generated world, the
decision behind a started order is corrected by its officer (its goals added, a reason
given), the provider's plan answers a goal, and a follow-up judges how a goal was met, every
text a canary.

Who may read them, as the oracle (tooling/isolation_oracle.py) already says by where each
canary is recorded: the goals and the correction's reason belong to the decision (its unit's
officers and the fee officer; the providers that hold or held an order of it read the goals on
the order, never the correction's history); the plan's answer to the plan of the order; the
follow-up's judgement to the order (its officer and its provider)."""

from __future__ import annotations

from verkstall.tooling import canaries
from verkstall.tooling.isolation_records import CanaryRec
from verkstall.tooling.isolation_world import World


def _started_order_without_plan(muni: int, world: World):
    """The municipality's first started order without a plan, as its fee officer sees them."""
    from verkstall.access.roles import Role
    from verkstall.orders.selectors import orders_for
    from verkstall.tooling.isolation_clients import world_user

    rows = orders_for(world_user(world, Role.FEE_OFFICER, muni))
    rows = rows.filter(pk__in=list(world.orders), state="started", plans__isnull=True)
    return rows.select_related("provider", "decision", "person").order_by("pk").first()


def plant_decision_goals(world: World, rng) -> None:
    """Through the services (decisions.correction_services, plans.goal_services,
    followups.services), for one started order of each municipality that has one."""
    from verkstall.decisions.correction_services import correct_decision
    from verkstall.followups import services as followups
    from verkstall.plans import goal_services
    from verkstall.plans import services as plans

    for m_index, muni in enumerate(world.municipalities()):
        order = _started_order_without_plan(muni, world)
        if order is None:
            continue
        scope = f"m{m_index}g"
        person, decision = order.person_id, order.decision_id

        def canary(what: str, scope=scope, person=person, **where) -> str:
            text = canaries.token(rng, scope)
            world.canaries.append(CanaryRec(text, what, person, **where))
            return text

        officer = world.officers[world.decisions[decision][1]]
        correct_decision(
            officer,
            order.decision,
            goals=[canary("decision goal", decision=decision) for _ in range(2)],
            reason=canary("reason of a decision correction", decision=decision),
        )
        first, second = order.decision.goals.order_by("position", "id")
        connected = order.provider.is_connected
        actor = world.provider_staff[order.provider_id] if connected else officer
        channel = "" if connected else "post"
        plan = plans.start_plan(
            actor,
            order,
            channel=channel,
            what="Stöd morgon och kväll.",
            participation="Den enskilde deltog.",
        )
        goal_services.save_goal_entries(
            actor, plan, entries={first.pk: canary("plan goal entry", plan_order=order.pk)}
        )
        plans.send_plan(actor, plan, channel=channel)
        followups.record_followup(
            officer,
            order,
            "unchanged",
            goal_outcomes=[
                {
                    "goal": second.pk,
                    "assessment": "partly_met",
                    "note": canary("goal outcome", order=order.pk),
                }
            ],
        )
    world.refresh_derived()
