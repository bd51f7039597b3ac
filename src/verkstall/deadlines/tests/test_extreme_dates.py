"""One bad row never takes down a list (issue 11, medium finding "dates"; SPEC R11).

Before dates were bounded (tests/test_date_bounds.py), a decision dated 0001-01-01 made a due
item that started in year 1 BC: PostgreSQL stores it, psycopg cannot read it back, and `/`,
`/watchlist/` and the unit's watchlist were a 500 for every officer of the unit. Rows like that
may still be in a database, so here they are written directly (the ORM, or SQL where the ORM
cannot write what PostgreSQL holds), and the lists, the engine and the formatting must survive
them: the lists leave an unreadable row out, the engine skips an event it cannot count from
(with a warning) and closes the item it made before.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from verkstall.core import clock
from verkstall.deadlines import engine
from verkstall.deadlines.models import DueItem, Rule
from verkstall.deadlines.profile_selectors import rules_in_force
from verkstall.deadlines.rules import Event
from verkstall.decisions.models import Decision

pytestmark = pytest.mark.django_db

IVO = "ivo-ej-verkstallt"  # stockholm-hv: a decision not started in 3 months, the officer's
LISTS = [
    "/",
    "/watchlist/",
    "/watchlist/?scope=unit",
    "/api/due-items/",
    "/api/due-items/?scope=unit",
]


@pytest.fixture
def two_items(world):
    """Two decisions with an order each, each with an overdue IVO item on the officer's own
    and the unit's list."""
    bad = world.order(state="sent")
    good = world.order(state="sent")
    yesterday = clock.now() - timedelta(days=1)
    DueItem.objects.filter(rule__code=IVO).update(due_at=yesterday, due_date=yesterday.date())
    bad_item = DueItem.objects.get(decision_id=bad.decision_id, rule__code=IVO)
    good_item = DueItem.objects.get(decision_id=good.decision_id, rule__code=IVO)
    return bad, bad_item, good_item


def _officer(world) -> Client:
    client = Client()
    client.force_login(world.officer)
    return client


def _assert_lists_answer(world, api, *, shown: DueItem, hidden: DueItem | None = None):
    client = _officer(world)
    for url in LISTS:
        response = client.get(url)
        assert response.status_code == 200, url
    for scope in ("mine", "unit"):
        ids = [
            r["id"]
            for r in api(world.officer).get(f"/api/due-items/?scope={scope}").json()["results"]
        ]
        assert shown.pk in ids
        if hidden is not None:
            assert hidden.pk not in ids


def _write_year_1_bc(item: DueItem, column: str) -> None:
    """What PostgreSQL held after `0001-01-01` in Swedish time went to UTC: a moment in 1 BC.
    The ORM refuses to write it (on SQLite it overflows), so it is written as the database
    keeps it."""
    value = (
        "0001-12-31 22:48:00+00 BC"
        if connection.vendor == "postgresql"
        else ("0000-12-31 22:48:00")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {DueItem._meta.db_table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, item.pk],
        )


@pytest.mark.parametrize("column", ["started_at", "due_at"])
def test_an_item_in_year_1_bc_is_left_out_and_every_list_answers(
    world, api, two_items, column
):  # R11.1
    # R11; issue 11: `/`, `/watchlist/` and the unit's watchlist were a 500.
    bad_order, bad, good = two_items
    _write_year_1_bc(bad, column)
    _assert_lists_answer(world, api, shown=good, hidden=bad)
    client = _officer(world)
    assert client.get(f"/orders/{bad_order.pk}/").status_code == 200
    assert client.get(f"/watchlist/{bad.pk}/").status_code == 404
    assert client.get(f"/watchlist/{good.pk}/").status_code == 200


def test_an_item_met_at_the_end_of_year_9999_does_not_break_the_api_list(
    world, api, two_items
):  # R11.1
    # R11: the API's row formatter shows moments in Swedish time; 9999-12-31 23:59 UTC has no
    # Swedish time (it is in year 10000), and the whole list was a 500.
    _, bad, good = two_items
    DueItem.objects.filter(pk=bad.pk).update(met_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    _assert_lists_answer(world, api, shown=good, hidden=bad)


def test_items_in_year_1_and_9999_written_by_the_orm_are_listed_without_error(
    world, api, two_items
):  # R11.1
    _, bad, good = two_items
    DueItem.objects.filter(pk=bad.pk).update(
        started_at=datetime(1, 1, 2, tzinfo=UTC),
        due_at=datetime(1, 1, 2, tzinfo=UTC),
        due_date=date(1, 1, 2),
    )
    far = DueItem.objects.create(
        **{
            f.attname: getattr(good, f.attname)
            for f in DueItem._meta.concrete_fields
            if f.name not in ("id", "cycle")
        }
        | {"cycle": 99, "started_at": datetime(9999, 12, 29, tzinfo=UTC), "due_at": None},
    )
    _assert_lists_answer(world, api, shown=good)
    ids = [r["id"] for r in api(world.officer).get("/api/due-items/").json()["results"]]
    assert {bad.pk, far.pk} <= set(ids)
    row = next(
        r for r in api(world.officer).get("/api/due-items/").json()["results"] if r["id"] == bad.pk
    )
    assert row["due_date"] == "0001-01-02" and row["status"] == "overdue"


def test_the_engine_skips_a_decision_dated_0001_01_01_and_closes_its_item(
    world, api, two_items, caplog
):  # R11.1
    # The decision was stored before dates were bounded; the next recompute must neither fail
    # (the event that moved the clock would be refused) nor keep the item open for ever.
    bad_order, bad, good = two_items
    Decision.objects.filter(pk=bad_order.decision_id).update(decided_on=date(1, 1, 1))
    decision = Decision.objects.get(pk=bad_order.decision_id)
    with caplog.at_level(logging.WARNING, logger="verkstall.deadlines.engine"):
        engine.recompute_decision(decision)
    assert "decision.granted" in caplog.text and f"decision {decision.pk}" in caplog.text
    bad.refresh_from_db()
    assert bad.status == "closed"
    _assert_lists_answer(world, api, shown=good, hidden=bad)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1900, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
    ],
)
def test_due_moments_outside_the_calendar_are_skipped_not_overflowed(world, moment, caplog):
    # R11.1: every rule of the profile, from an event at the edge of time.
    rules = list(Rule.objects.filter(profile__slug=world.muni.rule_profile))
    now = clock.now()
    with caplog.at_level(logging.WARNING, logger="verkstall.deadlines.engine"):
        planned = engine.plan_items(
            rules=rules,
            events=[Event(rule.start_event, moment, now) for rule in rules],
            kinds={"home_care", "alarm", "meals"},
            types=set(),
            common={"decision_id": 1},
            responsible={},
            close_open=False,
            now=now,
        )
    assert planned == []
    assert "outside the calendar" in caplog.text


def test_a_due_date_beyond_the_calendar_is_skipped_with_a_warning(world, caplog):  # R11.1
    # An event inside the calendar's years whose deadline falls after them (the holiday
    # tables end in 2100): no item for that rule, the other rules are still planned.
    # R11.3: the IVO rule is the national library's, included by the municipality's profile.
    ivo = next(r for r in rules_in_force(world.muni.rule_profile) if r.code == IVO)
    weekdays = Rule(
        profile=ivo.profile,
        code="tio-vardagar",
        name="Tio vardagar",
        subject="decision",
        start_event="decision.granted",
        stop_events=["order.started"],
        amount=10,
        unit="weekdays",
        responsible="officer",
        source="test",
    )
    start = datetime(2100, 12, 28, 12, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="verkstall.deadlines.engine"):
        planned = engine.plan_items(
            rules=[weekdays, ivo],
            events=[Event("decision.granted", start, start + timedelta(hours=1))],
            kinds={"home_care"},
            types=set(),
            common={"decision_id": 1},
            responsible={},
            close_open=False,
            now=clock.now(),
        )
    assert [rule.code for rule, _cycle, _values in planned] == [IVO]
    assert "tio-vardagar not computed for decision 1" in caplog.text
