"""Deadline rules and their evaluation against an order's events (SPEC R11).

Pure Python, no Django import: a rule is data (from a rule profile), an event is a kind with
when it happened and when it was recorded, and `evaluate` says what is due, whether it was
met, and why — with every day it skipped (R11.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum

from verkstall.core.event_kinds import CLOCK_EVENT_LABELS

from .calendar import (
    DAY_UNITS,
    HOUR_UNITS,
    MONTH_UNITS,
    Due,
    Unit,
    clock_text,
    compute_due,
)
from .explanations import explain

# Validation lives in rule_checks.py; its error and the condition labels are this module's too.
from .rule_checks import CHANNEL_LABELS as CHANNEL_LABELS
from .rule_checks import CLIENT_OF_PROVIDER_LABELS as CLIENT_OF_PROVIDER_LABELS
from .rule_checks import FREQUENCY_LABELS as FREQUENCY_LABELS
from .rule_checks import RuleError as RuleError
from .rule_checks import check_rule_spec


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
    Unit.WEEKDAY_HOURS: ("timme räknad på vardagar", "timmar räknat på vardagar"),
    Unit.OPENING_HOURS: ("timme inom öppettiden", "timmar inom öppettiden"),
    # The month units' amount is a number in the month, not a length: "den 5:e", "3:e
    # vardagen", "näst sista vardagen" (length_text words them in full).
    Unit.DAY_OF_FOLLOWING_MONTH: ("dag i månaden efter", "dag i månaden efter"),
    Unit.DAY_OF_SAME_MONTH: ("dag i samma månad", "dag i samma månad"),
    Unit.WEEKDAY_OF_FOLLOWING_MONTH: ("vardag i månaden efter", "vardag i månaden efter"),
    Unit.WEEKDAY_OF_SAME_MONTH: ("vardag i samma månad", "vardag i samma månad"),
    Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH: (
        "vardag från slutet av månaden efter",
        "vardag från slutet av månaden efter",
    ),
    Unit.LAST_WEEKDAY_OF_SAME_MONTH: (
        "vardag från slutet av samma månad",
        "vardag från slutet av samma månad",
    ),
}

#: Each unit as the admin's drop-down names it (SPEC R11.4, issue 13: no raw codes).
UNIT_CHOICE_LABELS = {
    Unit.HOURS: "timmar",
    Unit.WEEKDAY_HOURS: "timmar räknat på vardagar",
    Unit.OPENING_HOURS: "timmar inom öppettiden",
    Unit.CALENDAR_DAYS: "dagar (kalenderdagar)",
    Unit.WEEKDAYS: "vardagar",
    Unit.WORKING_DAYS: "arbetsdagar",
    Unit.WEEKS: "veckor",
    Unit.MONTHS: "månader",
    Unit.DAY_OF_FOLLOWING_MONTH: "dag N i månaden efter",
    Unit.DAY_OF_SAME_MONTH: "dag N i samma månad",
    Unit.WEEKDAY_OF_FOLLOWING_MONTH: "N:e vardagen i månaden efter",
    Unit.WEEKDAY_OF_SAME_MONTH: "N:e vardagen i samma månad",
    Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH: "N:e sista vardagen i månaden efter (1 = sista)",
    Unit.LAST_WEEKDAY_OF_SAME_MONTH: "N:e sista vardagen i samma månad (1 = sista)",
}


@dataclass(frozen=True)
class Facts:
    """What a rule's conditions look at, about one order or decision (SPEC R11.4).

    `first_order`: the order is the client's first in the municipality (None for a decision);
    `daily`: one of its services is given every day; `channel`: how the order went to the
    provider ("" for a decision); `frequency`: how often its most frequent service is given
    (FREQUENCY_LABELS; "" when nothing is known); `new_client`: the order is the client's
    first with its provider (None for a decision, or when no rule asked)."""

    kinds: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    first_order: bool | None = None
    daily: bool = False
    channel: str = ""
    frequency: str = ""
    new_client: bool | None = None


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
    # Rule language v2 (SPEC R11.4). Opening hours (weekdays, from-to) for OPENING_HOURS and
    # the receipt window; a due moment at a time of day; a same-day cut-off; an exclusive end;
    # and conditions on the order (kinds or types excluded, first order, daily, channel).
    opening_hours: tuple[time, time] | None = None
    receipt_window: bool = False
    due_time: time | None = None
    cutoff_time: time | None = None
    # "Anmälan senast den 20:e i månaden": an event after this day counts from the 1st of
    # the next month (SPEC R11.4; a monthly cut-off, e.g. for a switch of provider).
    cutoff_day: int | None = None
    end_inclusive: bool = True
    excluded_service_kinds: tuple[str, ...] = ()
    excluded_service_types: tuple[str, ...] = ()
    first_order_only: bool = False
    daily_only: bool = False
    channels: tuple[str, ...] = ()
    # "Dagliga insatser inom 3 dagar, övriga inom aktuell frekvens" (R3.6, seed 002): only
    # orders whose most frequent service is given this often (FREQUENCY_LABELS). And "vid ny
    # kund" (R5.1, seed 003): "new" only the client's first order with its provider,
    # "existing" only a client the provider already has, "" both.
    service_frequencies: tuple[str, ...] = ()
    client_of_provider: str = ""

    def __post_init__(self):
        # Every combination of the words is checked (rule_checks.py): RuleError names the
        # Rule field at fault, in Swedish (R11.4).
        check_rule_spec(self)

    def applies_to(self, kinds: Iterable[str], types: Iterable[str]) -> bool:
        """Whether the rule applies to an order with these service kinds and type codes (the
        service conditions only; `applies` checks every condition)."""
        kinds, types = set(kinds), set(types)
        if kinds & set(self.excluded_service_kinds) or types & set(self.excluded_service_types):
            return False
        if not self.service_kinds and not self.service_types:
            return True
        return bool(kinds & set(self.service_kinds) or types & set(self.service_types))

    def applies(self, facts: Facts) -> bool:
        """Whether the rule applies to a subject with these facts: every condition holds."""
        if not self.applies_to(facts.kinds, facts.types):
            return False
        if self.first_order_only and not facts.first_order:
            return False
        if self.daily_only and not facts.daily:
            return False
        if self.service_frequencies and facts.frequency not in self.service_frequencies:
            return False
        if self.client_of_provider == "new" and facts.new_client is not True:
            return False
        if self.client_of_provider == "existing" and facts.new_client is not False:
            return False
        return not self.channels or facts.channel in self.channels

    def length_text(self) -> str:
        """The rule's length in Swedish, every word included (R11.4): "3 vardagar", "24
        timmar räknat på vardagar", "senast 3:e vardagen i månaden efter kl. 12.00"."""
        if self.amount is None or self.unit is None:
            return "snarast (ingen tidsgräns i rutinen)"
        text = self._core_length_text()
        if self.unit in HOUR_UNITS and self.count_from_next_day:
            text += " räknat från dagen efter" if self.unit is Unit.HOURS else " från dagen efter"
        if self.unit in DAY_UNITS and not self.count_from_next_day:
            text += " (händelsens dag är dag 1)"
        if not self.end_inclusive:
            text += " (sista dagen ingår inte)"
        if self.due_time is not None:
            # "senast den 5:e samma månad kl. 12.00"; "3 vardagar, senast kl. 12.00"
            text += " " if self.unit in MONTH_UNITS else ", senast "
            text += f"kl. {clock_text(self.due_time)}"
        if self.cutoff_time is not None and not (self.amount == 0 and self.unit in DAY_UNITS):
            text += f", räknat från nästa dag om händelsen sker kl. {clock_text(self.cutoff_time)}"
            text += " eller senare"
        if self.cutoff_day is not None:
            text += f", räknat från nästa månad om händelsen sker efter den {self.cutoff_day}:e"
        if self.receipt_window and self.opening_hours is not None:
            text += f", utanför öppettiden ({_hours_text(self.opening_hours)}) räknat från nästa"
            text += " öppning"
        return text

    def _core_length_text(self) -> str:
        amount, unit = self.amount or 0, self.unit
        if unit is Unit.DAY_OF_FOLLOWING_MONTH:
            return f"senast den {_ordinal(amount)} i månaden efter"
        if unit is Unit.DAY_OF_SAME_MONTH:
            return f"senast den {_ordinal(amount)} samma månad"
        month = "i månaden efter" if "following" in unit.value else "i samma månad"
        if unit in (Unit.WEEKDAY_OF_FOLLOWING_MONTH, Unit.WEEKDAY_OF_SAME_MONTH):
            return f"senast {_ordinal(amount)} vardagen {month}"
        if unit in (Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH, Unit.LAST_WEEKDAY_OF_SAME_MONTH):
            nth_last = {1: "sista", 2: "näst sista"}.get(amount, f"{_ordinal(amount)} sista")
            return f"senast {nth_last} vardagen {month}"
        if amount == 0 and self.cutoff_time is not None and unit in DAY_UNITS:
            day = "vardag" if unit in (Unit.WEEKDAYS, Unit.WORKING_DAYS) else "dag"
            cutoff = clock_text(self.cutoff_time)
            return f"samma {day} om händelsen sker före kl. {cutoff}, annars nästa {day}"
        one, many = UNIT_LABELS[unit]
        text = f"{amount} {one if amount == 1 else many}"
        if unit is Unit.OPENING_HOURS and self.opening_hours is not None:
            text += f" ({_hours_text(self.opening_hours)})"
        return text

    def due_from(self, start: datetime) -> Due | None:
        if self.amount is None or self.unit is None:
            return None
        return compute_due(
            start,
            self.amount,
            self.unit,
            count_from_next_day=self.count_from_next_day,
            roll_to_weekday=self.roll_to_weekday,
            end_inclusive=self.end_inclusive,
            due_time=self.due_time,
            cutoff_time=self.cutoff_time,
            receipt_window=self.receipt_window,
            opening_hours=self.opening_hours,
            cutoff_day=self.cutoff_day,
        )


def _ordinal(number: int) -> str:
    """A Swedish ordinal in digits: 1:a, 2:a, 3:e, 11:e, 21:a."""
    suffix = "a" if number % 10 in (1, 2) and number % 100 not in (11, 12) else "e"
    return f"{number}:{suffix}"


def _hours_text(hours: tuple[time, time]) -> str:
    """Opening hours the Swedish way: "08.00–17.00"."""
    return f"{clock_text(hours[0])}–{clock_text(hours[1])}"


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
