"""Which changes affect a client's fee, and for which clients (SPEC R9.3). Pure: no Django.

Seed 002 §Verkställighet av avgift: "Utföraren meddelar avgiftshandläggaren vid förändringar som
påverkar avgiften (under 7 timmar per månad)", not for housing support and occupation. What the
system can see of such a change, read from the rows the lower apps write:

- an order started, or ended (`started`, `ended`);
- a new version of an order (R3.10): the new order's start; the old one's end is that change
  (the end it gets the day before is not told again);
- a provider switch (R2.6): the old order's `switch_completed`; its end is that change; the
  new provider's start is its own change (the day the services began again);
- a temporary increase or decrease (R3.8, `change_reported`: orders.TemporaryChange);
- an absence registered (R7.1, `absence_registered`: fees are reduced for absence), and its
  end when it is registered later (absences.Absence.to_date: no event is written for it);
- a start or end date corrected (R9.1, `start_corrected`, `end_corrected`).

A change is told only if the order holds a service that bears a fee, and the client's
fee-bearing services in force on the day of the change come to fewer hours a month than the
profile's `fee_hours_per_month` (7 in seed 002). In force: the granted services of the client's
orders running that day (started, not yet ended) and of the changed order itself, each once; so
a version replaced the day before, or the order a switch ended, no longer counts.

Which services bear a fee is the profile's rule for fee notices (its service kinds and types,
included or excluded: not housing support, day activity nor daily activity LSS in the national
rule `avgiftsmeddelande`), never a list here.

Hours: a service granted in hours per month counts its hours. A service granted in visits,
days or as a place has no length the system knows, so it adds no hours and does not by itself
take the client over the threshold: a client whose fee-bearing services are not in hours at all
is told about, and the notice says which services could not be counted (the fee officer
judges; one notice too many costs less than a wrong fee).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

#: A granted service's scope in hours per month (decisions.models.ScopeUnit).
HOURS_PER_MONTH = "hours_per_month"

# The kinds of fee notice, with their labels (FeeNotice.kind).
STARTED = "started"
ENDED = "ended"
NEW_VERSION = "new_version"
SWITCH = "switch"
TEMPORARY_CHANGE = "temporary_change"
ABSENCE = "absence"
ABSENCE_ENDED = "absence_ended"
DATE_CORRECTED = "date_corrected"
PROVIDER_REPORT = "provider_report"

KIND_LABELS: dict[str, str] = {
    STARTED: "Insatsen började",
    ENDED: "Insatsen avslutades",
    NEW_VERSION: "Ändrad beställning",
    SWITCH: "Byte av utförare",
    TEMPORARY_CHANGE: "Tillfällig förändring",
    ABSENCE: "Frånvaro",
    ABSENCE_ENDED: "Frånvaron slutade",
    DATE_CORRECTED: "Datum korrigerat",
    PROVIDER_REPORT: "Meddelande från utföraren",
}

#: The stored order-event codes (core/event_kinds.py) that can be a change of the fee.
FEE_EVENT_KINDS: tuple[str, ...] = (
    "started",
    "ended",
    "change_reported",
    "absence_registered",
    "switch_completed",
    "start_corrected",
    "end_corrected",
)


@dataclass(frozen=True)
class Change:
    """One change for the fee officer: its kind, the day it takes effect, its last day (a
    temporary change, a closed absence) and what it is, in Swedish."""

    kind: str
    day: date
    until: date | None
    text: str


@dataclass(frozen=True)
class OrderContext:
    """What an order event's change depends on besides its own data: the order's provider,
    whether it ever started, the order a new version replaces (R3.10), whether the order ended
    because a new version started or because of a provider switch (the end is then told by
    that change), and the previous provider when the order came from a switch."""

    provider: str
    started: bool = True
    supersedes: int | None = None
    replaced_by_version: bool = False
    ended_by_switch: bool = False
    switched_from: str = ""


@dataclass(frozen=True)
class Hours:
    """A client's fee-bearing services in force on a day: the hours a month counted, and the
    services that could not be counted in hours (their names)."""

    counted: Decimal
    uncounted: tuple[str, ...] = ()


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _text(text: str) -> str:
    return " ".join(str(text or "").split())


def change_of_event(
    kind: str, occurred: date, data: Mapping, context: OrderContext
) -> Change | None:
    """The change an order event makes for the fee officer, or None (an event that is not a
    change of the fee, or one told by another event: the end of a replaced version or of a
    switched order). `occurred` is the event's day; `data` its stored data."""
    data = data or {}
    if kind == "started":
        if context.supersedes:
            return Change(
                NEW_VERSION,
                occurred,
                None,
                f"Ändrad beställning verkställd från och med {occurred:%Y-%m-%d} hos "
                f"{context.provider}; ersätter beställning #{context.supersedes}, som slutar "
                "dagen före.",
            )
        text = f"Insatsen verkställd från och med {occurred:%Y-%m-%d} hos {context.provider}"
        if context.switched_from:
            text += f" efter byte från {context.switched_from}"
        return Change(STARTED, occurred, None, text + ".")
    if kind == "ended":
        if context.replaced_by_version or context.ended_by_switch:
            return None
        day = _day(data.get("end_date")) or occurred
        note = _text(data.get("note", ""))
        text = f"Insatsen hos {context.provider} avslutad med slutdatum {day:%Y-%m-%d}."
        return Change(ENDED, day, None, f"{text} {note}".strip())
    if kind == "change_reported":
        start = _day(data.get("from_date")) or occurred
        end = _day(data.get("to_date"))
        word = "ökning" if data.get("change") == "increase" else "minskning"
        period = f"{start:%Y-%m-%d}–{end:%Y-%m-%d}" if end else f"från {start:%Y-%m-%d}"
        days = f" ({data['days']} dagar)" if data.get("days") else ""
        reason = _text(data.get("reason", ""))
        text = f"Tillfällig {word} {period}{days}" + (f": {reason}" if reason else ".")
        return Change(TEMPORARY_CHANGE, start, end, text)
    if kind == "absence_registered":
        start = _day(data.get("from_date")) or occurred
        end = _day(data.get("to_date"))
        what = _text(data.get("text", "")) or f"från {start:%Y-%m-%d}"
        if end is None:
            what += " (pågående)" if "pågående" not in what else ""
        text = f"Frånvaro: {what}."
        if data.get("automatic"):
            text += " Registrerad automatiskt vid korttidsvistelse."
        return Change(ABSENCE, start, end, text)
    if kind == "switch_completed":
        if not data.get("new_order") or not context.started:
            return None  # the new order's copy of the switch (told once), or nothing began
        day = _day(data.get("agreed_date")) or occurred
        new = data.get("new_provider") or "ny utförare"
        return Change(
            SWITCH,
            day,
            None,
            f"Byte av utförare: {new} tar över från {context.provider} från och med "
            f"{day:%Y-%m-%d} (beställning #{data['new_order']}).",
        )
    if kind in ("start_corrected", "end_corrected"):
        day = _day(data.get("new_date")) or occurred
        which = "Startdatum" if kind == "start_corrected" else "Slutdatum"
        text = _text(data.get("text", "")) or f"{which} korrigerat till {day:%Y-%m-%d}."
        return Change(DATE_CORRECTED, day, None, text)
    return None


def absence_end_change(reason: str, from_date: date, to_date: date) -> Change:
    """The end of an absence registered after the absence itself (absences.end_absence)."""
    return Change(
        ABSENCE_ENDED,
        to_date,
        None,
        f"Frånvaron ({reason.lower()}) som började {from_date:%Y-%m-%d} slutade "
        f"{to_date:%Y-%m-%d}; insatserna ges igen från dagen efter.",
    )


def bears_fee(service, specs: Iterable) -> bool:
    """Whether a granted service (with `service_type.kind` and `.code`) bears a fee under the
    profile's fee rules (`deadlines.rules.RuleSpec`): some rule's service conditions take it."""
    kind, code = service.service_type.kind, service.service_type.code
    return any(spec.applies_to({kind}, {code}) for spec in specs)


def fee_hours(services: Iterable) -> Hours:
    """The hours a month of fee-bearing services (`scope_unit`, `scope_amount`,
    `service_type.name`); those not granted in hours are named, not counted."""
    counted, uncounted = Decimal(0), []
    for service in services:
        if service.scope_unit == HOURS_PER_MONTH:
            try:
                counted += Decimal(service.scope_amount)
            except (InvalidOperation, TypeError):
                uncounted.append(service.service_type.name)
        else:
            uncounted.append(service.service_type.name)
    return Hours(counted, tuple(sorted(set(uncounted))))


def in_scope(hours: Hours, threshold: int) -> bool:
    """Under the profile's hours a month ("under 7 timmar per månad", seed 002)."""
    return hours.counted < Decimal(threshold)


def hours_text(hours: Hours) -> str:
    """ "4 timmar per månad", plus the services not counted in hours."""
    amount = format(hours.counted.normalize(), "f").replace(".", ",")
    text = f"{amount} timmar per månad"
    if hours.uncounted:
        text += f" (ej i timmar: {', '.join(hours.uncounted)})"
    return text
