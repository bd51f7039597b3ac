"""The generator's services path: the planned lives (tooling/generator_lives.py) made as the
very service calls an officer and a provider would have made, each on a clock moved to its
moment (core.clock.travel_to), in the order they were made.

Every row is then written by the public services (register_person, record_decision,
create_order, send_order, ..., flag_long_absences for the nightly job), with their checks,
their events and the engine's due items. It is the reference the bulk path
(tooling/generator_rows.py) is proven equal to (tooling/tests/test_generator_paths.py), and
`python -m verkstall generate --through-services` times it. Slow: one transaction and one
recomputation of due items per call.
"""

from __future__ import annotations

from datetime import datetime

from verkstall.absences import services as absences
from verkstall.core import clock
from verkstall.decisions.services import record_decision
from verkstall.followups import services as followups
from verkstall.followups.models import Outcome
from verkstall.journal.services import write_provider_entry
from verkstall.orders import services as orders
from verkstall.orders.models import EventKind
from verkstall.orders.receipt_services import register_receipt
from verkstall.people.models import Person
from verkstall.people.services import register_person
from verkstall.plans import services as plans
from verkstall.tooling.generator_lives import Ev, PlannedDecision, PlannedOrder, local_day
from verkstall.tooling.generator_rows import settle
from verkstall.tooling.generator_world import World

PERSON_FIELDS = ("personal_number", "first_name", "last_name", "street_address", "postal_code")
PLAN_TEXTS = ("what", "how", "when", "by_whom", "participation")


class Replay:
    """Makes one chunk's planned calls through the services."""

    def __init__(self, world: World, now: datetime):
        self.w = world
        self.now = now
        self.persons: dict[int, Person] = {}  # id(planned person) -> stored person
        self.rows: dict[int, object] = {}  # id(planned row) -> stored plan, follow-up, absence
        self.counts: dict[str, int] = {}

    def _count(self, label: str) -> None:
        self.counts[label] = self.counts.get(label, 0) + 1

    def calls(self, planned: list[PlannedDecision], persons: list[Person]) -> list[tuple]:
        """(moment, tie-break, call) of every call that had happened by now, in the order the
        bulk path settles them (generator_rows.settle)."""
        calls = []
        for i, p in enumerate(persons):
            calls.append((p.created_at, (0, i), lambda p=p: self.register(p)))
        for j, pd in enumerate(planned):
            calls.append((pd.decided_at, (1, j), lambda pd=pd: self.decide(pd)))
            for k, po in enumerate(pd.orders):
                if po.created > self.now:
                    continue
                for n, e in enumerate(settle(po, self.now)):
                    calls.append((e.recorded, (2, j, k, n), lambda po=po, e=e: self.call(po, e)))
        calls.sort(key=lambda c: (c[0], c[1]))
        return calls

    def register(self, p: Person) -> None:
        self.persons[id(p)] = register_person(
            self._officer_of(p),
            **{name: getattr(p, name) for name in PERSON_FIELDS},
            city=p.city,
            area=p.area,
        )
        self._count("people.Person")

    def _officer_of(self, p: Person):
        officers = self.w.officers[p.unit_id]
        return officers[int(p.personal_number) % len(officers)]

    def decide(self, pd: PlannedDecision) -> None:
        decision = record_decision(
            pd.officer,
            person=self.persons[id(pd.person)],
            decided_on=local_day(pd.decided_at),
            services=[
                {
                    "service_type": g.service_type,
                    "scope_amount": g.scope_amount,
                    "scope_unit": g.scope_unit,
                    "frequency": g.frequency,
                    "valid_from": g.valid_from,
                }
                for g in pd.services
            ],
            assessment_summary="Utredning enligt SoL 4 kap. 1 §.",
        )
        for planned, stored in zip(pd.services, decision.services.order_by("pk"), strict=True):
            planned.pk = stored.pk  # the orders name the granted services by id
        pd.decision = decision
        self._count("decisions.Decision")

    def call(self, po: PlannedOrder, e: Ev) -> None:
        """The one service call that made the planned event `e` of `po`."""
        kind, actor, order = e.kind, e.actor, po.order
        row = self.rows.get(id(e.row)) if e.row is not None else None
        if kind == EventKind.CREATED:
            po.order = orders.create_order(
                actor,
                decision=po.decision.decision,
                provider=po.provider,
                services=[g.pk for g in po.services],
                provider_unit=po.provider_unit,
            )
            self._count("orders.Order")
        elif kind == EventKind.SENT:
            orders.send_order(actor, order)
        elif kind == EventKind.CANCELLED:
            orders.cancel_order(actor, order, reason=e.data["reason"])
        elif kind == EventKind.RECEIVED:
            register_receipt(actor, order, received_on=e.data["received_on"])
        elif kind == EventKind.ACKNOWLEDGED:
            orders.acknowledge_order(actor, order, channel=e.channel)
        elif kind == EventKind.STARTED:
            orders.register_start(
                actor,
                order,
                start_date=e.data["start_date"],
                channel=e.channel,
                booked_staff=e.data.get("booked_staff", ""),
            )
        elif kind == EventKind.ENDED:
            orders.end_order(actor, order, end_date=e.data["end_date"], channel=e.channel)
        elif kind == EventKind.PLAN_BEGUN:
            texts = {name: getattr(e.row, name) for name in PLAN_TEXTS}
            self.rows[id(e.row)] = plans.start_plan(actor, order, channel=e.channel, **texts)
        elif kind == EventKind.PLAN_SENT:
            plans.send_plan(actor, row, channel=e.channel)
        elif kind == EventKind.PLAN_CONFIRMED:
            plans.confirm_plan(actor, row)
        elif kind == EventKind.PLAN_REVIEWED:
            plans.review_plan(actor, row, channel=e.channel)
        elif kind == EventKind.FOLLOWUP_REQUESTED:
            self.rows[id(e.row)] = followups.request_status(actor, order, e.row.question)
        elif kind == EventKind.FOLLOWUP_ANSWERED:
            followups.answer_status(actor, row, e.data["text"], channel=e.channel)
        elif kind == EventKind.FOLLOWUP_DONE:
            followups.record_followup(actor, row, Outcome.UNCHANGED.value)
        elif kind == EventKind.JOURNAL_SUMMARY:
            write_provider_entry(actor, order=order, text=e.row.text, is_summary=True)
        elif kind == EventKind.ABSENCE_REGISTERED:
            self.rows[id(e.row)] = absences.register_absence(
                actor,
                order,
                reason=e.data["reason"],
                from_date=e.data["from_date"],
                to_date=e.data["to_date"],
                channel=e.channel,
            )
        elif kind == EventKind.ABSENCE_LONG:
            absences.flag_long_absences(clock.today())  # the nightly job
        elif kind == EventKind.ABSENCE_REPORTED:
            row.refresh_from_db()
            absences.report_absence_to_officer(actor, row, channel=e.channel)
        else:
            raise ValueError(f"no service for a planned {kind}")
        self._count("orders.OrderEvent")


def replay_chunk(world: World, planned: list[PlannedDecision], persons: list[Person], now) -> dict:
    """Make one chunk of clients' planned calls through the services, each at its moment.
    Returns the calls made, counted by what they made."""
    replay = Replay(world, now)
    for moment, _tie, call in replay.calls(planned, persons):
        with clock.travel_to(moment):
            call()
    return replay.counts
