"""Which clients are due for retention (gallring, SPEC R10.6), read from the database.

The rule itself (retention.py) is pure; this module supplies its inputs:

- the rule, from optional Django settings (defaults in retention.py):
  VERKSTALL_RETENTION_YEARS (5), VERKSTALL_RETENTION_RESEARCH_DAYS ((5, 15, 25)) and
  VERKSTALL_RETENTION_REMOVE_WITHIN_YEARS (1: "by the end of the following calendar year");
- the *last entry* of each client: the latest date of anything recorded about the client in
  any app (LAST_ENTRY_SOURCES: the person's own changes, decisions and their validity, orders
  and their events, switches, temporary changes, due items met or started, reminders, case
  and provider journals, messages and read receipts, plans, follow-ups, absences, hospital
  notices and their receipts, provider choices and rotation assignments). Moments are taken
  as Swedish local dates. Reads of the client's data (the access log) are not entries: looking
  at a record, for instance to review the retention list, does not keep it alive;
- who is never due: a client with an order that has not ended or been cancelled, or with a
  granted service of a decision still valid (no end date, or an end date today or later).

- apart from the clients, the rows that hold personal data of someone who never became a
  client (UNLINKED_DATA in client_models.py: a declined or never-handled temporary stay,
  R8.4), judged by the same rule counted from their own last entry (`review_unlinked`,
  retention.assess). They are listed by model and id only.

The last entries of all candidates are computed with one grouped aggregate query per source
table (about twenty queries in all, whatever the number of clients), never a query per client.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from verkstall.access.models import Municipality
from verkstall.decisions.models import GrantedService
from verkstall.orders.models import Order
from verkstall.people.models import (
    Person,
)

from .client_models import CLIENT_DATA, UNLINKED_DATA, UnlinkedModel
from .retention import (
    DEFAULT_REMOVE_WITHIN_YEARS,
    DEFAULT_RESEARCH_DAYS,
    DEFAULT_YEARS,
    RetentionRule,
    assess,
    birth_date_of,
    latest,
)

# (model, lookup from the model to the client's id, the date and date-time fields that are
# entries about the client): derived from the one declaration (client_models.py).
LAST_ENTRY_SOURCES: tuple[tuple[type, str, tuple[str, ...]], ...] = tuple(
    (c.model, c.client, c.dated) for c in CLIENT_DATA if c.dated
)


# --- the rule --------------------------------------------------------------------------------


def configured_rule() -> RetentionRule:
    """The configured rule: Django settings if set, else the defaults of R10.6."""
    years = getattr(settings, "VERKSTALL_RETENTION_YEARS", DEFAULT_YEARS)
    days = getattr(settings, "VERKSTALL_RETENTION_RESEARCH_DAYS", DEFAULT_RESEARCH_DAYS)
    within = getattr(
        settings, "VERKSTALL_RETENTION_REMOVE_WITHIN_YEARS", DEFAULT_REMOVE_WITHIN_YEARS
    )
    try:
        return RetentionRule(
            years=int(years),
            research_days=tuple(int(d) for d in days),
            remove_within_years=int(within),
        )
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"VERKSTALL_RETENTION_*: {exc}") from None


# --- municipalities --------------------------------------------------------------------------


def find_municipality(value: str) -> Municipality | None:
    """A municipality by its code (kommunkod, e.g. 0180) or, failing that, by its id."""
    value = (value or "").strip()
    found = Municipality.objects.filter(code=value).first()
    if found is None and value.isdigit():
        found = Municipality.objects.filter(pk=int(value)).first()
    return found


# --- who may be due --------------------------------------------------------------------------


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def ongoing_q(today: date) -> Q:
    """Persons with an order not ended or cancelled, or a granted service still valid."""
    open_order = Order.objects.open().filter(person=OuterRef("pk"))
    valid_service = GrantedService.objects.filter(decision__person=OuterRef("pk")).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    return Q(Exists(open_order)) | Q(Exists(valid_service))


def persons(municipality: Municipality | None = None) -> QuerySet[Person]:
    qs = Person.objects.all()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs


def candidates(today: date, municipality: Municipality | None = None) -> QuerySet[Person]:
    """Clients with nothing ongoing: the only ones the rule can make due."""
    return persons(municipality).exclude(ongoing_q(today))


def last_entries(person_ids: QuerySet | Iterable[int]) -> dict[int, date]:
    """The last entry date of each client in `person_ids` (a queryset of ids, used as a
    subquery, or a short list): one grouped MAX query per source table."""
    result: dict[int, date] = {}
    for model, lookup, fields in LAST_ENTRY_SOURCES:
        rows = (
            model._default_manager.filter(**{f"{lookup}__in": person_ids})
            .order_by()
            .values(lookup)
            .annotate(**{f"_max_{name}": Max(name) for name in fields})
        )
        for row in rows:
            pid = row[lookup]
            newest = latest(_as_date(row[f"_max_{name}"]) for name in fields)
            if newest is not None and (pid not in result or newest > result[pid]):
                result[pid] = newest
    return result


def is_ongoing(person_id: int, today: date) -> bool:
    return Person.objects.filter(pk=person_id).filter(ongoing_q(today)).exists()


# --- the review ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueClient:
    """One client whose records are due for removal. No personnummer: the birth year and the
    initials are enough to recognise the client on the list next to the client id."""

    person_id: int
    municipality_id: int
    municipality_code: str
    initials: str
    birth_year: int
    last_entry: date
    due_since: date
    remove_by: date
    overdue: bool


@dataclass(frozen=True)
class DueUnlinked:
    """One row of personal data with no client that is due for removal (R10.6, R8.4): named by
    its model and id only, never by a personnummer or a name."""

    label: str
    pk: int
    municipality_code: str
    counted_from: date  # its last entry: when it was declined, or received
    due_since: date
    remove_by: date
    overdue: bool


@dataclass
class UnlinkedTally:
    """What the rule says about one declared model's rows with no client."""

    label: str
    name: str  # the model's Swedish plural name, for the command
    due: list[DueUnlinked] = field(default_factory=list)
    research_kept: int = 0
    not_yet_due: int = 0

    def as_dict(self) -> dict:
        return {
            "model": self.label,
            "due": [
                {
                    "id": u.pk,
                    "municipality": u.municipality_code,
                    "counted_from": u.counted_from.isoformat(),
                    "due_since": u.due_since.isoformat(),
                    "remove_by": u.remove_by.isoformat(),
                    "overdue": u.overdue,
                }
                for u in self.due
            ],
            "due_count": len(self.due),
            "research_kept_count": self.research_kept,
            "not_yet_due": self.not_yet_due,
        }


@dataclass
class Review:
    """What the rule says about a municipality's clients (or every municipality's) on a day."""

    today: date
    rule: RetentionRule
    municipality: Municipality | None
    due: list[DueClient] = field(default_factory=list)
    # Clients whose period ran out but who are kept for research, by day of birth.
    research_kept: dict[int, int] = field(default_factory=dict)
    not_yet_due: int = 0
    ongoing: int = 0
    # Rows of personal data with no client (UNLINKED_DATA), one tally per declared model.
    unlinked: list[UnlinkedTally] = field(default_factory=list)

    @property
    def unlinked_due(self) -> list[DueUnlinked]:
        return [row for tally in self.unlinked for row in tally.due]

    @property
    def research_total(self) -> int:
        return sum(self.research_kept.values())

    @property
    def overdue(self) -> int:
        return sum(1 for c in self.due if c.overdue)

    def as_dict(self) -> dict:
        """JSON-friendly, with client ids and dates only (a task's stored return value)."""
        return {
            "today": self.today.isoformat(),
            "rule": self.rule.describe(),
            "municipality": self.municipality.code if self.municipality else None,
            "due": [
                {
                    "person_id": c.person_id,
                    "municipality": c.municipality_code,
                    "last_entry": c.last_entry.isoformat(),
                    "due_since": c.due_since.isoformat(),
                    "remove_by": c.remove_by.isoformat(),
                    "overdue": c.overdue,
                }
                for c in self.due
            ],
            "due_count": len(self.due),
            "overdue_count": self.overdue,
            "research_kept": {str(day): n for day, n in self.research_kept.items()},
            "research_kept_count": self.research_total,
            "not_yet_due": self.not_yet_due,
            "ongoing": self.ongoing,
            "unlinked": [tally.as_dict() for tally in self.unlinked],
        }


def _initials(first: str, last: str) -> str:
    return "".join(f"{part.strip()[:1].upper()}." for part in (first, last) if part.strip())


def review(
    today: date, *, municipality: Municipality | None = None, rule: RetentionRule | None = None
) -> Review:
    """Every client of `municipality` (or of all) judged by the rule on `today` (R10.6)."""
    rule = rule or configured_rule()
    result = Review(today=today, rule=rule, municipality=municipality)
    result.research_kept = {day: 0 for day in rule.research_days}
    pool = candidates(today, municipality)
    result.ongoing = persons(municipality).count() - pool.count()
    entries = last_entries(pool.values("pk"))
    rows = pool.order_by("municipality__code", "pk").values_list(
        "pk", "municipality_id", "municipality__code", "first_name", "last_name", "personal_number"
    )
    for pid, muni_id, code, first, last, number in rows:
        born = birth_date_of(number)
        verdict = assess(entries[pid], born, today, rule)
        if today < verdict.due_since:
            result.not_yet_due += 1
        elif verdict.research:
            result.research_kept[born.day] = result.research_kept.get(born.day, 0) + 1
        else:
            result.due.append(
                DueClient(
                    person_id=pid,
                    municipality_id=muni_id,
                    municipality_code=code,
                    initials=_initials(first, last),
                    birth_year=born.year,
                    last_entry=entries[pid],
                    due_since=verdict.due_since,
                    remove_by=verdict.remove_by,
                    overdue=verdict.overdue,
                )
            )
    result.unlinked = [
        review_unlinked(declared, today, municipality=municipality, rule=rule)
        for declared in UNLINKED_DATA
    ]
    return result


# --- personal data with no client ------------------------------------------------------------


def unlinked_rows(declared: UnlinkedModel, municipality: Municipality | None = None) -> QuerySet:
    """The declared model's rows with no client (of `municipality`, or of all)."""
    qs = declared.model._default_manager.filter(declared.rows)
    if municipality is not None:
        qs = qs.filter(**{f"{declared.municipality}_id": municipality.pk})
    return qs


def unlinked_counted_from(declared: UnlinkedModel, row: dict) -> date:
    """The day the period of one row is counted from: its last entry (the latest of its
    declared dates that is set)."""
    counted_from = latest(_as_date(row[name]) for name in declared.dated)
    if counted_from is None:  # every declared date empty: cannot happen for a received row
        raise ValueError(f"{declared.label} {row['pk']}: no date to count retention from")
    return counted_from


def unlinked_values(declared: UnlinkedModel) -> tuple[str, ...]:
    """The columns the rule needs of a row (never shown: the personnummer gives the birth day)."""
    return ("pk", f"{declared.municipality}_id", declared.personal_number, *declared.dated)


def review_unlinked(
    declared: UnlinkedModel,
    today: date,
    *,
    municipality: Municipality | None = None,
    rule: RetentionRule | None = None,
) -> UnlinkedTally:
    """The declared model's rows with no client judged by the rule on `today` (R10.6; the
    product decision is in retention.assess). One query."""
    rule = rule or configured_rule()
    tally = UnlinkedTally(label=declared.label, name=str(declared.model._meta.verbose_name_plural))
    code = f"{declared.municipality}__code"
    rows = (
        unlinked_rows(declared, municipality)
        .order_by(code, "pk")
        .values(*unlinked_values(declared), code)
    )
    for row in rows:
        counted_from = unlinked_counted_from(declared, row)
        born = birth_date_of(row[declared.personal_number])
        verdict = assess(counted_from, born, today, rule)
        if today < verdict.due_since:
            tally.not_yet_due += 1
        elif verdict.research:
            tally.research_kept += 1
        else:
            tally.due.append(
                DueUnlinked(
                    label=declared.label,
                    pk=row["pk"],
                    municipality_code=row[code],
                    counted_from=counted_from,
                    due_since=verdict.due_since,
                    remove_by=verdict.remove_by,
                    overdue=verdict.overdue,
                )
            )
    return tally
