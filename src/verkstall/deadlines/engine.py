"""The deadline engine: recompute a subject's due items from its events (SPEC R11).

Called by the services in the same transaction as the event they record, so the watchlists
are never behind the history. The arithmetic and the judgement are pure (rules.py,
calendar.py); this module only gathers events and stores the results.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.db.models import Q

from verkstall.core import clock, hooks
from verkstall.core.bulk_sql import update_rows
from verkstall.core.dates import READABLE_MAX, READABLE_MIN
from verkstall.core.event_kinds import CLOCK_EVENT_OF_KIND, CREATED, clock_event
from verkstall.core.order_states import CLOSED, State

from . import facts as pure_facts
from . import rule_cache_selectors as rule_cache
from .calendar import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, UnsupportedYearError
from .client_selectors import needs_first_order, order_facts
from .facts import clock_rows, clock_rows_by_channel, facts_of
from .models import DueItem, Rule
from .profile_selectors import rules_in_force
from .rules import Evaluation, Event, Facts, Responsible, Status, evaluate

logger = logging.getLogger(__name__)

#: Events outside the years the Swedish calendar knows (calendar.py) start and stop no clock:
#: a due moment cannot be computed for them (a decision dated 0001-01-01, stored before dates
#: were bounded, made a due item in year 1 BC that no list could read). Skipped with a warning;
#: an item they made earlier is closed by the next recompute, as for a rule that no longer
#: applies.
EARLIEST_EVENT = datetime(FIRST_SUPPORTED_YEAR, 1, 2, tzinfo=UTC)
LATEST_EVENT = datetime(LAST_SUPPORTED_YEAR, 12, 30, tzinfo=UTC)

MET = (Status.MET_ON_TIME.value, Status.MET_LATE.value)


def profile_rules(profile_slug: str, subject: str) -> list[Rule]:
    """The rules in force under a profile, its included libraries' too (R11.3)."""
    return rules_in_force(profile_slug, subject)


def _municipality_rules(municipality_id: int, subject: str | None) -> list[Rule]:
    """The rules in force for a municipality's profile for a subject (None: all): kept in
    the process while the rules' generation is unchanged (rule_cache_selectors.py, issue 19)."""
    return rule_cache.municipality_rules(municipality_id, subject)


def decision_granted(decision) -> Event:
    day_start = clock.start_of_day(decision.decided_on)
    return Event("decision.granted", day_start, decision.created_at)


# Stored order event code -> clock event: derived from core/event_kinds.py.
ORDER_EVENT_NAMES = CLOCK_EVENT_OF_KIND


_CLOCK_FIELDS = ("kind", "occurred_at", "recorded_at")
#: An event whose moment no datetime can hold (PostgreSQL keeps years BC) is not even read.
_READABLE_EVENT = Q(occurred_at__range=(READABLE_MIN, READABLE_MAX))


def _clock_event(kind: str, occurred_at, recorded_at) -> Event:
    return Event(clock_event(kind), occurred_at, recorded_at)


def order_events(order) -> list[Event]:
    """The events that drive an order's clocks, in recorded order. Only the three columns the
    clocks need are read (no model instances, no event data). An order sent in the system or
    by e-mail was received when it was sent: "order.received" follows its sending, derived
    (facts.clock_rows, R11.4); by post or fax its arrival is a registered event."""
    events = [decision_granted(order.decision)]
    rows = (
        order.events.exclude(kind=CREATED)
        .filter(_READABLE_EVENT)
        .order_by("seq")
        .values_list(*_CLOCK_FIELDS)
    )
    events += [_clock_event(*row) for row in clock_rows(rows, order.provider.channel)]
    return events


def decision_events(decision, *, placement: bool = True) -> list[Event]:
    """A decision's clocks run from the decision and stop on its orders' events; with
    `placement`, also on its queue entries' events (`placement_events`)."""
    events = [decision_granted(decision)]
    # The orders' events: the orders app answers the hook (its models sit above this layer).
    rows = hooks.call(hooks.DECISION_ORDER_EVENTS, decision=decision)
    events += [_clock_event(*row) for row in rows]
    # A registered choice, or an assignment by rotation, settles the choice (R2.2, R2.3,
    # R2.4); read through the granted services' reverse relation (providers.ProviderChoice).
    choices = decision.services.filter(choices__isnull=False).values_list(
        "choices__form_received_on", "choices__registered_at"
    )
    for received, registered_at in choices:
        occurred = clock.start_of_day(received) if received else registered_at
        events.append(Event("choice.registered", occurred, registered_at))
    if placement:
        events += placement_events(decision)
    return sorted(events, key=lambda e: e.recorded_at)


#: The clock events of the care-home queue (R8.1, R8.2): decision-level, read only when a rule
#: in force starts or stops on one of them.
PLACEMENT_EVENTS = frozenset({"placement.discharge_ready", "placement.place_accepted"})


def uses_placement(rules) -> bool:
    """Whether some rule starts or stops on a queue event (then they are read)."""
    return any(
        r.start_event in PLACEMENT_EVENTS or PLACEMENT_EVENTS & set(r.stop_events) for r in rules
    )


#: The state of a queue entry that left the queue without an order (placements.EntryState).
QUEUE_REMOVED = "removed"


def placement_events(decision) -> list[Event]:
    """An urgent placement's notice that the client is ready for discharge, and the accepted
    place (R8.1, R8.2), read in one query through the decision's reverse relation
    `queue_entries` (placements.QueueEntry sits above this layer).

    An entry removed from the queue (withdrawn, or after too many declines) starts no clock:
    its open payment-liability item no longer applies and is closed by `_store`, as every item
    whose rule no longer applies is; an item already met stays met."""
    events = []
    rows = decision.queue_entries.exclude(state=QUEUE_REMOVED).values_list(
        "discharge_ready_at", "created_at", "accepted_at"
    )
    for ready_at, created_at, accepted_at in rows:
        if ready_at is not None:
            events.append(Event("placement.discharge_ready", ready_at, created_at))
        if accepted_at is not None:
            events.append(Event("placement.place_accepted", accepted_at, accepted_at))
    return events


def order_event_rows(events) -> list[tuple]:
    """The clock rows (kind, occurred_at, recorded_at) of an OrderEvent queryset, in recorded
    order, with the receipts derived from sendings in the system or by e-mail (as
    `order_events`): the answer to hook DECISION_ORDER_EVENTS (orders.selectors)."""
    rows = (
        events.exclude(kind=CREATED)
        .filter(_READABLE_EVENT)
        .order_by("recorded_at", "id")
        .values_list(*_CLOCK_FIELDS, "order__provider__channel")
    )
    return list(clock_rows_by_channel(rows))


def _recompute_later_orders(order, rules) -> None:
    """A cancelled order no longer counts against the client's later orders being the first
    (`first_order`): their clocks are recomputed, so that a rule only for the first order
    follows at once (only when a rule in force asks)."""
    later = Q(created_at__gt=order.created_at) | Q(created_at=order.created_at, pk__gt=order.pk)
    orders = (
        order.person.orders.filter(municipality_id=order.municipality_id)
        .filter(later)
        .select_related("provider", "decision")
        .order_by("created_at", "pk")
    )
    for other in orders:
        recompute_order(other, rules=rules)


def _latest_switch(order):
    return (
        order.switches_from.select_related("new_provider")  # orders.ProviderSwitch
        .order_by("-created_at", "-id")
        .first()
    )


class _Parties(dict):
    """Who is responsible, per party of a rule. The new provider of a switch is looked up only
    when a rule for it has an item (most orders never have a switch)."""

    def __init__(self, parties: dict, order):
        super().__init__(parties)
        self._order = order
        self._looked = False

    def get(self, key, default=None):
        if key == Responsible.NEW_PROVIDER and not self._looked:
            self._looked = True
            switch = _latest_switch(self._order)
            if switch is not None:
                connected = switch.new_provider.is_connected
                self[key] = {
                    "responsible_provider_id": switch.new_provider_id,
                    "responsible_provider_unit_id": None,
                    "responsible_user_id": None if connected else self._order.officer_id,
                }
        return super().get(key, default)


def recompute_order(order, *, rules: list[Rule] | None = None) -> None:
    if rules is None:
        rules = _municipality_rules(order.municipality_id, "order")
    services = list(order.services.select_related("service_type").order_by("id"))
    facts, first_type = order_facts(order, services, rules)
    responsible = _Parties(
        {
            Responsible.PROVIDER: {
                "responsible_provider_id": order.provider_id,
                "responsible_provider_unit_id": order.provider_unit_id,
                # For a provider not connected, the officer registers its replies (R3.3), so
                # the item is on the officer's own list too.
                "responsible_user_id": None if order.provider.is_connected else order.officer_id,
            },
            Responsible.OFFICER: {
                "responsible_user_id": order.officer_id,
                "responsible_unit_id": order.unit_id,
            },
        },
        order,
    )
    _store(
        subject_key=f"order:{order.pk}",
        rules=rules,
        events=order_events(order),
        facts=facts,
        common=order_item_fields(order, first_type.pk if first_type else None),
        responsible=responsible,
        close_open=order.state in CLOSED,
    )


def recompute_after_order_event(order, kind: str | None = None) -> None:
    """Move the clocks after an order's event: the order's, and its decision's when the event
    can change them (a rule of the decision starts or stops on it, or the order ended or was
    cancelled, which may finish the decision). `kind` None: always both."""
    both = _municipality_rules(order.municipality_id, None)  # one query for both subjects
    order_rules = [r for r in both if r.subject == "order"]
    recompute_order(order, rules=order_rules)
    decision = order.decision
    rules = [r for r in both if r.subject == "decision"]
    kind = None if kind is None else str(getattr(kind, "value", kind))
    if kind == State.CANCELLED.value and needs_first_order(order_rules):
        _recompute_later_orders(order, order_rules)
    if kind is not None and kind not in CLOSED:
        # The clock events the stored event makes: a sending in the system or by e-mail is
        # also the order's receipt (facts.clock_rows).
        rows = clock_rows([(kind, None, None)], order.provider.channel)
        names = {clock_event(row[0]) for row in rows}
        if not any(r.start_event in names or names & set(r.stop_events) for r in rules):
            return
    recompute_decision(decision, rules=rules)


def decision_finished(order_states) -> bool:
    """A decision whose orders have all come to an end, at least one after it started: its
    services are no longer given, so its open clocks (a yearly follow-up ...) are closed
    instead of growing overdue for ever. A decision whose only orders were cancelled is not
    finished: the services are still to be started (the IVO clock runs on)."""
    states = list(order_states)
    return State.ENDED in states and all(s in CLOSED for s in states)


def recompute_decision(decision, *, rules: list[Rule] | None = None) -> None:
    if rules is None:
        rules = _municipality_rules(decision.municipality_id, "decision")
    services = list(decision.services.select_related("service_type").order_by("id"))
    states = list(decision.orders.values_list("state", flat=True))
    facts, first_type = facts_of(services)
    _store(
        subject_key=f"decision:{decision.pk}",
        rules=rules,
        events=decision_events(decision, placement=uses_placement(rules)),
        facts=facts,
        common=decision_item_fields(decision, first_type.pk if first_type else None),
        responsible=decision_responsible(decision),
        close_open=decision_finished(states)
        or pure_facts.decision_ended([s.valid_to for s in services], states, clock.today()),
    )


def recompute_decision_and_orders(decision) -> None:
    """Hook DECISION_CHANGED (registered or corrected, R1.1): the decision's clocks and its
    orders' (they count from the decision and read its services), rules in one query."""
    both = _municipality_rules(decision.municipality_id, None)
    for order in decision.orders.select_related("provider", "decision", "person"):
        recompute_order(order, rules=[r for r in both if r.subject == "order"])
    recompute_decision(decision, rules=[r for r in both if r.subject == "decision"])


def order_item_fields(order, service_type_id) -> dict:
    """The fields every due item of an order carries (also the benchmark's generator's)."""
    return {
        "municipality_id": order.municipality_id,
        "order_id": order.pk,
        "decision_id": order.decision_id,
        "person_id": order.person_id,
        "service_type_id": service_type_id,
    }


def decision_item_fields(decision, service_type_id) -> dict:
    """The fields every due item of a decision carries."""
    return {
        "municipality_id": decision.municipality_id,
        "decision_id": decision.pk,
        "person_id": decision.person_id,
        "service_type_id": service_type_id,
    }


def decision_responsible(decision) -> dict:
    """Who answers for a decision's items: its officer and unit."""
    return {
        Responsible.OFFICER: {
            "responsible_user_id": decision.officer_id,
            "responsible_unit_id": decision.unit_id,
        }
    }


def plan_items(
    *,
    rules,
    events,
    common,
    responsible,
    close_open,
    now,
    facts: Facts | None = None,
    kinds=(),
    types=(),
) -> list[tuple[Rule, int, dict]]:
    """What the rules make of a subject's events: (rule, cycle, field values) for every item.

    Only the rules whose conditions the subject's `facts` meet apply (R11.4: service kinds
    and types included or excluded, first order, daily services, channel); `kinds`/`types`
    alone stand for facts with nothing else known.

    Pure (no query): the engine stores these, and the benchmark's data generator
    (tooling/generator_rows.py) bulk-inserts the very same values, so generated due
    items are what the services would have stored."""
    if facts is None:
        facts = Facts(kinds=frozenset(kinds), types=frozenset(types))
    planned = []
    events = usable_events(events, common)
    for rule in rules:
        spec = _spec(rule)
        if not spec.applies(facts):
            continue
        try:
            evaluations = evaluate(spec, events, now)
        except (UnsupportedYearError, OverflowError) as exc:
            # A due date beyond the calendar's years (a long rule from a late event): no
            # item rather than a failed write of the event that moved the clock.
            logger.warning("deadline %s not computed for %s: %s", rule.code, _subject(common), exc)
            continue
        for ev in evaluations:
            values = _values(rule, ev, close_open)
            values.update(common)
            values.update(responsible.get(spec.responsible, {}))
            planned.append((rule, ev.cycle, values))
    return planned


def _subject(common: dict) -> str:
    if common.get("order_id"):
        return f"order {common['order_id']}"
    return f"decision {common.get('decision_id')}"


def _in_calendar(moment) -> bool:
    return moment is not None and EARLIEST_EVENT <= moment <= LATEST_EVENT


def usable_events(events: list[Event], common: dict) -> list[Event]:
    """The events whose moments the calendar can count from; the others are logged and left
    out (EARLIEST_EVENT)."""
    usable = []
    for event in events:
        if _in_calendar(event.occurred_at) and _in_calendar(event.recorded_at):
            usable.append(event)
        else:
            logger.warning(
                "deadline event %s of %s at %s is outside the calendar's years; skipped",
                event.kind,
                _subject(common),
                event.occurred_at.isoformat(),
            )
    return usable


def _spec(rule: Rule):
    """The rule's parsed spec, parsed once per instance: the rules in force are kept per
    generation of the rules (rule_cache_selectors.py), so an instance is never older than its
    row's last change, however the row was changed."""
    spec = rule.__dict__.get("_parsed_spec")
    if spec is None:
        spec = rule.__dict__["_parsed_spec"] = rule.spec()
    return spec


def _changed(item: DueItem, values: dict) -> bool:
    return any(getattr(item, name) != value for name, value in values.items())


def _store(*, subject_key, rules, events, facts, common, responsible, close_open) -> None:
    planned = plan_items(
        rules=rules,
        events=events,
        facts=facts,
        common=common,
        responsible=responsible,
        close_open=close_open,
        now=clock.now(),
    )
    store_planned(subject_key, planned)


def store_planned(subject_key: str, planned) -> None:
    """Write a subject's planned items (`plan_items`): new ones created, changed ones saved,
    those already met left as judged, and open ones whose rule no longer applies closed. The
    one writer of due items, for the engine's subjects and for others' (fees.services)."""
    existing = {(i.rule_id, i.cycle): i for i in DueItem.objects.filter(subject_key=subject_key)}
    now = clock.now()
    created, changed, fields = [], [], {"updated_at"}
    for rule, cycle, values in planned:
        item = existing.pop((rule.pk, cycle), None)
        if item is not None and item.status in MET:
            continue  # judged already: a later rule change never moves it
        if item is None:
            created.append(DueItem(rule=rule, subject_key=subject_key, cycle=cycle, **values))
        elif _changed(item, values):  # an unchanged item is not written again
            for field, value in values.items():
                setattr(item, field, value)
            fields.update(values)
            changed.append(item)
    # Items whose rule no longer applies (the rule was changed or removed) stay as history.
    for item in existing.values():
        if item.status == Status.OPEN.value:
            item.status = Status.CLOSED.value
            fields.add("status")
            changed.append(item)
    # One statement for the new items and one for the changed ones (issue 19, core.bulk_sql).
    if created:
        DueItem.objects.bulk_create(created)
    if changed:
        for item in changed:
            item.updated_at = now
        update_rows(DueItem, changed, sorted(fields))


def _values(rule: Rule, ev: Evaluation, close_open: bool) -> dict:
    status = ev.status
    if status == Status.OVERDUE:
        status = Status.OPEN  # stored as open; overdue is derived when read
    if close_open and status == Status.OPEN:
        status = Status.CLOSED
    explanation = dict(ev.explanation)
    explanation["rule_version"] = rule.version
    return {
        "rule_version": rule.version,
        "responsible": rule.responsible,
        "start_event": ev.start.kind,
        "started_at": ev.start.occurred_at,
        "start_recorded_at": ev.start.recorded_at,
        "due_at": ev.due_at,
        "due_date": ev.due.due_date if ev.due else None,
        "status": status.value,
        "met_at": ev.stop_at,
        "explanation": explanation,
    }
