"""Reads of the on-time statistics (SPEC R9.4 "statistics", issue 15 item 7), already scoped
to what the user may see.

Who sees what:
- a provider's users (staff and unit manager): their own provider's figures and the
  municipality's average (every provider pooled), never another provider by name or figure;
- an officer: the figures of the items of the clients of the officer's own unit, per provider,
  and that unit's total;
- the LOV administrator: every provider of the municipality, and the municipality's average;
- anyone else: nothing (PermissionDenied).

The items are the deadline engine's due items of the rules a provider answers for
(responsible "provider" or "new_provider"). The database counts them in one grouped query
(`histogram`: per provider, rule, Stockholm month of the due date, outcome, days late and lead
days); figures.py sums the histogram. Then one query names the rules and one the providers:
three queries, whatever the size of the municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, CharField, Count, DateField, DurationField, Q, Value, When
from django.db.models.functions import TruncDate, TruncMonth

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem, Rule
from verkstall.deadlines.profile_selectors import municipality_rules
from verkstall.deadlines.rules import Responsible, Status
from verkstall.deadlines.watchlist_scopes import READABLE
from verkstall.providers.models import Provider

from . import figures
from .figures import LATE, ON_TIME, OVERDUE, PENDING, POOLED, Bin, Figures

#: The rules that concern a provider (the engine's responsible parties on the provider's side).
PROVIDER_RESPONSIBLE = (Responsible.PROVIDER.value, Responsible.NEW_PROVIDER.value)
PROVIDER_VIEW, UNIT_VIEW, MUNICIPALITY_VIEW = "provider", "unit", "municipality"
AVERAGE_LABELS = {
    PROVIDER_VIEW: "Kommunens genomsnitt",
    UNIT_VIEW: "Enhetens klienter, alla utförare",
    MUNICIPALITY_VIEW: "Kommunens genomsnitt",
}
#: How many months the page shows when none are asked for, and the most it shows at once.
DEFAULT_MONTHS = 6
MAX_MONTHS = 24


def view_of(user) -> str | None:
    """Which figures the user's role sees (the module's docstring), or None."""
    if not getattr(user, "is_authenticated", False) or not user.municipality_id:
        return None
    role = user.role_enum
    if role in PROVIDER_ROLES and user.provider_id:
        return PROVIDER_VIEW
    if role == Role.OFFICER and user.unit_id:
        return UNIT_VIEW
    if role == Role.LOV_ADMIN:
        return MUNICIPALITY_VIEW
    return None


def item_scope(user) -> Q:
    """The due items whose figures the user's view is computed from. A provider's user reads
    the municipality's items (its average), but is handed only its own provider's rows."""
    view = view_of(user)
    if view is None:
        raise PermissionDenied("Din roll kan inte se statistiken.")
    q = Q(
        municipality_id=user.municipality_id,
        responsible__in=PROVIDER_RESPONSIBLE,
        responsible_provider__isnull=False,
        due_at__isnull=False,
    ) & ~Q(status=Status.CLOSED.value)
    if view == UNIT_VIEW:
        q &= Q(person__unit_id=user.unit_id)
    return q


@dataclass(frozen=True)
class Filters:
    first: date  # first day of the first month
    last: date  # first day of the last month
    rule_code: str = ""
    provider_id: int | None = None

    @classmethod
    def default(cls, today: date | None = None) -> Filters:
        last = figures.month_of(today or clock.today())
        return cls(first=figures.add_months(last, -(DEFAULT_MONTHS - 1)), last=last)


@dataclass(frozen=True)
class Row:
    provider_id: int | None
    provider: str
    rule_id: int
    rule_code: str
    rule: str
    month: date
    figures: Figures

    @property
    def is_average(self) -> bool:
        return self.provider_id is POOLED

    @property
    def label(self) -> str:
        return f"{self.provider}, {self.rule}, {self.month:%Y-%m}"


@dataclass(frozen=True)
class Report:
    view: str
    filters: Filters
    rows: list[Row]
    average_label: str


def start_of_month(month: date) -> datetime:
    """The first moment of a month (its first day, Swedish local time): the bounds of the
    histogram, shared with the benchmark's hand-written SQL (tooling)."""
    return clock.start_of_day(month)


def histogram(q: Q, first: date, last: date, *, now: datetime, today: date) -> list[Bin]:
    """One grouped query: the items of `q` due in the months `first`..`last` (Stockholm),
    counted per provider, rule, month, outcome, days late and lead days."""
    due_day = TruncDate("due_at", tzinfo=STOCKHOLM)
    met_day = TruncDate("met_at", tzinfo=STOCKHOLM)
    start_day = TruncDate("started_at", tzinfo=STOCKHOLM)
    met_on_time = Q(status=Status.MET_ON_TIME.value)
    met_late = Q(status=Status.MET_LATE.value, met_at__isnull=False)
    past_due = Q(status=Status.OPEN.value, due_at__lt=now)
    rows = (
        DueItem.objects.filter(
            q,
            READABLE,
            due_at__gte=start_of_month(first),
            due_at__lt=start_of_month(figures.add_months(last, 1)),
        )
        .annotate(
            month=TruncMonth("due_at", tzinfo=STOCKHOLM, output_field=DateField()),
            outcome=Case(
                When(met_on_time, then=Value(ON_TIME)),
                When(status=Status.MET_LATE.value, then=Value(LATE)),
                When(past_due, then=Value(OVERDUE)),
                default=Value(PENDING),
                output_field=CharField(),
            ),
            late=Case(
                When(met_late, then=met_day - due_day),
                When(past_due, then=Value(today, output_field=DateField()) - due_day),
                default=Value(None),
                output_field=DurationField(),
            ),
            lead=Case(
                When(
                    (met_on_time | met_late) & Q(met_at__isnull=False),
                    then=met_day - start_day,
                ),
                default=Value(None),
                output_field=DurationField(),
            ),
        )
        .values("responsible_provider_id", "rule_id", "month", "outcome", "late", "lead")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        Bin(
            provider_id=r["responsible_provider_id"],
            rule_id=r["rule_id"],
            month=_as_date(r["month"]),
            outcome=r["outcome"],
            late_days=None if r["late"] is None else r["late"].days,
            lead_days=None if r["lead"] is None else r["lead"].days,
            count=r["n"],
        )
        for r in rows
    ]


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def rule_choices(user) -> list[tuple[str, str]]:
    """(code, name) of the rules in force for the user's municipality that concern a
    provider: the rule filter's choices."""
    if view_of(user) is None:
        return []
    return [
        (rule.code, rule.name)
        for rule in municipality_rules(user.municipality)
        if rule.responsible in PROVIDER_RESPONSIBLE
    ]


def provider_choices(user) -> list[tuple[int, str]]:
    """The providers the user may pick in the filter: none for a provider's users (they see
    their own), the municipality's for an officer and the LOV administrator."""
    if view_of(user) in (UNIT_VIEW, MUNICIPALITY_VIEW):
        return list(
            Provider.objects.filter(municipality_id=user.municipality_id)
            .order_by("name", "id")
            .values_list("id", "name")
        )
    return []


def _scoped(user, filters: Filters) -> Q:
    q = item_scope(user)
    if filters.rule_code:
        q &= Q(rule__code=filters.rule_code)
    return q


def item_count(user, filters: Filters) -> int:
    """How many due items the report would count (one COUNT over the same index as the
    histogram): the size by which the page chooses a background job (issue 17 item 8)."""
    return (
        DueItem.objects.filter(
            _scoped(user, filters),
            READABLE,
            due_at__gte=start_of_month(filters.first),
            due_at__lt=start_of_month(figures.add_months(filters.last, 1)),
        )
        .order_by()
        .count()
    )


def _bins(q: Q, filters: Filters, progress) -> list[Bin]:
    """The histogram of the months asked for: in one query, or month by month telling
    `progress("counting", done, months)` as it goes (a background job)."""
    now, today = clock.now(), clock.today()
    if progress is None:
        return histogram(q, filters.first, filters.last, now=now, today=today)
    months = figures.months_between(filters.first, filters.last)
    bins: list[Bin] = []
    for done in range(months):
        progress("counting", done, months)
        month = figures.add_months(filters.first, done)
        bins += histogram(q, month, month, now=now, today=today)
    progress("counting", months, months)
    return bins


def statistics(user, filters: Filters, progress=None) -> Report:
    """The figures the user may see, per provider, rule and month, and the average row of each
    rule and month (module docstring). `progress(step, done, total)`, if given, is told how
    many months are counted (a background job, ontime/job_kinds.py)."""
    view = view_of(user)
    bins = _bins(_scoped(user, filters), filters, progress)
    computed = figures.compute(bins, pool=True)
    if view == PROVIDER_VIEW:
        wanted = {user.provider_id}
    elif filters.provider_id is not None:
        wanted = {filters.provider_id}
    else:
        wanted = None  # every provider of the scope
    keys = [key for key in computed if key[0] is POOLED or wanted is None or key[0] in wanted]
    rule_ids = {key[1] for key in keys}
    provider_ids = {key[0] for key in keys if key[0] is not POOLED}
    rules = {
        pk: (code, name)
        for pk, code, name in Rule.objects.filter(pk__in=rule_ids).values_list("pk", "code", "name")
    }
    providers = dict(
        Provider.objects.filter(
            pk__in=provider_ids, municipality_id=user.municipality_id
        ).values_list("pk", "name")
    )
    average = AVERAGE_LABELS[view]
    rows = [
        Row(
            provider_id=provider_id,
            provider=average if provider_id is POOLED else providers.get(provider_id, "–"),
            rule_id=rule_id,
            rule_code=rules.get(rule_id, ("", ""))[0],
            rule=rules.get(rule_id, ("", "–"))[1],
            month=month,
            figures=computed[(provider_id, rule_id, month)],
        )
        for provider_id, rule_id, month in keys
    ]
    rows.sort(key=lambda r: (r.month, r.rule, r.is_average, r.provider))
    return Report(view=view, filters=filters, rows=rows, average_label=average)
