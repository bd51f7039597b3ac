"""What a start names besides its date (SPEC R3.6, seed 003): the staff member booked for the
service, where the municipality's routine says the service has begun when one is booked
("Utföraren informerar handläggaren via mail när insatsen påbörjas det vill säga när en
faktisk personal är inbokad för insatsen"). Which service kinds is the rule profile's
(`booked_staff_service_kinds`, deadlines.routine_selectors); services.register_start checks
and stores it in the STARTED event's data."""

from __future__ import annotations

from verkstall.deadlines.routine_selectors import needs_booked_staff

from .models import Order

BOOKED_STAFF_LENGTH = 200


def booked_staff_named(order: Order, value, errors: dict) -> str:
    """The booked staff member of a start, trimmed (R3.6, seed 003: "när en faktisk personal
    är inbokad för insatsen"): required when the routine asks for one for the order's
    services, at most BOOKED_STAFF_LENGTH characters; an error goes into `errors`."""
    booked = value.strip() if isinstance(value, str) else ""
    if value not in (None, "") and not isinstance(value, str):
        errors["booked_staff"] = "Ange namnet på den inbokade personalen som text."
    elif len(booked) > BOOKED_STAFF_LENGTH:
        errors["booked_staff"] = f"Högst {BOOKED_STAFF_LENGTH} tecken."
    elif not booked and needs_booked_staff(order):
        errors["booked_staff"] = (
            "Ange vilken personal som är inbokad för insatsen: enligt rutinen är insatsen "
            "påbörjad när en faktisk personal är inbokad."
        )
    return booked
