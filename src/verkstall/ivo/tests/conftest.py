"""A municipality on `stockholm-hv` (which includes the national IVO rule: three months from the
decision date, R9.5), two officer units, its LOV administrator, a provider; and another
municipality with its own case. Decisions are made on Monday 12 January 2026, so their three
months run to 12 April 2026 (second quarter)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.tooling import testing as build

DECIDED = date(2026, 1, 12)
CARE = {
    "service_type": "hemtjanst-omvardnad",
    "scope_amount": "10",
    "scope_unit": "hours_per_month",
}
ESCORT = {"service_type": "ledsagning", "scope_amount": "4", "scope_unit": "hours_per_month"}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


class World:
    def __init__(self):
        self.muni = build.municipality(name="Rapportkommunen")
        self.unit = build.unit(self.muni, "Biståndsenheten Norr")
        self.other_unit = build.unit(self.muni, "Biståndsenheten Söder")
        self.area = build.area(self.muni, "Norr")
        self.officer = build.user(Role.OFFICER, self.muni, unit=self.unit, username="norr")
        self.other_officer = build.user(
            Role.OFFICER, self.muni, unit=self.other_unit, username="soder"
        )
        self.lov = build.user(Role.LOV_ADMIN, self.muni, username="lov")
        self.fee_officer = build.user(Role.FEE_OFFICER, self.muni)
        self.provider = build.provider(self.muni, "Omsorgen AB")
        self.staff = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.provider)
        self.elsewhere = build.municipality(name="Grannkommunen")
        self.elsewhere_unit = build.unit(self.elsewhere, "Grannenheten")
        self.elsewhere_officer = build.user(
            Role.OFFICER, self.elsewhere, unit=self.elsewhere_unit, username="granne"
        )
        self.elsewhere_lov = build.user(Role.LOV_ADMIN, self.elsewhere, username="grannlov")
        self.elsewhere_provider = build.provider(self.elsewhere, "Grannomsorg AB")

    def decide(self, *services, officer=None, on=DECIDED, first_name="Elsa"):
        """A new client of the officer's unit with a decision granting `services`."""
        from verkstall.decisions.services import record_decision
        from verkstall.people.services import register_person

        officer = officer or self.officer
        with travel_to(at(on, 9)):
            person = register_person(
                officer,
                personal_number=build.test_number(),
                first_name=first_name,
                last_name="Väntesson",
                street_address="Väntgatan 1",
                postal_code="11122",
                city="Staden",
            )
            granted = [dict(s) for s in services or [CARE]]
            return record_decision(officer, person=person, decided_on=on, services=granted)

    def start(self, decision, on: date, *, services=None, provider=None, staff=None):
        """An order for (some of) the decision's services, sent on the decision day and started
        on `on` by the provider."""
        from verkstall.orders import services as orders

        provider = provider or self.provider
        staff = staff or self.staff
        with travel_to(at(decision.decided_on, 11)):
            order = orders.create_order(
                decision.officer, decision=decision, provider=provider, services=services
            )
            orders.send_order(decision.officer, order)
            orders.acknowledge_order(staff, order)
        with travel_to(at(on, 12)):
            orders.register_start(staff, order, start_date=on)
        return order


@pytest.fixture
def w(db):
    return World()
