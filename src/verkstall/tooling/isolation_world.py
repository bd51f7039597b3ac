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
from verkstall.tooling.isolation_clients import (
    ask_for_colleague,
    plant_decision,
    plant_order,
    register_client,
)
from verkstall.tooling.isolation_records import CanaryRec, OrderRec, ProximityRec

LIVES = ("draft", "sent", "acknowledged", "started", "ended", "cancelled_draft", "cancelled_sent")
PROFILES = ("stockholm-hv", "gotland", "solna-boendestod", "kundval-004")
SENT_LIVES = frozenset(LIVES) - {"draft", "cancelled_draft"}
HOME_CARE = {
    "service_type": "hemtjanst-omvardnad",
    "scope_amount": "20",
    "scope_unit": "hours_per_month",
    "frequency": "morgon och kväll",
}

# --- the generated world ---------------------------------------------------------------------


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
    stay_intakes: dict[int, int] = field(default_factory=dict)  # -> receiving municipality
    intake_numbers: dict[int, str] = field(default_factory=dict)  # intake -> personnummer
    voucher_decisions: set[int] = field(default_factory=set)  # decisions of cleaning
    vouchers: dict[int, int] = field(default_factory=dict)  # -> order
    voucher_reports: dict[int, int] = field(default_factory=dict)  # report-form report -> order
    # Switches, the alarm's contact moves, meal orders (tooling/isolation_alarms.py; R2.6, R4.1,
    # R3.6) and the month's models (tooling/isolation_months.py; R9.2, R9.3, R9.4, R9.5), from
    # the raw rows.
    switches: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # (muni, old order,
    # new provider)
    contact_moves: dict[int, int] = field(default_factory=dict)  # -> the new provider's order
    meal_orders: set[int] = field(default_factory=set)  # orders holding meal delivery
    fee_notices: dict[int, int] = field(default_factory=dict)  # -> order
    performed_time: dict[int, int] = field(default_factory=dict)  # -> order
    ivo_reports: dict[int, int] = field(default_factory=dict)  # -> municipality
    ivo_cases: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # (muni, decision's
    # unit, decision)
    month_closes: dict[int, tuple[int, str]] = field(default_factory=dict)  # (muni, "YYYY-MM")
    # Requests for IUB (R1.3; tooling/isolation_iub_transfer.py): -> (muni, unit, person).
    iub_requests: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    relatives: dict[int, int] = field(default_factory=dict)  # relative -> person (R1.1)
    changed_persons: set[int] = field(default_factory=set)  # with a change history (R1.1)
    webhooks: dict[int, int] = field(default_factory=dict)  # endpoint -> provider (issue 20)

    def municipalities(self) -> list[int]:
        """The world's municipalities, in the order they were made."""
        return list(dict.fromkeys(self.units.values()))

    def units_of(self, muni: int) -> list[int]:
        return [u for u, m in self.units.items() if m == muni]

    def connected_providers(self, muni: int) -> list[int]:
        return [p for p, m in self.providers.items() if m == muni and self.connected[p]]

    def refresh_months(self) -> None:
        """The rows of the month's models and the switches (collected fee notices appear on a
        read: the fee officer's inbox and list collect them first)."""
        from verkstall.alarms.models import AlarmContactMove
        from verkstall.decisions.catalogue import ServiceKind
        from verkstall.fees.models import FeeNotice
        from verkstall.ivo.models import IvoReport, IvoReportCase
        from verkstall.orders.models import Order, ProviderSwitch
        from verkstall.payments.models import PerformedTime

        self.switches = {
            pk: (muni, old, new)
            for pk, muni, old, new in ProviderSwitch.objects.values_list(
                "pk", "municipality_id", "old_order_id", "new_provider_id"
            )
        }
        self.contact_moves = dict(AlarmContactMove.objects.values_list("pk", "order_id"))
        # Which orders hold meal delivery: a fact of their services, not a scope.
        self.meal_orders = set(
            Order.objects.filter(services__service_type__kind=ServiceKind.MEAL_DELIVERY.value)
            .values_list("pk", flat=True)
            .distinct()
        )
        self.fee_notices = dict(FeeNotice.objects.values_list("pk", "order_id"))
        self.performed_time = dict(PerformedTime.objects.values_list("pk", "order_id"))
        self.ivo_reports = dict(IvoReport.objects.values_list("pk", "municipality_id"))
        # A case belongs to the unit of its decision (the generator's record of the decision).
        self.ivo_cases = {
            pk: (muni, self.decisions[decision][1], decision)
            for pk, muni, decision in IvoReportCase.objects.values_list(
                "pk", "municipality_id", "decision_id"
            )
            if decision in self.decisions
        }

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
        from verkstall.placements.models import QueueEntry
        from verkstall.vouchers.models import Voucher, VoucherReport

        # A queue entry belongs where its decision does (the generator's record, not the row's
        # own municipality and unit); vouchers to their order.
        self.queue_entries = {
            pk: self.decisions[decision]
            for pk, decision in QueueEntry.objects.values_list("pk", "decision_id")
            if decision in self.decisions
        }
        self.vouchers = dict(Voucher.objects.values_list("pk", "order_id"))
        self.voucher_reports = dict(VoucherReport.objects.values_list("pk", "order_id"))
        self.refresh_months()
        from verkstall.integrations.models import WebhookEndpoint

        self.webhooks = dict(WebhookEndpoint.objects.values_list("pk", "client__provider_id"))
        from verkstall.people.models import Person, ProtectedDataAccess, Protection, Relative

        self.relatives = dict(
            Relative.objects.filter(person_id__in=self.persons).values_list("pk", "person_id")
        )
        from verkstall.people.models import PersonChange

        self.changed_persons = set(
            PersonChange.objects.filter(person_id__in=self.persons).values_list(
                "person_id", flat=True
            )
        )
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
                decision = plant_decision(
                    world, rng, officer, person, scope, [HOME_CARE], days_ago=7
                )
                provider = providers[p_index % len(providers)]
                order = plant_order(
                    world, rng, officer, decision, provider, scope, sent=life in SENT_LIVES
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
                protect_client(officer, person)
                ask_for_colleague(world, rng, officer, person, scope)
        _plant_municipality_extras(world, rng, muni, units, area, m_index)
    for user in list(world.users):
        if user.role_enum == Role.PROVIDER_MANAGER:
            plant_webhook(user)
    world.refresh_derived()
    return world


def plant_webhook(manager) -> None:
    """The provider's own system with a webhook (issue 20), made by its unit manager."""
    from verkstall.integrations.client_services import create_client
    from verkstall.integrations.models import WebhookEndpoint

    client, _ = create_client(manager, name=f"System {manager.provider_id}", can_write=True)
    WebhookEndpoint.objects.create(
        client=client,
        url=f"https://mottagare-{manager.provider_id}.example/hook",
        secret="0" * 64,
        created_by=manager,
    )


def protect_client(officer, person) -> None:
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
        position=(f"{home[0]:.6f}", f"{home[1]:.6f}"),
    )
    protect_client(officer, person)
    provider = build.provider(muni, connected=False, channel=Channel.EMAIL)
    provider.email = f"order{provider.pk}@utforare.example"
    provider.save(update_fields=["email"])
    world.providers[provider.pk] = muni.pk
    world.connected[provider.pk] = False
    world.emailed[provider.email] = provider.pk
    staff = build.user(Role.PROVIDER_STAFF, muni, provider=provider)
    world.provider_staff[provider.pk] = staff
    manager = build.user(Role.PROVIDER_MANAGER, muni, provider=provider)
    world.users += [staff, manager]
    stay = ServiceType.objects.get(code="korttidsboende")
    distances, places = [], []
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
        places.append(place)
        distances.append(canaries.haversine_km(home[0], home[1], lat, lon))
    stay_service = {"service_type": "korttidsboende", "scope_amount": "1", "scope_unit": "place"}
    decision = plant_decision(world, rng, officer, person, scope, [stay_service], days_ago=7)
    granted = decision.services.get()
    world.proximity[granted.pk] = ProximityRec(person.pk, unit.pk, distances)
    order = plant_order(world, rng, officer, decision, provider, scope)
    record_oral_briefing(
        officer, order, told_name="Enhetschefen", told_at=clock.now() - timedelta(minutes=5)
    )  # R10.1
    from django.test import TestCase

    # E-mailed on commit: the first municipality's (a PDF takes a second to render).
    with TestCase.captureOnCommitCallbacks(execute=m_index == 0):
        orders.send_order(officer, order)
    manage_unit(manager, staff, order, places[0])


def manage_unit(manager, staff, order, place) -> None:
    """`manager` becomes the unit manager (enhetschef) of `place`, and `order` is routed to
    it: the unit's watchlist names the client to its manager and to no one outside the
    provider (issue 17 item 6; the tour visits it, `TourVisits.unit_watchlist_visits`)."""
    from verkstall.orders.casework_services import route_to_unit

    manager.provider_unit = place
    manager.save(update_fields=["provider_unit"])
    route_to_unit(staff, order, provider_unit=place)
