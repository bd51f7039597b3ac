"""A municipality with prices, two connected providers and one that is not (SPEC R9.4), on
the real calendar of early 2026 (core.clock.travel_to moves the services' clock)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.tooling import testing as build

JAN_2 = date(2026, 1, 2)
JAN_5 = date(2026, 1, 5)

CARE = "hemtjanst-omvardnad"
RESPITE = "avlosning"
SPECIAL_CARE = "sarskild-omvardnad"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def granted(code=CARE, amount="31", unit="hours_per_month", **kw) -> dict:
    return {"service_type": code, "scope_amount": amount, "scope_unit": unit, **kw}


class PayWorld:
    def __init__(self):
        from verkstall.decisions.models import ServiceType
        from verkstall.payments import services
        from verkstall.providers.models import Contract

        self.muni = build.municipality(name="Region Gotland", profile="gotland")
        self.unit = build.unit(self.muni, "Myndighetsavdelningen")
        self.area = build.area(self.muni, "Visby")
        self.officer = build.user(Role.OFFICER, self.muni, unit=self.unit, username="karin")
        self.lov = build.user(Role.LOV_ADMIN, self.muni, username="lov")
        self.fee = build.user(Role.FEE_OFFICER, self.muni, username="avgift")
        self.a = build.provider(self.muni, "Björkens Hemtjänst")
        self.b = build.provider(self.muni, "Ängens Omsorg")
        self.offline = build.provider(self.muni, "Fårö Hemtjänst HB", connected=False)
        self.staff_a = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.a, username="sa")
        self.staff_b = build.user(Role.PROVIDER_STAFF, self.muni, provider=self.b, username="sb")
        self.manager_a = build.user(
            Role.PROVIDER_MANAGER, self.muni, provider=self.a, username="ma"
        )
        self.manager_b = build.user(
            Role.PROVIDER_MANAGER, self.muni, provider=self.b, username="mb"
        )
        for provider in (self.a, self.b, self.offline):
            Contract.objects.create(
                municipality=self.muni,
                provider=provider,
                service_type=ServiceType.objects.get(code=CARE),
                area=self.area,
                valid_from=date(2025, 1, 1),
            )
        with travel_to(at(JAN_2)):
            self.care_price = services.add_price(
                self.lov, service_type=CARE, unit="granted_hour", amount="400", valid_from=JAN_2
            )
            self.respite_price = services.add_price(
                self.lov,
                service_type=RESPITE,
                unit="performed_hour",
                amount="380",
                valid_from=JAN_2,
            )
        self.people = 0

    def staff(self, provider):
        return {self.a.pk: self.staff_a, self.b.pk: self.staff_b}.get(provider.pk, self.officer)

    def order(self, start=JAN_5, *, provider=None, services=None, acute_hour=None):
        """A client's order, sent and started on `start` (an acute oral order at
        `acute_hour` that morning, when given)."""
        from verkstall.decisions.services import record_decision
        from verkstall.orders import services as orders
        from verkstall.orders.models import Order
        from verkstall.people.services import register_person

        provider = provider or self.a
        self.people += 1
        with travel_to(at(start, 12)):
            person = register_person(
                self.officer,
                personal_number=build.test_number(),
                first_name=f"Klient{self.people}",
                last_name="Gotlänning",
                street_address="Strandgatan 1",
                postal_code="62155",
                city="Visby",
                area=self.area.pk,
            )
            decision = record_decision(
                self.officer,
                person=person,
                decided_on=start,
                services=services or [granted()],
            )
            order = orders.create_order(
                self.officer,
                decision=decision,
                provider=provider,
                acute_oral_at=at(start, acute_hour) if acute_hour is not None else None,
            )
            orders.send_order(self.officer, order)
            actor = self.staff(provider)
            channel = "" if provider.is_connected else "phone"
            orders.acknowledge_order(actor, order, channel=channel)
            orders.register_start(actor, order, start_date=start, channel=channel)
        return Order.objects.get(pk=order.pk)


@pytest.fixture
def pw(db):
    return PayWorld()
