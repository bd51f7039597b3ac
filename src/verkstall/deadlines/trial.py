"""Try a rule on a start moment: when it falls due, and why (SPEC R11.2, R11.5).

The one core behind `python -m verkstall due PROFILE RULE START` and the admin's "Prova
regeln" panel, so that both say exactly what a due item would say: the due moment comes from
the rule as the municipality edited it (`Rule.spec()`), and the explanation from the same
`rules.explain` that the engine stores on a due item.

Bad input is refused with `ValidationFailed`, in Swedish, keyed by the input it concerns:
"start" (the start moment) or "service" (the service type). The message of a "start" error
says what is wrong without repeating the input, so that the caller can name the input in
its own words (the command: "Ogiltigt START '...'"; the admin: the field's label).
"""

from __future__ import annotations

from datetime import date, datetime, time

from verkstall.core.errors import ValidationFailed
from verkstall.decisions.catalogue import KIND_LABELS
from verkstall.decisions.selectors import service_types

from .calendar import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, STOCKHOLM, UnsupportedYearError
from .rules import (
    CHANNEL_LABELS,
    CLIENT_OF_PROVIDER_LABELS,
    FREQUENCY_LABELS,
    RESPONSIBLE_LABELS,
    Event,
    RuleSpec,
    explain,
)

START_FORMAT = (
    "ange ett datum (2026-12-22) eller en tidpunkt (2026-12-22T10:00 eller 2026-12-22 10:00) "
    "i svensk tid."
)
MAX_START_LENGTH = 40
KIND_NAMES = {kind.value: label for kind, label in KIND_LABELS.items()}


def parse_start(text: str) -> tuple[date | datetime, datetime]:
    """START as given (a date or an aware Stockholm datetime) and as the moment the start
    event happened: a date is that day's local midnight, a time without offset is local."""
    value = (text or "").strip()
    if not value:
        raise ValidationFailed({"start": f"ingen angiven; {START_FORMAT}"})
    try:
        if len(value) > MAX_START_LENGTH:
            raise ValueError
        if len(value) == 10:
            day = date.fromisoformat(value)
            return day, datetime.combine(day, time.min, STOCKHOLM)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({"start": START_FORMAT}) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    else:
        moment = moment.astimezone(STOCKHOLM)
    return moment, moment


def start_text(day: str, clock: str = "") -> str:
    """A start moment from a date and an optional time of day (the admin's two inputs)."""
    day, clock = (day or "").strip(), (clock or "").strip()
    return f"{day}T{clock}" if day and clock else day


def scope_text(spec: RuleSpec) -> str:
    """Which services a rule applies to, in Swedish (for a refusal and for the admin)."""
    kinds = [KIND_NAMES.get(k, k) for k in spec.service_kinds]
    included = ", ".join([*kinds, *spec.service_types]) or "alla insatser"
    excluded_kinds = [KIND_NAMES.get(k, k) for k in spec.excluded_service_kinds]
    excluded = ", ".join([*excluded_kinds, *spec.excluded_service_types])
    return f"{included} utom {excluded}" if excluded else included


def conditions_text(spec: RuleSpec) -> list[str]:
    """The rule's conditions on the order beyond its services, in Swedish."""
    found = []
    if spec.first_order_only:
        found.append("bara en ny brukares första beställning")
    if spec.daily_only:
        found.append("bara insatser som ges dagligen")
    if spec.service_frequencies:
        often = " eller ".join(FREQUENCY_LABELS[f].lower() for f in spec.service_frequencies)
        found.append(f"bara insatser med frekvensen {often}")
    if spec.client_of_provider:
        found.append(CLIENT_OF_PROVIDER_LABELS[spec.client_of_provider].lower())
    if spec.channels:
        ways = " eller ".join(CHANNEL_LABELS.get(c, c).lower() for c in spec.channels)
        found.append(f"bara beställningar som gått via {ways}")
    return found


def check_service(rule, spec: RuleSpec, service_code: str, profile_slug: str):
    """The service type `service_code`, if the rule applies to it; else ValidationFailed."""
    stype = service_types().filter(code=service_code).first()
    if stype is None:
        known = ", ".join(sorted(service_types().values_list("code", flat=True)))
        raise ValidationFailed(
            {"service": f"Okänd insatstyp {service_code!r}. Kända insatstyper: {known}."}
        )
    if not spec.applies_to([stype.kind], [stype.code]):
        raise ValidationFailed(
            {
                "service": f"Regeln {profile_slug}/{rule.code} gäller inte insatstypen "
                f"{stype.code} ({stype.name}, insatsslag {stype.kind}); "
                f"den gäller: {scope_text(spec)}."
            }
        )
    return stype


def try_rule(rule, start_text: str, service_code: str | None = None, *, profile=None) -> dict:
    """When `rule` (a models.Rule) falls due if its start event happened at `start_text`,
    and why: the answer of `python -m verkstall due`, as a dict (R11.2, R11.5). `profile`:
    the profile the rule was asked for under, if not its own (a national library's rule in
    force under a profile that includes it, R11.3)."""
    try:
        spec = rule.spec()
    except ValueError as exc:  # a stored rule the language no longer accepts (rules.RuleError)
        message = getattr(exc, "message", None) or str(exc)
        raise ValidationFailed({"rule": f"Regeln kan inte räknas: {message}"}) from None
    profile = profile or rule.profile
    if service_code:
        check_service(rule, spec, service_code, profile.slug)
    given, moment = parse_start(start_text)
    try:
        due = spec.due_from(moment)
    except UnsupportedYearError:
        raise ValidationFailed(
            {
                "start": "fristen hamnar utanför de år som kalendern känner helgdagarna för "
                f"({FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR})."
            }
        ) from None
    except (ValueError, OverflowError):
        raise ValidationFailed({"start": "fristen hamnar utanför kalendern."}) from None
    explanation = explain(spec, Event(spec.start_event, moment, moment), due, None, None)
    return {
        "profile": profile.slug,
        "rule": rule.code,
        "name": rule.name,
        "version": rule.version,
        "source": rule.source,
        "source_text": rule.source_text,
        "responsible": rule.responsible,
        "responsible_label": RESPONSIBLE_LABELS[spec.responsible],
        "subject": rule.subject,
        "start_event": spec.start_event,
        "stop_events": list(spec.stop_events),
        "start": given.isoformat(),
        "length": explanation["length"],
        "due_date": explanation["due_date"],
        "due_at": explanation["due_at"],
        "skipped": explanation["skipped"],
        "rolled_from": explanation["rolled_from"],
        "explanation": explanation["text"],
    }
