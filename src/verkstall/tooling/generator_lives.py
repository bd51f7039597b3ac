"""One generated client's life (tooling/generator_services.py): the decisions, orders and the
service calls an officer and a provider would have made over five years, each at a moment in
the past, obeying the services' checks. Planned only: tooling/generator_rows.py writes the
rows those calls make in bulk, tooling/generator_replay.py makes the very calls."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from verkstall.absences.models import Absence, AbsenceReason
from verkstall.absences.services import long_absence_text
from verkstall.access.models import User
from verkstall.core.personal_number import make_test_personal_number
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.facts import RECEIVED_ON_SENDING
from verkstall.deadlines.routine_selectors import booked_staff_kinds
from verkstall.decisions.models import Decision, GrantedService, ScopeUnit
from verkstall.followups.models import FollowUp, Outcome
from verkstall.journal.models import ProviderJournalEntry
from verkstall.orders.models import EventKind, Order, ReplyChannel
from verkstall.people.models import Person
from verkstall.plans.models import ImplementationPlan
from verkstall.providers.models import Channel, Provider, ProviderUnit
from verkstall.tooling.demo_catalogue import FIRST, LAST
from verkstall.tooling.generator_world import HISTORY_YEARS, SCOPES, World

# --- one client's life, as the service calls it is made of ----------------------------------


def office_moment(
    day: date, rng: random.Random, start_hour: int = 8, end_hour: int = 16
) -> datetime:
    """A moment of office hours on a Swedish local day."""
    minutes = rng.randrange(start_hour * 60, end_hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), STOCKHOLM)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, STOCKHOLM)


def local_day(moment: datetime) -> date:
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


class Life:
    """Plans one client's history as the officer and the provider would have made it."""

    def __init__(self, world: World, rng: random.Random, now: datetime):
        self.w = world
        self.rng = rng
        self.now = now
        self.ok = 0.97  # the share of obligations done (and mostly on time)
        # The service kinds whose start names the booked staff member (R3.6, seed 003).
        self.booked_kinds = set(booked_staff_kinds(world.municipality))

    # who acts for the provider: its own staff, or the officer "on behalf" (R3.3)
    def _provider_actor(self, po: PlannedOrder):
        if po.provider.is_connected:
            return self.w.provider_staff[po.provider.pk], None, ReplyChannel.SYSTEM.value
        return po.officer, po.provider, po.provider.channel

    def _booked(self, po: PlannedOrder) -> dict:
        """The start's booked staff member, where the routine names one (R3.6, seed 003)."""
        if any(g.service_type.kind in self.booked_kinds for g in po.services):
            return {"booked_staff": "Ordinarie boendestödjare"}
        return {}

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
        moment = office_moment(local_day(first), rng)
        person.created_at = moment - timedelta(hours=1)
        provider = None
        while moment < now and (leaves is None or moment < leaves):
            nxt = moment + timedelta(days=max(60, rng.expovariate(1 / 450)))
            end_moment = min(nxt, leaves) if leaves else nxt
            k = 1 if rng.random() < 0.7 or len(self.w.service_types) == 1 else 2
            stypes = rng.sample(self.w.service_types, k)
            decided = local_day(moment)
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
        ev(Ev(EventKind.SENT, sent, sent, officer, data={"written_on": local_day(sent), "ch": 1}))
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
        if provider.channel not in RECEIVED_ON_SENDING:
            # By post or fax (R3.5): the officer registers the arrival when the provider
            # confirms it; a fax arrives the day it is sent, a letter a day or two later.
            arrived = local_day(sent) + timedelta(
                days=0 if provider.channel == Channel.FAX else rng.randrange(1, 3)
            )
            ack = max(ack, day_start(arrived) + timedelta(hours=rng.uniform(8, 16)))
            by = provider.get_channel_display().lower()
            data = {
                "received_on": arrived.isoformat(),
                "text": f"Kom fram till {provider.name} {arrived:%Y-%m-%d} ({by}).",
            }
            arrival = day_start(arrived)
            ev(Ev(EventKind.RECEIVED, arrival, ack, officer, None, provider.channel, data))
        ev(Ev(EventKind.ACKNOWLEDGED, ack, ack, actor, behalf, channel))
        registered = ack + timedelta(hours=rng.uniform(0.5, 40)) + self._late(1)
        start_day = max(
            local_day(sent), local_day(registered) - timedelta(days=rng.randrange(0, 2))
        )
        ev(
            Ev(
                EventKind.STARTED,
                day_start(start_day),
                registered,
                actor,
                behalf,
                channel,
                data={"start_date": start_day, **self._booked(po)},
            )
        )
        self._after_start(po, start_day, registered, actor, behalf, channel, end_moment)
        # The end: at the next decision (a new order replaces this one) or when care ends.
        end_day = local_day(end_moment) - timedelta(days=1 if reassessed else 0)
        end_day = max(end_day, start_day)
        if end_moment < self.now:
            end_rec = office_moment(end_day + timedelta(days=rng.randrange(0, 3)), rng)
            if po.provider.is_connected:
                ender, behalf_e, ch_e = actor, None, ReplyChannel.SYSTEM.value
            else:
                ender, behalf_e, ch_e = officer, None, ReplyChannel.SYSTEM.value
            ev(
                Ev(
                    EventKind.ENDED,
                    day_start(end_day),
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
            begun = office_moment(
                start_day + timedelta(days=rng.randrange(2, 10)), rng
            ) + self._late(0)
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
            written = day_start(start_day)
            while rng.random() < ok:
                written = office_moment(
                    local_day(written) + timedelta(days=rng.randrange(150, 178)), rng
                )
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
        # Absences: hospital stays and the like; some longer than the municipality's threshold
        # of a long absence (R7.2, 30 days by default).
        long_days = self.w.long_absence_days
        day = start_day
        while True:
            day = day + timedelta(days=int(rng.expovariate(1 / 420)) + 20)
            if day > local_day(horizon):
                break
            long = rng.random() < 0.25
            length = rng.randrange(long_days + 1, long_days + 40) if long else rng.randrange(2, 20)
            reason = rng.choice([AbsenceReason.HOSPITAL, AbsenceReason.OWN_CHOICE])
            reg = max(office_moment(day + timedelta(days=rng.randrange(0, 3)), rng), registered)
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
            ev(Ev(EventKind.ABSENCE_REGISTERED, min(day_start(day), reg), reg, actor, behalf,
                  channel, data={"reason": reason.value, "from_date": day.isoformat(),
                        "to_date": to_day.isoformat(), "automatic": False,
                        "text": f"{reason.label} {period}"},
                  row=absence, row_key="absence"))  # fmt: skip
            if long:
                first_long = day + timedelta(days=long_days)
                flagged = max(datetime.combine(first_long, time(2, 0), STOCKHOLM), reg)
                absence.long_flagged_at = flagged
                text = long_absence_text(day, long_days)
                ev(Ev(EventKind.ABSENCE_LONG, min(day_start(first_long), flagged), flagged,
                      actor, data={"from_date": day.isoformat(), "days": long_days,
                                   "text": text},
                      row=absence, row_key="absence"))  # fmt: skip
                if rng.random() < ok:
                    rep = flagged + timedelta(hours=rng.uniform(6, 72))
                    absence.reported_at = rep
                    ev(Ev(EventKind.ABSENCE_REPORTED, rep, rep, actor, behalf, channel,
                          {"text": f"Frånvaro {period}."}, absence, "absence"))  # fmt: skip
            day = to_day
