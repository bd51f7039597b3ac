"""IUB: a new request every second year (SPEC R6.2, seed 002 §Uppföljning)."""

from datetime import datetime, timedelta

import pytest

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import ValidationFailed
from verkstall.deadlines.models import DueItem
from verkstall.decisions.services import record_decision
from verkstall.followups.services import record_iub_request
from verkstall.orders import services as orders
from verkstall.people.services import register_person
from verkstall.tooling import testing as build


@pytest.fixture
def gotland(db):
    muni = build.municipality(profile="gotland")
    unit = build.unit(muni)
    officer = build.user(Role.OFFICER, muni, unit=unit)
    provider = build.provider(muni)
    staff = build.user(Role.PROVIDER_STAFF, muni, provider=provider)
    return muni, officer, provider, staff


def _iub_order(officer, provider, staff, day):
    with clock.travel_to(datetime(day.year, day.month, day.day, 9)):
        person = register_person(
            officer, personal_number=build.test_number(), first_name="Ines", last_name="Ub"
        )
        decision = record_decision(
            officer,
            person=person,
            decided_on=day,
            services=[
                {
                    "service_type": "iub-service",
                    "scope_amount": "2",
                    "scope_unit": "hours_per_month",
                }
            ],
        )
        order = orders.create_order(officer, decision=decision, provider=provider)
        orders.send_order(officer, order)
        orders.acknowledge_order(staff, order)
        orders.register_start(staff, order, start_date=day)
    return order


def test_new_iub_request_meets_the_two_year_item_and_starts_the_next(gotland):  # R6.2
    _, officer, provider, staff = gotland
    start = clock.today() - timedelta(days=30)
    order = _iub_order(officer, provider, staff, start)
    record_iub_request(officer, order, "Förfrågan inkom per telefon.")
    items = DueItem.objects.filter(decision=order.decision, rule__code="iub-ny-forfragan").order_by(
        "cycle"
    )
    assert [i.status for i in items] == ["met_on_time", "open"]
    assert items[0].due_date.year == start.year + 2


def test_iub_request_needs_an_unassessed_service(gotland, world):  # R6.2
    order = world.order(state="started")
    with pytest.raises(ValidationFailed):
        record_iub_request(world.officer, order)
