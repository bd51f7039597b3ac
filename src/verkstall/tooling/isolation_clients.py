"""The isolation proof's clients (SPEC "Actors", R10.5; issue 11): a client registered through the
services whose every field is a canary, with a case journal entry, recorded in the `World`
(tooling/isolation_world.py); the four-eyes request for a colleague, its reason a canary; and
the planters' shared steps: a user of a role, a unit's area, a decision and an order, each with
its canary and its record. Used by the world and by every planter (isolation_alarms.py,
isolation_placements.py, isolation_months.py)."""

from __future__ import annotations

from datetime import timedelta

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.tooling import canaries
from verkstall.tooling.isolation_records import CanaryRec, OrderRec


def world_user(world, role: Role, muni: int):
    """The first user of `role` in the municipality."""
    return next(u for u in world.users if u.role_enum == role and u.municipality_id == muni)


def client_area(officer):
    """The first area the officer may register a client in."""
    from verkstall.providers.selectors import areas_for

    return areas_for(officer).order_by("pk").first()


def plant_decision(world, rng, officer, person, scope: str, services: list[dict], *, days_ago: int):
    """A decision of `services` for `person`, decided `days_ago` days ago, its assessment a
    canary; recorded under the client's municipality and unit."""
    from verkstall.decisions.services import record_decision

    summary = canaries.token(rng, scope)
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today() - timedelta(days=days_ago),
        assessment_summary=summary,
        services=[dict(s) for s in services],
    )
    world.decisions[decision.pk] = (person.municipality_id, person.unit_id, person.pk)
    world.canaries.append(CanaryRec(summary, "assessment", person.pk, decision=decision.pk))
    return decision


def plant_order(world, rng, officer, decision, provider, scope: str, *, sent: bool = True):
    """An order of `decision` to `provider` (the row or its id), its instructions a canary;
    recorded as sent (`sent`: it will be) or not. Not sent here."""
    from verkstall.orders import services as orders

    instructions = canaries.token(rng, scope)
    order = orders.create_order(
        officer, decision=decision, provider=provider, instructions=instructions
    )
    muni, unit, person = world.decisions[decision.pk]
    world.orders[order.pk] = OrderRec(muni, unit, order.provider_id, person, decision.pk, sent)
    world.canaries.append(CanaryRec(instructions, "order instructions", person, order=order.pk))
    return order


def register_client(world, rng, officer, scope, *, number, area, position=None):
    """A client whose every field a reader outside its scope must not see is a canary."""
    from verkstall.journal import case_services as case_journal
    from verkstall.people import services as people

    tokens = {
        what: canaries.token(rng, scope)
        for what in (
            "first name",
            "last name",
            "street address",
            "city",
            "whereabouts",
            "phone",
            "relative's name",
            "relative's phone",
            "case journal",
        )
    }
    latitude, longitude = position or (None, None)
    person = people.register_person(
        officer,
        personal_number=number,
        first_name=tokens["first name"],
        last_name=tokens["last name"],
        street_address=tokens["street address"],
        postal_code="12345",
        city=tokens["city"],
        area=area.pk,
        phone=tokens["phone"],
        whereabouts=tokens["whereabouts"],
        relatives=[
            {
                "name": tokens["relative's name"],
                "relation": "Dotter",
                "phone": tokens["relative's phone"],
            }
        ],
        latitude=latitude,
        longitude=longitude,
    )
    world.persons[person.pk] = (person.municipality_id, person.unit_id)
    world.numbers[person.pk] = person.personal_number
    for what, text in tokens.items():
        protected_field = what not in ("first name", "last name", "case journal")
        world.canaries.append(CanaryRec(text, what, person.pk, protected_field=protected_field))
    case_journal.officer_write_case_entry(
        officer, person=person, title="Anteckning", text=tokens["case journal"]
    )
    return person


def ask_for_colleague(world, rng, officer, person, scope) -> None:
    """A pending four-eyes request for the unit's other officer, its reason a canary: the
    client page's panel and `protection-requests` show it to the unit's officers only."""
    from verkstall.people import protection_services

    colleague = next(
        u
        for u in world.users
        if u.role_enum == Role.OFFICER and u.unit_id == officer.unit_id and u.pk != officer.pk
    )
    reason = canaries.token(rng, scope)
    protection_services.request_protected_access(officer, person, user=colleague, reason=reason)
    world.canaries.append(CanaryRec(reason, "protection request reason", person.pk))
