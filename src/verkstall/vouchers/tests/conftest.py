"""A municipality with cleaning on voucher (SPEC R4.2, routine 004): one connected provider and
one that is not. Orders go out on Monday 2 March 2026 at 09:00."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.tooling import testing as build

MON_2_MAR = date(2026, 3, 2)
WED_4_MAR = date(2026, 3, 4)
MON_9_MAR = date(2026, 3, 9)
MON_16_MAR = date(2026, 3, 16)

CLEANING = {
    "service_type": "hemtjanst-stad",
    "scope_amount": "2",
    "scope_unit": "hours_per_month",
    "frequency": "varannan vecka",
}
CARE = {
    "service_type": "hemtjanst-omvardnad",
    "scope_amount": "10",
    "scope_unit": "hours_per_month",
}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


class World:
    def __init__(self):
        self.muni = build.municipality(name="Kundvalskommunen")
        self.unit = build.unit(self.muni, "Biståndsenheten")
        self.other_unit = build.unit(self.muni, "Andra enheten")
        self.area = build.area(self.muni, "Centrum")
        self.officer = build.user(Role.OFFICER, self.muni, unit=self.unit, username="stina")
        self.other_officer = build.user(Role.OFFICER, self.muni, unit=self.other_unit)
        self.fee_officer = build.user(Role.FEE_OFFICER, self.muni)
        self.glans = build.provider(self.muni, "Glans Städ AB")
        self.puts = build.provider(self.muni, "Puts & Service HB", connected=False)
        self.staff = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.glans)
        self.other_staff = build.user(
            Role.PROVIDER_STAFF, self.muni, provider=build.provider(self.muni, "Annan AB")
        )

    def order(self, services=(CLEANING,), provider=None):
        from verkstall.decisions.services import record_decision
        from verkstall.orders import services as orders
        from verkstall.people.services import register_person

        provider = provider or self.glans
        with travel_to(at(MON_2_MAR, 8)):
            person = register_person(
                self.officer,
                personal_number=build.test_number(),
                first_name="Greta",
                last_name="Städholm",
                street_address="Dammgatan 3",
                postal_code="11122",
                city="Stockholm",
                area=self.area.pk,
            )
            decision = record_decision(
                self.officer,
                person=person,
                decided_on=MON_2_MAR,
                services=[dict(s) for s in services],
            )
            order = orders.create_order(self.officer, decision=decision, provider=provider)
        with travel_to(at(MON_2_MAR, 9)):
            orders.send_order(self.officer, order)
        return order.__class__.objects.get(pk=order.pk)


@pytest.fixture
def w(db):
    return World()
