"""The event feed (issue 20): every event the user may see, in order, each once, with a cursor
to go on from; held back while an earlier transaction may still commit."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.orders import services
from verkstall.orders.models import OrderEvent
from verkstall.tooling import testing as build

# Committed for real: on PostgreSQL the feed gives only what committed transactions wrote, and
# a test's own transaction is still running while it reads.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def read_all(client, limit=100, after=None):
    """Every page from `after` on: (events, the last cursor)."""
    events = []
    while True:
        params = {"limit": limit}
        if after:
            params["after"] = after
        body = client.get("/api/events/", params).json()
        events += body["results"]
        after = body["cursor"]
        if not body["more"]:
            return events, after


def test_a_provider_reads_its_orders_events_in_order_once_page_by_page(world, api):  # issue 20
    mine = [world.order(state="started"), world.order(state="sent")]
    world.order(state="draft")  # not sent: not the provider's yet
    world.order(provider=world.provider_b, state="started")
    client = api(world.staff_a)
    events, cursor = read_all(client)
    expected = list(
        OrderEvent.objects.filter(order__in=mine)
        .exclude(kind="created")  # before the sending: not yet the provider's
        .order_by("txid", "id")
        .values_list("id", flat=True)
    )
    assert [e["id"] for e in events] == expected
    assert {e["order"] for e in events} == {o.pk for o in mine}
    assert [e["kind"] for e in events if e["order"] == mine[1].pk] == ["sent"]
    # Two at a time: the same events, each once.
    paged, paged_cursor = read_all(client, limit=2)
    assert [e["id"] for e in paged] == expected and paged_cursor == cursor
    # Nothing new: the same cursor again, nothing more.
    body = client.get("/api/events/", {"after": cursor}).json()
    assert body == {"results": [], "cursor": cursor, "more": False}
    # Something new: only that, from the cursor (the end, and the message that tells the
    # officer of it, R3.9).
    services.end_order(world.staff_a, mine[0], end_date=mine[0].start_date)
    new, _ = read_all(client, after=cursor)
    assert [(e["order"], e["kind"]) for e in new] == [
        (mine[0].pk, "ended"),
        (mine[0].pk, "message_sent"),
    ]
    assert new[0]["message"] is None
    # An event names what happened and to which order, no free text nor person.
    assert set(new[0]) == {
        "id",
        "cursor",
        "order",
        "seq",
        "kind",
        "kind_label",
        "from_state",
        "to_state",
        "actor_organisation",
        "on_behalf_of",
        "channel",
        "occurred_at",
        "recorded_at",
        "message",
    }


def test_a_provider_following_the_cursor_gets_an_order_from_its_sending(world, api):  # issue 20
    draft = world.order(state="draft")
    client = api(world.staff_a)
    _, cursor = read_all(client)
    services.send_order(world.officer, draft)
    services.acknowledge_order(world.staff_a, draft)
    events, _ = read_all(client, after=cursor)
    assert [(e["order"], e["kind"]) for e in events] == [
        (draft.pk, "sent"),
        (draft.pk, "acknowledged"),
    ]
    # Read from the start, the same: the feed does not depend on when it is read.
    from_start, _ = read_all(client)
    assert [e["id"] for e in from_start if e["order"] == draft.pk] == [e["id"] for e in events]


def test_each_reads_the_events_of_the_orders_it_may_see(world, api):  # issue 20, R10.1
    order = world.order(state="started")
    other = world.order(provider=world.provider_b, state="sent")
    for user, seen in (
        (world.officer, {order.pk, other.pk}),
        (world.other_officer, set()),
        (world.fee_officer, {order.pk, other.pk}),
        (world.staff_b, {other.pk}),
    ):
        events, _ = read_all(api(user))
        assert {e["order"] for e in events} == seen, user


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "inte-en-markör"}, "after"),
        ({"after": "MTIz"}, "after"),  # "123": no event id
        ({"after": "LTEuNQ"}, "after"),  # "-1.5"
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "tio"}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"limit": "9" * 5000}, "limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_a_400_naming_the_field(world, api, params, field):  # issue 20
    response = api(world.staff_a).get("/api/events/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_other_roles_are_refused(world, api):  # issue 20, Actors
    admin = build.user(Role.LOV_ADMIN, world.muni)
    assert api(admin).get("/api/events/").status_code == 403


@contextmanager
def open_transaction(first, then=lambda: None):
    """A transaction in another connection that does `first`, stays open for the body of the
    `with`, then does `then` and commits."""
    ready, go = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                first()
                ready.set()
                go.wait(10)
                then()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert ready.wait(10)
        yield
    finally:
        go.set()
        thread.join(10)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_an_event_still_being_written_holds_back_those_after_it_and_none_is_skipped(
    world, api
):  # issue 20
    first, second = world.order(state="sent"), world.order(state="sent")
    client = api(world.staff_a)
    _, cursor = read_all(client)
    with open_transaction(lambda: services.acknowledge_order(world.staff_a, first)):
        # A later transaction commits while the first is still open.
        services.acknowledge_order(world.staff_a, second)
        held, held_cursor = read_all(client, after=cursor)
        assert held == [] and held_cursor == cursor
    events, _ = read_all(client, after=cursor)
    assert [(e["order"], e["kind"]) for e in events] == [
        (first.pk, "acknowledged"),
        (second.pk, "acknowledged"),
    ]


def _take_a_transaction_number():
    with connection.cursor() as sql:
        sql.execute("SELECT pg_current_xact_id()")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_one_orders_events_keep_their_order_when_an_earlier_transaction_writes_later(
    world, api
):  # issue 20
    order = world.order(state="sent")
    client = api(world.staff_a)
    _, cursor = read_all(client)
    # The local day (Europe/Stockholm): after 23:00 UTC the sending's UTC date is the day before.
    start = lambda: services.register_start(  # noqa: E731
        world.staff_a, order, start_date=clock.today()
    )
    # The start's transaction takes its number first and writes after the acknowledgement of a
    # later transaction has committed.
    with open_transaction(_take_a_transaction_number, then=start):
        services.acknowledge_order(world.staff_a, order)
    events, _ = read_all(client, after=cursor)
    # The start tells the officer "verkställt från och med" by a message (R3.7).
    assert [e["kind"] for e in events] == ["acknowledged", "started", "message_sent"]
