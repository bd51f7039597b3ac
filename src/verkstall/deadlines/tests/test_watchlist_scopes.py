"""Each watchlist scope is written once (watchlist_scopes.SCOPE_COLUMNS); its ORM filter, its
hand-written SQL and the reminders' role map are derived from it and agree (SPEC R11)."""

from __future__ import annotations

import random

from django.db import connection

from verkstall.access.roles import Role
from verkstall.deadlines import reminders, watchlist_scopes
from verkstall.deadlines.models import DueItem
from verkstall.deadlines.rules import Responsible
from verkstall.tooling import testing as build


def _scatter(world, seed: int) -> list[DueItem]:
    """The world's due items, their responsible parties shuffled over every party there is."""
    unit_a = build.provider_unit(world.provider_a, "Enhet A1")
    world.staff_a_unit = build.user(
        Role.PROVIDER_STAFF,
        world.muni,
        provider=world.provider_a,
        username="staff_a1",
    )
    world.staff_a_unit.provider_unit = unit_a
    world.staff_a_unit.save()
    for state in ("sent", "acknowledged", "started"):
        world.order(state=state)
        world.order(provider=world.provider_b, state=state)
    items = list(DueItem.objects.all())
    assert len(items) >= 6
    rnd = random.Random(seed)
    for item in items:
        item.responsible = rnd.choice([r.value for r in Responsible])
        item.responsible_unit_id = rnd.choice([world.unit.pk, world.other_unit.pk, None])
        item.responsible_user_id = rnd.choice([world.officer.pk, world.other_officer.pk, None])
        item.responsible_provider_id = rnd.choice([world.provider_a.pk, world.provider_b.pk, None])
        item.responsible_provider_unit_id = rnd.choice([unit_a.pk, None])
        item.save()
    return items


def _by_sql(user, scope) -> set[int] | None:
    scoped = watchlist_scopes.scope_sql(user, scope)
    if scoped is None:
        return None
    sql, params = scoped
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.id FROM {DueItem._meta.db_table} d WHERE {sql}", params)  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def test_the_orm_and_the_sql_form_of_every_scope_select_the_same_items(world):
    _scatter(world, seed=12)
    users = [world.officer, world.other_officer, world.staff_a, world.staff_b]
    users += [world.staff_a_unit, world.fee_officer]
    checked = 0
    for user in users:
        for scope in watchlist_scopes.scopes_for(user):
            by_orm = set(
                DueItem.objects.filter(watchlist_scopes.scope_filter(user, scope)).values_list(
                    "pk", flat=True
                )
            )
            assert _by_sql(user, scope) == by_orm, (user.username, scope)
            checked += 1
            if scope == watchlist_scopes.ROLE:
                # The reminder goes to the role whose list shows the item.
                for item in DueItem.objects.filter(pk__in=by_orm):
                    assert reminders.ROLE_RESPONSIBLES[item.responsible] == user.role
    assert checked == 9


def test_the_role_maps_are_one_map():
    assert {role: responsible for responsible, role in reminders.ROLE_RESPONSIBLES.items()} == {
        role.value: r for role, r in watchlist_scopes.ROLE_RESPONSIBLE.items()
    }
    assert set(watchlist_scopes.SCOPE_COLUMNS) == set(watchlist_scopes.SCOPES)
