"""How a due date explains itself, in Swedish (SPEC R11.2, R11.4).

Pure Python, no Django import. `explain` takes a rules.RuleSpec, the start and stop events
(rules.Event) and the computed calendar.Due; rules.evaluate calls it for every cycle, and the
`due` command and the admin's "try this rule" show the same text. Every word of the rule
language that applied is said: the conditions, where the count started (a receipt window, a
cut-off, "from the next day"), the days skipped, the roll policy (explicit for every day- and
month-unit rule), an exclusive end and a time of day.
"""

from __future__ import annotations

from datetime import date, datetime, time

from verkstall.core.event_kinds import CLOCK_EVENT_LABELS
from verkstall.decisions.catalogue import KIND_LABELS

from .calendar import HOUR_UNITS, STOCKHOLM, Due, Unit, clock_text


def _local(moment: datetime) -> str:
    """Swedish local time; a whole-day event (a decision or start date) shows as its date."""
    local = moment.astimezone(STOCKHOLM)
    if local.hour == local.minute == local.second == local.microsecond == 0:
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")


def _local_day(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


#: Units whose end is always a weekday (they count weekdays; 0 weekdays is the start day).
WEEKDAY_COUNTED_UNITS = frozenset(
    {
        Unit.WEEKDAYS,
        Unit.WORKING_DAYS,
        Unit.WEEKDAY_OF_FOLLOWING_MONTH,
        Unit.WEEKDAY_OF_SAME_MONTH,
        Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH,
        Unit.LAST_WEEKDAY_OF_SAME_MONTH,
    }
)

#: The roll policy, said for every rule whose end can fall on a non-weekday (R11.4: explicit
#: per rule). A rule counted in weekdays always ends on one, so it has nothing to say.
ROLL_POLICY = {
    True: "Slutar fristen på en dag som inte är vardag flyttas den till nästa vardag.",
    False: "Fristen flyttas inte om den slutar på en dag som inte är vardag.",
}
# How an order went to its provider, as a condition says it (CHANNEL_LABELS' codes).
_CHANNEL_WAYS = {
    "system": "i systemet",
    "email": "med e-post",
    "fax": "per fax",
    "post": "per post",
    "personal": "genom personlig kontakt",
}
# How often the services are given, as a condition says it (rule_checks.FREQUENCY_LABELS' codes).
_FREQUENCY_WAYS = {
    "daily": "dagligen",
    "weekly": "varje vecka",
    "every_other_week": "varannan vecka",
    "monthly": "varje månad",
    "unspecified": "med en frekvens som inte framgår av beslutet",
}
_CLIENT_OF_PROVIDER = {
    "new": "bara för en ny kund hos utföraren",
    "existing": "bara för en kund som utföraren redan har",
}


def conditions_text(rule) -> str:
    """The rule's conditions beyond its service kinds, in Swedish ("" when none, R11.4)."""
    parts = []
    excluded = [KIND_LABELS.get(k, k).lower() for k in rule.excluded_service_kinds]
    excluded += list(rule.excluded_service_types)
    if excluded:
        parts.append("inte för " + ", ".join(excluded))
    if rule.first_order_only:
        parts.append("bara för en ny brukares första beställning")
    if rule.daily_only:
        parts.append("bara för insatser som ges dagligen")
    if rule.service_frequencies:
        ways = " eller ".join(_FREQUENCY_WAYS.get(f, f) for f in rule.service_frequencies)
        parts.append(f"bara för insatser som ges {ways}")
    if rule.client_of_provider in _CLIENT_OF_PROVIDER:
        parts.append(_CLIENT_OF_PROVIDER[rule.client_of_provider])
    if rule.channels:
        ways = " eller ".join(_CHANNEL_WAYS.get(c, c) for c in rule.channels)
        parts.append(f"bara för beställningar som skickats {ways}")
    return f"Gäller {'; '.join(parts)}." if parts else ""


def _due_lines(rule, due: Due) -> list[str]:
    """The explanation of a due moment: where the count started, what it skipped, the roll
    policy and any roll, an exclusive end, and the due date (at its time of day)."""
    lines = []
    if due.counted_from is not None:
        lines.append(f"Räknas från {_local(due.counted_from)} ({due.counted_from_reason}).")
    if due.skipped:
        skipped = ", ".join(f"{s.day:%Y-%m-%d} {s.reason}" for s in due.skipped)
        lines.append(f"Räknade inte: {skipped}.")
    ends_on_weekday = rule.unit in WEEKDAY_COUNTED_UNITS and (rule.amount or 0) > 0
    if rule.unit not in HOUR_UNITS and not ends_on_weekday:
        lines.append(ROLL_POLICY[rule.roll_to_weekday])
    if due.rolled_from:
        lines.append(f"Flyttad från {due.rolled_from:%Y-%m-%d} till närmaste vardag.")
    if due.exclusive_end_of:
        lines.append(
            f"Sista dagen ingår inte: fristen går ut när {due.exclusive_end_of:%Y-%m-%d} börjar."
        )
    # An hour rule's due moment always shows its time: one due at midnight is due as that
    # day begins, not at its end.
    when = (
        f"{due.due_date:%Y-%m-%d}"
        if due.due_date
        else due.due_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    )
    if due.due_date and rule.due_time is not None:
        when += f" kl. {clock_text(rule.due_time)}"
    lines.append(f"Senast {when}.")
    return lines


def _time_value(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def explain(rule, start, due: Due | None, stop, stop_at: datetime | None) -> dict:
    """A due date that explains itself (R11.2): start event, rule, source, skipped days; and
    every word of the rule language that applied (R11.4): conditions, where the count
    started, the roll policy, an exclusive end, a time of day."""
    lines = [f"{CLOCK_EVENT_LABELS[start.kind]} {_local(start.occurred_at)}."]
    if _local_day(start.recorded_at) > _local_day(start.occurred_at):
        lines.append(f"Registrerades {_local(start.recorded_at)}; räknas från när det hände.")
    lines.append(f"Regel: {rule.name}, {rule.length_text()} ({rule.source}).")
    if conditions := conditions_text(rule):
        lines.append(conditions)
    if due is not None:
        lines += _due_lines(rule, due)
    if stop is not None and stop_at is not None:
        if rule.stop_by == "recorded":
            lines.append(f"Klar: {CLOCK_EVENT_LABELS[stop.kind]}, registrerades {_local(stop_at)}.")
        else:
            lines.append(f"Klar: {CLOCK_EVENT_LABELS[stop.kind]} {_local(stop_at)}.")
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
        "end_inclusive": rule.end_inclusive,
        "due_time": _time_value(rule.due_time),
        "cutoff_time": _time_value(rule.cutoff_time),
        "cutoff_day": rule.cutoff_day,
        "receipt_window": rule.receipt_window,
        "opening_hours": [_time_value(t) for t in rule.opening_hours]
        if rule.opening_hours
        else None,
        "counted_from": due.counted_from.isoformat() if due and due.counted_from else None,
        "counted_from_reason": due.counted_from_reason if due else "",
        "exclusive_end_of": due.exclusive_end_of.isoformat()
        if due and due.exclusive_end_of
        else None,
        "excluded_service_kinds": list(rule.excluded_service_kinds),
        "excluded_service_types": list(rule.excluded_service_types),
        "first_order_only": rule.first_order_only,
        "daily_only": rule.daily_only,
        "service_frequencies": list(rule.service_frequencies),
        "client_of_provider": rule.client_of_provider,
        "channels": list(rule.channels),
        "stop_event": stop.kind if stop else None,
        "stop_at": stop_at.isoformat() if stop_at else None,
        "stop_occurred_at": stop.occurred_at.isoformat() if stop else None,
        "stop_recorded_at": stop.recorded_at.isoformat() if stop else None,
        "text": " ".join(lines),
    }
