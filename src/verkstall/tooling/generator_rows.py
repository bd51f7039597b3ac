"""The generator's bulk path: from planned calls (tooling/generator_lives.py) to the rows the
services would have written, inserted in bulk (PostgreSQL `COPY`, bulk_create elsewhere).
See tooling/generator_services.py for what is kept equal to the services and how it is
proven."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

from verkstall.absences.models import Absence
from verkstall.core.event_kinds import clock_event
from verkstall.deadlines import client_selectors, engine, facts
from verkstall.deadlines.models import DueItem
from verkstall.deadlines.rules import Event, Responsible
from verkstall.decisions.catalogue import ServiceKind
from verkstall.decisions.models import Decision, GrantedService
from verkstall.followups import services as followups
from verkstall.followups.models import FollowUp, Outcome
from verkstall.journal.models import CaseJournalEntry, Message, ProviderJournalEntry
from verkstall.orders import end_services, notify_services
from verkstall.orders.models import EventKind, Order, OrderEvent
from verkstall.orders.states import CLOSED, Action, State, allowed_actions, next_state
from verkstall.people.models import Person
from verkstall.plans.models import ImplementationPlan, PlanStatus
from verkstall.tooling.generator_lives import Ev, PlannedDecision, PlannedOrder, local_day
from verkstall.tooling.generator_world import World

# --- from planned calls to rows --------------------------------------------------------------

ACTIONS = {
    EventKind.SENT: Action.SEND,
    EventKind.ACKNOWLEDGED: Action.ACKNOWLEDGE,
    EventKind.STARTED: Action.START,
    EventKind.ENDED: Action.END,
    EventKind.CANCELLED: Action.CANCEL,
}
ACTIVE = ("acknowledged", "started")


def settle(po: PlannedOrder, now: datetime) -> list[Ev]:
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
    # A column the database fills itself (`db_default`, such as an event's transaction) is
    # left to it, as an INSERT through the ORM leaves it.
    fields = [
        f
        for f in meta.concrete_fields
        if not (dicts and f.primary_key) and f.db_default is models.NOT_PROVIDED
    ]
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


def write_chunk(world: World, planned: list[PlannedDecision], persons: list[Person], now) -> dict:
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
            decided_on=local_day(pd.decided_at),
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
            kept = settle(po, now)
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
            )
            # With the MESSAGE_SENT event each message adds to the history (journal.services).
            order.last_event_seq = len(kept) + sum(sends_message(e, order) for e in kept)
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

    messages, entries, told = side_notes(settled)
    bulk(Message, messages)
    bulk(CaseJournalEntry, entries)
    events = []
    order_events: dict[int, list[Event]] = {}
    for po, kept in settled:
        order, state = po.order, State.DRAFT
        engine_events = order_events.setdefault(order.pk, [])
        clock_rows: list[tuple] = []
        for seq, e in enumerate(_with_messages(kept, told), start=1):
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
                # As the engine reads them back from the database: in UTC.
                clock_rows.append((kind, e.occurred.astimezone(UTC), e.recorded.astimezone(UTC)))
        # With the receipts the engine derives from a sending in the system or by e-mail.
        engine_events.extend(
            Event(clock_event(code), occurred, recorded)
            for code, occurred, recorded in facts.clock_rows(clock_rows, po.provider.channel)
        )
    bulk(OrderEvent, events, dicts=True)
    bulk(DueItem, _due_items(world, planned, settled, order_events, now), dicts=True)
    return counts


def _facts(services, *, order=None, rules=()):
    """The rules' facts of a planned subject (as the engine builds them, deadlines/facts.py)
    and its first service's type id. For an order: its provider's channel and, only when a
    rule asks, whether it is the client's first and the first with its provider
    (`client_selectors.order_facts`, read back from the orders already inserted: judged at the
    moment of generation, as the engine judges it at the order's last event)."""
    if order is not None:
        subject_facts, _ = client_selectors.order_facts(order, services, rules)
    else:
        subject_facts, _ = facts.facts_of(services)
    first = min(services, key=lambda g: g.pk).service_type_id if services else None
    return subject_facts, first


def _due_items(world, planned, settled, order_events, now) -> list[dict]:
    """The due items the engine would have stored after each order's last event: the same
    `engine.plan_items` over the same events, at the time of generation."""
    items = []

    def add(subject_key, planned_items):
        for rule, cycle, values in planned_items:
            items.append({"rule_id": rule.pk, "subject_key": subject_key, "cycle": cycle, **values})

    for po, _kept in settled:
        order = po.order
        granted = engine.decision_granted(po.decision.decision)
        order_facts, first = _facts(po.services, order=order, rules=world.order_rules)
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
                facts=order_facts,
                common=engine.order_item_fields(order, first),
                responsible=responsible,
                close_open=order.state in CLOSED,
                now=now,
            ),
        )
    for pd in planned:
        decision = pd.decision
        decision_facts, first = _facts(pd.services)
        events = [engine.decision_granted(decision)]
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
                facts=decision_facts,
                common=engine.decision_item_fields(decision, first),
                responsible=engine.decision_responsible(decision),
                close_open=engine.decision_finished(
                    po.order.state for po in pd.orders if po.order is not None
                ),
                now=now,
            ),
        )
    return items


def sends_message(e: Ev, order: Order) -> bool:
    """Whether the service call `e` sends a message (side_notes writes it)."""
    if e.kind in (EventKind.FOLLOWUP_REQUESTED, EventKind.FOLLOWUP_DONE):
        return True
    if e.kind == EventKind.FOLLOWUP_ANSWERED:
        return e.on_behalf is None
    if e.kind == EventKind.STARTED:
        return notify_services.how_officer_is_told(e.actor) == notify_services.MESSAGE
    if e.kind == EventKind.ENDED:
        by_officer = e.actor.unit_id is not None and e.actor.unit_id == order.unit_id
        return end_services.end_is_told(e.actor, by_officer=by_officer)
    return False


def _with_messages(kept: list[Ev], told: dict[int, Message]):
    """The kept calls, each one that sent a message followed by the MESSAGE_SENT event that
    send_message records with it (journal.services: the message's id and direction only)."""
    for e in kept:
        yield e
        message = told.get(id(e))
        if message is not None:
            data = {"message": message.pk, "from_provider": message.from_provider}
            yield Ev(EventKind.MESSAGE_SENT, e.recorded, e.recorded, e.actor, data=data)


def side_notes(settled) -> tuple[list[Message], list[CaseJournalEntry], dict[int, Message]]:
    """The messages and case-journal notes the services write beside the events: the
    follow-up's question, answer and record (followups.services), the start and the end of an
    order (orders.notify_services, orders.end_services), with the texts those services build,
    at the moment of the call; and each message by the call (`id` of its Ev) that sent it."""
    messages, entries, told = [], [], {}

    def message(e, order, subject: str, body: str) -> None:
        from_provider = bool(e.actor.provider_id)
        told[id(e)] = Message(
            municipality_id=order.municipality_id,
            person_id=order.person_id,
            order=order,
            unit_id=order.unit_id,
            provider=order.provider,
            from_provider=from_provider,
            sender=e.actor,
            sender_organisation=e.actor.organisation_name[:200],
            recipient_organisation=(order.unit.name if from_provider else order.provider.name)[
                :200
            ],
            subject=subject[:200],
            body=body,
            sent_at=e.recorded,
        )
        messages.append(told[id(e)])

    for po, kept in settled:
        order = po.order
        for e in kept:
            if e.kind == EventKind.FOLLOWUP_REQUESTED:
                message(e, order, *followups.status_request_message(order, e.data["text"]))
            elif e.kind == EventKind.FOLLOWUP_ANSWERED and sends_message(e, order):
                message(e, order, followups.status_answer_subject(order), e.data["text"])
            elif e.kind == EventKind.FOLLOWUP_DONE:
                text, subject, body = followups.followup_done_notes(
                    order,
                    label=Outcome(e.data["outcome"]).label,
                    answer=e.row.answer,
                    notes=e.row.notes,
                )
                entries.append(
                    CaseJournalEntry(
                        municipality_id=order.municipality_id,
                        person_id=order.person_id,
                        author=e.actor,
                        author_organisation=e.actor.organisation_name[:200],
                        title=followups.FOLLOWUP_TITLE,
                        text=text,
                        written_at=e.recorded,
                    )
                )
                message(e, order, subject, body)
            elif e.kind == EventKind.STARTED:
                # "Verkställt från och med <date>" to the officer (R3.7, notify_services).
                subject, body = notify_services.started_text(order, e.data["start_date"])
                if sends_message(e, order):
                    message(e, order, subject, body)
                elif notify_services.how_officer_is_told(e.actor) == notify_services.JOURNAL:
                    entries.append(
                        CaseJournalEntry(
                            municipality_id=order.municipality_id,
                            person_id=order.person_id,
                            author=e.actor,
                            author_organisation=e.actor.organisation_name[:200],
                            title=subject,
                            text=body,
                            written_at=e.recorded,
                        )
                    )
            elif e.kind == EventKind.ENDED and sends_message(e, order):
                alarm = any(g.service_type.kind == ServiceKind.SAFETY_ALARM for g in po.services)
                note = end_services.note_for_end(e.data.get("note", ""), alarm=alarm)
                message(e, order, *end_services.end_message(order, e.data["end_date"], note))
    return messages, entries, told
