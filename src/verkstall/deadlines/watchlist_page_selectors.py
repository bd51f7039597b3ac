"""The watchlist screen one page at a time (issue 17 item 5; SPEC R11).

The screen's list is the watchlist of `watchlist_selectors.watchlist_queryset` (the same
scope, window, filters and columns) in the screen's order: overdue, today, "snarast", the
rest (issue 17 item 6), each group sorted by the column the user chose (the due moment by
default). The database orders the rows so (a rank of the group first, `core.paging.Sorting`'s
`leading`), so a page is a slice of the grouped, ordered list and the groups go on across
pages. A page costs two queries whatever the list's size: one that counts every group (and
so the total), one for the page's rows; the start page's top ten (`compact_watchlist`) the
same two, with ten rows. The API's list (`watchlist_rows`) keeps reading the whole list in one
query.

The client filter offers the clients of the page shown (and the client chosen), not every
client on the list: read by name, each is a row of the access log (R10.4), and at thousands of
items the choices were most of the page's cost and grew with the list.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from verkstall.core import clock, hooks
from verkstall.core.errors import PermissionDenied
from verkstall.core.paging import Sorting, paginate

from .calendar import STOCKHOLM
from .models import DueItem
from .rules import Status
from .watchlist_scopes import (
    ASAP,
    BUCKETS,
    HORIZON_DAYS,
    OVERDUE,
    READABLE,
    SCREEN_ORDER,
    TODAY,
    WEEK,
    default_scope,
    end_of_day,
    scope_filter,
    scopes_for,
)
from .watchlist_selectors import Watchlist, horizon_or_error, watchlist_queryset

#: How many items the start page's and the inbox's watchlist shows.
COMPACT_SIZE = 10

#: The rank of an item's group on the screen (SCREEN_ORDER), as the rows' annotation.
GROUP_RANK = "screen_group"

#: The screen's sorts, each within the groups (the rank leads every sort). A key not listed
#: gives the default: the due moment, as the groups have always been ordered.
WATCHLIST_SORTING = Sorting(
    columns={
        "due": (F("due_at"),),
        "client": (F("person__last_name"), F("person__first_name")),
        "rule": (F("rule__name"),),
        "service": (F("service_type__name"),),
    },
    default="due",
    nullable=frozenset({"service"}),  # an item of a decision may have no service type
    leading=(F(GROUP_RANK),),
)


def _conditions(now, end_of_today) -> dict[str, Q]:
    """Each group of an open item by its due moment (watchlist_scopes.bucket_case)."""
    return {
        ASAP: Q(due_at__isnull=True),
        OVERDUE: Q(due_at__lt=now),
        TODAY: Q(due_at__gte=now, due_at__lte=end_of_today),
        WEEK: Q(due_at__gt=end_of_today),
    }


def group_rank(now, end_of_today) -> Case:
    """The screen's place of an open item's group: 0 overdue, 1 today, 2 "snarast", 3 the
    rest (SCREEN_ORDER)."""
    conditions = _conditions(now, end_of_today)
    return Case(
        *(When(conditions[b], then=Value(SCREEN_ORDER.index(b))) for b in SCREEN_ORDER[:-1]),
        default=Value(SCREEN_ORDER.index(SCREEN_ORDER[-1])),
        output_field=IntegerField(),
    )


def _read(user, scope, *, today, horizon_days, filters) -> tuple:
    """The scope's list with each row's group rank (unevaluated, for a page or the top ten)
    and the Watchlist without items: its counts (one query), moments and filters."""
    scope = scope or default_scope(user)
    if scope is None:
        raise PermissionDenied("Din roll har ingen bevakningslista.")
    horizon_days = horizon_or_error(horizon_days)
    now = clock.now()
    today = today or now.astimezone(STOCKHOLM).date()
    end_of_today = end_of_day(today)
    qs, applied = watchlist_queryset(
        user, scope, now=now, today=today, horizon_days=horizon_days, **filters
    )
    conditions = _conditions(now, end_of_today)
    counted = qs.order_by().aggregate(
        **{bucket: Count("id", filter=conditions[bucket]) for bucket in BUCKETS}
    )
    counts = {bucket: counted[bucket] or 0 for bucket in BUCKETS}
    listed = Watchlist(
        scope=scope,
        items=[],
        counts=counts,
        now=now,
        today=today,
        horizon=end_of_day(today + timedelta(days=horizon_days)),
        filters=applied,
        horizon_days=horizon_days,
    )
    return qs.annotate(**{GROUP_RANK: group_rank(now, end_of_today)}), listed


def watchlist_page(
    user,
    scope: str | None = None,
    params=None,
    *,
    rule=None,
    service_type=None,
    person=None,
    responsible_user=None,
    today: date | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> Watchlist:
    """The page of the user's watchlist that the query string `params` asks for (`page`,
    `size`, `sort`: core.paging, never an error), with every group's count and the total.
    The same arguments and refusals as `watchlist_selectors.watchlist`; two queries."""
    filters = {
        "rule": rule,
        "service_type": service_type,
        "person": person,
        "responsible_user": responsible_user,
    }
    qs, listed = _read(user, scope, today=today, horizon_days=horizon_days, filters=filters)
    page = paginate(qs, params, sorting=WATCHLIST_SORTING, total=listed.total)
    return replace(listed, items=page.rows, paging=page)


def compact_watchlist(user) -> Watchlist | None:
    """The user's default watchlist for a start page: its counts and its first
    COMPACT_SIZE items in the screen's order; None if the user's role has none. Two queries."""
    if default_scope(user) is None:
        return None
    qs, listed = _read(user, None, today=None, horizon_days=HORIZON_DAYS, filters={})
    order = WATCHLIST_SORTING.order_by(*WATCHLIST_SORTING.parse(None))
    return replace(listed, items=list(qs.order_by(*order)[:COMPACT_SIZE]))


def page_clients(wl: Watchlist, chosen=()) -> list[tuple[str, str]]:
    """The client filter's choices: the clients of the page shown (already read, so no
    further row of the access log) and the client chosen, by name."""
    names = dict(chosen)
    for item in wl.items:
        names.setdefault(str(item.person_id), f"{item.person.last_name}, {item.person.first_name}")
    return sorted(names.items(), key=lambda pair: (pair[1], pair[0]))


def chosen_client(user, scope: str, value, horizon_days: int = HORIZON_DAYS) -> list:
    """[(id, name)] of the client the filter names when they have an open item on the
    scope's list (the list's window), else []: a client not on the user's list is not a
    choice (the form then says so). One query, one client read (R10.4)."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) < 12) or scope not in scopes_for(user):
        return []
    today = clock.now().astimezone(STOCKHOLM).date()
    horizon = end_of_day(today + timedelta(days=horizon_or_error(horizon_days)))
    row = (
        DueItem.objects.filter(scope_filter(user, scope), municipality_id=user.municipality_id)
        .filter(status=Status.OPEN.value, person_id=int(text))
        .filter(Q(due_at__isnull=True) | Q(due_at__lte=horizon))
        .filter(READABLE)
        .values_list("person_id", "person__last_name", "person__first_name")
        .first()
    )
    if row is None:
        return []
    pk, last, first = row
    hooks.emit(hooks.CLIENTS_READ, person_ids=[pk])
    return [(str(pk), f"{last}, {first}")]
