"""Which quarter's IVO report a granted service belongs in, and as what (SPEC R9.5). Pure.

What IVO asks (ivo.se, "Rapportering" and "Individrapport" on ej verkställda beslut; SoL 16
kap. 6 f §, LSS 28 f §): once a quarter the municipality reports each favourable decision
that has not been carried out within three months of the decision date (a *new* case); it
goes on reporting it every following quarter while it is still not carried out (IVO calls
this *återrapportering*: a *continued* case); and it reports once more when the decision has
been carried out or has ended for another reason (a *follow-up*). A decision carried out in
part is reported for the part not carried out, so each granted service is a case of its own.

The limit is the municipality's IVO rule (the deadline engine's due date for the decision,
R11): `due_on` is its last day. A service is late when a day after `due_on` has passed with
the service neither started nor ended.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    NEW = "new"
    CONTINUED = "continued"
    FOLLOWUP = "followup"


KIND_LABELS = {
    Kind.NEW: "Nytt ärende",
    Kind.CONTINUED: "Återrapportering (ännu ej verkställt)",
    Kind.FOLLOWUP: "Verkställt eller avslutat",
}
#: Kinds a service is reported as at most once, across all reports (the database says so too).
ONCE = (Kind.NEW, Kind.FOLLOWUP)


@dataclass(frozen=True)
class Wait:
    """One granted service's wait, from the decision to its first start.

    `started_on`: the first day the service was given, on any order; `ended_on`: the last day
    of the decision when it has one (the granted service's `valid_to`)."""

    decided_on: date
    due_on: date
    started_on: date | None = None
    ended_on: date | None = None

    def known_on(self, day: date) -> Wait:
        """The wait as it stood at the end of `day`: a later start or end is not known yet."""
        started = self.started_on if self.started_on and self.started_on <= day else None
        ended = self.ended_on if self.ended_on and self.ended_on <= day else None
        return replace(self, started_on=started, ended_on=ended)

    @property
    def carried_out_on(self) -> date | None:
        """The day the decision was carried out (verkställt): the first start, unless the
        decision had ended before it."""
        if self.started_on and (self.ended_on is None or self.started_on <= self.ended_on):
            return self.started_on
        return None

    @property
    def ended_unstarted_on(self) -> date | None:
        """The day the decision ended without being carried out (avslutat av annan
        anledning): its last day, when no start came before it."""
        if self.ended_on and self.carried_out_on is None:
            return self.ended_on
        return None

    @property
    def resolved_on(self) -> date | None:
        return self.carried_out_on or self.ended_unstarted_on

    def late_on(self, day: date) -> bool:
        """Has the limit passed by the end of `day` with the decision not carried out or
        ended in time? (A start or end after the limit still leaves it late.)"""
        known = self.known_on(day)
        resolved = known.resolved_on
        return self.due_on < day and (resolved is None or resolved > self.due_on)

    def days_waited(self, day: date) -> int:
        """Days from the decision to its outcome, or to `day` when there is none yet."""
        return ((self.known_on(day).resolved_on or day) - self.decided_on).days


@dataclass(frozen=True)
class Reported:
    """What the reports of earlier quarters said of the service: whether it was reported as a
    new case, and whether its outcome (carried out or ended) was reported already."""

    new: bool = False
    outcome: bool = False


def kind_for(
    wait: Wait,
    *,
    first_day: date,
    as_of: date,
    reported: Reported,
    reporting_since: date | None = None,
) -> Kind | None:
    """What the report of the quarter beginning `first_day`, as it stands at the end of
    `as_of` (the quarter's last day, or today while it runs), says of the service: nothing
    (None), a new case, a continued one, or the follow-up with its outcome.

    Never twice: a service already reported as new is not new again, and one whose outcome
    was reported is not reported again. A late wait that was over before the quarter began
    and was never reported is not this quarter's (it was an earlier quarter's new case) --
    unless it was over after the municipality's first report began (`reporting_since`): then
    an earlier report that is already sent missed it (a date corrected afterwards), and it is
    reported now, as new, rather than never."""
    if reported.outcome or not wait.late_on(as_of):
        return None
    resolved = wait.known_on(as_of).resolved_on
    if not reported.new:
        missed = reporting_since is not None and resolved is not None
        missed = missed and reporting_since <= resolved
        if resolved is not None and resolved < first_day and not missed:
            return None
        return Kind.NEW
    return Kind.CONTINUED if resolved is None else Kind.FOLLOWUP
