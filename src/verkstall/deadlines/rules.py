"""Deadline rules and their evaluation against an order's events (SPEC R11).

Pure Python, no Django import: a rule is data (from a rule profile), an event is a kind with
when it happened and when it was recorded, and `evaluate` says what is due, whether it was
met, and why — with every day it skipped (R11.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from verkstall.core.event_kinds import CLOCK_EVENT_LABELS

from .calendar import STOCKHOLM, Due, Unit, compute_due


class Responsible(StrEnum):
    OFFICER = "officer"
    PROVIDER = "provider"
    # The provider taking over in a switch (R2.6: "Ny utförare tar kontakt ... inom 3 vardagar").
    NEW_PROVIDER = "new_provider"
    PLACEMENT_UNIT = "placement_unit"
    FEE_OFFICER = "fee_officer"
    AIDS_CENTRE = "aids_centre"


RESPONSIBLE_LABELS = {
    Responsible.OFFICER: "Handläggare",
    Responsible.PROVIDER: "Utförare",
    Responsible.NEW_PROVIDER: "Ny utförare (vid byte)",
    Responsible.PLACEMENT_UNIT: "Handläggningsenhet",
    Responsible.FEE_OFFICER: "Avgiftshandläggare",
    Responsible.AIDS_CENTRE: "Hjälpmedelscentral",
}


class Status(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.OPEN: "Öppen",
    Status.OVERDUE: "Försenad",
    Status.MET_ON_TIME: "Klar i tid",
    Status.MET_LATE: "Klar för sent",
    Status.CLOSED: "Avslutad utan åtgärd",
}

# The events that start or stop clocks, with their labels: derived from the one vocabulary of
# event kinds (core/event_kinds.py).
EVENT_LABELS = CLOCK_EVENT_LABELS

UNIT_LABELS = {
    Unit.HOURS: ("timme", "timmar"),
    Unit.CALENDAR_DAYS: ("dag", "dagar"),
    Unit.WEEKDAYS: ("vardag", "vardagar"),
    Unit.WORKING_DAYS: ("arbetsdag", "arbetsdagar"),
    Unit.WEEKS: ("vecka", "veckor"),
    Unit.MONTHS: ("månad", "månader"),
}


@dataclass(frozen=True)
class RuleSpec:
    """One dated (or "as soon as possible") obligation of a routine.

    `amount` None means the routine says "snarast" without a number: the item is open, with
    no due date, until the stop event comes. `stop_by="recorded"` judges the stop by when
    it was registered (R9.1: registered by the 5th of the following month); otherwise a
    late-registered event counts from when it happened. `repeats` restarts the clock at each
    stop event (yearly follow-ups, six-monthly summaries): each cycle is its own item.
    """

    code: str
    name: str
    start_event: str
    stop_events: tuple[str, ...]
    amount: int | None
    unit: Unit | None
    responsible: Responsible
    source: str
    count_from_next_day: bool = True
    roll_to_weekday: bool = False
    service_kinds: tuple[str, ...] = ()
    service_types: tuple[str, ...] = ()
    stop_by: str = "occurred"
    repeats: bool = False
    source_text: str = ""
    on_miss: str = ""

    def __post_init__(self):
        if (self.amount is None) != (self.unit is None):
            raise ValueError(f"{self.code}: amount and unit go together")
        if self.stop_by not in ("occurred", "recorded"):
            raise ValueError(f"{self.code}: stop_by is 'occurred' or 'recorded'")
        for event in (self.start_event, *self.stop_events):
            if event not in EVENT_LABELS:
                raise ValueError(f"{self.code}: unknown event {event!r}")

    def applies_to(self, kinds: Iterable[str], types: Iterable[str]) -> bool:
        """Whether the rule applies to an order with these service kinds and type codes."""
        if not self.service_kinds and not self.service_types:
            return True
        return bool(set(kinds) & set(self.service_kinds) or set(types) & set(self.service_types))

    def length_text(self) -> str:
        if self.amount is None or self.unit is None:
            return "snarast (ingen tidsgräns i rutinen)"
        if self.unit == Unit.DAY_OF_FOLLOWING_MONTH:
            return f"senast den {self.amount}:e i månaden efter"
        one, many = UNIT_LABELS[self.unit]
        return f"{self.amount} {one if self.amount == 1 else many}"

    def due_from(self, start: datetime) -> Due | None:
        if self.amount is None or self.unit is None:
            return None
        return compute_due(
            start,
            self.amount,
            self.unit,
            count_from_next_day=self.count_from_next_day,
            roll_to_weekday=self.roll_to_weekday,
        )


@dataclass(frozen=True)
class Event:
    kind: str
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class Evaluation:
    """One cycle of a rule for one subject: when it started, when it is due, whether met."""

    cycle: int
    start: Event
    due: Due | None
    stop: Event | None
    stop_at: datetime | None
    status: Status
    explanation: dict = field(default_factory=dict)

    @property
    def due_at(self) -> datetime | None:
        return self.due.due_at if self.due else None


def evaluate(rule: RuleSpec, events: Sequence[Event], now: datetime) -> list[Evaluation]:
    """Every cycle of `rule` over a subject's events, oldest first.

    Events are taken in the order they were recorded. The clock starts when the first start
    event happened. It stops at the first stop event recorded after it, judged by when that
    happened (`occurred_at`) — or by when it was registered (`recorded_at`) for a rule about
    registration. So a start date registered late still counts from the day the service
    began. A repeating rule with a length is periodic and starts again at each stop (yearly
    follow-ups); a repeating "snarast" rule, or one stopped by its own start event, answers
    each start event, so its next cycle begins at the next start event after the stop (every
    hospital notice is acknowledged; no cycle is started by the acknowledgement itself).
    """
    ordered = sorted(events, key=lambda e: e.recorded_at)
    anchor_index = _next_start(rule, ordered, 0)
    if anchor_index is None:
        return []
    anchor_is_stop = False
    cycles: list[Evaluation] = []
    while True:
        anchor = ordered[anchor_index]
        stop_index = _find_stop(rule, ordered, anchor_index, anchor_is_stop=anchor_is_stop)
        stop = ordered[stop_index] if stop_index is not None else None
        due = rule.due_from(anchor.occurred_at)
        stop_at = None
        if stop is not None:
            stop_at = stop.recorded_at if rule.stop_by == "recorded" else stop.occurred_at
            on_time = due is None or stop_at <= due.due_at
            status = Status.MET_ON_TIME if on_time else Status.MET_LATE
        elif due is not None and due.due_at < now:
            status = Status.OVERDUE
        else:
            status = Status.OPEN
        cycles.append(
            Evaluation(
                cycle=len(cycles),
                start=anchor,
                due=due,
                stop=stop,
                stop_at=stop_at,
                status=status,
                explanation=explain(rule, anchor, due, stop, stop_at),
            )
        )
        if not rule.repeats or stop_index is None or len(cycles) > 1000:
            return cycles
        if rule.amount is not None and stop_index != anchor_index:
            anchor_index, anchor_is_stop = stop_index, True
        else:
            next_start = _next_start(rule, ordered, stop_index + 1)
            if next_start is None:
                return cycles
            anchor_index, anchor_is_stop = next_start, False


def _next_start(rule: RuleSpec, ordered: Sequence[Event], first: int) -> int | None:
    """The index of the first start event at or after ordered[first], if any."""
    for index in range(first, len(ordered)):
        if ordered[index].kind == rule.start_event:
            return index
    return None


def _find_stop(
    rule: RuleSpec, ordered: Sequence[Event], anchor_index: int, *, anchor_is_stop: bool
) -> int | None:
    """The first stop event for the clock started by ordered[anchor_index].

    A rule judged by registration may be stopped by its own start event (the start date is
    both the event and, by its `recorded_at`, its registration) — unless the clock was
    started by a previous stop, which cannot stop its own next period.
    """
    if (
        not anchor_is_stop
        and rule.stop_by == "recorded"
        and ordered[anchor_index].kind in rule.stop_events
    ):
        return anchor_index
    for index in range(anchor_index + 1, len(ordered)):
        event = ordered[index]
        if event.kind in rule.stop_events:
            return index
    return None


def _local(moment: datetime) -> str:
    """Swedish local time; a whole-day event (a decision or start date) shows as its date."""
    local = moment.astimezone(STOCKHOLM)
    if local.hour == local.minute == local.second == local.microsecond == 0:
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")


def _local_day(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


def explain(
    rule: RuleSpec, start: Event, due: Due | None, stop: Event | None, stop_at: datetime | None
) -> dict:
    """A due date that explains itself (R11.2): start event, rule, source, skipped days."""
    lines = [f"{EVENT_LABELS[start.kind]} {_local(start.occurred_at)}."]
    if _local_day(start.recorded_at) > _local_day(start.occurred_at):
        lines.append(f"Registrerades {_local(start.recorded_at)}; räknas från när det hände.")
    lines.append(f"Regel: {rule.name}, {rule.length_text()} ({rule.source}).")
    if due is not None:
        if due.skipped:
            skipped = ", ".join(f"{s.day:%Y-%m-%d} {s.reason}" for s in due.skipped)
            lines.append(f"Räknade inte: {skipped}.")
        if due.rolled_from:
            lines.append(f"Flyttad från {due.rolled_from:%Y-%m-%d} till närmaste vardag.")
        when = f"{due.due_date:%Y-%m-%d}" if due.due_date else _local(due.due_at)
        lines.append(f"Senast {when}.")
    if stop is not None and stop_at is not None:
        if rule.stop_by == "recorded":
            lines.append(f"Klar: {EVENT_LABELS[stop.kind]}, registrerades {_local(stop_at)}.")
        else:
            lines.append(f"Klar: {EVENT_LABELS[stop.kind]} {_local(stop_at)}.")
            if _local_day(stop.recorded_at) > _local_day(stop.occurred_at):
                lines.append(
                    f"Registrerades {_local(stop.recorded_at)}; bedöms efter när det hände."
                )
    return {
        "rule": rule.code,
        "rule_name": rule.name,
        "source": rule.source,
        "source_text": rule.source_text,
        "responsible": rule.responsible.value,
        "start_event": start.kind,
        "start_occurred_at": start.occurred_at.isoformat(),
        "start_recorded_at": start.recorded_at.isoformat(),
        "length": rule.length_text(),
        "amount": rule.amount,
        "unit": rule.unit.value if rule.unit else None,
        "count_from_next_day": rule.count_from_next_day,
        "roll_to_weekday": rule.roll_to_weekday,
        "due_date": due.due_date.isoformat() if due and due.due_date else None,
        "due_at": due.due_at.isoformat() if due else None,
        "skipped": [{"date": s.day.isoformat(), "reason": s.reason} for s in due.skipped]
        if due
        else [],
        "rolled_from": due.rolled_from.isoformat() if due and due.rolled_from else None,
        "stop_event": stop.kind if stop else None,
        "stop_at": stop_at.isoformat() if stop_at else None,
        "stop_occurred_at": stop.occurred_at.isoformat() if stop else None,
        "stop_recorded_at": stop.recorded_at.isoformat() if stop else None,
        "text": " ".join(lines),
    }
