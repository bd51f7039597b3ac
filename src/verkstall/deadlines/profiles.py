"""The built-in rule profiles (SPEC R11.1), read from fixtures/builtin_profiles.json.

Each rule carries the SPEC id it carries out (its "spec" field, `ProfileSpec.spec_ids`).
Pure: returns RuleSpecs. The database holds the editable copy (models.Rule), loaded from
this file by a migration and by `load_builtin_profiles`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .calendar import Unit
from .rules import Responsible, RuleSpec

FIXTURE = Path(__file__).with_name("fixtures") / "builtin_profiles.json"
BUILTIN = ("stockholm-hv", "gotland", "solna-boendestod", "kundval-004")
CALENDAR_UNITS = {Unit.CALENDAR_DAYS, Unit.WEEKS, Unit.MONTHS, Unit.DAY_OF_FOLLOWING_MONTH}
SPEC_ID = re.compile(r"R\d+\.\d+")  # one requirement of SPEC.md: "R", section, ".", item


@dataclass(frozen=True)
class ProfileSpec:
    slug: str
    name: str
    sources: str
    rules: tuple[tuple[str, RuleSpec], ...]  # (subject, rule): subject is "order" or "decision"
    # rule code -> the SPEC id it carries out (the fixture's "spec"); traceability only, so it
    # stays with the built-in profile and is not part of a rule's editable copy in the database
    spec_ids: dict[str, str] = field(default_factory=dict, compare=False)

    def spec_id(self, code: str) -> str:
        return self.spec_ids[code]


def rule_from_dict(data: dict) -> tuple[str, RuleSpec]:
    """A rule from its stored form. A calendar-unit rule rolls to the next weekday unless it
    says otherwise (lag 1930:173: a deadline that ends on a non-weekday moves to the next)."""
    unit = Unit(data["unit"]) if data.get("unit") else None
    roll = data.get("roll_to_weekday")
    if roll is None:
        roll = unit in CALENDAR_UNITS
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
    )
    return data.get("subject", "order"), spec


@lru_cache(maxsize=1)
def builtin_profiles() -> dict[str, ProfileSpec]:
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    result = {}
    for p in raw["profiles"]:
        rules = tuple(rule_from_dict(r) for r in p["rules"])
        codes = [r.code for _, r in rules]
        if len(codes) != len(set(codes)):
            raise ValueError(f"profile {p['slug']}: duplicate rule codes")
        result[p["slug"]] = ProfileSpec(
            p["slug"], p["name"], p["sources"], rules, spec_ids(p["slug"], p["rules"])
        )
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
