"""Reads of providers, areas, contracts, choices and nearby units, scoped to the user's
municipality (SPEC R2)."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.db.models import Q, QuerySet

from verkstall.access.scoping import NOTHING
from verkstall.core import clock
from verkstall.core.errors import NotFound
from verkstall.decisions.catalogue import ServiceKind
from verkstall.people.selectors import area_name_for, may_see_protected

from .models import Area, Contract, Provider, ProviderChoice, ProviderUnit


def providers_for(user) -> QuerySet[Provider]:
    """Providers of the user's municipality; a provider's own users see only their provider."""
    if not user.is_authenticated or user.municipality_id is None:
        return Provider.objects.filter(NOTHING)
    qs = Provider.objects.filter(municipality_id=user.municipality_id)
    if user.is_provider_user:
        qs = qs.filter(pk=user.provider_id)
    return qs.prefetch_related("units").order_by("name")


def areas_for(user) -> QuerySet[Area]:
    if not user.is_authenticated or user.municipality_id is None:
        return Area.objects.filter(NOTHING)
    return Area.objects.filter(municipality_id=user.municipality_id).order_by("name")


# --- Contracts, capacity, choice and proximity (SPEC R2.1, R2.2, R2.3, R2.5) ----------------------

T = TypeVar("T")

#: Service kinds outside LOV that are placed by the proximity rule (R2.5, seed 001).
PROXIMITY_KINDS = frozenset({ServiceKind.SHORT_TERM_STAY.value, ServiceKind.PROFILE_HOME.value})
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def valid_on(day: date, prefix: str = "") -> Q:
    """Contract lines in force on `day`: from `valid_from` up to and including `valid_to`."""
    p = prefix
    return Q(**{f"{p}valid_from__lte": day}) & (
        Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gte": day})
    )


def cap_in_force(contract: Contract, day: date) -> bool:
    """Does the line's capacity cap stop new clients on `day`? (R2.1, R2.4)

    `accepts_new_clients=False` is the cap; `capacity_until` is the last day it applies, so the
    provider takes new clients again the day after without anyone having to remember to lift
    it. No date: the cap holds until the LOV administrator lifts it.
    """
    if contract.accepts_new_clients:
        return False
    return contract.capacity_until is None or day <= contract.capacity_until


def contract_status(contract: Contract, day: date) -> str:
    """'upcoming', 'valid' or 'ended' on `day`."""
    if contract.valid_from > day:
        return "upcoming"
    if contract.valid_to is not None and contract.valid_to < day:
        return "ended"
    return "valid"


def contracts_for(user) -> QuerySet[Contract]:
    """Contract lines of the user's municipality; a provider's users see only their own."""
    if not user.is_authenticated or user.municipality_id is None:
        return Contract.objects.filter(NOTHING)
    qs = Contract.objects.filter(municipality_id=user.municipality_id)
    if user.is_provider_user:
        qs = qs.filter(provider_id=user.provider_id)
    return qs.select_related("provider", "service_type", "area").order_by(
        "area__name", "service_type__name", "provider__name", "valid_from", "id"
    )


def get_contract(user, pk) -> Contract:
    try:
        return contracts_for(user).get(pk=pk)
    except (Contract.DoesNotExist, ValueError, TypeError):
        raise NotFound("Avtalsraden finns inte.") from None


def contract_lines(municipality_id: int) -> list[Contract]:
    """Every contract line of a municipality, for the import's overlap check (set-up code)."""
    return list(
        Contract.objects.filter(municipality_id=municipality_id).select_related(
            "provider", "service_type", "area"
        )
    )


def import_lookups(municipality_id: int) -> dict[str, dict]:
    """Names the contract import resolves (case-insensitive): providers and areas of the
    municipality, service types by code and by Swedish name."""
    from verkstall.decisions.models import ServiceType

    types: dict[str, object] = {}
    for st in ServiceType.objects.filter(active=True):
        types[st.code.casefold()] = st
        types[st.name.casefold()] = st
    providers = Provider.objects.filter(municipality_id=municipality_id)
    areas = Area.objects.filter(municipality_id=municipality_id)
    return {
        "providers": {p.name.casefold(): p for p in providers},
        "areas": {a.name.casefold(): a for a in areas},
        "service_types": types,
    }


# Choice (R2.1, R2.2, R2.3) ------------------------------------------------------------------------


def fair_order(items: Iterable[T], *, seed: str, key: Callable[[T], object]) -> list[T]:
    """`items` in an order that is fair between providers yet stable for one reader.

    People tend to pick the first name on a list, so an alphabetical (or any fixed) order
    would hand the top provider clients the free-choice system (LOV) is meant to let people
    spread by preference. The list is therefore shuffled, but with a seed: the same seed
    gives the same order, so one client sees the same list all day (on screen, after a reload,
    and read out by the officer over the phone), while another client, or the same client on
    another day, gets another order. Being deterministic, any order shown can be recomputed
    afterwards from the seed. `key` sorts the items first, so the result never depends on the
    order the database returned them in.
    """
    ordered = sorted(items, key=key)
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(ordered)
    return ordered


def choice_seed(person_id: int, day: date) -> str:
    """The fair order's seed: one client, one day (see fair_order)."""
    return f"val-av-utforare:{person_id}:{day.isoformat()}"


@dataclass(frozen=True)
class ChoiceOption:
    """A provider the client may choose (R2.1), with the contract line that makes it one."""

    provider: Provider
    contract: Contract
    at_capacity: bool

    @property
    def capacity_reason(self) -> str:
        return self.contract.capacity_reason if self.at_capacity else ""

    @property
    def capacity_until(self) -> date | None:
        return self.contract.capacity_until if self.at_capacity else None


def contracted_lines(
    *, municipality_id: int, service_type_id: int, area_id: int | None, day: date
) -> list[Contract]:
    """The contract lines in force on `day` for a service type in an area, one per provider
    (the latest line if a provider has more than one in force)."""
    if area_id is None:
        return []
    lines = (
        Contract.objects.filter(
            valid_on(day),
            municipality_id=municipality_id,
            service_type_id=service_type_id,
            area_id=area_id,
        )
        .select_related("provider")
        .order_by("provider_id", "-valid_from", "-id")
    )
    one: dict[int, Contract] = {}
    for line in lines:
        one.setdefault(line.provider_id, line)
    return list(one.values())


def choice_options(granted_service, *, day: date | None = None) -> list[ChoiceOption]:
    """Every provider with a contract in force today for the granted service's type in the
    client's area (R2.1), in a fair order for this client and day (fair_order). Those that
    cannot take new clients now are listed after those that can, each group in fair order,
    and marked with the reason and the date the cap lasts to."""
    day = day or clock.today()
    person = granted_service.decision.person
    lines = contracted_lines(
        municipality_id=granted_service.municipality_id,
        service_type_id=granted_service.service_type_id,
        area_id=person.area_id,
        day=day,
    )
    options = [ChoiceOption(line.provider, line, cap_in_force(line, day)) for line in lines]
    shuffled = fair_order(options, seed=choice_seed(person.pk, day), key=lambda o: o.provider.pk)
    return [o for o in shuffled if not o.at_capacity] + [o for o in shuffled if o.at_capacity]


def choice_for_provider(granted_service, provider, *, day: date) -> ChoiceOption | None:
    """The provider's option for the granted service on `day`, or None if it has no contract
    in force for that service type in the client's area."""
    for line in contracted_lines(
        municipality_id=granted_service.municipality_id,
        service_type_id=granted_service.service_type_id,
        area_id=granted_service.decision.person.area_id,
        day=day,
    ):
        if line.provider_id == provider.pk:
            return ChoiceOption(line.provider, line, cap_in_force(line, day))
    return None


def granted_service_for(user, person_pk, granted_service_pk):
    """A granted service (of the client `person_pk`, unless None), if the user may see its
    decision; else 404."""
    from verkstall.decisions.models import Decision, GrantedService
    from verkstall.decisions.scoping import decision_scope

    visible = Decision.objects.filter(decision_scope(user)).values("pk")
    person = {} if person_pk is None else {"decision__person_id": person_pk}
    try:
        return GrantedService.objects.select_related(
            "service_type",
            "decision",
            "decision__unit",
            "decision__person",
            "decision__person__area",
        ).get(pk=granted_service_pk, decision__in=visible, **person)
    except (GrantedService.DoesNotExist, ValueError, TypeError):
        raise NotFound("Insatsen finns inte eller så saknar du behörighet.") from None


def choices_of(granted_service) -> QuerySet[ProviderChoice]:
    """The registered choices (and rotation assignments) of a granted service, newest first."""
    return ProviderChoice.objects.filter(granted_service=granted_service).select_related(
        "provider", "registered_by"
    )


def has_held_provider(person, provider) -> bool:
    """Was the provider the client's chosen or ordered provider before? (R2.6: the ordinary
    provider must take a client back from a temporary stay regardless of its cap.)"""
    return (
        ProviderChoice.objects.filter(person=person, provider=provider).exists()
        # orders.Order through the client's reverse relation: orders sit above providers.
        or person.orders.filter(provider=provider, sent_at__isnull=False).exists()
    )


# Proximity (R2.5) ----------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS 84 points (haversine formula).

    Pure. On a sphere of the Earth's mean radius the error against the ellipsoid is under
    0.5 %, far below what matters when ranking homes by nearness.
    """
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlam = math.radians(float(lon2) - float(lon1))
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def by_distance(
    origin: tuple[float, float] | None,
    places: Sequence[T],
    *,
    position: Callable[[T], tuple[float, float] | None],
    name: Callable[[T], str],
) -> list[tuple[T, float | None]]:
    """Places nearest first, each with its distance in km (pure). Places without a position,
    or all of them when the origin is unknown, come after, by name, with distance None."""
    measured, unknown = [], []
    for place in places:
        where = position(place)
        if origin is None or where is None:
            unknown.append((place, None))
        else:
            measured.append((place, haversine_km(origin[0], origin[1], where[0], where[1])))
    measured.sort(key=lambda pd: (pd[1], name(pd[0])))
    unknown.sort(key=lambda pd: name(pd[0]))
    return measured + unknown


@dataclass(frozen=True)
class NearbyUnit:
    unit: ProviderUnit
    distance_km: float | None


def _position(lat, lon) -> tuple[float, float] | None:
    if lat is None or lon is None:
        return None
    return float(lat), float(lon)


def nearest_units(actor, granted_service) -> list[NearbyUnit]:
    """The municipality's provider units that offer the granted service's type, nearest to
    the client's stored coordinates first (proximity rule, R2.5).

    For a reader who may not see a protected client's address (R10.5) the units come in name
    order without distances: three exact distances give the home away by trilateration, and
    so does the order itself. Decided here, once, for the screen and the API alike.
    """
    person = granted_service.decision.person
    use_position = may_see_protected(actor, person)
    units = list(
        ProviderUnit.objects.filter(
            municipality_id=granted_service.municipality_id,
            service_types=granted_service.service_type_id,
        )
        .select_related("provider")
        .distinct()
    )
    ranked = by_distance(
        _position(person.latitude, person.longitude) if use_position else None,
        units,
        position=lambda u: _position(u.latitude, u.longitude),
        name=lambda u: f"{u.provider.name} {u.name}",
    )
    return [NearbyUnit(unit, distance) for unit, distance in ranked]


def name_taken(model, municipality_id: int, name: str, exclude_pk=None) -> bool:
    """Is an area's or provider's name already used in the municipality? (admin forms)"""
    qs = model.objects.filter(municipality_id=municipality_id, name__iexact=(name or "").strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def takeover_problem(actor, order, provider: Provider, *, returning: bool, today: date):
    """Why the provider cannot take the client over, or None (R2.1, R2.6).

    Only LOV services need a contract; other services (a safety alarm) follow the switch. With
    no contracts at all in the municipality (no LOV set-up yet) nothing is checked. A provider
    at its capacity cap takes no new client, except its own client coming home from a
    temporary stay (seed 002: "Ordinarie vald utförare har oavsett kapacitetstak skyldighet
    att ta emot en brukare"). The message names the area only to a reader who may see a
    protected client's area (R10.5).
    """
    contracts = Contract.objects.filter(municipality_id=order.municipality_id)
    if not contracts.exists():
        return None
    lov_types = [
        g.service_type
        for g in order.services.select_related("service_type").order_by("id")
        if g.service_type.lov
    ]
    if not lov_types:
        return None
    area = order.person.area
    if area is None:
        return "Klienten saknar område; ange område så att utförarens avtal kan prövas."
    valid = (
        contracts.filter(
            provider=provider,
            area=area,
            service_type__in=lov_types,
            valid_from__lte=today,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from")
    )
    by_type: dict[int, Contract] = {}
    for line in valid:
        by_type.setdefault(line.service_type_id, line)
    missing = [t.name for t in lov_types if t.pk not in by_type]
    area_name = area_name_for(actor, order.person, area)
    if missing:
        return f"{provider.name} har inget gällande avtal för {', '.join(missing)} i {area_name}."
    capped = [c for c in by_type.values() if cap_in_force(c, today)]
    if capped and not returning:
        reason = capped[0].capacity_reason.strip()
        return (
            f"{provider.name} tar för närvarande inte emot nya brukare i {area_name}"
            + (f" ({reason})" if reason else "")
            + ". Undantag gäller bara när klienten återvänder från tillfällig vistelse till "
            "sin ordinarie valda utförare."
        )
    return None


def in_municipality(model, value, municipality_id: int):
    """An object of the municipality, given as object or id; None if it is not one."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, model) else value
    try:
        return model.objects.get(pk=pk, municipality_id=municipality_id)
    except (model.DoesNotExist, ValueError, TypeError):
        return None
