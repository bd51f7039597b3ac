"""Gotland (seed 002, profile `gotland`) with a safety alarm and a meal delivery to order.

The days are on the real calendar, in March 2026 (no public holiday): the order goes out on
Monday 2 March at 09:00."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.tooling import testing as build

MON_2_MAR = date(2026, 3, 2)
TUE_3_MAR = date(2026, 3, 3)
WED_4_MAR = date(2026, 3, 4)
THU_5_MAR = date(2026, 3, 5)
FRI_6_MAR = date(2026, 3, 6)
MON_9_MAR = date(2026, 3, 9)

ALARM = {"service_type": "trygghetslarm", "scope_amount": "1", "scope_unit": "place"}
MEAL = {"service_type": "matdistribution", "scope_amount": "7", "scope_unit": "days_per_week"}
CARE = {
    "service_type": "hemtjanst-omvardnad",
    "scope_amount": "10",
    "scope_unit": "hours_per_month",
}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


class Gotland:
    def __init__(self):
        self.muni = build.municipality(name="Region Gotland", profile="gotland")
        self.unit = build.unit(self.muni, "Myndighetsavdelningen")
        self.area = build.area(self.muni, "Visby")
        self.officer = build.user(Role.OFFICER, self.muni, unit=self.unit, username="karin")
        self.fee_officer = build.user(Role.FEE_OFFICER, self.muni, username="avgift")
        self.bjorkens = build.provider(self.muni, "Björkens Hemtjänst")
        self.angens = build.provider(self.muni, "Ängens Omsorg")
        self.faro = build.provider(self.muni, "Fårö Hemtjänst HB", connected=False)
        self.staff = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.bjorkens)
        self.staff_angens = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.angens)
        self.hmc = build.user(Role.AIDS_CENTRE, self.muni, username="hmc")
        self.placement = build.user(Role.PLACEMENT_UNIT, self.muni)
        other = build.municipality(name="Annan kommun", profile="gotland")
        self.other_hmc = build.user(Role.AIDS_CENTRE, other, username="hmc2")

    def person(self, first_name="Bengt", **kw):
        from verkstall.people.services import register_person

        values = {
            "personal_number": build.test_number(),
            "first_name": first_name,
            "last_name": "Gotlander",
            "street_address": "Strandgatan 4",
            "postal_code": "62155",
            "city": "Visby",
            "area": self.area.pk,
            "phone": "0498-12 34 56",
        }
        values.update(kw)
        return register_person(self.officer, **values)

    def order(
        self, services=(ALARM,), provider=None, state="sent", instructions="Nyckel hos grannen."
    ):
        """An order sent on Monday 2 March at 09:00, acknowledged on Tuesday at 08:00 if
        `state` is "acknowledged"."""
        from verkstall.decisions.services import record_decision
        from verkstall.orders import services as orders

        provider = provider or self.bjorkens
        with travel_to(at(MON_2_MAR, 8)):
            decision = record_decision(
                self.officer,
                person=self.person(),
                decided_on=MON_2_MAR,
                services=[dict(s) for s in services],
            )
            order = orders.create_order(
                self.officer, decision=decision, provider=provider, instructions=instructions
            )
        with travel_to(at(MON_2_MAR, 9)):
            orders.send_order(self.officer, order)
        if state == "acknowledged":
            actor = self.staff if provider.is_connected else self.officer
            with travel_to(at(TUE_3_MAR, 8)):
                orders.acknowledge_order(
                    actor, order, channel="" if provider.is_connected else "phone"
                )
        return order.__class__.objects.get(pk=order.pk)


@pytest.fixture
def g(db):
    return Gotland()
