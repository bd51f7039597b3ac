"""On-time figures per provider, rule and month (SPEC R9.4 "statistics", issue 15 item 7).

Pure arithmetic, no Django: the selector hands over a histogram, rows of
(provider, rule, month, outcome, days late, lead days, count), counted by the database; this
module sums them into figures per (provider, rule, month) and pools the providers into the
municipality's average. Definitions (the same in the benchmark's hand-written SQL):

- volume: the due items whose due date (Stockholm) falls in the month, closed ones (the order
  ended before anything was due) left out;
- share met on time: met on time / (met on time + met late + still open past due); items not
  yet due count in the volume only;
- lateness: whole Stockholm days from the due date to the day the item was met (met late) or
  to today (still open past due); an hour rule met late on its due day is 0 days late;
- lead time: whole Stockholm days from the start of the clock to the day it was met;
- median and 90th percentile: nearest rank (the smallest value with at least that share of
  the values at or below it), in integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
OUTCOMES = (ON_TIME, LATE, OVERDUE, PENDING)
#: The average row's provider key: every provider of the rows pooled.
POOLED = None
MEDIAN, P90 = (1, 2), (9, 10)

Key = tuple[int | None, int, date]


@dataclass(frozen=True)
class Bin:
    """One row of the database's histogram."""

    provider_id: int | None
    rule_id: int
    month: date
    outcome: str
    late_days: int | None
    lead_days: int | None
    count: int


@dataclass
class Figures:
    volume: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    lateness: dict[int, int] = field(default_factory=dict)
    lead: dict[int, int] = field(default_factory=dict)

    def add(self, b: Bin) -> None:
        self.volume += b.count
        setattr(self, b.outcome, getattr(self, b.outcome) + b.count)
        if b.outcome in (LATE, OVERDUE) and b.late_days is not None:
            self.lateness[b.late_days] = self.lateness.get(b.late_days, 0) + b.count
        if b.outcome in (ON_TIME, LATE) and b.lead_days is not None:
            self.lead[b.lead_days] = self.lead.get(b.lead_days, 0) + b.count

    @property
    def judged(self) -> int:
        """Items whose outcome is known: met, or open past due."""
        return self.on_time + self.late + self.overdue

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    @property
    def percent_on_time(self) -> int | None:
        """The share in whole percent, rounded half up (what the table and chart show)."""
        if not self.judged:
            return None
        return (200 * self.on_time + self.judged) // (2 * self.judged)

    @property
    def late_median(self) -> int | None:
        return percentile(self.lateness, MEDIAN)

    @property
    def late_p90(self) -> int | None:
        return percentile(self.lateness, P90)

    @property
    def lead_median(self) -> int | None:
        return percentile(self.lead, MEDIAN)


def percentile(histogram: dict[int, int], fraction: tuple[int, int]) -> int | None:
    """Nearest-rank percentile of a histogram value -> count; None when it is empty."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    numerator, denominator = fraction
    rank = max(1, (numerator * total + denominator - 1) // denominator)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - unreachable: seen reaches total


def compute(bins: Iterable[Bin], *, pool: bool = True) -> dict[Key, Figures]:
    """Figures per (provider, rule, month); with `pool`, also (POOLED, rule, month)."""
    out: dict[Key, Figures] = {}
    for b in bins:
        out.setdefault((b.provider_id, b.rule_id, b.month), Figures()).add(b)
        if pool:
            out.setdefault((POOLED, b.rule_id, b.month), Figures()).add(b)
    return out


# --- months ----------------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months from `first` to `last`, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def parse_month(text: str) -> date:
    """ "2026-03" -> date(2026, 3, 1); anything else a ValueError."""
    year, _, month = (text or "").strip().partition("-")
    if len(year) != 4 or not year.isdigit() or not month.isdigit():
        raise ValueError(text)
    return date(int(year), int(month), 1)


# --- the chart -------------------------------------------------------------------------------

CHART_WIDTH = 720
LABEL_WIDTH = 300
BAR_HEIGHT = 18
BAR_GAP = 6
CHART_TOP = 24


@dataclass(frozen=True)
class Bar:
    label: str
    percent: int | None
    x: int
    y: int
    width: int
    height: int
    text_y: int
    value_x: int
    value_text: str


def chart_bars(rows: Sequence[tuple[str, int | None]]) -> tuple[list[Bar], int]:
    """One horizontal bar per row (label, percent on time), and the chart's height. A row
    without a judged item gets a bar of width 0 and says so."""
    span = CHART_WIDTH - LABEL_WIDTH - 60
    bars = []
    for i, (label, percent) in enumerate(rows):
        y = CHART_TOP + i * (BAR_HEIGHT + BAR_GAP)
        width = 0 if percent is None else round(span * percent / 100)
        bars.append(
            Bar(
                label=label,
                percent=percent,
                x=LABEL_WIDTH,
                y=y,
                width=width,
                height=BAR_HEIGHT,
                text_y=y + BAR_HEIGHT - 5,
                value_x=LABEL_WIDTH + width + 6,
                value_text="–" if percent is None else f"{percent} %",
            )
        )
    height = CHART_TOP + len(rows) * (BAR_HEIGHT + BAR_GAP) + 10
    return bars, height
