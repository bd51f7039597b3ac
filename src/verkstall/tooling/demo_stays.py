"""Demo data of the temporary stays from another municipality (SPEC R8.4): one intake from
the e-service waiting for Stockholm's placement unit (`placering`). tooling/demo.py calls
`seed_stays`; a second run finds the intake by its e-service id and adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access import selectors as users
from verkstall.access.roles import Role
from verkstall.core.personal_number import make_test_personal_number
from verkstall.placements import stay_services

EXTERNAL_ID = "E-TJANST-TV-2026-0117"


def seed_stays(today: date) -> None:
    """One pending temporary stay for `placering`: a summer guest from Uppsala (R8.4)."""
    placement = users.first_user(role=Role.PLACEMENT_UNIT, municipality__code="0180")
    if placement is None:
        return
    stay_services.receive_intake(
        placement,
        external_id=EXTERNAL_ID,
        personal_number=make_test_personal_number(date(1936, 7, 21), 987).value,
        first_name="Signe",
        last_name="Lindqvist",
        home_municipality_name="Uppsala",
        home_municipality_code="0380",
        stay_from=today + timedelta(days=14),
        stay_to=today + timedelta(days=56),
        street_address="Råckstavägen 40",
        postal_code="162 51",
        city="Vällingby",
        help_requested=(
            "Hemtjänst omvårdnad morgon och kväll under vistelsen hos dottern; "
            "trygghetslarm önskas."
        ),
        contact_name="Maria Ek, biståndshandläggare Uppsala kommun",
        contact_phone="018-727 00 00",
        contact_email="maria.ek@uppsala.example",
    )
