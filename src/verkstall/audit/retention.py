"""The retention rule (gallring, SPEC R10.6), as pure Python with no Django import.

R10.6: "a client's records are removed five years after the last entry, by the end of the
following calendar year, except records kept for research (people born on day 5, 15 or 25 of
a month). The rule is a setting, since the law may change."

So for one client, given the date of the last entry about them, their birth date and today:

- the retention period runs out `years` after the last entry, on the same date (a last entry
  on 29 February runs out on 28 February of a common year: a period that would end on a day
  the month does not have ends on its last day, as the Swedish rule for computing statutory
  periods has it). From that day on the records are *due* for removal (`due_since`);
- they must be removed by 31 December of the calendar year `remove_within_years` after the
  year the period ran out (`remove_by`); after that day the removal is *overdue*;
- a client born on one of the research days is kept (`research`) and never due. A
  coordination number (samordningsnummer) carries day + 60; it counts by its real day
  (`birth_date_of`), so 1950-03-65 is a day-5 birth and is kept.

Documents about someone who never became a client (a declined or never-handled temporary
stay, R8.4; audit/client_models.py UNLINKED_DATA) get the same rule (`assess`).

Whether the client has an ongoing order or a valid decision (never due) is the database's
question, answered in retention_selectors; this module only does the calendar.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

DEFAULT_YEARS = 5
DEFAULT_RESEARCH_DAYS: tuple[int, ...] = (5, 15, 25)
DEFAULT_REMOVE_WITHIN_YEARS = 1
COORDINATION_OFFSET = 60


@dataclass(frozen=True)
class RetentionRule:
    """The rule as configured (settings VERKSTALL_RETENTION_*; retention_selectors.rule)."""

    years: int = DEFAULT_YEARS
    research_days: tuple[int, ...] = DEFAULT_RESEARCH_DAYS
    remove_within_years: int = DEFAULT_REMOVE_WITHIN_YEARS

    def __post_init__(self):
        if not isinstance(self.years, int) or self.years < 1:
            raise ValueError(f"retention years must be a whole number >= 1, got {self.years!r}")
        if not isinstance(self.remove_within_years, int) or self.remove_within_years < 0:
            raise ValueError(
                f"remove-within years must be a whole number >= 0, got {self.remove_within_years!r}"
            )
        days = tuple(sorted(set(self.research_days)))
        bad = [d for d in days if not isinstance(d, int) or not 1 <= d <= 31]
        if bad:
            raise ValueError(f"research days must be days of a month (1-31), got {bad!r}")
        object.__setattr__(self, "research_days", days)

    def describe(self) -> str:
        """One line for the access log and the command, e.g. "5 år efter sista anteckningen,
        senast 31/12 året därpå; forskningsurval dag 5, 15, 25" (Swedish: a reader sees it)."""
        within = (
            "samma år"
            if self.remove_within_years == 0
            else "året därpå"
            if self.remove_within_years == 1
            else f"{self.remove_within_years} år därpå"
        )
        research = (
            "forskningsurval dag " + ", ".join(str(d) for d in self.research_days)
            if self.research_days
            else "inget forskningsurval"
        )
        return f"{self.years} år efter sista anteckningen, senast 31/12 {within}; {research}"


@dataclass(frozen=True)
class Assessment:
    """What the rule says about one client on `today`."""

    research: bool
    due_since: date  # the day the retention period ran out
    remove_by: date  # 31 December of the year the removal must be done in
    due: bool  # today >= due_since and not research
    overdue: bool  # due and today > remove_by


def add_years(day: date, years: int) -> date:
    """The same date `years` later; 29 February becomes 28 February in a common year."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


def birth_date_of(personal_number: str) -> date:
    """The real birth date in a twelve-digit personnummer or samordningsnummer (YYYYMMDD...);
    a samordningsnummer's day is the real day + 60."""
    digits = "".join(ch for ch in personal_number if ch.isdigit())
    if len(digits) != 12:
        raise ValueError("expected a twelve-digit number")
    day = int(digits[6:8])
    if day > COORDINATION_OFFSET:
        day -= COORDINATION_OFFSET
    return date(int(digits[:4]), int(digits[4:6]), day)


def is_research_sample(born: date, rule: RetentionRule) -> bool:
    """Kept for research: born on one of the rule's days of the month (R10.6)."""
    return born.day in rule.research_days


def assess(last_entry: date, born: date, today: date, rule: RetentionRule) -> Assessment:
    """Apply R10.6 to one client whose last entry was on `last_entry`.

    Also to a document about someone who never became a client, e.g. a temporary stay from
    another municipality that was declined or never handled (R8.4). R10.6 speaks of a
    client's records; a document with no client has no client record to be removed with and
    would otherwise be kept for ever. Product decision: it is kept exactly as long as a client
    record would be, counted from the document's own last entry (`last_entry`: when it was
    declined, or, never handled, when it was received): due `years` later, to be removed by
    the end of the following calendar year, and kept for research like a client's records
    when the person was born on a research day."""
    due_since = add_years(last_entry, rule.years)
    remove_by = date(due_since.year + rule.remove_within_years, 12, 31)
    research = is_research_sample(born, rule)
    due = not research and today >= due_since
    return Assessment(
        research=research,
        due_since=due_since,
        remove_by=remove_by,
        due=due,
        overdue=due and today > remove_by,
    )


def latest(dates: Iterable[date | None]) -> date | None:
    """The latest of some dates, ignoring missing ones; None if there are none."""
    present = [d for d in dates if d is not None]
    return max(present) if present else None
