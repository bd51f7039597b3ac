"""A municipality on Gotland's routine (seed 002, profile `gotland`, which includes the national
rule `avgiftsmeddelande`; fee notices under 7 hours a month, R9.3): a connected provider and
one that is not, a fee officer, and clients whose orders go out on Monday 2 March 2026."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.tooling import testing as build

MON_2_MAR = date(2026, 3, 2)
TUE_3_MAR = date(2026, 3, 3)
MON_9_MAR = date(2026, 3, 9)
MON_16_MAR = date(2026, 3, 16)
MON_23_MAR = date(2026, 3, 23)


def granted(code: str, amount: str, unit: str = "hours_per_month") -> dict:
    return {"service_type": code, "scope_amount": amount, "scope_unit": unit}


SERVICE_4H = granted("hemtjanst-service", "4")
CARE_10H = granted("hemtjanst-omvardnad", "10")
HOUSING_2H = granted("boendestod", "2")
MEALS = granted("matdistribution", "7", "days_per_week")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class World:
    def __init__(self, name="Region Gotland", profile="gotland"):
        self.muni = build.municipality(name=name, profile=profile)
        self.unit = build.unit(self.muni, "Myndighetsavdelningen")
        self.area = build.area(self.muni, "Visby")
        self.officer = build.user(Role.OFFICER, self.muni, unit=self.unit)
        self.fee_officer = build.user(Role.FEE_OFFICER, self.muni)
        self.bjorkens = build.provider(self.muni, "Björkens Hemtjänst")
        self.angen = build.provider(self.muni, "Ängens Omsorg", connected=False)
        self.staff = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.bjorkens)
        self.other_staff = build.user(
            Role.PROVIDER_STAFF, self.muni, provider=build.provider(self.muni, "Annan AB")
        )
        self._n = 0

    def order(self, *services, provider=None, last_name="Avgiftsson"):
        """A client with these granted services and their order, sent on 2 March."""
        from verkstall.decisions.services import record_decision
        from verkstall.orders import services as orders
        from verkstall.people.services import register_person

        provider = provider or self.bjorkens
        self._n += 1
        with travel_to(at(MON_2_MAR, 8)):
            person = register_person(
                self.officer,
                personal_number=build.test_number(),
                first_name=f"Klient{self._n}",
                last_name=last_name,
                street_address="Strandgatan 4",
                postal_code="62155",
                city="Visby",
                area=self.area.pk,
            )
            decision = record_decision(
                self.officer,
                person=person,
                decided_on=MON_2_MAR,
                services=[dict(s, valid_from=MON_2_MAR) for s in services or (SERVICE_4H,)],
            )
            order = orders.create_order(self.officer, decision=decision, provider=provider)
        with travel_to(at(MON_2_MAR, 9)):
            orders.send_order(self.officer, order)
        return order.__class__.objects.get(pk=order.pk)

    def started(self, *services, provider=None, **kwargs):
        """An order that started on 3 March (registered by the provider, or on its behalf)."""
        from verkstall.orders import services as orders

        order = self.order(*services, provider=provider, **kwargs)
        connected = order.provider.is_connected
        actor = self.staff if connected else self.officer
        channel = "" if connected else "phone"
        with travel_to(at(TUE_3_MAR, 11)):
            orders.acknowledge_order(actor, order, channel=channel)
            orders.register_start(actor, order, start_date=TUE_3_MAR, channel=channel)
        return order.__class__.objects.get(pk=order.pk)


@pytest.fixture
def w(db):
    return World()
