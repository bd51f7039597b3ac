"""The built-in rule profiles (SPEC R11.1), read from fixtures/builtin_profiles.json.

The fixture (format "verkstall-rule-profiles/2") holds the national library profile
`nationell` ("library": true; the IVO rule, R9.5, once) and the four routine profiles, each of
which "includes" it by reference (R11.3). Each rule carries the SPEC id it carries out (its
"spec" field, `ProfileSpec.spec_ids`). Pure: returns RuleSpecs. The database holds the
editable copy (models.Rule), loaded from this file by migrations through
`services.sync_builtin_profiles`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import time
from functools import lru_cache
from pathlib import Path

from .calendar import Unit
from .rules import Responsible, RuleSpec

FIXTURE = Path(__file__).with_name("fixtures") / "builtin_profiles.json"
BUILTIN = ("stockholm-hv", "gotland", "solna-boendestod", "kundval-004")
LIBRARY = "nationell"  # the national library profile the built-ins include (R11.3)
FORMAT = "verkstall-rule-profiles/2"
FORMATS = ("verkstall-rule-profiles/1", FORMAT)  # what the fixture may say
CALENDAR_UNITS = {Unit.CALENDAR_DAYS, Unit.WEEKS, Unit.MONTHS, Unit.DAY_OF_FOLLOWING_MONTH}
SPEC_ID = re.compile(r"R\d+\.\d+")  # one requirement of SPEC.md: "R", section, ".", item


@dataclass(frozen=True)
class ProfileSpec:
    slug: str
    name: str
    sources: str
    # (subject, rule): subject is "order" or "decision". For a routine profile, the rules in
    # force: its own, then those of the libraries it includes that it does not override.
    rules: tuple[tuple[str, RuleSpec], ...]
    # rule code -> the SPEC id it carries out (the fixture's "spec"); traceability only, so it
    # stays with the built-in profile and is not part of a rule's editable copy in the database
    spec_ids: dict[str, str] = field(default_factory=dict, compare=False)
    is_library: bool = False  # a national library profile, included by reference (R11.3)
    includes: tuple[str, ...] = ()  # slugs of the library profiles it includes

    def spec_id(self, code: str) -> str:
        return self.spec_ids[code]


def rule_from_dict(data: dict) -> tuple[str, RuleSpec]:
    """A rule from its stored form. A calendar-unit rule rolls to the next weekday unless it
    says otherwise (lag 1930:173: a deadline that ends on a non-weekday moves to the next)."""
    unit = Unit(data["unit"]) if data.get("unit") else None
    roll = data.get("roll_to_weekday")
    if roll is None:
        roll = unit in CALENDAR_UNITS
    opens, closes = _time(data.get("opens_at")), _time(data.get("closes_at"))
    spec = RuleSpec(
        code=data["code"],
        name=data["name"],
        start_event=data["start_event"],
        stop_events=tuple(data["stop_events"]),
        amount=data.get("amount"),
        unit=unit,
        responsible=Responsible(data["responsible"]),
        source=data["source"],
        count_from_next_day=data.get("count_from_next_day", True),
        roll_to_weekday=roll,
        service_kinds=tuple(data.get("service_kinds", ())),
        service_types=tuple(data.get("service_types", ())),
        stop_by=data.get("stop_by", "occurred"),
        repeats=data.get("repeats", False),
        source_text=data.get("source_text", ""),
        on_miss=data.get("on_miss", ""),
        opening_hours=(opens, closes) if opens is not None and closes is not None else None,
        receipt_window=bool(data.get("receipt_window", False)),
        due_time=_time(data.get("due_time")),
        cutoff_time=_time(data.get("cutoff_time")),
        cutoff_day=data.get("cutoff_day"),
        end_inclusive=data.get("end_inclusive", True),
        excluded_service_kinds=tuple(data.get("excluded_service_kinds", ())),
        excluded_service_types=tuple(data.get("excluded_service_types", ())),
        first_order_only=bool(data.get("first_order_only", False)),
        daily_only=bool(data.get("daily_only", False)),
        channels=tuple(data.get("channels", ())),
        service_frequencies=tuple(data.get("service_frequencies", ())),
        client_of_provider=data.get("client_of_provider") or "",
    )
    return data.get("subject", "order"), spec


def _time(value) -> time | None:
    """A time of day from its stored form ("HH:MM"), or None."""
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    return time.fromisoformat(value)


def time_text(value) -> str | None:
    """A time of day in its stored form, "HH:MM" (None stays None)."""
    value = _time(value)
    return None if value is None else value.strftime("%H:%M")


def fixture_data() -> dict:
    """The fixture as stored: {"format": ..., "profiles": [...]}, libraries first."""
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    if raw.get("format") not in FORMATS:
        raise ValueError(f"{FIXTURE.name}: unknown format {raw.get('format')!r}")
    raw["profiles"].sort(key=lambda p: not p.get("library", False))
    return raw


@lru_cache(maxsize=1)
def fixture_profiles() -> dict[str, ProfileSpec]:
    """Every profile of the fixture (libraries too) with its OWN rules only."""
    result = {}
    for p in fixture_data()["profiles"]:
        rules = tuple(rule_from_dict(r) for r in p["rules"])
        codes = [r.code for _, r in rules]
        if len(codes) != len(set(codes)):
            raise ValueError(f"profile {p['slug']}: duplicate rule codes")
        includes = tuple(p.get("includes", ()))
        library = bool(p.get("library", False))
        for slug in includes:
            if slug not in result or not result[slug].is_library:
                raise ValueError(f"profile {p['slug']}: includes {slug!r}, no library profile")
        if library and includes:
            raise ValueError(f"profile {p['slug']}: a library includes nothing")
        result[p["slug"]] = ProfileSpec(
            p["slug"],
            p["name"],
            p["sources"],
            rules,
            spec_ids(p["slug"], p["rules"]),
            is_library=library,
            includes=includes,
        )
    return result


@lru_cache(maxsize=1)
def library_profiles() -> dict[str, ProfileSpec]:
    """The national library profiles of the fixture (R11.3), e.g. `nationell`."""
    return {slug: p for slug, p in fixture_profiles().items() if p.is_library}


@lru_cache(maxsize=1)
def builtin_profiles() -> dict[str, ProfileSpec]:
    """The built-in routine profiles (BUILTIN), each with the rules in force: its own, then
    those of the libraries it includes whose code it does not override (R11.1, R11.3)."""
    every = fixture_profiles()
    result = {}
    for slug, profile in every.items():
        if profile.is_library:
            continue
        rules = list(profile.rules)
        ids = dict(profile.spec_ids)
        for library in profile.includes:
            for subject, rule in every[library].rules:
                if rule.code not in ids:
                    rules.append((subject, rule))
                    ids[rule.code] = every[library].spec_id(rule.code)
        result[slug] = replace(profile, rules=tuple(rules), spec_ids=ids)
    return result


def spec_ids(slug: str, rules: list[dict]) -> dict[str, str]:
    """Each built-in rule's SPEC id (its "spec" field): one id, never missing."""
    found = {}
    for data in rules:
        spec = data.get("spec")
        if not isinstance(spec, str) or not SPEC_ID.fullmatch(spec):
            raise ValueError(
                f"profile {slug}, rule {data.get('code')}: no valid SPEC id ({spec!r})"
            )
        found[data["code"]] = spec
    return found
