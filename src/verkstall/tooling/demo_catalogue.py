"""The demo's fixed data (tooling/demo.py): the four municipalities and their routines
(SPEC R11.1), providers, homes, demo users for every role, the names the demo clients are
given, and the lives their orders get. Also the benchmark generator's source of names and of
each routine's granted services (tooling/generator_world.py)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from verkstall.access.roles import Role
from verkstall.people.models import Protection
from verkstall.providers.models import Channel

DEMO_PASSWORD = "verkstall-demo"  # noqa: S105 - documented in the README, demo only

MUNICIPALITIES = [
    {
        "code": "0180",
        "name": "Stockholm (Hässelby-Vällingby)",
        "profile": "stockholm-hv",
        "unit": "Biståndsenheten äldreomsorg Hässelby-Vällingby",
        "areas": ["Hässelby", "Vällingby"],
        "positions": {"Hässelby": (59.3667, 17.8333), "Vällingby": (59.3633, 17.8720)},
        "city": "Vällingby",
        "postal": "162 65",
        "providers": [
            ("Omsorg Väst AB", True, Channel.SYSTEM),
            ("Hässelby hemtjänst (egen regi)", True, Channel.SYSTEM),
            ("Vällingby Privatomsorg AB", False, Channel.FAX),
        ],
        "services": ["hemtjanst-omvardnad", "hemtjanst-service", "matdistribution"],
    },
    {
        "code": "0980",
        "name": "Region Gotland",
        "profile": "gotland",
        "unit": "Myndighetsavdelningen, äldreomsorg",
        "areas": ["Visby", "Slite"],
        "positions": {"Visby": (57.6348, 18.2948), "Slite": (57.7059, 18.8064)},
        "city": "Visby",
        "postal": "621 41",
        "providers": [
            ("Björkens Hemtjänst", True, Channel.SYSTEM),
            ("Ängens Omsorg", True, Channel.SYSTEM),
        ],
        "services": ["hemtjanst-service", "hemtjanst-omvardnad", "trygghetslarm"],
    },
    {
        "code": "0184",
        "name": "Solna stad",
        "profile": "solna-boendestod",
        "unit": "Omvårdnadsförvaltningen, myndighet",
        "areas": ["Solna centrum", "Bergshamra"],
        "positions": {"Solna centrum": (59.3600, 18.0009), "Bergshamra": (59.3813, 18.0363)},
        "city": "Solna",
        "postal": "171 45",
        "providers": [
            ("Stödpartner AB", False, Channel.POST),
            ("Solna Boendestöd (egen regi)", True, Channel.SYSTEM),
        ],
        "services": ["boendestod"],
    },
    {
        "code": "9004",
        "name": "Kundvalskommunen",
        "profile": "kundval-004",
        "unit": "Biståndsenheten",
        "areas": ["Norr", "Söder"],
        "positions": {"Norr": (62.4010, 17.3060), "Söder": (62.3790, 17.3120)},
        "city": "Kundby",
        "postal": "123 45",
        "providers": [
            ("Hemomsorg i Norr", True, Channel.SYSTEM),
            ("Städ & Service HB", False, Channel.EMAIL),
        ],
        "services": ["hemtjanst-omvardnad", "hemtjanst-stad", "daglig-verksamhet-lss"],
        # Städ & Service HB does cleaning only; everyone else is contracted for every LOV
        # service of the municipality in every area.
        "contracts": {"Städ & Service HB": ["hemtjanst-stad"]},
    },
]

# LOV contract lines (R2.1) start on this day in every demo municipality, until further notice.
CONTRACTS_FROM = date(2024, 1, 1)
# Gotland: Ängens Omsorg is at its capacity cap in Visby (SCENARIOS story 2, R2.1, R2.4).
CAPPED = {"0980": ("Ängens Omsorg", "Visby", "Kapacitetstak nått")}
# Short-term and profile homes in Stockholm, for the proximity rule (R2.5):
# provider, unit, manager, latitude, longitude, service type codes.
HOMES = [
    (
        "Hässelby hemtjänst (egen regi)",
        "Hässelbygårdens korttidsboende",
        "Enhetschef Hässelbygården",
        59.3705,
        17.8390,
        ["korttidsboende"],
    ),
    (
        "Omsorg Väst AB",
        "Råcksta korttidsboende",
        "Enhetschef Råcksta",
        59.3547,
        17.8803,
        ["korttidsboende", "profilboende"],
    ),
    (
        "Vällingby Privatomsorg AB",
        "Grimsta profilboende (demens)",
        "Enhetschef Grimsta",
        59.3520,
        17.8570,
        ["profilboende"],
    ),
    (
        "Omsorg Väst AB",
        "Blackebergs korttidsboende",
        "Enhetschef Blackeberg",
        59.3483,
        17.8829,
        ["korttidsboende"],
    ),
]

# Stockholm's care homes and day activity in the queue (R8.1, R8.3): provider, unit, manager,
# the queued service types it offers.
QUEUE_HOMES = [
    (
        "Omsorg Väst AB",
        "Råckstagårdens vård- och omsorgsboende",
        "Enhetschef Råckstagården",
        ["vard-och-omsorgsboende"],
    ),
    (
        "Hässelby hemtjänst (egen regi)",
        "Hässelby strands vård- och omsorgsboende",
        "Enhetschef Hässelby strand",
        ["vard-och-omsorgsboende"],
    ),
    (
        "Vällingby Privatomsorg AB",
        "Vällingby dagverksamhet",
        "Enhetschef Vällingby dagverksamhet",
        ["dagverksamhet"],
    ),
]

# username, role, municipality code, provider name (for provider roles), full name
USERS = [
    ("handlaggare", Role.OFFICER, "0180", None, "Karim Lund"),
    ("handlaggare2", Role.OFFICER, "0180", None, "Amira Sandberg"),
    ("utforare", Role.PROVIDER_STAFF, "0180", "Omsorg Väst AB", "Maria Berg"),
    ("enhetschef", Role.PROVIDER_MANAGER, "0180", "Omsorg Väst AB", "Sofia Ek"),
    ("placering", Role.PLACEMENT_UNIT, "0180", None, "Anders Holm"),
    ("avgift", Role.FEE_OFFICER, "0180", None, "Eva Strand"),
    ("lovadmin", Role.LOV_ADMIN, "0180", None, "Lena Sjö"),
    ("lovadmin.gotland", Role.LOV_ADMIN, "0980", None, "Gunnel Lojsta"),
    ("utforare.hasselby", Role.PROVIDER_STAFF, "0180", "Hässelby hemtjänst (egen regi)", "Leo Ros"),
    ("hmc", Role.AIDS_CENTRE, "0980", None, "Olle Dahl"),
    ("loggranskare", Role.LOG_REVIEWER, "0180", None, "Nils Björk"),
    ("admin", Role.SYSTEM_ADMIN, None, None, "Systemadministratör"),
    ("handlaggare.gotland", Role.OFFICER, "0980", None, "Karin Gotlander"),
    ("utforare.bjorken", Role.PROVIDER_STAFF, "0980", "Björkens Hemtjänst", "Per Björk"),
    ("utforare.angen", Role.PROVIDER_STAFF, "0980", "Ängens Omsorg", "Tove Äng"),
    ("handlaggare.solna", Role.OFFICER, "0184", None, "Sara Solberg"),
    ("utforare.solna", Role.PROVIDER_STAFF, "0184", "Solna Boendestöd (egen regi)", "Ali Noor"),
    ("handlaggare.kundval", Role.OFFICER, "9004", None, "Jonas Val"),
    ("utforare.norr", Role.PROVIDER_STAFF, "9004", "Hemomsorg i Norr", "Maj-Britt Norr"),
]

FIRST = [
    "Elsa",
    "Bengt",
    "Sara",
    "Maj",
    "Gunnar",
    "Ingrid",
    "Karl",
    "Astrid",
    "Sven",
    "Britt",
    "Olof",
    "Margit",
    "Lars",
    "Inga",
    "Erik",
    "Greta",
    "Nils",
    "Signe",
    "Åke",
    "Ulla",
]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Lindberg",
    "Öberg",
]
STREETS = ["Storgatan", "Kyrkvägen", "Skolgatan", "Björkvägen", "Ängsvägen", "Parkgatan"]

CLIENTS_PER_MUNICIPALITY = [14, 12, 12, 12]  # 50 in all
# The life each demo order gets, cycled over a municipality's clients: every state is present.
LIVES = ["ended", "started", "started", "acknowledged", "sent", "draft", "cancelled", "acute"]


# Two Stockholm clients with protected personal data (R10.1, R10.5). Day 30 is never made by
# the generated clients above, so the numbers cannot collide.
PROTECTED_CLIENTS = [
    # born, birth number, first, last, protection, brief the unit manager and send?
    (date(1938, 4, 30), 990, "Ingrid", "Skyddsdal", Protection.PROTECTED_REGISTRATION, False),
    (date(1944, 9, 30), 992, "Bertil", "Sekretesson", Protection.CONFIDENTIALITY_MARKING, True),
]


def at_hour(day: date, hour: int) -> datetime:
    """`hour` o'clock local time on `day`: when a demo step is taken."""
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))
