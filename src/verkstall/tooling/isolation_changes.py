"""The isolation proof's corrections of client data (SPEC R1.1, R10.5; issue 16): in each
municipality of a generated world, a client whose order went to a connected provider has its
address and name corrected by its officer and its phone and a relative's phone updated by the
provider, each with a reason, all canaries; and, where the municipality has one, a protected
client likewise corrected by its named officer. The history (people.PersonChange) is then
read by the client's own scope only (its unit's officers, the fee officer, the providers that
hold or held an order for it), and a protected client's values and reasons only by its named
staff: the oracle's canary rules (tooling/isolation_oracle.py) already say so, since every
value is recorded against its client, protected where the field is."""

from __future__ import annotations

from verkstall.tooling import canaries
from verkstall.tooling.isolation_records import CanaryRec
from verkstall.tooling.isolation_world import World


def _clients_with_a_sent_order(world: World, muni: int, *, connected: bool) -> list:
    """(person, provider) of the municipality's clients with a sent order (to a connected
    provider, if `connected`), in the order they were made (a client once per provider)."""
    seen: set[tuple[int, int]] = set()
    for rec in world.orders.values():
        if rec.muni == muni and rec.sent and (world.connected[rec.provider] or not connected):
            seen.add((rec.person, rec.provider))
    return sorted(seen)


def plant_person_changes(world: World, rng) -> None:
    """Through the services (people.services), for one plain and one protected client of each
    municipality. The plain client's provider holds its order still (sent, acknowledged or
    started): only then does it keep the client's data (R1.1, people.selectors
    .holds_order_now)."""
    from verkstall.people.selectors import get_person, holds_order_now

    def held(client) -> bool:
        person_pk, provider = client
        officer = world.officers[world.persons[person_pk][1]]
        return holds_order_now(world.provider_staff[provider], get_person(officer, person_pk))

    for m_index, muni in enumerate(world.municipalities()):
        first_held = next(
            (
                c
                for c in _clients_with_a_sent_order(world, muni, connected=True)
                if c[0] not in world.protected and held(c)
            ),
            None,
        )
        plain = [first_held] if first_held else []
        # A protected client's provider does not take part (its staff are not named).
        protected = [
            c
            for c in _clients_with_a_sent_order(world, muni, connected=False)
            if c[0] in world.protected
        ]
        for person_pk, provider in plain[:1] + protected[:1]:
            officer = world.officers[world.persons[person_pk][1]]
            person = get_person(officer, person_pk)
            _correct(world, rng, person, provider, f"m{m_index}c")
    world.refresh_derived()


def _correct(world: World, rng, person, provider: int, scope: str) -> None:
    from verkstall.people import services as people

    officer = world.officers[person.unit_id]
    staff = world.provider_staff[provider]

    def canary(what: str, protected: bool) -> str:
        text = canaries.token(rng, scope)
        world.canaries.append(CanaryRec(text, what, person.pk, protected_field=protected))
        return text

    # The officer corrects the address (a protected field: its values and reason are hidden
    # from a reader who may not see a protected client's data) ...
    people.update_person(
        officer,
        person,
        street_address=canary("street address (corrected)", True),
        reason=canary("reason of an address correction", True),
    )
    # ... and the name (not protected: the reason shows to whoever sees the client).
    people.update_person(
        officer,
        person,
        first_name=canary("first name", False),
        reason=canary("reason of a name correction", False),
    )
    if person.is_protected:
        return  # the provider's staff are not among a protected client's named staff
    # The provider updates the phone and a relative's phone (seed 002: both sides keep the
    # data up to date).
    people.update_person(
        staff,
        person,
        phone=canary("phone (updated by the provider)", True),
        reason=canary("reason of a contact update", True),
    )
    relative = person.relatives.order_by("pk").first()
    if relative is not None:
        people.change_relative(
            staff,
            person,
            relative=relative.pk,
            phone=canary("relative's phone (updated)", True),
            reason=canary("reason of a relative's update", True),
        )
