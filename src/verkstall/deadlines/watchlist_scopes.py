"""What a watchlist is: its scopes, written once, and its buckets (SPEC R11, glossary
"bevakning").

Each scope is one small spec (`SCOPE_COLUMNS`: which due-item columns must equal which of the
user's values); the ORM filter (`scope_filter`) and the hand-written SQL of the PostgreSQL
list (`scope_sql`) are both derived from it, and the reminders (reminders.py) derive who a
role-responsible item goes to from the same role map (`ROLE_RESPONSIBLE`). A test runs both
forms on generated items and checks they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from django.db.models import Case, CharField, Q, Value, When

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core.dates import READABLE_MAX, READABLE_MIN
from verkstall.core.errors import PermissionDenied, ValidationFailed

from .calendar import STOCKHOLM
from .rules import Responsible, Status

#: How far ahead a watchlist looks: today and the next seven Stockholm days. The API's list
#: (`GET /api/due-items/`) always looks this far; a screen's user may choose another horizon.
HORIZON_DAYS = 7
#: The horizons a user may choose on the watchlist screen (issue 17 item 6).
HORIZON_CHOICES = (7, 14, 30)

ASAP, OVERDUE, TODAY, WEEK = "asap", "overdue", "today", "week"
#: The buckets in the query's own order (due moment, "snarast" first): the API's order.
BUCKETS = (ASAP, OVERDUE, TODAY, WEEK)
#: The groups of a watchlist screen, in the order it shows them: overdue first, then today,
#: then "snarast", then the rest by date (issue 17 item 6). Only the screen's pages sort so
#: (watchlist_page_selectors.py): the list's query and the API keep the index's order
#: (bench/WATCHLISTS.md).
SCREEN_ORDER = (OVERDUE, TODAY, ASAP, WEEK)
BUCKET_LABELS = {
    ASAP: "Snarast",
    OVERDUE: "Försenade",
    TODAY: "I dag",
    WEEK: "Kommande 7 dagar",
}

MINE, UNIT, PROVIDER, PROVIDER_UNIT = "mine", "unit", "provider", "provider_unit"
ROLE = "role"
SCOPES = (MINE, UNIT, PROVIDER, PROVIDER_UNIT, ROLE)

# Roles whose items belong to a function of the municipality, not to a person or provider:
# the placement unit (R8.1), the fee officer, the aids centre (R4.1).
ROLE_RESPONSIBLE = {
    Role.PLACEMENT_UNIT: Responsible.PLACEMENT_UNIT.value,
    Role.FEE_OFFICER: Responsible.FEE_OFFICER.value,
    Role.AIDS_CENTRE: Responsible.AIDS_CENTRE.value,
}
#: The same map the other way round: the role that receives a role-responsible item.
RESPONSIBLE_ROLE = {responsible: role.value for role, responsible in ROLE_RESPONSIBLE.items()}

#: Each scope once: (due-item column, the user's value) pairs that must all hold. The first
#: column is the one its partial index leads with (models.DueItem.Meta.indexes); in
#: PROVIDER_UNIT the unit belongs to the provider, both are checked.
SCOPE_COLUMNS: dict[str, tuple[tuple[str, Callable], ...]] = {
    MINE: (("responsible_user_id", lambda u: u.pk),),
    UNIT: (
        ("responsible_unit_id", lambda u: u.unit_id),
        ("responsible", lambda u: Responsible.OFFICER.value),
    ),
    PROVIDER: (("responsible_provider_id", lambda u: u.provider_id),),
    PROVIDER_UNIT: (
        ("responsible_provider_unit_id", lambda u: u.provider_unit_id),
        ("responsible_provider_id", lambda u: u.provider_id),
    ),
    ROLE: (("responsible", lambda u: ROLE_RESPONSIBLE[u.role_enum]),),
}


def scopes_for(user) -> tuple[str, ...]:
    """The watchlist scopes the user's role may use, the default first."""
    if not getattr(user, "is_authenticated", False) or user.municipality_id is None:
        return ()
    role = user.role_enum
    if role == Role.OFFICER:
        return (MINE, UNIT)
    if role in PROVIDER_ROLES:
        return (PROVIDER_UNIT, PROVIDER) if user.provider_unit_id else (PROVIDER,)
    if role in ROLE_RESPONSIBLE:
        return (ROLE,)
    return ()


def default_scope(user) -> str | None:
    """The list a user sees first: an officer's own items; a provider user's own unit's
    items if they belong to a unit, else their provider's."""
    scopes = scopes_for(user)
    return scopes[0] if scopes else None


def scope_values(user, scope: str) -> list[tuple[str, object]]:
    """(column, value) of one scope for this user, from `SCOPE_COLUMNS`."""
    return [(column, value(user)) for column, value in SCOPE_COLUMNS[scope]]


def scope_filter(user, scope: str) -> Q:
    """The filter of one scope, or PermissionDenied if the user's role may not use it."""
    if scope not in SCOPES:
        raise ValidationFailed({"scope": f"Okänd bevakningslista: {scope!r}."})
    if scope not in scopes_for(user):
        raise PermissionDenied("Din roll kan inte se den bevakningslistan.")
    return Q(**dict(scope_values(user, scope)))


def scope_sql(user, scope: str, alias: str = "d") -> tuple[str, list] | None:
    """The scope of `scope_filter` as SQL on the due item `alias`; None if a party is missing
    (the ORM then says IS NULL; leave that case to it)."""
    if scope not in SCOPE_COLUMNS:
        return None
    pairs = scope_values(user, scope)
    if any(value is None for _, value in pairs):
        return None
    sql = " AND ".join(f"{alias}.{column} = %s" for column, _ in pairs)
    return sql, [value for _, value in pairs]


def end_of_day(day: date) -> datetime:
    """The last moment of a Stockholm day (a whole-day rule is due then)."""
    return datetime.combine(day, time.max, STOCKHOLM)


#: Only rows whose moments a datetime can hold, in any time zone, are read (core.dates): an item
#: stored before dates were bounded (a decision dated 0001-01-01 started one in year 1 BC, which
#: PostgreSQL keeps and psycopg cannot read) is left out instead of failing the whole list. The
#: engine closes such an item on its next recompute (engine.usable_events).
READABLE = (
    Q(started_at__gte=READABLE_MIN, started_at__lte=READABLE_MAX)
    & (Q(due_at__isnull=True) | Q(due_at__gte=READABLE_MIN, due_at__lte=READABLE_MAX))
    & (Q(met_at__isnull=True) | Q(met_at__gte=READABLE_MIN, met_at__lte=READABLE_MAX))
)
#: The same on the hand-written query; its parameters are `READABLE_PARAMS`.
READABLE_SQL = (
    "d.started_at BETWEEN %s AND %s"
    " AND (d.due_at IS NULL OR d.due_at BETWEEN %s AND %s)"
    " AND (d.met_at IS NULL OR d.met_at BETWEEN %s AND %s)"
)
READABLE_PARAMS = [READABLE_MIN, READABLE_MAX] * 3


def bucket_case(now: datetime, end_of_today: datetime) -> Case:
    """The bucket of an open item, computed by the database. Items that are not open (met or
    closed; only on an item's own page or an order's list) have no bucket."""
    return Case(
        When(~Q(status=Status.OPEN.value), then=Value(None)),
        When(due_at__isnull=True, then=Value(ASAP)),
        When(due_at__lt=now, then=Value(OVERDUE)),
        When(due_at__lte=end_of_today, then=Value(TODAY)),
        default=Value(WEEK),
        output_field=CharField(null=True),
    )
