"""The isolation proof's generated worlds (SPEC "Actors", tenancy): municipalities, units,
providers and clients made through the services, recorded as plain data (`World`) for the
oracle (tooling/isolation_oracle.py). The proof itself: tooling/isolation_checker.py."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.providers.models import Channel
from verkstall.tooling import canaries
from verkstall.tooling import testing as build

LIVES = ("draft", "sent", "acknowledged", "started", "ended", "cancelled_draft", "cancelled_sent")
PROFILES = ("stockholm-hv", "gotland", "solna-boendestod", "kundval-004")
SENT_LIVES = frozenset(LIVES) - {"draft", "cancelled_draft"}

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
    queue_entry: int | None = None  # a queue entry's notes, where the client is now (R8.1)
    stay_intake: int | None = None  # a temporary stay's intake (R8.4); `person` is 0
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
    alarm_orders: set[int] = field(default_factory=set)  # ordered from the aids centre (R4.1)
    # The queue, temporary stays and vouchers (tooling/isolation_placements.py; R8, R4.2).
    queue_entries: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # the decision's
    offers: dict[int, int] = field(default_factory=dict)  # place offer -> queue entry
    stay_intakes: dict[int, int] = field(default_factory=dict)  # -> receiving municipality
    intake_numbers: dict[int, str] = field(default_factory=dict)  # intake -> personnummer
    voucher_decisions: set[int] = field(default_factory=set)  # decisions of cleaning
    vouchers: dict[int, int] = field(default_factory=dict)  # -> order
    voucher_reports: dict[int, int] = field(default_factory=dict)  # report-form report -> order

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
        from verkstall.alarms.models import AlarmContactMove
        from verkstall.orders.models import EventKind, OrderEvent

        ordered = OrderEvent.objects.filter(kind=EventKind.ALARM_ORDERED)
        self.alarm_orders = set(ordered.values_list("order_id", flat=True)) | set(
            AlarmContactMove.objects.values_list("order_id", flat=True)
        )
        from verkstall.placements.models import PlaceOffer, QueueEntry
        from verkstall.vouchers.models import Voucher, VoucherReport

        # A queue entry belongs where its decision does (the generator's record, not the row's
        # own municipality and unit); offers and vouchers to their entry and order.
        self.queue_entries = {
            pk: self.decisions[decision]
            for pk, decision in QueueEntry.objects.values_list("pk", "decision_id")
            if decision in self.decisions
        }
        self.offers = dict(PlaceOffer.objects.values_list("pk", "entry_id"))
        self.vouchers = dict(Voucher.objects.values_list("pk", "order_id"))
        self.voucher_reports = dict(VoucherReport.objects.values_list("pk", "order_id"))
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
            person = register_client(world, rng, officer, scope, number=number, area=area)
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
                _ask_for_colleague(world, rng, officer, person, scope)
        _plant_municipality_extras(world, rng, muni, units, area, m_index)
    world.refresh_derived()
    return world


def register_client(world, rng, officer, scope, *, number, area, protect=False, position=None):
    """A client whose every field a reader outside its scope must not see is a canary."""
    from verkstall.journal import case_services as case_journal
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
    case_journal.officer_write_case_entry(
        officer, person=person, title="Anteckning", text=tokens["case journal"]
    )
    if protect:
        _protect(officer, person)
    return person


def _ask_for_colleague(world, rng, officer, person, scope) -> None:
    """A pending four-eyes request for the unit's other officer, its reason a canary: the
    client page's panel and `protection-requests` show it to the unit's officers only."""
    from verkstall.people import protection_services

    colleague = next(
        u
        for u in world.users
        if u.role_enum == Role.OFFICER and u.unit_id == officer.unit_id and u.pk != officer.pk
    )
    reason = canaries.token(rng, scope)
    protection_services.request_protected_access(officer, person, user=colleague, reason=reason)
    world.canaries.append(CanaryRec(reason, "protection request reason", person.pk))


def _protect(officer, person) -> None:
    from verkstall.core.errors import DomainError
    from verkstall.people import protection_services
    from verkstall.people.models import Person, Protection

    try:
        protection_services.set_protection(
            officer, person, protection=Protection.PROTECTED_REGISTRATION
        )
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
    from verkstall.people.protection_services import record_oral_briefing
    from verkstall.providers.models import ProviderUnit

    unit, officer = units[0], world.officers[units[0].pk]
    scope = f"m{m_index}u0"
    home = (57.5 + m_index * 0.61, 18.2 + m_index * 0.37)
    person = register_client(
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
