"""The watchlists (*insatsbevakningslista*, SPEC R11, glossary "bevakning").

A watchlist is one indexed query (ARCHITECTURE "The order as a sequence of events"): the open
items of one responsible party that are overdue, due today or due within the next seven days
(on the screen 7, 14 or 30, as the user chooses), plus the open items without a due date
("snarast"). Each scope matches one partial index of
`DueItem` (models.py, `Meta.indexes`, all `WHERE status = 'open'`):

- ``mine`` (officer): responsible_user = me -> ``due_open_by_user``
- ``unit`` (officer): responsible_unit = my unit and responsible = "officer"
  -> ``due_open_by_unit``
- ``provider`` (provider staff): responsible_provider = my provider -> ``due_open_by_provider``
- ``provider_unit`` (provider staff in a unit): responsible_provider_unit = my unit
  -> ``due_open_by_provider_unit``

Every list is also filtered by the user's municipality (the tenant) and may be narrowed by
rule, service type, client and responsible officer. The bucket of each row (``asap``,
``overdue``, ``today``, ``week``) is computed by the database in the same query, and the
counts per bucket are counted from the fetched rows, so a watchlist costs exactly one query.
The rows come in the index's order (due moment, "snarast" first), which the API keeps; the
screen shows them grouped (`Watchlist.groups`: overdue, today, "snarast", the rest; issue 17
item 6), one page at a time, read from the same query in the screen's order with the groups
counted in a second one (watchlist_page_selectors.py, issue 17 item 5).

"Overdue" is never stored: an item is stored as open and is overdue when its due moment has
passed (models.DueItem). Days are Stockholm days; a whole-day rule is due at the very end of
its due date (calendar.compute_due), so it is "today" all of that day and overdue only after.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.fields.json import KT

from verkstall.access.models import User
from verkstall.access.roles import Role
from verkstall.core import clock, hooks
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.decisions.models import ServiceType
from verkstall.people.models import Person

from .calendar import STOCKHOLM
from .models import DueItem, Rule
from .profile_selectors import municipality_rules
from .rules import Responsible, Status
from .watchlist_scopes import (
    BUCKETS,
    HORIZON_CHOICES,
    HORIZON_DAYS,
    PROVIDER,
    PROVIDER_UNIT,
    READABLE,
    READABLE_PARAMS,
    READABLE_SQL,
    SCREEN_ORDER,
    UNIT,
    bucket_case,
    default_scope,
    end_of_day,
    scope_filter,
    scope_sql,
)

# A watchlist row needs no column of the order (only its id, on the item itself): joining
# orders_order made PostgreSQL hash the whole order table (bench/RESULTS.md). Of the other
# rows only what a list shows is read.
_LIST_RELATED = ("person", "rule", "service_type", "responsible_user")
_LIST_ONLY = (
    *(f.attname for f in DueItem._meta.concrete_fields if f.name != "explanation"),
    "person__first_name",
    "person__last_name",
    "rule__code",
    "rule__name",
    "rule__responsible",
    "service_type__code",
    "service_type__name",
    "responsible_user__first_name",
    "responsible_user__last_name",
    "responsible_user__username",
)
#: The columns of a watchlist row as `watchlist_rows` reads them (the API's list).
ROW_FIELDS = (
    "id",
    "rule__code",
    "rule__name",
    "status",
    "due_at",
    "due_date",
    "person_id",
    "person__first_name",
    "person__last_name",
    "order_id",
    "decision_id",
    "service_type__name",
    "service_type__code",
    "responsible",
    "responsible_user_id",
    "responsible_user__first_name",
    "responsible_user__last_name",
    "responsible_user__username",
    "responsible_unit_id",
    "responsible_provider_id",
    "responsible_provider_unit_id",
    "met_at",
    "bucket",
    "explanation_text",
)
#: A row's column positions: `watchlist_rows` gives tuples in `ROW_FIELDS` order (no dict per
#: row: at a thousand rows the dicts cost as much as the formatting, bench/RESULTS.md).
COLUMN = {name: i for i, name in enumerate(ROW_FIELDS)}


@dataclass(frozen=True)
class Watchlist:
    """One watchlist as read at `now`: its rows in due order ("snarast" first) and the number
        of rows in each bucket. `items` carry the annotations `bucket` and `explanation_text`; their
    `explanation` is deferred (read it through `get_due_item`). `horizon_days`: how many days
    ahead it looks (HORIZON_DAYS, or the screen user's choice)."""

    scope: str
    items: list[DueItem]
    counts: dict[str, int]
    now: datetime
    today: date
    horizon: datetime
    filters: dict = field(default_factory=dict)
    horizon_days: int = HORIZON_DAYS
    #: The screen's page (core.paging.Page) when `items` are one page of the list
    #: (watchlist_page_selectors.watchlist_page); None otherwise.
    paging: object | None = None

    @property
    def total(self) -> int:
        """The items on the whole list (`items` may be a page or the top ten of it)."""
        return sum(self.counts.values())

    @property
    def sections(self) -> list[tuple[str, list[DueItem], int]]:
        """`groups` with each group's number of items on the whole list (not on the page)."""
        return [(bucket, items, self.counts.get(bucket, 0)) for bucket, items in self.groups]

    @cached_property
    def groups(self) -> list[tuple[str, list[DueItem]]]:
        """(bucket, items) of the screen, in SCREEN_ORDER (overdue, today, "snarast", the
        rest), each group in due order; groups without items left out (issue 17 item 6)."""
        grouped: dict[str, list[DueItem]] = {bucket: [] for bucket in SCREEN_ORDER}
        for item in self.items:
            grouped[item.bucket].append(item)
        return [(bucket, grouped[bucket]) for bucket in SCREEN_ORDER if grouped[bucket]]

    @property
    def screen_items(self) -> list[DueItem]:
        """The items in the screen's order (`groups`), as one list (the start page's top ten)."""
        return [item for _bucket, items in self.groups for item in items]


def horizon_or_error(days) -> int:
    """A chosen horizon as days (7, 14 or 30: a number, or its ASCII digits), or
    ValidationFailed."""
    value = None
    if isinstance(days, int) and not isinstance(days, bool):
        value = days
    elif isinstance(days, str) and days.isascii() and days.isdigit():
        value = int(days)
    if value not in HORIZON_CHOICES:
        raise ValidationFailed({"horizon": "Välj 7, 14 eller 30 dagar."})
    return value


def _id(value, field_name: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    value = getattr(value, "pk", value)
    try:
        return int(value)
    except (TypeError, ValueError):
        errors[field_name] = "Ange ett id (heltal)."
        return None


def _code(value) -> str | None:
    if value in (None, ""):
        return None
    return str(getattr(value, "code", value)).strip() or None


def _filters(*, rule, service_type, person, responsible_user) -> tuple[Q, dict]:
    """The optional filters: rule and service type by code (or the object), client and
    responsible officer by id (or the object)."""
    errors: dict[str, str] = {}
    applied = {
        "rule": _code(rule),
        "service_type": _code(service_type),
        "person": _id(person, "person", errors),
        "responsible_user": _id(responsible_user, "responsible_user", errors),
    }
    if errors:
        raise ValidationFailed(errors)
    q = Q()
    if applied["rule"]:
        q &= Q(rule__code=applied["rule"])
    if applied["service_type"]:
        q &= Q(service_type__code=applied["service_type"])
    if applied["person"] is not None:
        q &= Q(person_id=applied["person"])
    if applied["responsible_user"] is not None:
        q &= Q(responsible_user_id=applied["responsible_user"])
    return q, {k: v for k, v in applied.items() if v not in (None, "")}


def watchlist_queryset(
    user,
    scope: str,
    *,
    now: datetime,
    today: date,
    rule=None,
    service_type=None,
    person=None,
    responsible_user=None,
    horizon_days: int = HORIZON_DAYS,
) -> tuple[QuerySet[DueItem], dict]:
    """The one query behind a watchlist (unevaluated), and the filters it applied. Its rows
    carry `bucket` and `explanation_text`; `explanation` itself is deferred. `horizon_days`
    moves only the window's end: the same partial index answers it (bench/WATCHLISTS.md).

    Public so that the benchmark and EXPLAIN can look at the SQL (bench/WATCHLISTS.md)."""
    scoped = scope_filter(user, scope)
    extra, applied = _filters(
        rule=rule, service_type=service_type, person=person, responsible_user=responsible_user
    )
    horizon = end_of_day(today + timedelta(days=horizon_days))
    qs = (
        DueItem.objects.filter(scoped, municipality_id=user.municipality_id)
        .filter(status=Status.OPEN.value)
        .filter(Q(due_at__isnull=True) | Q(due_at__lte=horizon))
        .filter(READABLE)
        .filter(extra)
        .select_related(*_LIST_RELATED)
        # A list shows the explanation's one-line text; the whole JSON (skipped days and
        # all) is read on the item's own page only.
        .only(*_LIST_ONLY)
        .annotate(
            bucket=bucket_case(now, end_of_day(today)), explanation_text=KT("explanation__text")
        )
        .order_by(F("due_at").asc(nulls_first=True), "id")
    )
    return qs, applied


def watchlist(
    user,
    scope: str | None = None,
    *,
    rule=None,
    service_type=None,
    person=None,
    responsible_user=None,
    today: date | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> Watchlist:
    """What the user's scope has due: overdue, today, the next seven days (or `horizon_days`:
    7, 14 or 30), and "snarast".

    `scope` None is the user's default scope. `today` moves the day boundaries (for a view of
    another day); "now", which decides what is overdue, is always `clock.now()`.
    Raises PermissionDenied for a scope the user's role may not use and ValidationFailed for
    an unknown scope, a malformed filter or a horizon not offered. One database query.
    """
    scope = scope or default_scope(user)
    if scope is None:
        raise PermissionDenied("Din roll har ingen bevakningslista.")
    horizon_days = horizon_or_error(horizon_days)
    now = clock.now()
    today = today or now.astimezone(STOCKHOLM).date()
    qs, applied = watchlist_queryset(
        user,
        scope,
        now=now,
        today=today,
        rule=rule,
        service_type=service_type,
        person=person,
        responsible_user=responsible_user,
        horizon_days=horizon_days,
    )
    items = list(qs)
    tally = Counter(item.bucket for item in items)
    return Watchlist(
        scope=scope,
        items=items,
        counts={bucket: tally.get(bucket, 0) for bucket in BUCKETS},
        now=now,
        today=today,
        horizon=end_of_day(today + timedelta(days=horizon_days)),
        filters=applied,
        horizon_days=horizon_days,
    )


def watchlist_rows(
    user,
    scope: str | None = None,
    *,
    rule=None,
    service_type=None,
    person=None,
    responsible_user=None,
) -> Watchlist:
    """The same watchlist as `watchlist` with each row as a tuple in `ROW_FIELDS` order
    (`COLUMN` gives the positions) instead of a model instance: what the API's list
    serializes. One query.

    On PostgreSQL the query is written out by hand (`_rows_sql`): for a short list the ORM's
    building and compiling of the query cost twice the query itself, and for a long one the
    model instances did (bench/RESULTS.md). Elsewhere (SQLite) the ORM reads the same rows.
    `deadlines/tests/test_watchlist_api_rows.py` holds both to the ORM queryset's answer."""
    scope = scope or default_scope(user)
    if scope is None:
        raise PermissionDenied("Din roll har ingen bevakningslista.")
    scope_filter(user, scope)  # the role's right to the scope, checked as for `watchlist`
    now = clock.now()
    today = now.astimezone(STOCKHOLM).date()
    _extra, applied = _filters(
        rule=rule, service_type=service_type, person=person, responsible_user=responsible_user
    )
    horizon = end_of_day(today + timedelta(days=HORIZON_DAYS))
    statement = _rows_sql(
        user, scope, applied, now=now, end_of_today=end_of_day(today), horizon=horizon
    )
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)
            rows = cursor.fetchall()
    else:
        qs, applied = watchlist_queryset(
            user,
            scope,
            now=now,
            today=today,
            rule=rule,
            service_type=service_type,
            person=person,
            responsible_user=responsible_user,
        )
        rows = list(qs.values_list(*ROW_FIELDS))
    person, bucket = COLUMN["person_id"], COLUMN["bucket"]
    # Plain rows: report the clients read to the access log (audit, through its hook; R10.4).
    hooks.emit(hooks.CLIENTS_READ, person_ids=[row[person] for row in rows])
    tally = Counter(row[bucket] for row in rows)
    return Watchlist(
        scope=scope,
        items=rows,
        counts={bucket: tally.get(bucket, 0) for bucket in BUCKETS},
        now=now,
        today=today,
        horizon=horizon,
        filters=applied,
    )


def _rows_sql(user, scope, applied, *, now, end_of_today, horizon) -> tuple[str, list] | None:
    """The watchlist query of `watchlist_queryset`, by hand, selecting `ROW_FIELDS` in order.
    `status = 'open'` is a literal so that the partial indexes apply (bench/WATCHLISTS.md).
    The client is read per row by its primary key (a LATERAL subquery that `OFFSET 0` keeps
    from being flattened): the planner overestimates the open items in the window tenfold
    (history makes most due dates past) and would otherwise hash every client of the
    municipality, which at 30 000 clients cost more than the rest of the query
    (bench/RESULTS.md)."""
    if connection.vendor != "postgresql":
        return None
    scoped = scope_sql(user, scope)
    if scoped is None or user.municipality_id is None:
        return None
    where, params = scoped
    where = f"{where} AND d.municipality_id = %s"
    params = [now, end_of_today, *params, user.municipality_id]
    if applied.get("rule"):
        where += " AND r.code = %s"
        params.append(applied["rule"])
    if applied.get("service_type"):
        where += " AND st.code = %s"
        params.append(applied["service_type"])
    if applied.get("person") is not None:
        where += " AND d.person_id = %s"
        params.append(applied["person"])
    if applied.get("responsible_user") is not None:
        where += " AND d.responsible_user_id = %s"
        params.append(applied["responsible_user"])
    params.append(horizon)
    params += READABLE_PARAMS
    sql = f"""
        SELECT d.id, r.code, r.name, d.status, d.due_at, d.due_date,
               d.person_id, p.first_name, p.last_name, d.order_id, d.decision_id,
               st.name, st.code, d.responsible, d.responsible_user_id,
               u.first_name, u.last_name, u.username, d.responsible_unit_id,
               d.responsible_provider_id, d.responsible_provider_unit_id, d.met_at,
               CASE WHEN d.due_at IS NULL THEN 'asap'
                    WHEN d.due_at < %s THEN 'overdue'
                    WHEN d.due_at <= %s THEN 'today'
                    ELSE 'week' END,
               d.explanation ->> 'text'
        FROM {DueItem._meta.db_table} d
        JOIN {Rule._meta.db_table} r ON r.id = d.rule_id
        CROSS JOIN LATERAL (
            SELECT p.first_name, p.last_name FROM {Person._meta.db_table} p
            WHERE p.id = d.person_id OFFSET 0
        ) p
        LEFT JOIN {ServiceType._meta.db_table} st ON st.id = d.service_type_id
        LEFT JOIN {User._meta.db_table} u ON u.id = d.responsible_user_id
        WHERE {where} AND d.status = 'open' AND (d.due_at IS NULL OR d.due_at <= %s)
          AND {READABLE_SQL}
        ORDER BY d.due_at ASC NULLS FIRST, d.id
    """  # noqa: S608 - table names from the models, every value a parameter
    return sql, params


def filter_choices(user, scope: str) -> dict[str, list[tuple[str, str]]]:
    """Choices for the watchlist's filter form: the rules of the user's profile that can be
    on the scope's list, and the officers of the user's unit (unit list only)."""
    if user.municipality_id is None:
        return {"rules": [], "officers": []}
    rules = Rule.objects.filter(pk__in=[r.pk for r in municipality_rules(user.municipality)])
    if scope == UNIT:
        rules = rules.filter(responsible=Responsible.OFFICER.value)
    elif scope in (PROVIDER, PROVIDER_UNIT):
        rules = rules.filter(
            responsible__in=[Responsible.PROVIDER.value, Responsible.NEW_PROVIDER.value]
        )
    # MINE: every rule; the engine also puts a provider's item on the officer's own list when
    # the officer registers for a provider that is not connected (R3.3).
    officers: list[tuple[str, str]] = []
    if scope == UNIT:
        officers = [
            (str(u.pk), u.get_full_name() or u.username)
            for u in User.objects.filter(
                municipality_id=user.municipality_id,
                unit_id=user.unit_id,
                role=Role.OFFICER.value,
                is_active=True,
            ).order_by("first_name", "last_name", "id")
        ]
    return {
        "rules": list(rules.order_by("name", "code").values_list("code", "name")),
        "officers": officers,
    }


def person_choices(user, scope: str, horizon_days: int = HORIZON_DAYS) -> list[tuple[str, str]]:
    """The client filter's choices: the clients with an open item on the scope's list (the
    same window as the list), not every client of the unit or provider. At a municipality's
    size that is hundreds instead of thousands of names, and no more of them are read (and
    written to the access log, R10.4) than the list itself shows."""
    today = clock.now().astimezone(STOCKHOLM).date()
    horizon = end_of_day(today + timedelta(days=horizon_or_error(horizon_days)))
    rows = list(
        DueItem.objects.filter(scope_filter(user, scope), municipality_id=user.municipality_id)
        .filter(status=Status.OPEN.value, person__isnull=False)
        .filter(Q(due_at__isnull=True) | Q(due_at__lte=horizon))
        .filter(READABLE)
        .values_list("person_id", "person__last_name", "person__first_name")
        .distinct()
        .order_by("person__last_name", "person__first_name", "person_id")
    )
    hooks.emit(hooks.CLIENTS_READ, person_ids=[pk for pk, _last, _first in rows])
    return [(str(pk), f"{last}, {first}") for pk, last, first in rows]
