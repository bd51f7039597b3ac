"""Whether a deadline rule is one the rule language can carry out (SPEC R11.1, R11.4).

Pure Python, no Django import. `rules.RuleSpec` calls `check_rule_spec` when it is made, so a
rule that cannot be computed, or whose words contradict each other, never exists: the admin,
the import and the fixture all get the same Swedish message, keyed by the Rule model's field
at fault (`RuleError.field`).
"""

from __future__ import annotations

from collections.abc import Iterator

from verkstall.core.event_kinds import CLOCK_EVENT_LABELS

from .calendar import DAY_UNITS, HOUR_UNITS, MONTH_UNIT_RANGE, MONTH_UNITS, Unit

#: How an order reached its provider (providers.models.Channel), for the channel condition.
CHANNEL_LABELS = {
    "system": "I systemet",
    "email": "E-post",
    "fax": "Fax",
    "post": "Post",
    "personal": "Personlig kontakt",
}

#: How often a service is given (deadlines/facts.py `frequency_of`), for the frequency
#: condition (SPEC R3.6, seed 002: "dagliga insatser verkställs snarast dock senast inom 3 dagar
#: och övriga insatser verkställs inom aktuell frekvens"). From the most frequent to the least;
#: "unspecified": the decision does not say how often.
FREQUENCY_LABELS = {
    "daily": "Dagligen (varje dag, även flera gånger om dagen)",
    "weekly": "Varje vecka (en eller flera dagar i veckan)",
    "every_other_week": "Varannan vecka",
    "monthly": "Varje månad",
    "unspecified": "Frekvensen framgår inte av beslutet",
}

#: Whether the order is the client's first with its provider (deadlines/facts.py
#: `is_new_client`), for the condition "vid ny kund" (SPEC R5.1, seed 003). "" applies to both.
CLIENT_OF_PROVIDER_LABELS = {
    "": "Alla",
    "new": "Bara ny kund hos utföraren",
    "existing": "Bara befintlig kund hos utföraren",
}

_DAY_OF_MONTH = (Unit.DAY_OF_FOLLOWING_MONTH, Unit.DAY_OF_SAME_MONTH)
_LAST_WEEKDAY = (Unit.LAST_WEEKDAY_OF_FOLLOWING_MONTH, Unit.LAST_WEEKDAY_OF_SAME_MONTH)
_NOT_FOR_HOURS = "gäller inte en frist i timmar"


class RuleError(ValueError):
    """A rule the language cannot carry out. `field` is the Rule model's field at fault,
    `message` says why in Swedish; ``str()`` starts with the rule's code, as it always has."""

    def __init__(self, code: str, field: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.field = field
        self.message = message


def check_rule_spec(rule) -> None:
    """Raise RuleError for the first thing wrong with `rule` (a rules.RuleSpec)."""
    for field, message in _problems(rule):
        raise RuleError(rule.code, field, message)


def _problems(rule) -> Iterator[tuple[str, str]]:
    yield from _structure_problems(rule)
    if (rule.amount is None) != (rule.unit is None):
        return
    if rule.unit is None:
        yield from _no_length_problems(rule)
    else:
        yield from _length_problems(rule)
    yield from _opening_hours_problems(rule)


def _structure_problems(rule) -> Iterator[tuple[str, str]]:
    if (rule.amount is None) != (rule.unit is None):
        yield (
            "unit" if rule.unit is None else "amount",
            "Antal och enhet hör ihop: ange båda, eller inget av dem för en regel utan "
            "tidsgräns (snarast).",
        )
    if rule.stop_by not in ("occurred", "recorded"):
        yield "stop_by", "Bedöms efter när händelsen inträffade eller när den registrerades."
    if rule.start_event not in CLOCK_EVENT_LABELS:
        yield "start_event", f"Okänd händelse {rule.start_event!r}."
    for event in rule.stop_events:
        if event not in CLOCK_EVENT_LABELS:
            yield "stop_events", f"Okänd händelse {event!r}."
    for channel in rule.channels:
        if channel not in CHANNEL_LABELS:
            known = ", ".join(f"{code} ({label})" for code, label in CHANNEL_LABELS.items())
            yield "channels", f"Okänd kanal {channel!r}; välj bland {known}."
    for frequency in rule.service_frequencies:
        if frequency not in FREQUENCY_LABELS:
            known = ", ".join(FREQUENCY_LABELS)
            yield "service_frequencies", f"Okänd frekvens {frequency!r}; välj bland {known}."
    if rule.client_of_provider not in CLIENT_OF_PROVIDER_LABELS:
        yield (
            "client_of_provider",
            'Ska vara "new" (ny kund hos utföraren), "existing" (befintlig kund) eller tomt.',
        )
    for included, excluded, field, word in (
        (rule.service_kinds, rule.excluded_service_kinds, "excluded_service_kinds", "Insatsslaget"),
        (rule.service_types, rule.excluded_service_types, "excluded_service_types", "Insatstypen"),
    ):
        for code in sorted(set(included) & set(excluded)):
            yield field, f"{word} {code!r} kan inte både ingå och vara undantaget."


def _no_length_problems(rule) -> Iterator[tuple[str, str]]:
    """A "snarast" rule has no deadline for the timing words to act on."""
    only = "gäller bara en regel med en frist (antal och enhet), inte en utan tidsgräns (snarast)."
    if rule.due_time is not None:
        yield "due_time", f"Ett klockslag {only}"
    if rule.cutoff_time is not None:
        yield "cutoff_time", f"En brytpunkt (samma dag om före klockslaget) {only}"
    if rule.cutoff_day is not None:
        yield "cutoff_day", f"En brytdag i månaden {only}"
    if rule.receipt_window:
        yield "receipt_window", f"Att räkna från nästa öppning {only}"
    if not rule.end_inclusive:
        yield "end_inclusive", f"Att sista dagen inte ingår {only}"


def _length_problems(rule) -> Iterator[tuple[str, str]]:
    unit, amount = rule.unit, rule.amount
    if amount < 0:
        yield "amount", "Antalet kan inte vara negativt."
    if unit in HOUR_UNITS:
        if rule.roll_to_weekday:
            yield (
                "roll_to_weekday",
                f"Att flytta fristen till nästa vardag {_NOT_FOR_HOURS}; välj i stället "
                "timmar räknat på vardagar eller inom öppettiden.",
            )
        if rule.due_time is not None:
            yield "due_time", f"Ett klockslag {_NOT_FOR_HOURS}: fristen är redan ett klockslag."
        if rule.cutoff_time is not None:
            yield "cutoff_time", f"En brytpunkt (samma dag om före klockslaget) {_NOT_FOR_HOURS}."
        if rule.cutoff_day is not None:
            yield "cutoff_day", f"En brytdag i månaden {_NOT_FOR_HOURS}."
        if not rule.end_inclusive:
            yield "end_inclusive", f"Att sista dagen inte ingår {_NOT_FOR_HOURS}."
    if rule.cutoff_day is not None and not 1 <= rule.cutoff_day <= 31:
        yield "cutoff_day", "Brytdagen är en dag i månaden, 1-31."
    if unit in MONTH_UNITS:
        least, most = MONTH_UNIT_RANGE[unit]
        if not least <= amount <= most:
            if unit in _DAY_OF_MONTH:
                yield "amount", f"Dagen i månaden är {least}-{most}."
            elif unit in _LAST_WEEKDAY:
                yield "amount", f"Vardag nummer {least}-{most} från månadens slut (1 = sista)."
            else:
                yield "amount", f"Vardag nummer {least}-{most} i månaden."
        if not rule.count_from_next_day:
            yield (
                "count_from_next_day",
                "Dag ett gäller inte en frist som är en dag i en månad (t.ex. den 5:e i månaden "
                "efter): den räknas inte från händelsen.",
            )
    if unit in DAY_UNITS and amount == 0 and not rule.end_inclusive:
        yield (
            "end_inclusive",
            "En frist på 0 dagar där sista dagen inte ingår skulle sluta innan den börjar.",
        )


def _opening_hours_problems(rule) -> Iterator[tuple[str, str]]:
    hours = rule.opening_hours
    needs = rule.unit is Unit.OPENING_HOURS or rule.receipt_window
    if hours is None and needs:
        word = (
            "Timmar inom öppettiden"
            if rule.unit is Unit.OPENING_HOURS
            else "Att räkna från nästa öppning"
        )
        yield "opens_at", f"{word} kräver öppettider: ange både när mottagaren öppnar och stänger."
    if hours is not None:
        if not hours[0] < hours[1]:
            yield "closes_at", "Stängningstiden måste vara efter öppningstiden."
        if not needs:
            yield (
                "opens_at",
                "Öppettider används bara av enheten timmar inom öppettiden och av att räkna "
                "från nästa öppning; ta bort dem eller välj något av dem.",
            )
