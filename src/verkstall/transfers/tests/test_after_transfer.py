"""What follows the client to its new unit after a transfer (SPEC R1.4, seed 003 "Pågående
ärende från Socialpsykiatri"), and what each order and the client's history keep of it:

- the move in the client's change history (people.PersonChange; R1.1: who, when, old unit →
  new unit, why);
- an order event TRANSFERRED on each order not ended or withdrawn, which moves no state and
  no clock;
- the client's requests for IUB (R1.3) with the client's new unit, not the unit that took
  them;
- a death (seed 004 "brukaren flyttar eller avlider") registered by the new unit ends every
  order of the client, the old unit's too, in one step, and closes their clocks.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import NotFound, ValidationFailed
from verkstall.deadlines.models import DueItem
from verkstall.decisions import iub_selectors
from verkstall.decisions.iub_services import register_iub_request
from verkstall.decisions.services import record_decision
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders import death_services
from verkstall.orders import services as orders
from verkstall.orders.models import EventKind, Order, OrderEvent
from verkstall.people.models import PersonChange
from verkstall.tooling import testing as build
from verkstall.transfers.route_services import set_transfer_route
from verkstall.transfers.services import transfer_client
from verkstall.transfers.tests.test_transfers import HOUSING_SUPPORT, number_turning

pytestmark = pytest.mark.django_db

IUB = {"service_type": "iub-service", "scope_amount": "2", "scope_unit": "hours_per_month"}


@pytest.fixture
def solna(world):
    """world.unit is the socialpsykiatri, world.other_unit the elderly care (seed 003)."""
    set_transfer_route(
        build.user(Role.LOV_ADMIN, world.muni), from_unit=world.unit, to_unit=world.other_unit
    )
    return world


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fresh(order) -> Order:
    return Order.objects.get(pk=order.pk)


def clocks(order) -> list[tuple]:
    return list(
        DueItem.objects.filter(order=order)
        .order_by("pk")
        .values_list("pk", "rule_id", "status", "due_at", "due_date", "responsible_unit_id")
    )


def handed_over(world, number: int):
    """A client of the socialpsykiatri turning 65 in 10 days, with housing support started
    (provider A), another order sent (provider B), a draft, and an ended order; transferred
    to the elderly care."""
    person = world.person(personal_number=number_turning(65, 10, number))
    started = world.order(
        state="started", decision=world.decision(person, services=[HOUSING_SUPPORT])
    )
    sent = world.order(provider=world.provider_b, state="sent", decision=world.decision(person))
    draft = world.order(decision=world.decision(person))
    ended = world.order(state="ended", decision=world.decision(person))
    return person, started, sent, draft, ended


# --- R1.1, R1.4: the move in the client's change history -----------------------------------


def test_r1_4_the_move_is_in_the_clients_change_history_with_who_when_and_why(solna, api):
    """R1.4, R1.1: the transfer writes one row of the client's history: the unit, old → new,
    who moved it and when, the reason "Överlämning vid 65 år". The new unit's officers read it
    on the history screen and by API; the client's provider too (a unit is not protected)."""
    world = solna
    person, *_ = handed_over(world, 970)
    before = clock.now()
    person = transfer_client(world.officer, person).person
    (change,) = PersonChange.objects.filter(person=person)
    assert (change.kind, change.field) == ("field", "unit")
    assert (change.old_value, change.new_value) == (world.unit.name, world.other_unit.name)
    assert change.reason == "Överlämning vid 65 år"
    assert change.changed_by == world.officer and change.changed_at >= before
    page = (
        login(world.other_officer).get(reverse("person-history", args=[person.pk])).content.decode()
    )
    for shown in ("Handläggande enhet", world.unit.name, world.other_unit.name, "Överlämning"):
        assert shown in page
    for user in (world.other_officer, world.staff_a):
        rows = api(user).get(f"/api/persons/{person.pk}/changes/").json()
        assert [(r["field"], r["old_value"], r["new_value"], r["reason"]) for r in rows] == [
            ("unit", world.unit.name, world.other_unit.name, "Överlämning vid 65 år")
        ]
        assert rows[0]["changed_by"].startswith(world.officer.get_full_name() or "officer")


# --- R1.4: TRANSFERRED on each open order ---------------------------------------------------


def test_r1_4_each_open_order_records_the_transfer_without_moving_its_state_or_clocks(solna):
    """R1.4: every order of the client not ended or withdrawn (started, sent, a draft) gets one
    event TRANSFERRED with the two units' ids; its state, unit and clocks stay as they were.
    The ended order gets none. The old unit's order page shows it."""
    world = solna
    person, started, sent, draft, ended = handed_over(world, 971)
    open_orders = (started, sent, draft)
    before = {o.pk: (fresh(o).state, fresh(o).unit_id, clocks(o)) for o in open_orders}
    assert any(before[o.pk][2] for o in open_orders)  # there are clocks to keep
    person = transfer_client(world.officer, person).person
    for order in open_orders:
        (event,) = OrderEvent.objects.filter(order=order, kind=EventKind.TRANSFERRED)
        assert event.data["from_unit"] == world.unit.pk
        assert event.data["to_unit"] == world.other_unit.pk
        assert event.actor == world.officer and event.from_state == event.to_state == ""
        assert (fresh(order).state, fresh(order).unit_id, clocks(order)) == before[order.pk]
    assert not OrderEvent.objects.filter(order=ended, kind=EventKind.TRANSFERRED).exists()
    page = login(world.officer).get(reverse("order-detail", args=[started.pk])).content.decode()
    assert "Överlämnad till annan enhet" in page and world.other_unit.name in page


# --- R1.3, R1.4: the requests for IUB go with the client -------------------------------------


def test_r1_3_r1_4_the_new_unit_reads_and_acts_on_the_clients_iub_requests(solna, api):
    """R1.3, R1.4: a request the socialpsykiatri took is, after the transfer, the elderly
    care's: in its list of open requests (screen and API), on the client page, and its officer
    records the decision that grants it; the socialpsykiatri no longer finds it. The request
    keeps the unit that took it."""
    world = solna
    person, *_ = handed_over(world, 972)
    request = register_iub_request(
        world.officer,
        person=person,
        asked_by="Den enskilde",
        asked_on=clock.today() - timedelta(days=1),
        channel="phone",
    )
    assert list(iub_selectors.open_iub_requests(world.officer)) == [request]
    assert list(iub_selectors.open_iub_requests(world.other_officer)) == []
    person = transfer_client(world.officer, person).person
    assert list(iub_selectors.open_iub_requests(world.other_officer)) == [request]
    assert iub_selectors.get_iub_request(world.other_officer, request.pk) == request
    assert list(iub_selectors.open_iub_requests(world.officer)) == []
    with pytest.raises(NotFound):
        iub_selectors.get_iub_request(world.officer, request.pk)
    listed = api(world.other_officer).get("/api/iub-requests/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [request.pk]
    assert api(world.officer).get(f"/api/iub-requests/{request.pk}/").status_code == 404
    assert (
        "Den enskilde"
        in login(world.other_officer).get(reverse("iub-request-list")).content.decode()
    )
    decision = record_decision(
        world.other_officer,
        person=person,
        decided_on=clock.today(),
        services=[IUB],
        iub_request=request.pk,
    )
    request.refresh_from_db()
    assert request.decision == decision and request.unit == world.unit


# --- Seed 004, R1.4: a death after the transfer ----------------------------------------------


def test_seed_004_r1_4_the_new_unit_registers_a_death_that_ends_the_old_units_orders_too(
    solna, api
):
    """Seed 004 "brukaren flyttar eller avlider", R1.4: after the transfer the old unit's
    orders still run; the officer of the client's new unit registers the death (API) and every
    open order of the client ends (started) or is withdrawn (sent, drafts; the new unit's own
    draft too), in one step, with the reason "died"; no clock of the client stays open. The
    old unit's officer no longer finds the client."""
    world = solna
    person, started, sent, draft, ended = handed_over(world, 973)
    person = transfer_client(world.officer, person).person
    decision = record_decision(
        world.other_officer, person=person, decided_on=clock.today(), services=[HOUSING_SUPPORT]
    )
    new_draft = orders.create_order(
        world.other_officer, decision=decision, provider=world.provider_a
    )
    assert DueItem.objects.filter(person=person, status="open").exists()
    old_unit = api(world.officer).post(
        "/api/client-deaths/", {"person": person.pk, "died_on": clock.today()}, format="json"
    )
    assert old_unit.status_code == 400 and fresh(started).state == "started"
    response = api(world.other_officer).post(
        "/api/client-deaths/",
        {"person": person.pk, "died_on": clock.today().isoformat(), "note": "Sjukhuset."},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ended_orders"] == [started.pk]
    assert sorted(body["cancelled_orders"]) == sorted([sent.pk, draft.pk, new_draft.pk])
    assert (fresh(started).state, fresh(started).end_date) == ("ended", clock.today())
    for order in (sent, draft, new_draft):
        assert fresh(order).state == "cancelled"
    for order in (started, sent, draft, new_draft):
        assert fresh(order).end_reason == "died"
        last = fresh(order).events.order_by("seq").last()
        assert last.kind in (EventKind.ENDED, EventKind.CANCELLED)
        assert last.actor == world.other_officer and last.data["end_reason"] == "died"
    assert fresh(started).unit == world.unit  # the order keeps the unit that took it
    assert fresh(ended).state == "ended"
    assert not DueItem.objects.filter(person=person, status="open").exists()
    assert CaseJournalEntry.objects.filter(person=person, title=death_services.DEATH_TITLE).exists()


def test_seed_004_r1_4_a_refused_death_after_the_transfer_changes_nothing(solna):
    """Seed 004: one transaction; a start of the old unit's order after the day of death is
    refused and no order of either unit was ended or withdrawn. The death screen lists the old
    unit's orders too, by number, without a link to a page the new unit may not open."""
    world = solna
    person, started, sent, draft, _ended = handed_over(world, 974)
    person = transfer_client(world.officer, person).person
    with pytest.raises(ValidationFailed) as caught:
        death_services.register_death(
            world.other_officer, person, died_on=clock.today() - timedelta(days=1)
        )
    assert "died_on" in caught.value.errors
    assert [fresh(o).state for o in (started, sent, draft)] == ["started", "sent", "draft"]
    page = (
        login(world.other_officer).get(reverse("client-death", args=[person.pk])).content.decode()
    )
    assert f"#{started.pk}" in page and world.unit.name in page
    assert reverse("order-detail", args=[started.pk]) not in page
