"""Due items made by hand for the on-time statistics (R9.4): in March 2026, on
`stockholm-hv`'s acknowledge-and-start rule (provider, three weekdays), for provider A:
one met on time, one met 2 days late, one 5 days late, one still open 4 days past due, one
not yet due and one closed; for provider B one met on time, for a client of the other unit.
"Now" is 24 March 2026, noon."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

import pytest

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem, Rule
from verkstall.deadlines.watchlist_scopes import end_of_day
from verkstall.tooling import testing as build

NOW = datetime(2026, 3, 24, 12, 0, tzinfo=STOCKHOLM)
MARCH = date(2026, 3, 1)
RULE = "kvittens-och-start"
_keys = itertools.count(1)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def due_item(world, *, provider, person, due: date, status: str, met=None, started=None):
    rule = Rule.objects.get(profile__slug=world.muni.rule_profile, code=RULE)
    started_at = at(started or date(2026, 3, 5), 9)
    return DueItem.objects.create(
        municipality=world.muni,
        rule=rule,
        rule_version=rule.version,
        subject_key=f"ontime-{next(_keys)}",
        person=person,
        responsible=rule.responsible,
        responsible_provider=provider,
        start_event=rule.start_event,
        started_at=started_at,
        start_recorded_at=started_at,
        due_at=end_of_day(due),
        due_date=due,
        status=status,
        met_at=at(met) if met else None,
    )


@pytest.fixture
def stats(world):
    world.lov = build.user(Role.LOV_ADMIN, world.muni, username="lov")
    world.manager_b = build.user(
        Role.PROVIDER_MANAGER, world.muni, provider=world.provider_b, username="chef_b"
    )
    with travel_to(datetime(2026, 3, 2, 9, tzinfo=STOCKHOLM)):
        ours = world.person(first_name="Anna")
        from verkstall.people.services import register_person

        theirs = register_person(
            world.other_officer,
            personal_number=build.test_number(),
            first_name="Britt",
            last_name="Testsson",
            street_address="Testgatan 2",
            postal_code="16255",
            city="Vällingby",
            area=world.area.pk,
            phone="08-123 46",
        )
    a, b = world.provider_a, world.provider_b
    day = date(2026, 3, 10)
    due_item(world, provider=a, person=ours, due=day, status="met_on_time", met=date(2026, 3, 9))
    due_item(world, provider=a, person=ours, due=day, status="met_late", met=date(2026, 3, 12))
    due_item(world, provider=a, person=ours, due=day, status="met_late", met=date(2026, 3, 15))
    due_item(world, provider=a, person=ours, due=date(2026, 3, 20), status="open")
    due_item(world, provider=a, person=ours, due=date(2026, 3, 28), status="open")
    due_item(world, provider=a, person=ours, due=day, status="closed")
    due_item(
        world,
        provider=b,
        person=theirs,
        due=day,
        status="met_on_time",
        met=day,
        started=date(2026, 3, 6),
    )
    # February and another municipality: outside the month asked for, or not ours at all.
    due_item(world, provider=a, person=ours, due=date(2026, 2, 27), status="met_on_time",
             met=date(2026, 2, 27))  # fmt: skip
    with travel_to(NOW):
        yield world
