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
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core import clock
from verkstall.core import testing as build
from verkstall.providers.models import Channel

LIVES = ("draft", "sent", "acknowledged", "started", "ended", "cancelled_draft", "cancelled_sent")
PROFILES = ("stockholm-hv", "gotland", "solna-boendestod", "kundval-004")
SENT_LIVES = frozenset(LIVES) - {"draft", "cancelled_draft"}
DEFAULT_OPS_PER_EXAMPLE = 250

# Operation kinds as counted in the figures.
READ, LIST, SEARCH, TRANSITION = "read", "list", "search", "transition"


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


def build_world(spec) -> World:
    """Make the world through the real services (the way conftest's World.order walks one)."""
    from verkstall.absences import services as absences
    from verkstall.decisions.services import record_decision
    from verkstall.journal import services as journal
    from verkstall.orders import services as orders
    from verkstall.people.services import register_person
    from verkstall.plans import services as plans

    world = World()
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
            providers.append(provider)
            world.providers[provider.pk] = muni.pk
            world.connected[provider.pk] = connected
        for unit in units:
            officer = build.user(Role.OFFICER, muni, unit=unit)
            world.officers[unit.pk] = officer
            world.users.append(officer)
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
            if share and m_index > 0 and c_index < len(shared_numbers):
                number = shared_numbers[c_index]
            else:
                number = build.test_number()
            person = register_person(
                officer,
                personal_number=number,
                first_name=f"Förnamn{m_index}x{c_index}",
                last_name=f"Efternamn{m_index}x{c_index}",
                street_address="Provgatan 1",
                postal_code="12345",
                city="Provstad",
                area=area.pk,
                phone="08-100 00",
            )
            if m_index == 0:
                shared_numbers.append(person.personal_number)
            world.persons[person.pk] = (muni.pk, unit.pk)
            world.numbers[person.pk] = person.personal_number
            for o_index, (p_index, life) in enumerate(order_specs):
                decision = record_decision(
                    officer,
                    person=person,
                    decided_on=today - timedelta(days=7),
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
                provider = providers[p_index % len(providers)]
                order = orders.create_order(officer, decision=decision, provider=provider)
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
                    plan = plans.start_plan(
                        actor,
                        order,
                        channel=channel,
                        what="Stöd morgon och kväll.",
                        how="I lugnt tempo.",
                        when="Dagligen.",
                        by_whom="Ordinarie personal.",
                        participation="Den enskilde deltog.",
                    )
                    if c_index % 3:
                        plans.send_plan(actor, plan, channel=channel)
                journal.send_message(
                    officer, person=person, order=order, subject="Fråga", body="Hur går det?"
                )
                if provider.is_connected:
                    journal.write_provider_entry(actor, order=order, text="Besök gjort.")
                if life == "ended":
                    orders.end_order(actor, order, end_date=today, channel=channel)
                elif c_index % 2:
                    absences.receive_notice(
                        officer, person, kind="admission", occurred_at=clock.now(), text="In."
                    )
    world.refresh_derived()
    return world


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

    @property
    def total(self) -> int:
        return sum(self.operations.values())

    def report(self) -> str:
        lines = [
            f"worlds generated: {self.worlds}",
            f"operations: {self.total} ("
            + ", ".join(f"{k} {self.operations[k]}" for k in (READ, LIST, SEARCH, TRANSITION))
            + ")",
            f"ids checked against the oracle: {self.ids_checked}",
            f"requests for another organisation's id, refused 403/404: {self.outside_refused}",
            f"writes inside the user's own scope that succeeded: {self.writes_done}",
            "statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items())),
            f"crossings found: {len(self.crossings)}",
            f"server errors: {len(self.errors)}",
            f"time: {self.seconds:.1f} s",
        ]
        for line in (self.crossings + self.errors)[:50]:
            lines.append("  " + line)
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

    # -- helpers --

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

    def _call(self, user, method: str, url: str, data=None, *, endpoint: str):
        self.stats.endpoints[f"{method.upper()} {endpoint}"] += 1
        client = self.clients[user.pk]
        try:
            if method == "get":
                response = client.get(url, data or {})
            else:
                response = getattr(client, method)(url, data or {}, format="json")
        except Exception as exc:  # a server error inside the test client
            self.stats.errors.append(f"{user.username}: {method.upper()} {url}: {exc!r}")
            return None
        self.stats.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.stats.errors.append(
                f"{user.username}: {method.upper()} {url}: {response.status_code}"
            )
            return None
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
        for row in self._rows(response.json()):
            self.stats.ids_checked += 1
            if row.get("id") not in visible:
                self._crossing(user, f"{what}: lists {kind} {row.get('id')}")

    def _declared(self, viewset: str, action: str, user) -> bool:
        from verkstall.access import declarations

        access = declarations.API[viewset].get(action) or declarations.API[viewset].get("*")
        return access is not None and user.role_enum in access.roles

    # -- operations --

    def run(self, n: int) -> None:
        kinds = [READ] * 4 + [LIST] * 2 + [SEARCH] * 2 + [TRANSITION] * 2
        # Mostly the roles that see clients (their boundaries are the fine ones); the others
        # a quarter of the time (they must be refused or see nothing).
        client_roles = (Role.OFFICER, Role.FEE_OFFICER, *PROVIDER_ROLES)
        seeing = [u for u in self.w.users if u.role_enum in client_roles]
        others = [u for u in self.w.users if u.role_enum not in client_roles]
        for _ in range(n):
            user = self.rng.choice(seeing if self.rng.random() < 0.75 else others)
            kind = self.rng.choice(kinds)
            getattr(self, f"op_{kind}")(user)
            self.stats.operations[kind] += 1

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
        response = self._call(user, "get", url, params, endpoint=url)
        if response is None or response.status_code != 200:
            return
        what = f"GET {url}?{params}"
        if kind != "contracts":
            self._check_rows(user, response, kind, what)
        self._check_body(user, response, what)

    def op_read(self, user) -> None:
        kind = self.rng.choice([*READ_KINDS, "oral-briefings", "protected-access"])
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
        response = self._call(user, "get", url, endpoint=endpoint)
        if response is None:
            return
        what = f"GET {url}"
        if pk not in visible:
            if response.status_code in (403, 404):
                self.stats.outside_refused += 1
            else:
                self._crossing(user, f"{what}: {response.status_code} for an id outside the set")
            return
        if response.status_code == 200:
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
        response = self._call(
            user, "get", "/api/persons/", {"q": q, "limit": 1000}, endpoint="/api/persons/?q="
        )
        if response is None or response.status_code != 200:
            return
        what = f"GET /api/persons/?q=<{form} of person {pk}>"
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
            with transaction.atomic():
                world = build_world(spec)
                stats.worlds += 1
                Checker(world, stats, random.Random(ops_seed)).run(n)
                transaction.set_rollback(True)

        one_world()
        round_ += 1
    stats.seconds = time.monotonic() - started
    return stats
