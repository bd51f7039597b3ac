"""How long an absence must last is the municipality's routine (SPEC R7.1, R7.2, R11.4; issue
13 §3): its rule profile's `long_absence_days` (30 in seed 003) decides when an absence is
flagged as long and reported to the officer, and `absence_register_days` (14 in seed 002) is
how the absence form explains what the provider registers."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from verkstall.absences import services
from verkstall.absences.models import Absence
from verkstall.core.clock import travel_to
from verkstall.deadlines.models import RuleProfile
from verkstall.orders.models import EventKind, OrderEvent
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

MON_2_MAR = datetime(2026, 3, 2, 9)


@pytest.fixture
def ten_days(world):
    RuleProfile.objects.create(
        slug="tio-dagar", name="Tio dagar", long_absence_days=10, absence_register_days=7
    )
    world.muni.rule_profile = "tio-dagar"
    world.muni.save()
    with travel_to(MON_2_MAR):
        return world.order(state="started")


def long_events(order) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order, kind=EventKind.ABSENCE_LONG))


def test_an_absence_is_long_after_the_profiles_days(world, ten_days):  # R7.2 R11.4
    with travel_to(datetime(2026, 3, 3, 10)):
        services.register_absence(
            world.staff_a, ten_days, reason="hospital", from_date=date(2026, 3, 3)
        )
    # 3-12 March is 10 days: not yet long. 13 March is the 11th day.
    with travel_to(datetime(2026, 3, 12, 23)):
        assert services.flag_long_absences() == 0
    with travel_to(datetime(2026, 3, 13, 6)):
        assert services.flag_long_absences() == 1
    (event,) = long_events(ten_days)
    assert event.data["days"] == 10
    assert event.data["text"] == "Frånvaro sedan 2026-03-03, mer än 10 dagar i följd."
    assert event.get_kind_display() == "Lång frånvaro i följd"
    assert Absence.objects.get().long_flagged_at is not None


def test_a_past_absence_over_the_profiles_days_is_flagged_when_registered(world, ten_days):
    # R7.2 R11.4: 11 days registered afterwards: long at once; 10 days: not.
    with travel_to(datetime(2026, 4, 20, 10)):
        services.register_absence(
            world.staff_a,
            ten_days,
            reason="hospital",
            from_date=date(2026, 3, 3),
            to_date=date(2026, 3, 12),
        )
        assert long_events(ten_days) == []
        services.register_absence(
            world.staff_a,
            ten_days,
            reason="hospital",
            from_date=date(2026, 4, 1),
            to_date=date(2026, 4, 11),
        )
    assert len(long_events(ten_days)) == 1  # fmt: skip


def test_the_daily_job_uses_each_municipalitys_days(world, ten_days):  # R7.2 R11.4
    other = build.municipality(profile="solna-boendestod")  # 30 days, the SPEC's
    other_world_order = _started_elsewhere(other)
    with travel_to(datetime(2026, 3, 3, 10)):
        services.register_absence(
            world.staff_a, ten_days, reason="hospital", from_date=date(2026, 3, 3)
        )
        services.register_absence(
            other_world_order["staff"],
            other_world_order["order"],
            reason="hospital",
            from_date=date(2026, 3, 3),
        )
    with travel_to(datetime(2026, 3, 20, 6)):
        assert services.flag_long_absences() == 1  # only the ten-day municipality's
    with travel_to(datetime(2026, 4, 2, 6)):
        assert services.flag_long_absences() == 1  # the 31st day of the other's
    assert len(long_events(other_world_order["order"])) == 1


def _started_elsewhere(muni) -> dict:
    """A started order in another municipality, through the services."""
    from verkstall.access.roles import Role
    from verkstall.decisions.services import record_decision
    from verkstall.orders import services as orders
    from verkstall.people.services import register_person

    unit = build.unit(muni)
    officer = build.user(Role.OFFICER, muni, unit=unit)
    provider = build.provider(muni)
    staff = build.user(Role.PROVIDER_STAFF, muni, provider=provider)
    with travel_to(MON_2_MAR):
        person = register_person(officer, personal_number=build.test_number(), first_name="Ada",
                                 last_name="Annan", street_address="Vägen 2", postal_code="17100",
                                 city="Solna", area=build.area(muni).pk)  # fmt: skip
        decision = record_decision(officer, person=person, decided_on=MON_2_MAR.date(), services=[
            {"service_type": "boendestod", "scope_amount": "4", "scope_unit": "hours_per_month"}
        ])  # fmt: skip
        order = orders.create_order(officer, decision=decision, provider=provider)
        orders.send_order(officer, order)
        orders.acknowledge_order(staff, order)
        # Solna's housing support starts when a staff member is booked (R3.6, seed 003).
        orders.register_start(
            staff, order, start_date=MON_2_MAR.date(), booked_staff="Ordinarie boendestödjare"
        )
    return {"order": order, "staff": staff}


def test_the_absence_form_explains_the_profiles_days(world, ten_days, client):  # R7.1 R7.2
    with travel_to(datetime(2026, 3, 3, 10)):
        services.register_absence(
            world.staff_a, ten_days, reason="hospital", from_date=date(2026, 3, 3)
        )
    client.force_login(world.staff_a)
    page = client.get(f"/orders/{ten_days.pk}/absences/").content.decode()
    assert "all annan frånvaro som är längre än 7 dagar" in page
    assert "Frånvaro över 10 dagar i följd markeras" in page
    assert "<th>Över 10 dagar</th>" in page


def test_the_absence_form_says_the_specs_days_by_default(world, client):  # R7.1 R7.2
    with travel_to(MON_2_MAR):
        order = world.order(state="started")
    client.force_login(world.staff_a)
    page = client.get(f"/orders/{order.pk}/absences/").content.decode()
    assert "längre än 14 dagar" in page and "Frånvaro över 30 dagar i följd" in page
