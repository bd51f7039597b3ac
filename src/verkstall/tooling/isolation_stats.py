"""What the isolation proof counts and reports (tooling/isolation_checker.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from verkstall.tooling import canaries

DEFAULT_OPS_PER_EXAMPLE = 250

# Operation kinds as counted in the figures.
READ, LIST, SEARCH, TRANSITION, SCREEN = "read", "list", "search", "transition", "screen"
OPERATION_KINDS = (READ, LIST, SEARCH, TRANSITION, SCREEN)
# Where a body is read: a detail screen or answer; a list (never a protected client's
# address, even for named staff: README, R10.5); a document that leaves the screen (PDF, CSV,
# e-mail: never protected data, whoever produces it).
DETAIL, LISTING, DOCUMENT = "detail", "list", "document"


@dataclass
class Stats:
    operations: Counter = field(default_factory=Counter)  # by kind
    endpoints: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    outside_refused: int = 0  # requests for an id outside the user's set, all 403/404
    ids_checked: int = 0  # ids in responses checked against the oracle
    writes_done: int = 0  # writes that succeeded inside the user's set
    worlds: int = 0
    crossings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    scanner: canaries.Scanner = field(default_factory=canaries.Scanner)
    distance_checks: int = 0  # nearest-units answers and screens checked for a protected home

    @property
    def canary_hits(self) -> list[str]:
        return self.scanner.hits

    @property
    def total(self) -> int:
        return sum(self.operations.values())

    def report(self) -> str:
        lines = [
            f"worlds generated: {self.worlds}",
            f"operations: {self.total} ("
            + ", ".join(f"{k} {self.operations[k]}" for k in OPERATION_KINDS)
            + ")",
            f"ids checked against the oracle: {self.ids_checked}",
            f"requests for another organisation's id, refused 403/404: {self.outside_refused}",
            f"writes inside the user's own scope that succeeded: {self.writes_done}",
            "statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items())),
            f"crossings found: {len(self.crossings)}",
            f"server errors: {len(self.errors)}",
            self.scanner.report(),
            f"XLSX bodies scanned (the payment basis' file): {self.scanner.scanned['xlsx']}",
            f"distances to a protected client's home checked: {self.distance_checks}",
            f"time: {self.seconds:.1f} s",
        ]
        for line in (self.crossings + self.errors)[:50]:
            lines.append("  " + line)
        for line in self.canary_hits[:100]:
            lines.append("  canary: " + line)
        return "\n".join(lines)
