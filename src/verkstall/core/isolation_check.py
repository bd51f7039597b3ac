"""The isolation proof (SPEC "Actors", tenancy): generated worlds, thousands of API calls across
organisations, and an oracle that says in plain Python who may see what.

Shared by `tests/test_isolation_property.py` (a CI-sized run) and the `prove_isolation`
management command (the full size, by hand). The oracle never calls `access/scoping.py` or a
selector: it works from what the generator made (which municipality, unit and provider each
client, decision and order belongs to) and from the raw rows of what the services derived
(due items, plans, messages, notice receipts), so a scoping bug cannot hide behind itself.

What the oracle allows (SPEC "Actors"):
- a case officer: the clients, decisions and orders of their own unit;
- provider staff and unit managers: the orders their provider holds now or held (an order that
  was sent to it; never a draft), and those orders' clients and decisions;
- the fee officer: the whole municipality's clients, decisions and orders;
- every other role: no client, decision or order; due items of their own municipality at most;
- nobody: anything of another municipality.

Each operation checks that every id in the response (and every client, order, decision,
provider and unit it refers to) is within the user's set, that no personnummer of a client
outside it appears anywhere in the body, that a read or write of an id outside it is 403 or
404, and that a refused write changed no row. Needs a database with the migrations applied
(the built-in rule profiles) and hypothesis (a test dependency).
"""

from __future__ import annotations

import math
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core import canaries, clock
from verkstall.core import testing as build
from verkstall.providers.models import Channel

LIVES = ("draft", "sent", "acknowledged", "started", "ended", "cancelled_draft", "cancelled_sent")
PROFILES = ("stockholm-hv", "gotland", "solna-boendestod", "kundval-004")
SENT_LIVES = frozenset(LIVES) - {"draft", "cancelled_draft"}
DEFAULT_OPS_PER_EXAMPLE = 250

# Operation kinds as counted in the figures.
READ, LIST, SEARCH, TRANSITION, SCREEN = "read", "list", "search", "transition", "screen"
OPERATION_KINDS = (READ, LIST, SEARCH, TRANSITION, SCREEN)
# Where a body is read: a detail screen or answer; a list (never a protected client's
# address, even for named staff: README, R10.5); a document that leaves the screen (PDF, CSV,
# e-mail: never protected data, whoever produces it).
DETAIL, LISTING, DOCUMENT = "detail", "list", "document"


# --- the generated world ---------------------------------------------------------------------


@dataclass
class OrderRec:
    muni: int
    unit: int
    provider: int
    person: int
    decision: int
    sent: bool


@dataclass
class CanaryRec:
    """A canary planted in the world: where it is (the narrowest object that holds it), and
    whether it is a protected field of a client (R10.5: address, phone, relatives...)."""

    token: str
    what: str
    person: int
    order: int | None = None
    decision: int | None = None
    plan_order: int | None = None  # a plan's text: the plan is found from its order
    message: int | None = None
    protected_field: bool = False


@dataclass
class ProximityRec:
    person: int
    unit: int
    distances: list[float]  # to every provider unit that offers the service (the oracle's)


@dataclass
class World:
    """What the generator made, as plain data: the oracle's ground truth."""

    users: list = field(default_factory=list)
    units: dict[int, int] = field(default_factory=dict)  # unit -> municipality
    providers: dict[int, int] = field(default_factory=dict)  # provider -> municipality
    connected: dict[int, bool] = field(default_factory=dict)
    persons: dict[int, tuple[int, int]] = field(default_factory=dict)  # -> (municipality, unit)
    numbers: dict[int, str] = field(default_factory=dict)  # person -> 12-digit personnummer
    decisions: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # (muni, unit, person)
    orders: dict[int, OrderRec] = field(default_factory=dict)
    officers: dict[int, object] = field(default_factory=dict)  # unit -> officer user
    provider_staff: dict[int, object] = field(default_factory=dict)  # provider -> staff user
    # Derived by the services; refreshed from the raw rows after every successful write.
    plans: dict[int, tuple[int, str]] = field(default_factory=dict)  # -> (order, status)
    messages: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # (person, order)
    due_items: dict[int, tuple[int, int, int | None, int | None]] = field(default_factory=dict)
    receipts: dict[int, int] = field(default_factory=dict)  # -> order
    journal: dict[int, int] = field(default_factory=dict)  # provider journal entry -> order
    # Canaries (issue 11): planted by the generator; protection and grants from the raw rows.
    canaries: list[CanaryRec] = field(default_factory=list)
    protected: set[int] = field(default_factory=set)  # persons with protected personal data
    grants: set[tuple[int, int]] = field(default_factory=set)  # active (person, user)
    proximity: dict[int, ProximityRec] = field(default_factory=dict)  # granted service ->
    emailed: dict[str, int] = field(default_factory=dict)  # provider e-mail address -> provider

    def refresh_derived(self) -> None:
        from verkstall.absences.models import NoticeReceipt
        from verkstall.deadlines.models import DueItem
        from verkstall.journal.models import Message, ProviderJournalEntry
        from verkstall.plans.models import ImplementationPlan

        self.plans = {
            pk: (order, status)
            for pk, order, status in ImplementationPlan.objects.values_list(
                "pk", "order_id", "status"
            )
        }
        self.messages = {
            pk: (person, order)
            for pk, person, order in Message.objects.values_list("pk", "person_id", "order_id")
        }
        self.due_items = {
            pk: (muni, person, order, decision)
            for pk, muni, person, order, decision in DueItem.objects.values_list(
                "pk", "municipality_id", "person_id", "order_id", "decision_id"
            )
        }
        self.receipts = dict(NoticeReceipt.objects.values_list("pk", "order_id"))
        self.journal = dict(ProviderJournalEntry.objects.values_list("pk", "order_id"))
        from verkstall.people.models import Person, ProtectedDataAccess, Protection

        self.protected = set(
            Person.objects.filter(pk__in=self.persons)
            .exclude(protection=Protection.NONE)
            .values_list("pk", flat=True)
        )
        self.grants = set(
            ProtectedDataAccess.objects.filter(revoked_at__isnull=True).values_list(
                "person_id", "user_id"
            )
        )


def world_specs():
    """A hypothesis strategy: 2-3 municipalities, each with two units, 2-3 providers (the
    first connected, the others connected or not), 4-8 clients with 1-2 orders each in any
    state, some clients sharing a personnummer with a client of another municipality."""
    from hypothesis import strategies as st

    client = st.tuples(
        st.integers(0, 1),  # unit
        st.lists(st.tuples(st.integers(0, 2), st.sampled_from(LIVES)), min_size=1, max_size=2),
        st.booleans(),  # reuse the personnummer of a client of the first municipality
    )
    municipality = st.fixed_dictionaries(
        {
            "profile": st.sampled_from(PROFILES),
            "providers": st.lists(st.booleans(), min_size=1, max_size=2),
            "clients": st.lists(client, min_size=4, max_size=8),
        }
    )
    return st.lists(municipality, min_size=2, max_size=3)


def build_world(spec, rng=None) -> World:
    """Make the world through the real services (the way conftest's World.order walks one).

    Every client carries canaries (issue 11): its name, address, city, whereabouts, phone and
    a relative's name and phone; so do its decisions, orders, plans, messages, provider and
    case journal entries. Every third client has protected personal data. Each municipality
    also has a protected client with a home position and a short-term stay, provider units
    at known distances (the nearest-units check), a second officer per unit who is not
    among the named staff, and an order sent by e-mail (the e-mail and its PDF are scanned)."""
    from verkstall.absences import services as absences
    from verkstall.decisions.services import record_decision
    from verkstall.journal import services as journal
    from verkstall.orders import services as orders
    from verkstall.plans import services as plans

    world = World()
    rng = rng or random.Random(0)
    today = clock.today()
    shared_numbers: list[str] = []
    for m_index, m_spec in enumerate(spec):
        muni = build.municipality(profile=m_spec["profile"])
        units = [build.unit(muni), build.unit(muni)]
        area = build.area(muni)
        for unit in units:
            world.units[unit.pk] = muni.pk
        connected_flags = [True, *m_spec["providers"]]
        providers = []
        for p_index, connected in enumerate(connected_flags):
            channel = None
            if not connected:
                channel = Channel.EMAIL if p_index % 2 else Channel.FAX
            provider = build.provider(muni, connected=connected, channel=channel)
            if channel == Channel.EMAIL:
                provider.email = f"order{provider.pk}@utforare.example"
                provider.save(update_fields=["email"])
                world.emailed[provider.email] = provider.pk
            providers.append(provider)
            world.providers[provider.pk] = muni.pk
            world.connected[provider.pk] = connected
        for unit in units:
            officer = build.user(Role.OFFICER, muni, unit=unit)
            world.officers[unit.pk] = officer
            # A colleague in the same unit: sees the unit's clients, but is not named staff
            # of a protected one (R10.5).
            world.users += [officer, build.user(Role.OFFICER, muni, unit=unit)]
        for provider in providers:
            staff = build.user(Role.PROVIDER_STAFF, muni, provider=provider)
            world.provider_staff[provider.pk] = staff
            world.users += [staff, build.user(Role.PROVIDER_MANAGER, muni, provider=provider)]
        for role in (
            Role.FEE_OFFICER,
            Role.PLACEMENT_UNIT,
            Role.LOV_ADMIN,
            Role.AIDS_CENTRE,
            Role.LOG_REVIEWER,
            Role.SYSTEM_ADMIN,
        ):
            world.users.append(build.user(role, muni))
        for c_index, (unit_index, order_specs, share) in enumerate(m_spec["clients"]):
            unit = units[unit_index]
            officer = world.officers[unit.pk]
            scope = f"m{m_index}u{unit_index}"
            if share and m_index > 0 and c_index < len(shared_numbers):
                number = shared_numbers[c_index]
            else:
                number = build.test_number()
            person = _register_client(world, rng, officer, scope, number=number, area=area)
            if m_index == 0:
                shared_numbers.append(person.personal_number)
            for o_index, (p_index, life) in enumerate(order_specs):
                summary = canaries.token(rng, scope)
                decision = record_decision(
                    officer,
                    person=person,
                    decided_on=today - timedelta(days=7),
                    assessment_summary=summary,
                    services=[
                        {
                            "service_type": "hemtjanst-omvardnad",
                            "scope_amount": "20",
                            "scope_unit": "hours_per_month",
                            "frequency": "morgon och kväll",
                        }
                    ],
                )
                world.decisions[decision.pk] = (muni.pk, unit.pk, person.pk)
                world.canaries.append(
                    CanaryRec(summary, "assessment", person.pk, decision=decision.pk)
                )
                provider = providers[p_index % len(providers)]
                instructions = canaries.token(rng, scope)
                order = orders.create_order(
                    officer, decision=decision, provider=provider, instructions=instructions
                )
                world.canaries.append(
                    CanaryRec(instructions, "order instructions", person.pk, order=order.pk)
                )
                world.orders[order.pk] = OrderRec(
                    muni.pk, unit.pk, provider.pk, person.pk, decision.pk, life in SENT_LIVES
                )
                if life == "cancelled_draft":
                    orders.cancel_order(officer, order, reason="Provning")
                if life in ("draft", "cancelled_draft"):
                    continue
                orders.send_order(officer, order)
                if life == "cancelled_sent":
                    orders.cancel_order(officer, order, reason="Provning")
                if life in ("sent", "cancelled_sent"):
                    continue
                actor = world.provider_staff[provider.pk] if provider.is_connected else officer
                channel = "" if provider.is_connected else "phone"
                orders.acknowledge_order(actor, order, channel=channel)
                if life == "acknowledged":
                    continue
                orders.register_start(actor, order, start_date=today, channel=channel)
                if (c_index + o_index) % 2 == 0:
                    what = canaries.token(rng, scope)
                    world.canaries.append(
                        CanaryRec(what, "plan text", person.pk, plan_order=order.pk)
                    )
                    plan = plans.start_plan(
                        actor,
                        order,
                        channel=channel,
                        what=what,
                        how="I lugnt tempo.",
                        when="Dagligen.",
                        by_whom="Ordinarie personal.",
                        participation="Den enskilde deltog.",
                    )
                    if c_index % 3:
                        plans.send_plan(actor, plan, channel=channel)
                subject, text = canaries.token(rng, scope), canaries.token(rng, scope)
                message = journal.send_message(
                    officer, person=person, order=order, subject=subject, body=text
                )
                world.canaries += [
                    CanaryRec(subject, "message subject", person.pk, message=message.pk),
                    CanaryRec(text, "message body", person.pk, message=message.pk),
                ]
                if provider.is_connected:
                    text = canaries.token(rng, scope)
                    journal.write_provider_entry(actor, order=order, text=text)
                    world.canaries.append(
                        CanaryRec(text, "provider journal", person.pk, order=order.pk)
                    )
                if life == "ended":
                    orders.end_order(actor, order, end_date=today, channel=channel)
                elif c_index % 2:
                    absences.receive_notice(
                        officer, person, kind="admission", occurred_at=clock.now(), text="In."
                    )
            if c_index % 3 == 2:  # after its orders went out (a protected one needs a briefing)
                _protect(officer, person)
        _plant_municipality_extras(world, rng, muni, units, area, m_index)
    world.refresh_derived()
    return world


def _register_client(world, rng, officer, scope, *, number, area, protect=False, position=None):
    """A client whose every field a reader outside its scope must not see is a canary."""
    from verkstall.journal import services as journal
    from verkstall.people import services as people

    tokens = {
        what: canaries.token(rng, scope)
        for what in (
            "first name",
            "last name",
            "street address",
            "city",
            "whereabouts",
            "phone",
            "relative's name",
            "relative's phone",
            "case journal",
        )
    }
    latitude, longitude = position or (None, None)
    person = people.register_person(
        officer,
        personal_number=number,
        first_name=tokens["first name"],
        last_name=tokens["last name"],
        street_address=tokens["street address"],
        postal_code="12345",
        city=tokens["city"],
        area=area.pk,
        phone=tokens["phone"],
        whereabouts=tokens["whereabouts"],
        relatives=[
            {
                "name": tokens["relative's name"],
                "relation": "Dotter",
                "phone": tokens["relative's phone"],
            }
        ],
        latitude=latitude,
        longitude=longitude,
    )
    world.persons[person.pk] = (person.municipality_id, person.unit_id)
    world.numbers[person.pk] = person.personal_number
    for what, text in tokens.items():
        protected_field = what not in ("first name", "last name", "case journal")
        world.canaries.append(CanaryRec(text, what, person.pk, protected_field=protected_field))
    journal.officer_write_case_entry(
        officer, person=person, title="Anteckning", text=tokens["case journal"]
    )
    if protect:
        _protect(officer, person)
    return person


def _protect(officer, person) -> None:
    from verkstall.core.errors import DomainError
    from verkstall.people import services as people
    from verkstall.people.models import Person, Protection

    try:
        people.set_protection(officer, person, protection=Protection.PROTECTED_REGISTRATION)
    except DomainError:  # should setting it ever need a second person: the flag alone
        Person.objects.filter(pk=person.pk).update(protection=Protection.PROTECTED_REGISTRATION)


# Provider units around each municipality's protected home (degrees north, east of it).
UNIT_OFFSETS = ((0.213, 0.0), (0.0, 0.377), (-0.291, -0.154))


def _plant_municipality_extras(world, rng, muni, units, area, m_index) -> None:
    """A protected client with a home position and a granted short-term stay (the
    nearest-units distances must not reach a reader who may not see the home, R10.5, R2.5),
    provider units at known distances, and an order sent by e-mail to a provider that takes
    its orders so (the e-mail and its PDF are scanned)."""
    from decimal import Decimal

    from verkstall.decisions.models import ServiceType
    from verkstall.decisions.services import record_decision
    from verkstall.orders import services as orders
    from verkstall.people.services import record_oral_briefing
    from verkstall.providers.models import ProviderUnit

    unit, officer = units[0], world.officers[units[0].pk]
    scope = f"m{m_index}u0"
    home = (57.5 + m_index * 0.61, 18.2 + m_index * 0.37)
    person = _register_client(
        world,
        rng,
        officer,
        scope,
        number=build.test_number(),
        area=area,
        protect=True,
        position=(f"{home[0]:.6f}", f"{home[1]:.6f}"),
    )
    provider = build.provider(muni, connected=False, channel=Channel.EMAIL)
    provider.email = f"order{provider.pk}@utforare.example"
    provider.save(update_fields=["email"])
    world.providers[provider.pk] = muni.pk
    world.connected[provider.pk] = False
    world.emailed[provider.email] = provider.pk
    staff = build.user(Role.PROVIDER_STAFF, muni, provider=provider)
    world.provider_staff[provider.pk] = staff
    world.users += [staff, build.user(Role.PROVIDER_MANAGER, muni, provider=provider)]
    stay = ServiceType.objects.get(code="korttidsboende")
    distances = []
    for i, (north, east) in enumerate(UNIT_OFFSETS):
        lat, lon = round(home[0] + north, 6), round(home[1] + east, 6)
        place = ProviderUnit.objects.create(
            municipality=muni,
            provider=provider,
            name=f"Korttidsboendet {i + 1}",
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lon:.6f}"),
        )
        place.service_types.add(stay)
        distances.append(canaries.haversine_km(home[0], home[1], lat, lon))
    summary = canaries.token(rng, scope)
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today() - timedelta(days=7),
        assessment_summary=summary,
        services=[{"service_type": "korttidsboende", "scope_amount": "1", "scope_unit": "place"}],
    )
    world.decisions[decision.pk] = (muni.pk, unit.pk, person.pk)
    world.canaries.append(CanaryRec(summary, "assessment", person.pk, decision=decision.pk))
    granted = decision.services.get()
    world.proximity[granted.pk] = ProximityRec(person.pk, unit.pk, distances)
    instructions = canaries.token(rng, scope)
    order = orders.create_order(
        officer, decision=decision, provider=provider, instructions=instructions
    )
    world.canaries.append(CanaryRec(instructions, "order instructions", person.pk, order=order.pk))
    world.orders[order.pk] = OrderRec(muni.pk, unit.pk, provider.pk, person.pk, decision.pk, True)
    record_oral_briefing(
        officer, order, told_name="Enhetschefen", told_at=clock.now() - timedelta(minutes=5)
    )  # R10.1
    from django.test import TestCase

    # E-mailed on commit: the first municipality's (a PDF takes a second to render).
    with TestCase.captureOnCommitCallbacks(execute=m_index == 0):
        orders.send_order(officer, order)


# --- the oracle --------------------------------------------------------------------------------


class Oracle:
    """What each user may see, computed in plain Python from the world (never from scoping)."""

    def __init__(self, world: World):
        self.w = world
        self._cache: dict[tuple[int, str], frozenset[int]] = {}

    def clear(self) -> None:
        self._cache.clear()

    def _memo(self, user, kind, compute) -> frozenset[int]:
        key = (user.pk, kind)
        if key not in self._cache:
            self._cache[key] = frozenset(compute())
        return self._cache[key]

    def orders(self, user) -> frozenset[int]:
        def compute():
            role, muni = user.role_enum, user.municipality_id
            for pk, o in self.w.orders.items():
                if o.muni != muni:
                    continue
                if (
                    (role == Role.OFFICER and o.unit == user.unit_id)
                    or role == Role.FEE_OFFICER
                    or (role in PROVIDER_ROLES and o.provider == user.provider_id and o.sent)
                ):
                    yield pk

        return self._memo(user, "orders", compute)

    def persons(self, user) -> frozenset[int]:
        def compute():
            role, muni = user.role_enum, user.municipality_id
            if role == Role.OFFICER:
                return [
                    p for p, (m, u) in self.w.persons.items() if m == muni and u == user.unit_id
                ]
            if role == Role.FEE_OFFICER:
                return [p for p, (m, _u) in self.w.persons.items() if m == muni]
            return [self.w.orders[o].person for o in self.orders(user)]

        return self._memo(user, "persons", compute)

    def decisions(self, user) -> frozenset[int]:
        def compute():
            role, muni = user.role_enum, user.municipality_id
            if role == Role.OFFICER:
                return [
                    d
                    for d, (m, u, _p) in self.w.decisions.items()
                    if (m, u) == (muni, user.unit_id)
                ]
            if role == Role.FEE_OFFICER:
                return [d for d, (m, _u, _p) in self.w.decisions.items() if m == muni]
            return [self.w.orders[o].decision for o in self.orders(user)]

        return self._memo(user, "decisions", compute)

    def plans(self, user) -> frozenset[int]:
        """Plans of the user's orders; a connected provider's draft is its own work (R5)."""

        def compute():
            orders = self.orders(user)
            for pk, (order, status) in self.w.plans.items():
                if order not in orders:
                    continue
                provider = self.w.orders[order].provider
                if status == "draft" and self.w.connected[provider] and not _provider(user):
                    continue
                yield pk

        return self._memo(user, "plans", compute)

    def messages(self, user) -> frozenset[int]:
        """Messages between the client's unit and the order's provider (R10.3)."""

        def compute():
            if user.role_enum not in (Role.OFFICER, *PROVIDER_ROLES):
                return []
            orders, persons = self.orders(user), self.persons(user)
            return [
                pk
                for pk, (person, order) in self.w.messages.items()
                if (order in orders if order is not None else person in persons)
            ]

        return self._memo(user, "messages", compute)

    def due_items(self, user) -> frozenset[int]:
        def compute():
            role, muni = user.role_enum, user.municipality_id
            orders, decisions = self.orders(user), self.decisions(user)
            for pk, (m, _person, order, decision) in self.w.due_items.items():
                if m != muni:
                    continue
                if role in (Role.PLACEMENT_UNIT, Role.AIDS_CENTRE, Role.FEE_OFFICER):
                    yield pk  # a role's own watchlist: at most its municipality's
                elif (order is not None and order in orders) or (
                    order is None and role == Role.OFFICER and decision in decisions
                ):
                    yield pk

        return self._memo(user, "due_items", compute)

    def receipts(self, user) -> frozenset[int]:
        def compute():
            if not _provider(user):
                return []
            orders = self.orders(user)
            return [pk for pk, order in self.w.receipts.items() if order in orders]

        return self._memo(user, "receipts", compute)

    def journal(self, user) -> frozenset[int]:
        def compute():
            if not _provider(user):
                return []
            orders = self.orders(user)
            return [pk for pk, order in self.w.journal.items() if order in orders]

        return self._memo(user, "journal", compute)

    def providers(self, user) -> frozenset[int]:
        return self._memo(
            user,
            "providers",
            lambda: [p for p, m in self.w.providers.items() if m == user.municipality_id],
        )

    def units(self, user) -> frozenset[int]:
        return self._memo(
            user, "units", lambda: [u for u, m in self.w.units.items() if m == user.municipality_id]
        )

    # References inside a response: the roles whose watchlist is municipality-wide may see the
    # client, order and decision a due item names; everyone else only their own.
    def ref_persons(self, user) -> frozenset[int]:
        if user.role_enum in (Role.PLACEMENT_UNIT, Role.AIDS_CENTRE):
            return self._memo(
                user,
                "ref_persons",
                lambda: [p for p, (m, _u) in self.w.persons.items() if m == user.municipality_id],
            )
        return self.persons(user)

    def ref_orders(self, user) -> frozenset[int]:
        if user.role_enum in (Role.PLACEMENT_UNIT, Role.AIDS_CENTRE):
            return self._memo(
                user,
                "ref_orders",
                lambda: [o for o, r in self.w.orders.items() if r.muni == user.municipality_id],
            )
        return self.orders(user)

    def ref_decisions(self, user) -> frozenset[int]:
        if user.role_enum in (Role.PLACEMENT_UNIT, Role.AIDS_CENTRE):
            return self._memo(
                user,
                "ref_decisions",
                lambda: [d for d, r in self.w.decisions.items() if r[0] == user.municipality_id],
            )
        return self.decisions(user)

    def forbidden(self, user, context: str = DETAIL) -> dict[str, str]:
        """Every canary the user must not find in a body read in `context` (DETAIL, LISTING or
        DOCUMENT), mapped to what it is: the canaries of every client, decision, order, plan
        and message outside the user's set; every personnummer form of a client outside it
        (unless a visible client shares it); and a protected client's address, phone,
        whereabouts and relatives unless the user is named staff and reads a detail (R10.5)."""
        key = (user.pk, f"forbidden-{context}")
        if key in self._cache:
            return self._cache[key]
        persons, orders = self.ref_persons(user), self.ref_orders(user)
        decisions, messages = self.ref_decisions(user), self.messages(user)
        named = persons  # whose name and personnummer the user may read
        if user.role_enum == Role.LOG_REVIEWER:  # the municipality's access log names them
            named = {p for p, (m, _u) in self.w.persons.items() if m == user.municipality_id}
        plan_of = {order: pk for pk, (order, _status) in self.w.plans.items()}
        plans = self.plans(user)
        found: dict[str, str] = {}
        for rec in self.w.canaries:
            if rec.message is not None:
                outside = rec.message not in messages
            elif rec.plan_order is not None:
                outside = plan_of.get(rec.plan_order) not in plans
            elif rec.order is not None:
                outside = rec.order not in orders
            elif rec.decision is not None:
                outside = rec.decision not in decisions
            elif rec.what in ("first name", "last name"):
                outside = rec.person not in named
            else:
                outside = rec.person not in persons
            protected = (
                rec.protected_field
                and rec.person in self.w.protected
                and (context != DETAIL or (rec.person, user.pk) not in self.w.grants)
            )
            if outside or protected:
                scope = "protected " if protected and not outside else ""
                found[rec.token] = f"{scope}{rec.what} of client {rec.person}"
        visible = {self.w.numbers[p] for p in named}
        for person, number in self.w.numbers.items():
            if person not in named and number not in visible:
                for form in canaries.number_forms(number):
                    found[form] = f"personnummer of client {person}"
        self._cache[key] = found
        return found

    def forbidden_numbers(self, user) -> list[bytes]:
        """Personnummer (12 digits, and 12 with the hyphen) that must never reach the user:
        those of every client outside the user's set, unless a visible client shares it."""
        key = (user.pk, "forbidden")
        if key not in self._cache:
            visible = {self.w.numbers[p] for p in self.ref_persons(user)}
            numbers = set(self.w.numbers.values()) - visible
            forms = set()
            for n in numbers:
                forms |= {n.encode(), f"{n[:8]}-{n[8:]}".encode()}
            self._cache[key] = frozenset(forms)
        return self._cache[key]


def _provider(user) -> bool:
    return user.role_enum in PROVIDER_ROLES


# --- the screens (issue 11: canaries in HTML, htmx partials, PDF and CSV too) ----------------

# Screens with an object in their path, and which object of the world fills each parameter.
SCREEN_OBJECTS: dict[str, dict[str, str]] = {
    "clients/{pk}/": {"pk": "person"},
    "clients/{pk}/protection/": {"pk": "person"},
    "clients/{pk}/protected-access/": {"pk": "person"},
    "clients/orders/{order_pk}/oral-briefing/": {"order_pk": "order"},
    "clients/{person_pk}/decisions/new/": {"person_pk": "person"},
    "decisions/{pk}/letter.pdf": {"pk": "decision"},
    "clients/{person_pk}/journal/": {"person_pk": "person"},
    "orders/{order_pk}/provider-journal/": {"order_pk": "order"},
    "messages/{pk}/": {"pk": "message"},
    **{
        f"orders/{{pk}}/{tail}": {"pk": "order"}
        for tail in (
            "",
            "document.pdf",
            "print/",
            "delivery/",
            "delivery/email/",
            "plan/",
            "plan/start/",
            "followups/",
            "followups/request/",
            "followups/record/",
            "followups/iub-request/",
            "absences/",
            "change/report/",
            "change/reissue/",
        )
    },
    **{
        f"orders/{{pk}}/plan/{{plan_pk}}/{step}/": {"plan_pk": "plan"}
        for step in ("save", "confirm", "review", "document")
    },
    "orders/{pk}/{action}/": {"pk": "order", "action": "action"},
    "switches/new/{order_pk}/": {"order_pk": "order"},
    "decisions/{decision_pk}/orders/new/": {"decision_pk": "decision"},
    "watchlist/{pk}/": {"pk": "due_item"},
    "notices/{pk}/acknowledge/": {"pk": "receipt"},
    "absences/short-term-stay/{person_pk}/": {"person_pk": "person"},
    "clients/{person_pk}/services/{granted_service_pk}/choice/": {
        "granted_service_pk": "granted_service"
    },
    "clients/{person_pk}/services/{granted_service_pk}/proximity/": {
        "granted_service_pk": "granted_service"
    },
    "rotation/assign/{granted_service_pk}/": {"granted_service_pk": "granted_service"},
}
# Screens the property does not walk, and why (tests/test_idor.py requests each of them with
# another organisation's object and scans the answers for that organisation's canaries).
SCREENS_NOT_WALKED = {
    "logout/": "ends the session",
    "clients/{pk}/protected-access/{grant_pk}/revoke/": "a POST of a grant",
    "clients/{pk}/protection-requests/{request_pk}/": "the world makes no protection requests",
    "clients/{person_pk}/journal/{entry_pk}/document/": "the world makes no uploads",
    "orders/{pk}/followups/{followup_pk}/answer/": "the world makes no follow-ups",
    "absences/{pk}/end/": "the world makes no absences",
    "absences/{pk}/report/": "the world makes no absences",
    "switches/{pk}/": "the world makes no switches",
    "switches/{pk}/{step}/": "the world makes no switches",
    "lov/contracts/{pk}/capacity/": "the world makes no contracts",
    "rotation/assignments/{pk}/": "the world makes no rotation assignments",
}


def _template(pattern: str) -> str:
    """`orders/<int:pk>/` -> `orders/{pk}/` (as tests/test_idor.py writes routes)."""
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.replace("^", "").replace("$", "").replace("\\.", ".")


_SCREEN_ROUTES: list = []


def screen_routes() -> list[tuple[str, object]]:
    """(template, view) of every screen in the URL conf: not the API, not Django's admin."""
    from verkstall.access import declarations

    if not _SCREEN_ROUTES:
        for pattern, callback, namespaces, _name in declarations.walk_urls():
            if "admin" in namespaces or declarations.is_api_view(callback):
                continue
            _SCREEN_ROUTES.append((_template(pattern), callback))
    return _SCREEN_ROUTES


def unwalked_screens() -> list[str]:
    """Screens with an object in their path that neither SCREEN_OBJECTS nor
    SCREENS_NOT_WALKED names: a new screen cannot be left out silently."""
    return sorted(
        t
        for t, _cb in screen_routes()
        if "{" in t and t not in SCREEN_OBJECTS and t not in SCREENS_NOT_WALKED
    )


# --- the checker -----------------------------------------------------------------------------


@dataclass
class Stats:
    operations: Counter = field(default_factory=Counter)  # by kind
    endpoints: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    outside_refused: int = 0  # requests for an id outside the user's set, all 403/404
    ids_checked: int = 0  # ids in responses checked against the oracle
    writes_done: int = 0  # writes that succeeded inside the user's set
    worlds: int = 0
    crossings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    scanner: canaries.Scanner = field(default_factory=canaries.Scanner)
    distance_checks: int = 0  # nearest-units answers and screens checked for a protected home

    @property
    def canary_hits(self) -> list[str]:
        return self.scanner.hits

    @property
    def total(self) -> int:
        return sum(self.operations.values())

    def report(self) -> str:
        lines = [
            f"worlds generated: {self.worlds}",
            f"operations: {self.total} ("
            + ", ".join(f"{k} {self.operations[k]}" for k in OPERATION_KINDS)
            + ")",
            f"ids checked against the oracle: {self.ids_checked}",
            f"requests for another organisation's id, refused 403/404: {self.outside_refused}",
            f"writes inside the user's own scope that succeeded: {self.writes_done}",
            "statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items())),
            f"crossings found: {len(self.crossings)}",
            f"server errors: {len(self.errors)}",
            self.scanner.report(),
            f"distances to a protected client's home checked: {self.distance_checks}",
            f"time: {self.seconds:.1f} s",
        ]
        for line in (self.crossings + self.errors)[:50]:
            lines.append("  " + line)
        for line in self.canary_hits[:100]:
            lines.append("  canary: " + line)
        return "\n".join(lines)


REF_KEYS = ("person", "order", "decision", "provider", "unit")
READ_KINDS = {
    "persons": "persons",
    "decisions": "decisions",
    "orders": "orders",
    "plans": "plans",
    "messages": "messages",
    "due-items": "due_items",
    "notice-receipts": "receipts",
    "providers": "providers",
}
# Reads that must answer 200 for a declared role whose set holds the id (so the oracle is not
# vacuous); the others are only checked for not crossing.
STRICT_READS = {"persons", "decisions", "orders"}
ORDER_ACTIONS = {
    "send": lambda today: {},
    "acknowledge": lambda today: {"channel": "phone"},
    "start": lambda today: {"start_date": today, "channel": "phone"},
    "end": lambda today: {"end_date": today, "channel": "phone"},
    "cancel": lambda today: {"reason": "Provning"},
}


def _fingerprint() -> tuple:
    """Every row an API write can touch, summarised: a refused write must leave it as it was."""
    from verkstall.absences.models import NoticeReceipt
    from verkstall.decisions.models import Decision
    from verkstall.journal.models import Message, MessageReceipt, ProviderJournalEntry
    from verkstall.orders.models import Order, OrderEvent
    from verkstall.people.models import OralBriefing, Person, ProtectedDataAccess
    from verkstall.plans.models import ImplementationPlan

    return (
        OrderEvent.objects.count(),
        tuple(Order.objects.values_list("state").annotate(n=Count("pk")).order_by("state")),
        Decision.objects.count(),
        tuple(Person.objects.aggregate(n=Count("pk"), t=Max("updated_at")).values()),
        Message.objects.count(),
        MessageReceipt.objects.count(),
        ProviderJournalEntry.objects.count(),
        tuple(
            ImplementationPlan.objects.values_list("status")
            .annotate(n=Count("pk"))
            .order_by("status")
        ),
        NoticeReceipt.objects.filter(acknowledged_at__isnull=False).count(),
        OralBriefing.objects.count(),
        ProtectedDataAccess.objects.count(),
    )


class Checker:
    def __init__(self, world: World, stats: Stats, rng):
        from rest_framework.test import APIClient

        self.w = world
        self.oracle = Oracle(world)
        self.stats = stats
        self.rng = rng
        self.today = clock.today().isoformat()
        self.clients = {}
        for user in world.users:
            client = APIClient()
            client.force_authenticate(user)
            self.clients[user.pk] = client
        self.screen_clients = {}  # logged in on first use (a session row each)
        self.mail_seen = 0

    # -- helpers --

    def _screen_client(self, user):
        from django.test import Client

        if user.pk not in self.screen_clients:
            client = Client()
            client.force_login(user)
            self.screen_clients[user.pk] = client
        return self.screen_clients[user.pk]

    def _fmt(self) -> str | None:
        """A GET's rendering: JSON mostly; the browsable API (`?format=api` or an HTML
        Accept header, as the test settings keep it) a quarter of the time."""
        roll = self.rng.random()
        return "api" if roll < 0.12 else "accept" if roll < 0.25 else None

    def _scan(self, user, response, *, where, context, htmx=False, browsable=False, extra=None):
        """Scan a body for the canaries the user must not see (issue 11)."""
        kind = canaries.response_kind(response, htmx=htmx, browsable=browsable)
        if kind in ("pdf", "csv"):
            context = DOCUMENT
        text = canaries.response_text(response)
        forbidden = self.oracle.forbidden(user, context)
        scanner = self.stats.scanner
        before = len(scanner.hits)
        scanner.scan(text, forbidden, kind=kind, where=f"{user.username} ({user.role}): {where}")
        for form, what in (extra or {}).items():
            if form in text:
                scanner.hits.append(f"{user.username}: {where} [{kind}]: {what} {form!r}")
        return len(scanner.hits) == before

    def scan_mail(self) -> None:
        """Every e-mail sent since the last look, read as its recipient provider would:
        nothing of an order not sent to it, nothing protected (a document, R10.5)."""
        from django.core import mail

        outbox = getattr(mail, "outbox", [])
        for message in outbox[self.mail_seen :]:
            provider = next((self.w.emailed[a] for a in message.to if a in self.w.emailed), None)
            reader = self.w.provider_staff.get(provider)
            if reader is None:
                self.stats.errors.append(f"e-mail to an unknown recipient: {message.to}")
                continue
            forbidden = self.oracle.forbidden(reader, DOCUMENT)
            for kind, text in canaries.message_texts(message):
                self.stats.scanner.scan(
                    text, forbidden, kind=kind, where=f"e-mail to {', '.join(message.to)}"
                )
        self.mail_seen = len(outbox)

    def _crossing(self, user, what: str) -> None:
        self.stats.crossings.append(f"{user.username} ({user.role}): {what}")

    def _pick(self, ids, own=None) -> int:
        """An id of any organisation (mostly another's); half the time, when `own` (the
        user's set) is given, one of the user's own, so the answers inside are checked too."""
        if own and self.rng.random() < 0.5:
            return self.rng.choice(sorted(own))
        ids = sorted(ids)
        if not ids or self.rng.random() < 0.03:
            return (max(ids) if ids else 0) + self.rng.randint(1, 50)  # no such row
        return self.rng.choice(ids)

    def _call(
        self,
        user,
        method: str,
        url: str,
        data=None,
        *,
        endpoint: str,
        headers=None,
        fmt: str | None = None,
        context: str = DETAIL,
        screen: bool = False,
        htmx: bool = False,
        extra: dict[str, str] | None = None,
    ):
        """One request; its body (whatever the status below 500) is scanned for canaries,
        and so is every e-mail it sent (on-commit hooks run, as after a real request)."""
        from django.test import TestCase

        label = "SCREEN" if screen else method.upper()
        self.stats.endpoints[f"{label} {endpoint}" + (f" ({fmt})" if fmt else "")] += 1
        headers = dict(headers or {})
        if fmt == "accept":
            headers["Accept"] = "text/html"
        if htmx:
            headers["HX-Request"] = "true"
        data = dict(data or {})
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                if screen:
                    client = self._screen_client(user)
                    response = getattr(client, method)(url, data, headers=headers)
                elif method == "get":
                    if fmt == "api":
                        data["format"] = "api"
                    response = self.clients[user.pk].get(url, data, headers=headers)
                else:
                    response = getattr(self.clients[user.pk], method)(
                        url, data, format="json", headers=headers
                    )
        except Exception as exc:  # a server error inside the test client
            self.stats.errors.append(f"{user.username}: {method.upper()} {url}: {exc!r}")
            return None
        self.stats.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.stats.errors.append(
                f"{user.username}: {method.upper()} {url}: {response.status_code}"
            )
            return None
        query = "&".join(f"{k}={v}" for k, v in data.items() if k != "limit")
        where = f"{method.upper()} {url}" + (f"?{query}" if query and method == "get" else "")
        if fmt == "accept":
            where += " (Accept: text/html)"
        self._scan(
            user,
            response,
            where=where,
            context=context,
            htmx=htmx,
            browsable=fmt is not None,
            extra=extra,
        )
        return response

    def _check_body(self, user, response, what: str) -> None:
        """No personnummer of a client outside the user's set, and no reference outside it."""
        content = response.content
        for form in self.oracle.forbidden_numbers(user):
            if form in content:
                self._crossing(user, f"{what}: personnummer {form.decode()} in the response")
        try:
            body = response.json()
        except ValueError:
            return
        self._check_refs(user, body, what)

    def _check_refs(self, user, node, what: str) -> None:
        if isinstance(node, list):
            for item in node:
                self._check_refs(user, item, what)
            return
        if not isinstance(node, dict):
            return
        allowed = {
            "person": self.oracle.ref_persons,
            "order": self.oracle.ref_orders,
            "decision": self.oracle.ref_decisions,
            "provider": self.oracle.providers,
            "unit": self.oracle.units,
        }
        for key, value in node.items():
            if key in allowed:
                ref = value.get("id") if isinstance(value, dict) else value
                if isinstance(ref, int):
                    self.stats.ids_checked += 1
                    if ref not in allowed[key](user):
                        self._crossing(user, f"{what}: refers to {key} {ref}")
            if isinstance(value, dict | list):
                self._check_refs(user, value, what)

    def _rows(self, body) -> list:
        if isinstance(body, dict):
            return body.get("results", [])
        return body if isinstance(body, list) else []

    def _check_rows(self, user, response, kind: str, what: str) -> None:
        visible = getattr(self.oracle, READ_KINDS.get(kind, kind))(user)
        body = response.json()
        rows = self._rows(body)
        for row in rows:
            self.stats.ids_checked += 1
            if row.get("id") not in visible:
                self._crossing(user, f"{what}: lists {kind} {row.get('id')}")
        # A count is data too: one that counts rows it does not show reveals them (a "count
        # of one" for a protected client another unit searched for).
        if (
            isinstance(body, dict)
            and "count" in body
            and body.get("next") is None
            and body["count"] != len(rows)
        ):
            self._crossing(user, f"{what}: count {body['count']} for {len(rows)} rows")

    def _declared(self, viewset: str, action: str, user) -> bool:
        from verkstall.access import declarations

        access = declarations.API[viewset].get(action) or declarations.API[viewset].get("*")
        return access is not None and user.role_enum in access.roles

    # -- operations --

    def run(self, n: int) -> None:
        kinds = [READ] * 4 + [LIST] * 2 + [SEARCH] * 2 + [TRANSITION] * 2 + [SCREEN] * 2
        # Mostly the roles that see clients (their boundaries are the fine ones); the others
        # a quarter of the time (they must be refused or see nothing).
        client_roles = (Role.OFFICER, Role.FEE_OFFICER, *PROVIDER_ROLES)
        seeing = [u for u in self.w.users if u.role_enum in client_roles]
        others = [u for u in self.w.users if u.role_enum not in client_roles]
        toured = self.tour(n // 4)
        self.stats.operations[SCREEN] += toured
        for _ in range(n - toured):
            user = self.rng.choice(seeing if self.rng.random() < 0.75 else others)
            kind = self.rng.choice(kinds)
            getattr(self, f"op_{kind}")(user)
            self.stats.operations[kind] += 1
            self.scan_mail()  # after the world learnt what the operation did

    def op_list(self, user) -> None:
        any_person = self._pick(self.w.persons, self.oracle.persons(user))
        any_order = self._pick(self.w.orders, self.oracle.orders(user))
        choices = [
            ("persons", "/api/persons/", {}),
            ("decisions", "/api/decisions/", {}),
            ("decisions", "/api/decisions/", {"person": any_person}),
            ("orders", "/api/orders/", {}),
            ("orders", "/api/orders/", {"state": self.rng.choice(["sent", "started", "draft"])}),
            ("plans", "/api/plans/", {}),
            ("plans", "/api/plans/", {"order": any_order}),
            ("messages", "/api/messages/", {}),
            ("messages", "/api/messages/", {"box": "out"}),
            ("due-items", "/api/due-items/", {}),
            (
                "due-items",
                "/api/due-items/",
                {"scope": self.rng.choice(["mine", "unit", "provider", "provider_unit", "role"])},
            ),
            ("due-items", "/api/due-items/", {"person": any_person}),
            ("notice-receipts", "/api/notice-receipts/", {}),
            ("providers", "/api/providers/", {}),
            ("journal", "/api/provider-journal/", {"order": any_order}),
            ("contracts", "/api/providers/contracts/", {}),
        ]
        kind, url, params = self.rng.choice(choices)
        params = {**params, "limit": 1000}
        fmt = self._fmt()
        response = self._call(user, "get", url, params, endpoint=url, fmt=fmt, context=LISTING)
        if response is None or response.status_code != 200 or fmt:
            return
        what = f"GET {url}?{params}"
        if kind != "contracts":
            self._check_rows(user, response, kind, what)
        self._check_body(user, response, what)

    def op_read(self, user) -> None:
        kinds = [*READ_KINDS, "oral-briefings", "protected-access"]
        if user.role_enum == Role.OFFICER:
            kinds.append("nearest-units")
        kind = self.rng.choice(kinds)
        fmt = self._fmt()
        if kind == "nearest-units":
            self._nearest_units(user, fmt)
            return
        if kind == "oral-briefings":
            visible = self.oracle.orders(user)
            pk = self._pick(self.w.orders, visible)
            url, endpoint = f"/api/orders/{pk}/oral-briefings/", "/api/orders/{id}/oral-briefings/"
        elif kind == "protected-access":
            visible = self.oracle.persons(user)
            pk = self._pick(self.w.persons, visible)
            url = f"/api/persons/{pk}/protected-access/"
            endpoint = "/api/persons/{id}/protected-access/"
        else:
            source = {
                "persons": self.w.persons,
                "decisions": self.w.decisions,
                "orders": self.w.orders,
                "plans": self.w.plans,
                "messages": self.w.messages,
                "due-items": self.w.due_items,
                "notice-receipts": self.w.receipts,
                "providers": self.w.providers,
            }[kind]
            visible = getattr(self.oracle, READ_KINDS[kind])(user)
            pk = self._pick(source, visible)
            url, endpoint = f"/api/{kind}/{pk}/", f"/api/{kind}/{{id}}/"
        response = self._call(user, "get", url, endpoint=endpoint, fmt=fmt)
        if response is None:
            return
        what = f"GET {url}" + (f" ({fmt})" if fmt else "")
        if pk not in visible:
            if response.status_code in (403, 404):
                self.stats.outside_refused += 1
            else:
                self._crossing(user, f"{what}: {response.status_code} for an id outside the set")
            return
        if response.status_code == 200:
            if fmt:
                return
            if kind in READ_KINDS and response.json().get("id") != pk:
                self._crossing(user, f"{what}: answered another object")
            self._check_body(user, response, what)
        elif kind in STRICT_READS and response.status_code != 403:
            viewset = {
                "persons": "verkstall.people.api.PersonViewSet",
                "decisions": "verkstall.decisions.api.DecisionViewSet",
                "orders": "verkstall.orders.api.OrderViewSet",
            }[kind]
            if self._declared(viewset, "retrieve", user):
                self._crossing(user, f"{what}: {response.status_code} for its own {kind}")

    def op_search(self, user) -> None:
        pk = self._pick(self.w.persons, self.oracle.persons(user))
        number = self.w.numbers.get(pk, "191212121212")
        first, last = (f"Förnamn{pk}", f"Efternamn{pk}")
        from verkstall.people.models import Person

        row = Person.objects.filter(pk=pk).values("first_name", "last_name").first()
        if row:
            first, last = row["first_name"], row["last_name"]
        forms = [
            ("12", number),
            ("12-", f"{number[:8]}-{number[8:]}"),
            ("10", number[2:]),
            ("10-", f"{number[2:8]}-{number[8:]}"),
            ("birth", number[:8]),
            ("last4", number[-4:]),
            ("part", number[4:10]),
            ("last", last),
            ("first", first),
            ("full", f"{first} {last}"),
            ("partname", last[:6]),
        ]
        form, q = self.rng.choice(forms)
        # The search goes in a header: a personnummer never travels in the address (issue 11).
        response = self._call(
            user,
            "get",
            "/api/persons/",
            {"limit": 1000},
            endpoint="/api/persons/ X-Search-Query",
            headers={"X-Search-Query": q},
            context=LISTING,
        )
        if response is None or response.status_code != 200:
            return
        what = f"GET /api/persons/ X-Search-Query=<{form} of person {pk}>"
        self._check_rows(user, response, "persons", what)
        self._check_body(user, response, what)
        if form in ("12", "12-") and pk in self.oracle.persons(user):
            found = {row["id"] for row in self._rows(response.json())}
            if pk not in found:
                self._crossing(user, f"{what}: its own client not found (search is vacuous)")

    def op_transition(self, user) -> None:
        choice = self.rng.random()
        if choice < 0.5:
            pk = self._pick(self.w.orders, self.oracle.orders(user))
            action = self.rng.choice(list(ORDER_ACTIONS))
            body = ORDER_ACTIONS[action](self.today)
            order = self.w.orders.get(pk)
            if order is None or self.w.connected[order.provider]:
                body.pop("channel", None)
            self._write(
                user,
                f"/api/orders/{pk}/{action}/",
                body,
                visible=pk in self.oracle.orders(user),
                endpoint=f"/api/orders/{{id}}/{action}/",
                on_success=lambda response: self._after_order_action(pk, action),
            )
        elif choice < 0.6:
            pk = self._pick(self.w.persons, self.oracle.persons(user))
            self._write(
                user,
                f"/api/persons/{pk}/",
                {"phone": f"070-{self.rng.randint(100000, 999999)}"},
                method="patch",
                visible=pk in self.oracle.persons(user),
                endpoint="/api/persons/{id}/",
            )
        elif choice < 0.67:
            pk = self._pick(self.w.plans, self.oracle.plans(user))
            self._write(
                user,
                f"/api/plans/{pk}/confirm/",
                {},
                visible=pk in self.oracle.plans(user),
                endpoint="/api/plans/{id}/confirm/",
            )
        elif choice < 0.74:
            pk = self._pick(self.w.messages, self.oracle.messages(user))
            self._write(
                user,
                f"/api/messages/{pk}/read/",
                {},
                visible=pk in self.oracle.messages(user),
                endpoint="/api/messages/{id}/read/",
            )
        elif choice < 0.8:
            pk = self._pick(self.w.receipts, self.oracle.receipts(user))
            self._write(
                user,
                f"/api/notice-receipts/{pk}/acknowledge/",
                {"channel": "phone"},
                visible=pk in self.oracle.receipts(user),
                endpoint="/api/notice-receipts/{id}/acknowledge/",
            )
        elif choice < 0.87:
            pk = self._pick(self.w.orders, self.oracle.orders(user))
            self._write(
                user,
                "/api/messages/",
                {"order": pk, "subject": "Fråga", "body": "Hur går det?"},
                visible=pk in self.oracle.orders(user),
                endpoint="/api/messages/",
                body_ref=True,
            )
        elif choice < 0.93:
            pk = self._pick(self.w.orders, self.oracle.orders(user))
            self._write(
                user,
                "/api/provider-journal/",
                {"order": pk, "text": "Besök gjort."},
                visible=pk in self.oracle.orders(user),
                endpoint="/api/provider-journal/",
                body_ref=True,
            )
        else:
            pk = self._pick(self.w.decisions, self.oracle.decisions(user))
            provider = self._pick(self.w.providers, self.oracle.providers(user))
            self._write(
                user,
                "/api/orders/",
                {"decision": pk, "provider": provider},
                visible=pk in self.oracle.decisions(user),
                endpoint="/api/orders/",
                body_ref=True,
                on_success=lambda response: self._after_order_create(user, response, provider),
            )

    def _write(
        self, user, url, body, *, visible, endpoint, method="post", body_ref=False, on_success=None
    ):
        before = _fingerprint()
        response = self._call(user, method, url, body, endpoint=endpoint)
        if response is None:
            return
        what = f"{method.upper()} {url}"
        if not visible:
            refused = (400, 403, 404) if body_ref else (403, 404)
            if response.status_code in refused:
                self.stats.outside_refused += 1
            else:
                self._crossing(user, f"{what}: {response.status_code} for an id outside the set")
            if _fingerprint() != before:
                self._crossing(user, f"{what}: a refused write changed rows")
            return
        if response.status_code in (200, 201):
            self.stats.writes_done += 1
            self._check_body(user, response, what)
            if on_success is not None:
                on_success(response)
            self.w.refresh_derived()
            self.oracle.clear()
        elif _fingerprint() != before:
            self._crossing(user, f"{what}: {response.status_code} but rows changed")

    def _after_order_action(self, pk: int, action: str) -> None:
        if action == "send":
            self.w.orders[pk].sent = True

    def _after_order_create(self, user, response, provider: int) -> None:
        data = response.json()
        decision = self.w.decisions[data["decision"]]
        if self.w.providers.get(provider) != decision[0]:
            self._crossing(
                user, f"POST /api/orders/: order to provider {provider} of another municipality"
            )
        self.w.orders[data["id"]] = OrderRec(
            decision[0], decision[1], provider, decision[2], data["decision"], False
        )

    # -- canaries: numbers derived from protected data, and the screens --

    def _nearest_units(self, user, fmt) -> None:
        """`GET /api/providers/nearest-units/`: no distance to a protected client's home for a
        reader who is not named staff (the distances give the home away, R10.5, R2.5)."""
        own = [g for g, r in self.w.proximity.items() if r.person in self.oracle.persons(user)]
        granted = self._pick(self.w.proximity, own)
        rec = self.w.proximity.get(granted)
        hidden = rec is not None and (
            rec.person in self.w.protected and (rec.person, user.pk) not in self.w.grants
        )
        extra = self._distance_forms(rec) if hidden else None
        response = self._call(
            user,
            "get",
            "/api/providers/nearest-units/",
            {"granted_service": granted},
            endpoint="/api/providers/nearest-units/",
            fmt=fmt,
            extra=extra,
        )
        if response is None or rec is None:
            return
        what = f"GET /api/providers/nearest-units/?granted_service={granted}"
        if rec.person not in self.oracle.persons(user):
            if response.status_code == 200:
                self._crossing(user, f"{what}: 200 for another unit's client")
            return
        if hidden and response.status_code == 200 and not fmt:
            self.stats.distance_checks += 1
            shown = [r.get("distance_km") for r in response.json() if r.get("distance_km")]
            if shown:
                self.stats.scanner.hits.append(
                    f"{user.username} ({user.role}): {what} [json]: distances {shown} to the "
                    f"home of protected client {rec.person}"
                )

    def _distance_forms(self, rec) -> dict[str, str]:
        return {
            form: f"distance to the home of protected client {rec.person}"
            for km in rec.distances
            for form in canaries.distance_forms(km)
        }

    def screen_kwargs(self, template: str, user, own: bool = True) -> dict | None:
        """Path parameters for a screen, of the user's own objects (`own`) or of anyone's."""
        spec = SCREEN_OBJECTS.get(template)
        if spec is None:
            return None
        o = self.oracle
        pools = {
            "person": (self.w.persons, o.persons(user)),
            "order": (self.w.orders, o.orders(user)),
            "decision": (self.w.decisions, o.decisions(user)),
            "message": (self.w.messages, o.messages(user)),
            "due_item": (self.w.due_items, o.due_items(user)),
            "receipt": (self.w.receipts, o.receipts(user)),
            "plan": (self.w.plans, o.plans(user)),
            "granted_service": (
                self.w.proximity,
                [g for g, r in self.w.proximity.items() if r.person in o.persons(user)],
            ),
        }
        kwargs = {}
        for name, kind in spec.items():
            if kind == "action":
                kwargs[name] = self.rng.choice(list(ORDER_ACTIONS))
                continue
            every, mine = pools[kind]
            if own:
                if not mine:
                    return None
                kwargs[name] = self.rng.choice(sorted(mine))
            else:
                kwargs[name] = self._pick(every, mine)
        # A plan is asked for under its own order; a granted service under its own client.
        if "plan_pk" in kwargs and kwargs["plan_pk"] in self.w.plans:
            kwargs["pk"] = self.w.plans[kwargs["plan_pk"]][0]
        if "granted_service_pk" in kwargs and kwargs["granted_service_pk"] in self.w.proximity:
            kwargs["person_pk"] = self.w.proximity[kwargs["granted_service_pk"]].person
        kwargs.setdefault("pk", kwargs.get("plan_pk", 0))
        kwargs.setdefault("person_pk", 0)
        return kwargs

    def screen(self, user, template: str, *, own: bool = True, htmx: bool = False) -> None:
        kwargs = self.screen_kwargs(template, user, own) if "{" in template else {}
        if kwargs is None:
            return
        url = "/" + template.format(**kwargs)
        data = {}
        if template == "clients/":
            pk = self._pick(self.w.persons, self.oracle.persons(user))
            data = {"q": self.rng.choice([self.w.numbers.get(pk, "1"), "KANARIE"])}
        extra = None
        rec = self.w.proximity.get(kwargs.get("granted_service_pk"))
        if rec and rec.person in self.w.protected and (rec.person, user.pk) not in self.w.grants:
            extra = self._distance_forms(rec)
            self.stats.distance_checks += 1
        self._call(
            user,
            "get",
            url,
            data,
            endpoint=template,
            screen=True,
            htmx=htmx,
            context=DETAIL if kwargs else LISTING,
            extra=extra,
        )

    def declared_screens(self, user) -> list[str]:
        from verkstall.access import declarations

        return [
            template
            for template, callback in screen_routes()
            if template not in SCREENS_NOT_WALKED
            and user.role_enum in declarations.for_view(callback).roles
        ]

    def op_screen(self, user) -> None:
        templates = self.declared_screens(user)
        if self.rng.random() < 0.9:  # a PDF takes a second to render: a tenth as often
            templates = [t for t in templates if not t.endswith(".pdf")]
        if not templates:
            return
        self.screen(
            user,
            self.rng.choice(templates),
            own=self.rng.random() < 0.7,
            htmx=self.rng.random() < 0.3,
        )

    def tour(self, budget: int) -> int:
        """Every screen of one user of each role of the first municipality, with their own
        objects, documents (PDF, CSV) first, lists again as htmx partials; at most `budget`
        requests. Returns how many were made."""
        muni = self.w.users[0].municipality_id
        seen_roles, visits = set(), []
        for user in self.w.users:
            if user.municipality_id != muni or user.role_enum in seen_roles:
                continue
            seen_roles.add(user.role_enum)
            for template in self.declared_screens(user):
                visits.append((user, template, False))
                if "{" not in template:
                    visits.append((user, template, True))
        self.rng.shuffle(visits)
        # Documents first, once each; PDFs (a second each to render) only until a few are.
        documents, others, done = [], [], set()
        for visit in visits:
            template = visit[1]
            if template.endswith((".csv", ".pdf")):
                if template not in done and not (
                    template.endswith(".pdf") and self.stats.scanner.scanned["pdf"] >= 4
                ):
                    documents.append(visit)
                done.add(template)
            else:
                others.append(visit)
        visits = (documents + others)[:budget]
        for user, template, htmx in visits:
            self.screen(user, template, htmx=htmx)
        return len(visits)


# --- the property ----------------------------------------------------------------------------


def prove(
    reads: int, *, ops_per_example: int = DEFAULT_OPS_PER_EXAMPLE, seed: int = 20261126
) -> Stats:
    """Generate worlds and run `reads` operations across organisations in them; each world is
    rolled back after its operations. Deterministic for a given seed."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    stats = Stats()
    started = time.monotonic()
    round_ = 0
    while stats.total < reads:
        remaining = reads - stats.total
        examples = math.ceil(remaining / ops_per_example)

        @hypothesis_seed(seed + round_)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(spec=world_specs(), ops_seed=st.integers(0, 2**32 - 1))
        def one_world(spec, ops_seed):
            n = min(ops_per_example, reads - stats.total)
            if n <= 0:
                return
            from django.core import mail

            with transaction.atomic():
                rng = random.Random(ops_seed)
                mail.outbox = []
                world = build_world(spec, rng)
                stats.worlds += 1
                checker = Checker(world, stats, rng)
                checker.scan_mail()
                checker.run(n)
                transaction.set_rollback(True)

        one_world()
        round_ += 1
    stats.seconds = time.monotonic() - started
    return stats
