"""Municipality-scale data for the benchmark: `python -m verkstall generate --clients N`.

One generated municipality (code ``9990`` by default) with areas, myndighet units and officers,
about one provider per 300 clients (sizes skewed: the municipality's own provider is the
largest), and for every client five years of history: decisions, orders in every state,
implementation plans, follow-ups, absences, the provider's six-monthly journal summaries and the
due items of the municipality's rule profile.

How the rows stay "what the services would have produced":

* The organisation (municipality, units, areas, providers, provider units) is written by the
  services' own set-up functions; users are bulk-inserted as `access.services.create_user`
  would write them (with an unusable password: benchmark users log in with API tokens).
* Each client's life is planned as the sequence of service calls an officer and a provider
  would have made (record_decision, create_order, send_order, acknowledge_order,
  register_start, start_plan, send_plan, confirm_plan, review_plan, request_status,
  answer_status, record_followup, register_absence, flag_long_absences,
  report_absence_to_officer, write_provider_entry(summary), end_order, cancel_order), each at
  a moment in the past, obeying the services' checks: the state table of orders/states.py,
  no date in the future, a start not before the order was sent, events only in the states
  the services allow, who may act for a provider that is not connected (on behalf, with the
  channel the reply came by).
* The rows those calls write are then bulk-inserted: the order row as its events leave it, the
  append-only events with `seq`, `occurred_at` and `recorded_at` as the services set them,
  and the due items from `deadlines.engine.plan_items`, the same pure function the engine
  stores from on every event, evaluated over the same events.

`benchmarks/tests/test_generator.py` checks on a small N that recomputing every generated
order and decision with the engine changes no due item, that each order's state is the fold
of its events through the state table, and the other invariants above.

Not generated: the messages and case-journal entries that some of those services also write
(an order's end, a follow-up) — no watchlist, list or transition reads them.
"""

from __future__ import annotations

import math
import random
import sys
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from verkstall.absences.models import Absence, AbsenceReason
from verkstall.access.models import Municipality, User
from verkstall.access.roles import Role
from verkstall.access.services import ensure_municipality, ensure_unit
from verkstall.access.token_services import issue_token
from verkstall.core.demo import FIRST, LAST, MUNICIPALITIES
from verkstall.core.personal_number import make_test_personal_number
from verkstall.deadlines import engine
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem
from verkstall.deadlines.rules import Event, Responsible
from verkstall.decisions.models import Decision, GrantedService, ScopeUnit, ServiceType
from verkstall.followups.models import FollowUp, Outcome
from verkstall.journal.models import ProviderJournalEntry
from verkstall.orders.models import EventKind, Order, OrderEvent, ReplyChannel
from verkstall.orders.states import Action, State, allowed_actions, next_state
from verkstall.people.models import Person
from verkstall.plans.models import ImplementationPlan, PlanStatus
from verkstall.providers.models import Channel, Provider, ProviderUnit
from verkstall.providers.services import ensure_area, ensure_provider, ensure_provider_unit

DEFAULT_CODE = "9990"
DEFAULT_PROFILE = "gotland"
HISTORY_YEARS = 5
CLIENTS_PER_PROVIDER = 300
CLIENTS_PER_OFFICER = 100
CLIENTS_PER_UNIT = 3000
CLIENTS_PER_AREA = 1500
CLIENTS_PER_PROVIDER_UNIT = 250
CHUNK = 500

# The services each rule profile's demo municipality grants (core.demo), without the safety
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


def generated_municipality(code: str = DEFAULT_CODE) -> Municipality | None:
    return Municipality.objects.filter(code=code).first()


def generated_size(code: str = DEFAULT_CODE) -> int:
    """The number of clients of the generated municipality (0 if there is none)."""
    muni = generated_municipality(code)
    return Person.objects.filter(municipality=muni).count() if muni else 0


def _username(code: str, what: str, i: int) -> str:
    return f"bench{code}.{what}{i:04d}"


def _build_world(code: str, clients: int, profile: str, rng: random.Random) -> World:
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
        order_rules=engine._rules(profile, "order"),
        decision_rules=engine._rules(profile, "decision"),
    )


# --- one client's life, as the service calls it is made of ----------------------------------


def _at(day: date, rng: random.Random, start_hour: int = 8, end_hour: int = 16) -> datetime:
    """A moment of office hours on a Swedish local day."""
    minutes = rng.randrange(start_hour * 60, end_hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), STOCKHOLM)


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, STOCKHOLM)


def _local(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


@dataclass
class Ev:
    """One service call's event, before the order has an id."""

    kind: str
    occurred: datetime
    recorded: datetime
    actor: object
    on_behalf: object = None
    channel: str = ""
    data: dict = field(default_factory=dict)
    row: object = None  # the plan, follow-up, absence or journal entry the call wrote
    row_key: str = ""  # the data key that names the row's id


@dataclass
class PlannedOrder:
    decision: PlannedDecision
    provider: Provider
    provider_unit: ProviderUnit | None
    officer: User
    services: list  # GrantedService (unsaved until the chunk is written)
    created: datetime
    events: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    order: Order | None = None


@dataclass
class PlannedDecision:
    person: Person
    officer: User
    decided_at: datetime
    services: list
    decision: Decision | None = None
    orders: list = field(default_factory=list)


class _Life:
    """Plans one client's history as the officer and the provider would have made it."""

    def __init__(self, world: World, rng: random.Random, now: datetime):
        self.w = world
        self.rng = rng
        self.now = now
        self.ok = 0.97  # the share of obligations done (and mostly on time)

    # who acts for the provider: its own staff, or the officer "on behalf" (R3.3)
    def _provider_actor(self, po: PlannedOrder):
        if po.provider.is_connected:
            return self.w.provider_staff[po.provider.pk], None, ReplyChannel.SYSTEM.value
        return po.officer, po.provider, po.provider.channel

    def _late(self, days: float) -> timedelta:
        """A delay that is usually short and sometimes late."""
        rng = self.rng
        extra = rng.uniform(5, 40) if rng.random() < 0.06 else 0
        return timedelta(days=rng.uniform(0, days) + extra)

    def person(self, i: int, taken: set) -> Person:
        rng = self.rng
        while True:
            born = date(1925, 1, 1) + timedelta(days=rng.randrange(36 * 365))
            number = make_test_personal_number(born, rng.randrange(980, 1000)).value
            if number not in taken:
                taken.add(number)
                break
        area = rng.choice(self.w.areas)
        unit = self.w.area_unit[area.pk]
        return Person(
            municipality=self.w.municipality,
            unit=unit,
            personal_number=number,
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            street_address=f"Storgatan {rng.randrange(1, 200)}",
            postal_code=f"{rng.randrange(100, 999)} {rng.randrange(10, 99)}",
            city=area.name,
            area=area,
        )

    def plan(self, person: Person) -> list[PlannedDecision]:
        """Decisions and orders of one client over the five years."""
        rng, now = self.rng, self.now
        first = now - timedelta(days=rng.uniform(1, HISTORY_YEARS * 365))
        leaves = first + timedelta(days=rng.expovariate(1 / 900)) if rng.random() < 0.3 else None
        officers = self.w.officers[person.unit_id]
        officer = officers[int(person.personal_number) % len(officers)]
        decisions = []
        moment = _at(_local(first), rng)
        person.created_at = moment - timedelta(hours=1)
        provider = None
        while moment < now and (leaves is None or moment < leaves):
            nxt = moment + timedelta(days=max(60, rng.expovariate(1 / 450)))
            end_moment = min(nxt, leaves) if leaves else nxt
            k = 1 if rng.random() < 0.7 or len(self.w.service_types) == 1 else 2
            stypes = rng.sample(self.w.service_types, k)
            decided = _local(moment)
            pd = PlannedDecision(person=person, officer=officer, decided_at=moment, services=[])
            for st in stypes:
                amount, unit, freq = SCOPES.get(
                    st.code, (Decimal("8"), ScopeUnit.HOURS_PER_MONTH, "")
                )
                pd.services.append(
                    GrantedService(
                        municipality=self.w.municipality,
                        service_type=st,
                        scope_amount=amount,
                        scope_unit=unit,
                        frequency=freq,
                        valid_from=decided,
                    )
                )
            if provider is None or rng.random() < 0.2:
                provider = rng.choices(self.w.providers, self.w.provider_weights)[0]
            groups = [pd.services]
            if len(pd.services) == 2 and rng.random() < 0.5:
                groups = [[pd.services[0]], [pd.services[1]]]
            for group in groups:
                created = moment + timedelta(minutes=rng.uniform(10, 60 * 24 * 2))
                self._order(pd, provider, officer, group, created, end_moment, nxt is end_moment)
            decisions.append(pd)
            moment = nxt
        return decisions

    def _order(self, pd, provider, officer, group, created, end_moment, reassessed, depth=0):
        rng = self.rng
        units = self.w.provider_units[provider.pk]
        po = PlannedOrder(
            decision=pd,
            provider=provider,
            provider_unit=rng.choice(units) if units else None,
            officer=officer,
            services=group,
            created=created,
        )
        pd.orders.append(po)
        ev = po.events.append
        names = {"provider": provider.name}
        ev(Ev(EventKind.CREATED, created, created, officer, data=dict(names, services=group)))
        sent = created + timedelta(minutes=rng.uniform(2, 180))
        ev(Ev(EventKind.SENT, sent, sent, officer, data={"written_on": _local(sent), "ch": 1}))
        actor, behalf, channel = self._provider_actor(po)
        if depth == 0 and rng.random() < 0.03:  # withdrawn; a new order goes to another provider
            cancel = sent + timedelta(hours=rng.uniform(1, 30))
            ev(Ev(EventKind.CANCELLED, cancel, cancel, officer, data={"reason": "Fel utförare"}))
            others = [p for p in self.w.providers if p.pk != provider.pk] or [provider]
            again = rng.choices(others, self.w.provider_weights[: len(others)])[0]
            self._order(pd, again, officer, group, cancel + timedelta(minutes=20), end_moment,
                        reassessed, depth + 1)  # fmt: skip
            return
        ack = sent + timedelta(hours=rng.uniform(0.2, 20)) + self._late(0.5)
        ev(Ev(EventKind.ACKNOWLEDGED, ack, ack, actor, behalf, channel))
        registered = ack + timedelta(hours=rng.uniform(0.5, 40)) + self._late(1)
        start_day = max(_local(sent), _local(registered) - timedelta(days=rng.randrange(0, 2)))
        ev(
            Ev(
                EventKind.STARTED,
                _start_of_day(start_day),
                registered,
                actor,
                behalf,
                channel,
                data={"start_date": start_day},
            )
        )
        self._after_start(po, start_day, registered, actor, behalf, channel, end_moment)
        # The end: at the next decision (a new order replaces this one) or when care ends.
        end_day = _local(end_moment) - timedelta(days=1 if reassessed else 0)
        end_day = max(end_day, start_day)
        if end_moment < self.now:
            end_rec = _at(end_day + timedelta(days=rng.randrange(0, 3)), rng)
            if po.provider.is_connected:
                ender, behalf_e, ch_e = actor, None, ReplyChannel.SYSTEM.value
            else:
                ender, behalf_e, ch_e = officer, None, ReplyChannel.SYSTEM.value
            ev(
                Ev(
                    EventKind.ENDED,
                    _start_of_day(end_day),
                    max(end_rec, registered + timedelta(minutes=1)),
                    ender,
                    behalf_e,
                    ch_e,
                    data={"end_date": end_day, "note": ""},
                )
            )

    def _after_start(self, po, start_day, registered, actor, behalf, channel, end_moment):
        """Plan, follow-ups, journal summaries and absences while the order runs (planned
        until it ends or a little past now; what comes later is dropped by _settle)."""
        rng, ok = self.rng, self.ok
        ev = po.events.append
        horizon = min(end_moment, self.now) + timedelta(days=5)
        plan_channel = "" if behalf is None else po.provider.channel
        officer = po.officer
        # Implementation plan: begun, sent, confirmed by the officer, reviewed yearly (R5).
        if rng.random() < ok:
            begun = _at(start_day + timedelta(days=rng.randrange(2, 10)), rng) + self._late(0)
            begun = max(begun, registered + timedelta(minutes=5))
            plan = ImplementationPlan(
                municipality=self.w.municipality,
                version=1,
                what="Hjälp med personlig omvårdnad enligt beslut.",
                how="Enligt den enskildes önskemål.",
                when="Morgon och kväll.",
                by_whom="Kontaktperson och arbetslag.",
                participation="Den enskilde deltog vid planeringsmötet.",
                begun_at=begun,
                created_by=actor,
                updated_by=actor,
                on_behalf_of=behalf,
                created_at=begun,
            )
            po.rows.append(plan)
            ev(Ev(EventKind.PLAN_BEGUN, begun, begun, actor, behalf, plan_channel,
                  {"version": 1}, plan, "plan"))  # fmt: skip
            if rng.random() < ok:
                sent = begun + timedelta(days=rng.uniform(2, 10)) + self._late(0)
                ev(Ev(EventKind.PLAN_SENT, sent, sent, actor, behalf, plan_channel,
                      {"version": 1, "text": "Version 1"}, plan, "plan"))  # fmt: skip
                if rng.random() < ok:
                    conf = sent + timedelta(days=rng.uniform(0, 3))
                    ev(Ev(EventKind.PLAN_CONFIRMED, conf, conf, officer, None, "",
                          {"version": 1, "text": "Version 1"}, plan, "plan"))  # fmt: skip
                review = sent
                while review < horizon:
                    if rng.random() >= ok:
                        break
                    review = review + timedelta(days=rng.uniform(330, 362)) + self._late(0)
                    ev(Ev(EventKind.PLAN_REVIEWED, review, review, actor, behalf, plan_channel,
                          {"version": 1, "text": ""}, plan, "plan"))  # fmt: skip
        # Follow-ups: a month after the decision, then yearly (R6).
        asked = max(
            po.decision.decided_at + timedelta(days=rng.uniform(12, 20)),
            registered + timedelta(hours=2),
        )
        while asked < horizon and rng.random() < ok:
            fu = FollowUp(
                municipality=self.w.municipality,
                requested_by=officer,
                requested_at=asked,
                question="Hur fungerar insatsen?",
                created_at=asked,
            )
            po.rows.append(fu)
            ev(Ev(EventKind.FOLLOWUP_REQUESTED, asked, asked, officer, None, "",
                  {"text": fu.question}, fu, "followup"))  # fmt: skip
            answered = asked + timedelta(days=rng.uniform(0.2, 4))
            fu.answer = "Insatsen fungerar väl."
            fu.answered_by, fu.answered_at, fu.on_behalf_of = actor, answered, behalf
            how = "" if behalf is None else "phone"
            ev(Ev(EventKind.FOLLOWUP_ANSWERED, answered, answered, actor, behalf, how,
                  {"text": fu.answer}, fu, "followup"))  # fmt: skip
            done = answered + timedelta(days=rng.uniform(0.5, 5))
            fu.done_by, fu.done_at, fu.outcome = officer, done, Outcome.UNCHANGED.value
            outcome = {"outcome": fu.outcome, "text": Outcome.UNCHANGED.label}
            ev(Ev(EventKind.FOLLOWUP_DONE, done, done, officer, None, "", outcome, fu,
                  "followup"))  # fmt: skip
            asked = done + timedelta(days=rng.uniform(320, 350))
        # The provider's journal summary every six months (R5.5); only its own staff write it.
        if po.provider.is_connected:
            written = _start_of_day(start_day)
            while rng.random() < ok:
                written = _at(_local(written) + timedelta(days=rng.randrange(150, 178)), rng)
                if written > horizon:
                    break
                entry = ProviderJournalEntry(
                    municipality=self.w.municipality,
                    provider=po.provider,
                    author=actor,
                    author_organisation=actor.organisation_name[:200],
                    written_at=written,
                    text="Sammanfattning av perioden: insatsen fungerar enligt planen.",
                    is_summary=True,
                )
                po.rows.append(entry)
                ev(Ev(EventKind.JOURNAL_SUMMARY, written, written, actor, data={},
                      row=entry, row_key="provider_journal_entry"))  # fmt: skip
        # Absences: hospital stays and the like; some longer than 30 days (R7).
        day = start_day
        while True:
            day = day + timedelta(days=int(rng.expovariate(1 / 420)) + 20)
            if day > _local(horizon):
                break
            long = rng.random() < 0.25
            length = rng.randrange(31, 70) if long else rng.randrange(2, 20)
            reason = rng.choice([AbsenceReason.HOSPITAL, AbsenceReason.OWN_CHOICE])
            reg = max(_at(day + timedelta(days=rng.randrange(0, 3)), rng), registered)
            to_day = day + timedelta(days=length - 1)
            absence = Absence(
                municipality=self.w.municipality,
                reason=reason.value,
                from_date=day,
                to_date=to_day,
                registered_by=actor,
                registered_at=reg,
            )
            po.rows.append(absence)
            period = f"{day:%Y-%m-%d}–{to_day:%Y-%m-%d}"
            ev(Ev(EventKind.ABSENCE_REGISTERED, min(_start_of_day(day), reg), reg, actor,
                  data={"reason": reason.value, "from_date": day.isoformat(),
                        "to_date": to_day.isoformat(), "automatic": False,
                        "text": f"{reason.label} {period}"},
                  row=absence, row_key="absence"))  # fmt: skip
            if long:
                day31 = day + timedelta(days=30)
                flagged = max(datetime.combine(day31, time(2, 0), STOCKHOLM), reg)
                absence.long_flagged_at = flagged
                text = f"Frånvaro sedan {day:%Y-%m-%d}, mer än 30 dagar i följd."
                ev(Ev(EventKind.ABSENCE_LONG, min(_start_of_day(day31), flagged), flagged,
                      actor, data={"from_date": day.isoformat(), "text": text},
                      row=absence, row_key="absence"))  # fmt: skip
                if rng.random() < ok:
                    rep = flagged + timedelta(hours=rng.uniform(6, 72))
                    absence.reported_at = rep
                    ev(Ev(EventKind.ABSENCE_REPORTED, rep, rep, actor, behalf, channel,
                          {"text": f"Frånvaro {period}."}, absence, "absence"))  # fmt: skip
            day = to_day


# --- from planned calls to rows --------------------------------------------------------------

ACTIONS = {
    EventKind.SENT: Action.SEND,
    EventKind.ACKNOWLEDGED: Action.ACKNOWLEDGE,
    EventKind.STARTED: Action.START,
    EventKind.ENDED: Action.END,
    EventKind.CANCELLED: Action.CANCEL,
}
ACTIVE = ("acknowledged", "started")


def _settle(po: PlannedOrder, now: datetime) -> list[Ev]:
    """The calls that had happened by `now`, in the order they were recorded, as the services
    would have accepted them: a call the state no longer allows (after the end) is dropped,
    with everything that depended on it."""
    events = sorted(
        (e for e in po.events if e.recorded <= now and e.occurred <= now),
        key=lambda e: (e.recorded, e.kind != EventKind.CREATED),
    )
    kept, state, dropped_rows = [], State.DRAFT, set()
    for e in events:
        if e.kind in ACTIONS:
            if ACTIONS[e.kind] not in allowed_actions(state):
                continue  # a call the state table refuses never happened
            state = next_state(state, ACTIONS[e.kind])
        elif e.kind != EventKind.CREATED and (
            state.value not in ACTIVE or (e.row is not None and id(e.row) in dropped_rows)
        ):
            if e.row is not None and e.kind in (
                EventKind.PLAN_BEGUN,
                EventKind.FOLLOWUP_REQUESTED,
                EventKind.ABSENCE_REGISTERED,
            ):
                dropped_rows.add(id(e.row))  # what followed on that row never happened
            continue
        kept.append(e)
    return kept


def _settle_rows(po: PlannedOrder, kept: list[Ev], now: datetime) -> list:
    """The rows as the kept calls left them: a later step that did not happen is undone."""
    seen: dict[int, set] = {}
    for e in kept:
        if e.row is not None:
            seen.setdefault(id(e.row), set()).add(e.kind)
    rows = []
    for row in po.rows:
        kinds = seen.get(id(row))
        if kinds is None:
            continue
        if isinstance(row, ImplementationPlan):
            reviews = [
                e.recorded for e in kept if e.row is row and e.kind == EventKind.PLAN_REVIEWED
            ]
            row.reviewed_at = max(reviews) if reviews else None
            if EventKind.PLAN_CONFIRMED in kinds:
                row.status = PlanStatus.CONFIRMED
                row.confirmed_by = po.officer
                row.confirmed_at = next(
                    e.recorded for e in kept if e.row is row and e.kind == EventKind.PLAN_CONFIRMED
                )
            elif EventKind.PLAN_SENT in kinds:
                row.status = PlanStatus.SENT
            else:
                row.status = PlanStatus.DRAFT
            if EventKind.PLAN_SENT in kinds:
                row.sent_by = row.created_by
                row.sent_at = next(
                    e.recorded for e in kept if e.row is row and e.kind == EventKind.PLAN_SENT
                )
        elif isinstance(row, FollowUp):
            if EventKind.FOLLOWUP_ANSWERED not in kinds:
                row.answer, row.answered_by, row.answered_at, row.on_behalf_of = (
                    "",
                    None,
                    None,
                    None,
                )
            if EventKind.FOLLOWUP_DONE not in kinds:
                row.done_by, row.done_at, row.outcome = None, None, ""
        elif isinstance(row, Absence):
            if EventKind.ABSENCE_LONG not in kinds:
                row.long_flagged_at = None
            if EventKind.ABSENCE_REPORTED not in kinds:
                row.reported_at = None
        rows.append(row)
    return rows


def _insert(model, objs: list, *, dicts: bool = False) -> int:
    """Insert rows fast: COPY on PostgreSQL (ids taken from the table's sequence first, so
    the objects know them, as bulk_create would), bulk_create elsewhere. `objs` are model
    instances, or dicts of attribute names (`dicts`) for rows nobody refers to."""
    if not objs:
        return 0
    if connection.vendor != "postgresql":
        if dicts:
            objs = [model(**d) for d in objs]
        model.objects.bulk_create(objs, batch_size=500)
        return len(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (dicts and f.primary_key)]
    stamp = timezone.now()
    auto_now = {f.attname for f in fields if getattr(f, "auto_now", False)}
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    with connection.cursor() as cursor:
        if not dicts:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        names = [f.attname for f in fields]
        with cursor.cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                get = obj.get if dicts else obj.__dict__.get
                row = []
                for name in names:
                    value = stamp if name in auto_now else get(name)
                    if name in json_fields:
                        value = Jsonb(value)
                    elif hasattr(value, "value") and isinstance(value, str):
                        value = value.value  # a TextChoices member
                    row.append(value)
                copy.write_row(row)
    return len(objs)


def _json(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


def _write_chunk(world: World, planned: list[PlannedDecision], persons: list[Person], now) -> dict:
    """Insert one chunk of clients with everything the planned calls wrote."""
    counts: dict[str, int] = {}

    def bulk(model, objs, dicts=False):
        for obj in objs if not dicts else ():
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
        _insert(model, objs, dicts=dicts)
        counts[model._meta.label] = counts.get(model._meta.label, 0) + len(objs)

    bulk(Person, persons)
    decisions = []
    for pd in planned:
        pd.decision = Decision(
            municipality=world.municipality,
            unit_id=pd.person.unit_id,
            person=pd.person,
            officer=pd.officer,
            decided_on=_local(pd.decided_at),
            assessment_summary="Utredning enligt SoL 4 kap. 1 §.",
            created_at=pd.decided_at.astimezone(UTC),
        )
        decisions.append(pd.decision)
    bulk(Decision, decisions)
    services = []
    for pd in planned:
        for g in pd.services:
            g.decision = pd.decision
            services.append(g)
    bulk(GrantedService, services)

    orders, settled = [], []
    for pd in planned:
        for po in pd.orders:
            if po.created > now:
                continue
            kept = _settle(po, now)
            state = State.DRAFT
            order = Order(
                municipality=world.municipality,
                unit_id=pd.person.unit_id,
                person=pd.person,
                decision=pd.decision,
                officer=po.officer,
                provider=po.provider,
                provider_unit=po.provider_unit,
                created_at=po.created,
                last_event_seq=len(kept),
            )
            for e in kept:
                if e.kind == EventKind.SENT:
                    order.sent_at, order.written_on = e.occurred, e.data["written_on"]
                elif e.kind == EventKind.ACKNOWLEDGED:
                    order.acknowledged_at = e.occurred
                elif e.kind == EventKind.STARTED:
                    order.start_date = e.data["start_date"]
                elif e.kind == EventKind.ENDED:
                    order.end_date = e.data["end_date"]
                if e.kind in ACTIONS:
                    state = next_state(state, ACTIONS[e.kind])
            order.state = state.value
            po.order = order
            orders.append(order)
            settled.append((po, kept))
    bulk(Order, orders)
    through = Order.services.through
    bulk(
        through,
        [
            {"order_id": po.order.pk, "grantedservice_id": g.pk}
            for po, _ in settled
            for g in po.services
        ],
        dicts=True,
    )
    rows: dict[type, list] = {}
    for po, kept in settled:
        for row in _settle_rows(po, kept, now):
            row.order = po.order
            if isinstance(row, ProviderJournalEntry):
                row.person = po.decision.person
            rows.setdefault(type(row), []).append(row)
    for model in (ImplementationPlan, FollowUp, Absence, ProviderJournalEntry):
        bulk(model, rows.get(model, []))

    events = []
    order_events: dict[int, list[Event]] = {}
    for po, kept in settled:
        order, state = po.order, State.DRAFT
        engine_events = order_events.setdefault(order.pk, [])
        for seq, e in enumerate(kept, start=1):
            data = {k: _json(v) for k, v in e.data.items()}
            from_state = to_state = ""
            if e.kind == EventKind.CREATED:
                data = {"services": [g.pk for g in po.services], "provider": po.provider.name}
                to_state = State.DRAFT.value
            elif e.kind in ACTIONS:
                from_state = state.value
                state = next_state(state, ACTIONS[e.kind])
                to_state = state.value
                if e.kind == EventKind.SENT:
                    data = {"written_on": data["written_on"], "channel": po.provider.channel}
            if e.row is not None:
                data = {e.row_key: e.row.pk, **data}
                if e.kind == EventKind.JOURNAL_SUMMARY:
                    data = {"provider_journal_entry": e.row.pk}
            kind = e.kind.value if hasattr(e.kind, "value") else e.kind
            events.append(
                {
                    "municipality_id": world.municipality.pk,
                    "order_id": order.pk,
                    "seq": seq,
                    "kind": kind,
                    "from_state": from_state,
                    "to_state": to_state,
                    "actor_id": e.actor.pk,
                    "actor_organisation": e.actor.organisation_name[:200],
                    "on_behalf_of_id": e.on_behalf.pk if e.on_behalf else None,
                    "channel": e.channel,
                    "occurred_at": e.occurred,
                    "recorded_at": e.recorded,
                    "data": data,
                }
            )
            if e.kind != EventKind.CREATED:
                engine_events.append(
                    # As the engine reads them back from the database: in UTC.
                    Event(
                        engine.ORDER_EVENT_NAMES.get(kind, f"order.{kind}"),
                        e.occurred.astimezone(UTC),
                        e.recorded.astimezone(UTC),
                    )
                )
    bulk(OrderEvent, events, dicts=True)
    bulk(DueItem, _due_items(world, planned, settled, order_events, now), dicts=True)
    return counts


def _kinds(services):
    kinds = {g.service_type.kind for g in services}
    types = {g.service_type.code for g in services}
    first = min(services, key=lambda g: g.pk).service_type_id if services else None
    return kinds, types, first


def _due_items(world, planned, settled, order_events, now) -> list[dict]:
    """The due items the engine would have stored after each order's last event: the same
    `engine.plan_items` over the same events, at the time of generation."""
    items = []

    def add(subject_key, planned_items):
        for rule, cycle, values in planned_items:
            items.append({"rule_id": rule.pk, "subject_key": subject_key, "cycle": cycle, **values})

    for po, _kept in settled:
        order = po.order
        granted = engine._decision_granted(po.decision.decision)
        kinds, types, first = _kinds(po.services)
        connected = po.provider.is_connected
        responsible = {
            Responsible.PROVIDER: {
                "responsible_provider_id": order.provider_id,
                "responsible_provider_unit_id": order.provider_unit_id,
                "responsible_user_id": None if connected else order.officer_id,
            },
            Responsible.OFFICER: {
                "responsible_user_id": order.officer_id,
                "responsible_unit_id": order.unit_id,
            },
        }
        add(
            f"order:{order.pk}",
            engine.plan_items(
                rules=world.order_rules,
                events=[granted, *order_events[order.pk]],
                kinds=kinds,
                types=types,
                common=engine.order_item_fields(order, first),
                responsible=responsible,
                close_open=order.state in engine.FINAL_ORDER_STATES,
                now=now,
            ),
        )
    for pd in planned:
        decision = pd.decision
        kinds, types, first = _kinds(pd.services)
        events = [engine._decision_granted(decision)]
        for po in pd.orders:
            if po.order is not None:
                events += order_events[po.order.pk]
        # decision_events: sorted by when recorded (ties: the order events' id order).
        events.sort(key=lambda e: e.recorded_at)
        add(
            f"decision:{decision.pk}",
            engine.plan_items(
                rules=world.decision_rules,
                events=events,
                kinds=kinds,
                types=types,
                common=engine.decision_item_fields(decision, first),
                responsible=engine.decision_responsible(decision),
                close_open=engine.decision_finished(
                    po.order.state for po in pd.orders if po.order is not None
                ),
                now=now,
            ),
        )
    return items


# --- the command's entry point ---------------------------------------------------------------


def progress_bar(out=None) -> Callable[[int, int, float], None]:
    out = out or sys.stderr

    def show(done: int, total: int, elapsed: float) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        rate = done / elapsed if elapsed else 0
        eta = (total - done) / rate if rate else 0
        out.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} klienter "
            f"{elapsed:5.0f} s (kvar ~{eta:4.0f} s)"
        )
        if done >= total:
            out.write("\n")
        out.flush()

    return show


def generate(
    clients: int,
    *,
    seed: int = 1,
    profile: str = DEFAULT_PROFILE,
    code: str = DEFAULT_CODE,
    now: datetime | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    chunk: int = CHUNK,
) -> dict[str, int]:
    """Generate `clients` clients with five years of history into the configured database.

    Refuses (GeneratedDataExists) if the municipality `code` already has clients. Returns the
    row counts per model."""
    if clients < 1:
        raise ValueError("clients must be at least 1")
    if generated_size(code):
        raise GeneratedDataExists(
            f"Kommun {code} har redan {generated_size(code)} genererade klienter."
        )
    now = now or timezone.now()
    rng = random.Random(seed)
    with transaction.atomic():
        world = _build_world(code, clients, profile, rng)
    counts: dict[str, int] = {}
    taken: set[str] = set()
    started = _time.monotonic()
    life = _Life(world, rng, now)
    done = 0
    while done < clients:
        n = min(chunk, clients - done)
        persons = [life.person(done + i, taken) for i in range(n)]
        planned = [pd for p in persons for pd in life.plan(p)]
        with transaction.atomic():
            for label, c in _write_chunk(world, planned, persons, now).items():
                counts[label] = counts.get(label, 0) + c
        done += n
        if progress:
            progress(done, clients, _time.monotonic() - started)
    return counts


# --- for the benchmark's transitions ---------------------------------------------------------


def make_draft_orders(
    count: int, *, officer: User, provider: Provider, seed: int = 0, now: datetime | None = None
) -> list[int]:
    """`count` new decisions, each with a draft order to `provider`, for clients of the
    officer's unit, as record_decision and create_order would have written them; the
    benchmark then sends, acknowledges and starts them through the HTTP API."""
    now = now or timezone.now()
    rng = random.Random(seed)
    muni = officer.municipality
    world = World(
        municipality=muni,
        units=[],
        officers={},
        areas=[],
        area_unit={},
        providers=[provider],
        provider_weights=[1.0],
        provider_units={provider.pk: list(provider.units.order_by("id"))},
        provider_staff={},
        service_types=[],
        order_rules=engine._rules(muni.rule_profile, "order"),
        decision_rules=engine._rules(muni.rule_profile, "decision"),
    )
    codes = PROFILE_SERVICES.get(muni.rule_profile) or PROFILE_SERVICES[DEFAULT_PROFILE]
    stype = ServiceType.objects.filter(code=codes[0]).get()
    persons = list(Person.objects.filter(municipality=muni, unit_id=officer.unit_id)[:2000])
    planned = []
    for _ in range(count):
        person = rng.choice(persons)
        decided = now - timedelta(hours=rng.uniform(2, 6))
        amount, unit, freq = SCOPES.get(stype.code, (Decimal("8"), ScopeUnit.HOURS_PER_MONTH, ""))
        pd = PlannedDecision(
            person=person,
            officer=officer,
            decided_at=decided,
            services=[
                GrantedService(
                    municipality=muni,
                    service_type=stype,
                    scope_amount=amount,
                    scope_unit=unit,
                    frequency=freq,
                    valid_from=_local(decided),
                )
            ],
        )
        created = decided + timedelta(minutes=rng.uniform(5, 60))
        po = PlannedOrder(
            decision=pd,
            provider=provider,
            provider_unit=rng.choice(world.provider_units[provider.pk] or [None]),
            officer=officer,
            services=pd.services,
            created=created,
        )
        po.events.append(Ev(EventKind.CREATED, created, created, officer))
        pd.orders.append(po)
        planned.append(pd)
    with transaction.atomic():
        _write_chunk(world, planned, [], now)
    return [pd.orders[0].order.pk for pd in planned]


def api_token(user: User) -> str:
    """A new API key for the user (access.token_services, stored hashed): how the load client
    authenticates. Only the hash is kept, so each run issues its own key."""
    return issue_token(user=user, days=1)[1]


def ensure_migrated() -> bool:
    """Apply the migrations if the database is not up to date (a fresh benchmark database).
    Returns whether anything was applied."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", verbosity=0, interactive=False)
    return True


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL's autovacuum is not instant)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test's); ANALYZE alone can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
