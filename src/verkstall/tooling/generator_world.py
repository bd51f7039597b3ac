"""The generated municipality's organisation (tooling/generator_services.py): the municipality,
myndighet units, areas, officers, providers with their units and staff, sized by the number of
clients. Written by the services' own set-up functions; users are bulk-inserted as
`access.services.create_user` would write them (with an unusable password: benchmark users
log in with API tokens)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from verkstall.access.models import Municipality, User
from verkstall.access.roles import Role
from verkstall.access.services import ensure_municipality, ensure_unit
from verkstall.deadlines import engine
from verkstall.deadlines.threshold_selectors import DEFAULTS, thresholds_for
from verkstall.decisions.models import ScopeUnit, ServiceType
from verkstall.people.models import Person
from verkstall.providers.models import Channel
from verkstall.providers.services import (
    ensure_area,
    ensure_contract,
    ensure_provider,
    ensure_provider_unit,
)
from verkstall.tooling.demo_catalogue import MUNICIPALITIES

DEFAULT_CODE = "9990"
DEFAULT_PROFILE = "gotland"
HISTORY_YEARS = 5
CLIENTS_PER_PROVIDER = 300
CLIENTS_PER_OFFICER = 100
CLIENTS_PER_UNIT = 3000
CLIENTS_PER_AREA = 1500
CLIENTS_PER_PROVIDER_UNIT = 250
CHUNK = 500

# The services each rule profile's demo municipality grants (demo_catalogue), without the safety
# alarm: its clocks need the aids centre's events, which this generator does not write.
PROFILE_SERVICES = {
    m["profile"]: [code for code in m["services"] if code != "trygghetslarm"]
    for m in MUNICIPALITIES
}

SCOPES = {
    "hemtjanst-omvardnad": (Decimal("30"), ScopeUnit.HOURS_PER_MONTH, "morgon och kväll"),
    "hemtjanst-service": (Decimal("4"), ScopeUnit.HOURS_PER_MONTH, "varannan vecka"),
    "hemtjanst-stad": (Decimal("2"), ScopeUnit.VISITS_PER_MONTH, "varannan vecka"),
    "matdistribution": (Decimal("7"), ScopeUnit.VISITS_PER_WEEK, "lunch"),
    "boendestod": (Decimal("10"), ScopeUnit.HOURS_PER_MONTH, "två gånger i veckan"),
    "daglig-verksamhet-lss": (Decimal("5"), ScopeUnit.DAYS_PER_WEEK, "vardagar"),
}


class GeneratedDataExists(Exception):
    """The database already holds a generated municipality of another size."""


# --- the organisation -----------------------------------------------------------------------


@dataclass
class World:
    municipality: Municipality
    units: list
    officers: dict  # unit id -> [User]
    areas: list
    area_unit: dict  # area id -> unit
    providers: list
    provider_weights: list
    provider_units: dict  # provider id -> [ProviderUnit]
    provider_staff: dict  # provider id -> User (no unit)
    service_types: list
    order_rules: list
    decision_rules: list
    # The municipality's profile's threshold of a long absence (R7.2; threshold_selectors).
    long_absence_days: int = DEFAULTS["long_absence_days"]


def generated_municipality(code: str = DEFAULT_CODE) -> Municipality | None:
    return Municipality.objects.filter(code=code).first()


def generated_size(code: str = DEFAULT_CODE) -> int:
    """The number of clients of the generated municipality (0 if there is none)."""
    muni = generated_municipality(code)
    return Person.objects.filter(municipality=muni).count() if muni else 0


def _username(code: str, what: str, i: int) -> str:
    return f"bench{code}.{what}{i:04d}"


def build_world(code: str, clients: int, profile: str, rng: random.Random) -> World:
    muni, _ = ensure_municipality(
        code=code, name=f"Benchkommunen {code} ({clients} klienter)", rule_profile=profile
    )
    n_units = max(1, math.ceil(clients / CLIENTS_PER_UNIT))
    n_areas = max(2, math.ceil(clients / CLIENTS_PER_AREA))
    n_officers = max(2, math.ceil(clients / CLIENTS_PER_OFFICER))
    n_providers = max(2, round(clients / CLIENTS_PER_PROVIDER))
    units = [ensure_unit(municipality=muni, name=f"Biståndsenhet {i + 1}") for i in range(n_units)]
    areas = [ensure_area(municipality=muni, name=f"Område {i + 1}") for i in range(n_areas)]
    area_unit = {a.pk: units[i % n_units] for i, a in enumerate(areas)}

    # Providers: the municipality's own one is the largest (about a fifth of the clients), the
    # rest follow a long tail; every tenth private one is not connected (fax, post, e-mail).
    providers, weights = [], []
    offline = [Channel.FAX, Channel.POST, Channel.EMAIL]
    for i in range(n_providers):
        connected = i < 2 or i % 10 != 5
        channel = Channel.SYSTEM if connected else offline[(i // 10) % 3]
        name = "Kommunens hemtjänst (egen regi)" if i == 0 else f"Omsorgsföretag {i:03d} AB"
        contact = {"email": f"bestallning{i}@example.org"} if channel == Channel.EMAIL else {}
        if channel == Channel.FAX:
            contact = {"fax": "08-123 456"}
        providers.append(
            ensure_provider(
                municipality=muni, name=name, is_connected=connected, channel=channel, **contact
            )
        )
        weights.append(1 / (i + 1) ** 0.6)
    weights[0] = sum(weights[1:]) / 4  # own provider: a fifth of all orders
    total = sum(weights)
    weights = [w / total for w in weights]
    provider_units = {}
    for p, w in zip(providers, weights, strict=True):
        n = max(1, round(w * clients / CLIENTS_PER_PROVIDER_UNIT))
        provider_units[p.pk] = [
            ensure_provider_unit(provider=p, name=f"Enhet {j + 1}", manager_name="Enhetschef")
            for j in range(n)
        ]

    users = []
    for i in range(n_officers):
        users.append(
            User(
                username=_username(code, "handlaggare", i),
                first_name="Handläggare",
                last_name=str(i + 1),
                role=Role.OFFICER.value,
                municipality=muni,
                unit=units[i % n_units],
            )
        )
    for p in providers:
        users.append(
            User(
                username=_username(code, "utforare", p.pk),
                first_name="Personal",
                last_name=p.name[:100],
                role=Role.PROVIDER_STAFF.value,
                municipality=muni,
                provider=p,
            )
        )
        for pu in provider_units[p.pk]:
            users.append(
                User(
                    username=_username(code, f"enhet{pu.pk}-", 0),
                    first_name="Enhetschef",
                    last_name=pu.name,
                    role=Role.PROVIDER_MANAGER.value,
                    municipality=muni,
                    provider=p,
                    provider_unit=pu,
                )
            )
    unusable = make_password(None)
    existing = set(
        User.objects.filter(username__in=[u.username for u in users]).values_list(
            "username", flat=True
        )
    )
    for u in users:
        u.password = unusable
    User.objects.bulk_create([u for u in users if u.username not in existing])
    by_name = {u.username: u for u in User.objects.filter(municipality=muni)}
    officers: dict[int, list] = {u.pk: [] for u in units}
    for i in range(n_officers):
        o = by_name[_username(code, "handlaggare", i)]
        officers[o.unit_id].append(o)
    staff = {p.pk: by_name[_username(code, "utforare", p.pk)] for p in providers}
    codes = PROFILE_SERVICES.get(profile) or PROFILE_SERVICES[DEFAULT_PROFILE]
    types = list(ServiceType.objects.filter(code__in=codes).order_by("code"))
    return World(
        municipality=muni,
        units=units,
        officers=officers,
        areas=areas,
        area_unit=area_unit,
        providers=providers,
        provider_weights=weights,
        provider_units=provider_units,
        provider_staff=staff,
        service_types=types,
        order_rules=engine.profile_rules(profile, "order"),
        decision_rules=engine.profile_rules(profile, "decision"),
        long_absence_days=thresholds_for(muni)["long_absence_days"],
    )


def email_provider(muni: Municipality):
    """A provider of the municipality that gets its orders by e-mail: the generated one (every
    thirtieth provider from the 26th), or, in a small world, one made for the fault runs."""
    provider = muni.providers.filter(channel=Channel.EMAIL).order_by("pk").first()
    if provider is None:
        provider = ensure_provider(
            municipality=muni,
            name="Omsorgsföretag E-post AB",
            is_connected=False,
            channel=Channel.EMAIL,
            email="bestallning-epost@example.org",
        )
        ensure_provider_unit(provider=provider, name="Enhet 1", manager_name="Enhetschef")
    return provider


def give_addresses(muni: Municipality) -> int:
    """An e-mail address (example.org) for each of the municipality's users without one, so
    that the reminders of the fault runs have someone to go to. Returns how many were given."""
    users = User.objects.filter(municipality=muni, email="")
    count = 0
    for user in users.only("pk", "username"):
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.org")
        count += 1
    return count


def rotation_area(officer: User, service_code: str, providers: list, valid_from):
    """The area of the officer's first client with one, with a no-choice contract there for
    `service_code` for each of `providers` (the fault runs' rotation). Returns the area."""
    person = (
        Person.objects.filter(unit_id=officer.unit_id, area__isnull=False).order_by("pk").first()
    )
    for provider in providers:
        ensure_contract(
            provider=provider, service_type=service_code, area=person.area, valid_from=valid_from
        )
    return person.area
