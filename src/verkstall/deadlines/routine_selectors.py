"""What a municipality's routine says about one order, read from its rule profile (SPEC R3.6,
R5.1; seed 003), for the order's own screens and services:

- `needs_booked_staff`: the start of the order names the staff member booked for it, because
  one of its services is of a kind in the profile's `booked_staff_service_kinds` (seed 003:
  "när insatsen påbörjas det vill säga när en faktisk personal är inbokad för insatsen");
- `mapping_period`: a new client's mapping period (kartläggningstid) from the start, the
  profile's `mapping_period_months` (seed 003: "Boendestödet behöver en viss kartläggningstid
  tillsammans med den enskilde, denna ska vara klar inom 3 månader").

Orders sit above this layer: an order is read through its own fields and reverse relations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .calendar import Unit, compute_due
from .client_selectors import new_client
from .threshold_selectors import profile_values

BOOKED_STAFF = "booked_staff_service_kinds"
MAPPING = "mapping_period_months"


def booked_staff_kinds(municipality) -> list[str]:
    """The service kinds whose start names the booked staff member, by the municipality's
    profile (a Municipality or its id); none when its profile names none."""
    return list(profile_values(municipality, {BOOKED_STAFF: []}, BOOKED_STAFF)[BOOKED_STAFF])


def needs_booked_staff(order) -> bool:
    """Whether registering the start of `order` names the staff member booked for it (R3.6,
    seed 003): one of its services is of a kind the profile lists."""
    kinds = booked_staff_kinds(order.municipality_id)
    return bool(kinds) and order.services.filter(service_type__kind__in=kinds).exists()


@dataclass(frozen=True)
class MappingPeriod:
    """A new client's mapping period: from the start date to `ends_on`, `months` long."""

    starts_on: date
    ends_on: date
    months: int


def mapping_period(order) -> MappingPeriod | None:
    """The mapping period of a new client's order (R5.1, seed 003), from its start date and
    the profile's `mapping_period_months`; None when the profile has none, the order has not
    started, or the client is not new to its provider (`client_selectors.new_client`)."""
    if order.start_date is None:
        return None
    months = profile_values(order.municipality_id, {}, MAPPING)[MAPPING]
    if not months or not new_client(order):
        return None
    due = compute_due(order.start_date, months, Unit.MONTHS, roll_to_weekday=False)
    return MappingPeriod(starts_on=order.start_date, ends_on=due.due_date, months=months)
