"""Rules made from data: the one check of a rule's stored form and the one way rules are
created from it (SPEC R11.1, R11.5): a copy, the built-ins, an import.

`services` re-exports `check_rule`, `add_rules` and `rule_fields`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime, time

from django.db import transaction

from verkstall.core.errors import ValidationFailed
from verkstall.decisions.catalogue import ServiceKind

from .calendar import Unit
from .models import TIME_FIELDS, Rule, RuleProfile
from .profiles import rule_from_dict, time_text
from .rules import (
    CHANNEL_LABELS,
    CLIENT_OF_PROVIDER_LABELS,
    EVENT_LABELS,
    FREQUENCY_LABELS,
    RESPONSIBLE_LABELS,
    Responsible,
    RuleSpec,
)

# The fields of a rule's stored form (`Rule.as_dict` plus "subject").
RULE_FIELDS = tuple(f.name for f in Rule._meta.concrete_fields if f.name in Rule().as_dict())
_MODEL_FIELDS = {f.name: f for f in Rule._meta.concrete_fields if f.name in RULE_FIELDS}
FLAG_FIELDS = tuple(n for n, f in _MODEL_FIELDS.items() if f.get_internal_type() == "BooleanField")
LIST_FIELDS = tuple(n for n, f in _MODEL_FIELDS.items() if f.get_internal_type() == "JSONField")
# Free texts: required unless the model lets them be blank, at most the model's max_length.
TEXT_FIELDS = ("name", "source", "source_text", "on_miss")
SUBJECTS = ("order", "decision")
STOP_BY = ("occurred", "recorded")
UNITS = tuple(u.value for u in Unit)
RESPONSIBLES = tuple(r.value for r in Responsible)
KINDS = tuple(k.value for k in ServiceKind)
MAX_AMOUNT = 2_147_483_647  # the largest integer every database's PositiveIntegerField holds
SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # Django's validate_slug
CLOCK = re.compile(r"\d{2}:\d{2}")
REQUIRED = "Måste anges."


def check_rule(data: dict, *, type_codes: Collection[str] | None = None) -> RuleSpec:
    """The rule `data` (in `Rule.as_dict` form) describes, or ValidationFailed keyed by the
    fields at fault (`rule_form_errors`' paths), in Swedish. Its arithmetic is tried once too,
    so that a rule the engine could not compute (the 40th of next month, a negative length)
    is refused here rather than failing every later event of the profile. `type_codes`: see
    `rule_form_errors`."""
    errors = rule_form_errors(data, type_codes=type_codes)
    if errors:
        raise ValidationFailed(errors)
    try:
        _subject, spec = rule_from_dict(data)
        spec.due_from(datetime(2026, 1, 15, tzinfo=UTC))
    except KeyError as exc:
        raise ValidationFailed({str(exc.args[0]): REQUIRED}) from None
    except (ValueError, TypeError) as exc:
        # rules.RuleError: a ValueError naming its field, with a Swedish message
        message = getattr(exc, "message", None) or str(exc)
        raise ValidationFailed({getattr(exc, "field", "rule"): message}) from None
    return spec


def rule_form_errors(data: dict, *, type_codes: Collection[str] | None = None) -> dict[str, str]:
    """What is wrong with the form of each field of a rule's stored form (`Rule.as_dict` plus
    "subject"), in Swedish, keyed by the field's path in the rule ("unit", "stop_events[1]"):
    the one check of it, for the admin, a copy, the built-ins and an import (R11.1, R11.5).
    Its meaning (which words go together) is `rules.RuleSpec`'s to check, after this.
    `type_codes`: the service type codes the catalogue knows; None leaves the codes of
    service types unchecked (the admin's form offers only known ones, and keeps a rule's old
    ones). Keys the form does not know are the caller's to refuse or not."""
    errors: dict[str, str] = {}
    _text_errors(errors, data)
    _choice_errors(errors, data)
    _number_errors(errors, data)
    _list_errors(errors, data, type_codes)
    for name in FLAG_FIELDS:  # roll_to_weekday may be null too: the unit's default
        value = data.get(name, False)
        if not isinstance(value, bool) and not (name == "roll_to_weekday" and value is None):
            errors[name] = "Ja eller nej (true eller false)."
    for name in TIME_FIELDS:
        value = data.get(name)
        if value not in (None, "") and not isinstance(value, time) and not _is_clock(value):
            errors[name] = 'Ange en tid som "TT:MM", t.ex. "12:00", eller ingen.'
    return errors


def _text_errors(errors: dict[str, str], data: dict) -> None:
    code, length = data.get("code"), _MODEL_FIELDS["code"].max_length
    if code in (None, ""):
        errors["code"] = REQUIRED
    elif not isinstance(code, str) or not SLUG.fullmatch(code):
        errors["code"] = (
            "Koden får bara innehålla bokstäver a–z, siffror, bindestreck och understreck."
        )
    elif len(code) > length:
        errors["code"] = f"Högst {length} tecken."
    for name in TEXT_FIELDS:
        field, value = _MODEL_FIELDS[name], data.get(name, "")
        if not field.blank and (value is None or (isinstance(value, str) and not value.strip())):
            errors[name] = REQUIRED
        elif not isinstance(value, str):
            errors[name] = "Ska vara en text."
        elif field.max_length is not None and len(value) > field.max_length:
            errors[name] = f"Högst {field.max_length} tecken."


def _choice_errors(errors: dict[str, str], data: dict) -> None:
    start = data.get("start_event")
    if start in (None, ""):
        errors["start_event"] = REQUIRED
    elif not isinstance(start, str) or start not in EVENT_LABELS:
        errors["start_event"] = f"Okänd händelse: {start!r}."
    unit = data.get("unit")
    if unit not in (None, "") and unit not in UNITS:
        errors["unit"] = f"Okänd enhet: {unit!r}."
    responsible = data.get("responsible")
    if responsible not in RESPONSIBLES:
        errors["responsible"] = (
            (REQUIRED if responsible in (None, "") else f"Okänd ansvarig: {responsible!r}.")
            + " Välj bland "
            + ", ".join(f"{r.value} ({label})" for r, label in RESPONSIBLE_LABELS.items())
            + "."
        )
    if "subject" in data and data["subject"] not in SUBJECTS:
        errors["subject"] = 'Ska vara "order" (beställning) eller "decision" (beslut).'
    if data.get("client_of_provider") not in (None, *CLIENT_OF_PROVIDER_LABELS):
        errors["client_of_provider"] = (
            'Ska vara "new" (ny kund hos utföraren), "existing" (befintlig kund hos utföraren) '
            'eller "" (alla).'
        )
    if "stop_by" in data and data["stop_by"] not in STOP_BY:
        errors["stop_by"] = (
            'Ska vara "occurred" (när det hände) eller "recorded" (när det registrerades).'
        )


def _number_errors(errors: dict[str, str], data: dict) -> None:
    amount, cutoff_day = data.get("amount"), data.get("cutoff_day")
    if amount is not None and not _is_int(amount, 0, MAX_AMOUNT):
        errors["amount"] = "Ska vara ett heltal, 0 eller större, eller inget (snarast)."
    if cutoff_day is not None and not _is_int(cutoff_day, 1, 31):
        errors["cutoff_day"] = "Ska vara en dag i månaden, 1-31, eller ingen."


def _list_errors(errors: dict[str, str], data: dict, type_codes) -> None:
    """Each list is a list of codes, each one known (service types: when `type_codes`)."""
    lists = {  # field: (known codes or None, what the list is of, for a code not known)
        "stop_events": (EVENT_LABELS, "händelser", "Okänd händelse"),
        "service_kinds": (KINDS, "insatsslag", "Okänt insatsslag"),
        "excluded_service_kinds": (KINDS, "insatsslag", "Okänt insatsslag"),
        "service_types": (type_codes, "insatstyper", "Okänd insatstyp"),
        "excluded_service_types": (type_codes, "insatstyper", "Okänd insatstyp"),
        "channels": (CHANNEL_LABELS, "sätt", "Okänd kanal"),
        "service_frequencies": (FREQUENCY_LABELS, "frekvenser", "Okänd frekvens"),
    }
    for name in LIST_FIELDS:
        known, many, unknown = lists[name]
        value = data.get(name, None if name == "stop_events" else [])
        if name == "stop_events" and value is None:  # required; an empty list is allowed
            errors[name] = REQUIRED
            continue
        if not isinstance(value, list | tuple):
            errors[name] = f"Ska vara en lista av {many}."
            continue
        for index, item in enumerate(value):
            if not isinstance(item, str) or (known is not None and item not in known):
                errors[f"{name}[{index}]"] = f"{unknown}: {item!r}."


def _is_int(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _is_clock(value) -> bool:
    """A time of day as "HH:MM" exactly."""
    if not isinstance(value, str) or not CLOCK.fullmatch(value):
        return False
    try:
        time.fromisoformat(value)
    except ValueError:
        return False
    return True


def rule_fields(data: dict, spec: RuleSpec | None = None) -> dict:
    """A rule's model fields from its stored form (`Rule.as_dict` plus "subject"). With the
    checked `spec`, a missing "roll_to_weekday" gets the default `rule_from_dict` gives it."""
    fields = {}
    for name in RULE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("unit", "client_of_provider"):
            value = value or ""
        elif name in TIME_FIELDS:
            value = None if value in (None, "") else time.fromisoformat(time_text(value))
        elif isinstance(value, list | tuple):
            value = list(value)
        fields[name] = value
    if spec is not None and "roll_to_weekday" not in data:
        fields["roll_to_weekday"] = spec.roll_to_weekday
    return fields


def add_rules(profile: RuleProfile, rule_dicts: list[dict], *, rule_model=Rule) -> list[Rule]:
    """Create rules in `profile` from their stored form (`Rule.as_dict()` plus "subject"): the
    one piece of code that makes rules from data (a copy, the built-ins, an import; R11.1,
    R11.5). Each rule is checked by `check_rule`; every error of every rule is raised at once
    as ValidationFailed keyed "rules[i].field" (i from 0), and then nothing is created. A code
    the profile has, or one given twice, is refused. New rules are version 1. Takes no actor:
    the caller checks who may write the profile. `rule_model`: a migration's historical model
    (fields it does not have yet are left out)."""
    errors: dict[str, list[str]] = {}
    known = {f.name for f in rule_model._meta.concrete_fields}
    taken = set(rule_model.objects.filter(profile=profile).values_list("code", flat=True))
    rows = []
    for i, data in enumerate(rule_dicts):
        if not isinstance(data, dict):
            errors[f"rules[{i}]"] = ["En regel ska vara ett objekt med fält."]
            continue
        for name in sorted(set(data) - set(RULE_FIELDS) - {"spec"}):
            errors[f"rules[{i}].{name}"] = ["Okänt fält."]
        try:
            spec = check_rule(data)
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                errors.setdefault(f"rules[{i}].{name}", []).extend(messages)
            continue
        if spec.code in taken:
            errors[f"rules[{i}].code"] = [f"Koden {spec.code} finns redan i profilen."]
            continue
        taken.add(spec.code)
        fields = {k: v for k, v in rule_fields(data, spec).items() if k in known}
        rows.append(rule_model(profile=profile, version=1, **fields))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        for row in rows:
            row.save()
    return rows
