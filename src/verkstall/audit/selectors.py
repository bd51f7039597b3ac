"""Reading the access log, for the log reviewer of the same municipality only (R10.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Max, Q, QuerySet

from verkstall.access.roles import Role
from verkstall.access.scoping import NOTHING
from verkstall.core import clock
from verkstall.core.paging import Sorting
from verkstall.core.personal_number import PersonalNumber
from verkstall.people.models import Person

from .models import AccessLogEntry


def may_review(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.role_enum == Role.LOG_REVIEWER
        and user.municipality_id is not None
    )


@dataclass(frozen=True)
class LogFilter:
    person_id: int | None = None
    username: str = ""
    outside_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
    #: The reviewer's own reads are left out unless asked for (issue 17 item 6): else every
    #: look at the log fills the top of the log with the look itself.
    include_own: bool = False


def entries(user, f: LogFilter) -> QuerySet[AccessLogEntry]:
    if not may_review(user):
        return AccessLogEntry.objects.filter(NOTHING)
    qs = AccessLogEntry.objects.filter(municipality_id=user.municipality_id)
    if not f.include_own:
        # Rows without a user (the system's) stay: NULL is not the reviewer.
        qs = qs.exclude(user_id=user.pk)
    if f.person_id is not None:
        qs = qs.filter(person_id=f.person_id)
    if f.username:
        qs = qs.filter(username=f.username)
    if f.outside_only:
        qs = qs.filter(outside_own=True)
    if f.date_from:
        qs = qs.filter(occurred_at__gte=clock.start_of_day(f.date_from))
    if f.date_to:
        qs = qs.filter(occurred_at__lt=clock.start_of_day(f.date_to + timedelta(days=1)))
    return qs.order_by("-occurred_at", "-id")


#: The log page's sorts (issue 17 item 5): newest first by default, which the index
#: (municipality, occurred_at, id) reads backwards.
LOG_SORTING = Sorting(
    columns={
        "time": (F("occurred_at"),),
        "user": (F("username"),),
        "role": (F("role"),),
        "action": (F("action"),),
        "page": (F("method"), F("path")),
    },
    default="-time",
)


#: The summary of reads outside the reader's own unit or provider counts this many days back
#: when the filter gives no dates: counted over the whole log, it grew with the log and made
#: the reviewer's page the slowest list of all (issue 17 item 10).
OUTSIDE_DAYS = 30


def outside_window(f: LogFilter) -> LogFilter:
    """The filter the summary of outside reads uses: `f`'s dates, else the last OUTSIDE_DAYS."""
    if f.date_from is None and f.date_to is None:
        since = clock.today() - timedelta(days=OUTSIDE_DAYS - 1)
        return LogFilter(**{**f.__dict__, "date_from": since})
    return f


def outside_readers(user, f: LogFilter) -> list[dict]:
    """Users who looked at clients outside their own unit or provider, most such reads first;
    over `f`'s dates, or the last OUTSIDE_DAYS days (`outside_window`)."""
    qs = entries(user, LogFilter(**{**outside_window(f).__dict__, "outside_only": True}))
    return list(
        qs.exclude(role="system")
        .values("user_id", "username", "role")
        .annotate(reads=Count("id"), clients=Count("person_id", distinct=True))
        .annotate(last=Max("occurred_at"))
        .order_by("-reads", "username")[:100]
    )


def find_client(user, personal_number: str) -> Person | None:
    """The reviewer's municipality's client with this number (None if none, or removed)."""
    if not may_review(user):
        return None
    return (
        Person.objects.filter(municipality_id=user.municipality_id)
        .filter(Q(personal_number=personal_number))
        .first()
    )


def client_labels(user, person_ids) -> dict[int, str]:
    """Name and personnummer of clients still on record; removed ones are shown by id. Read
    as model instances: each client read is logged (the export: one row per client)."""
    if not may_review(user):
        return {}
    persons = Person.objects.filter(municipality_id=user.municipality_id, pk__in=set(person_ids))
    return {p.pk: f"{p.full_name} ({p.formatted_personal_number})" for p in persons}


def page_labels(user, person_ids) -> dict[int, str]:
    """`client_labels` for the log page, read as plain values: no access-log row per client
    on the page (the log's own rows name them; issue 17 item 6). The page writes one row for
    the review instead (`services.record_log_review`, R10.4)."""
    if not may_review(user):
        return {}
    rows = Person.objects.filter(
        municipality_id=user.municipality_id, pk__in=set(person_ids)
    ).values_list("pk", "first_name", "last_name", "personal_number")
    return {
        pk: f"{first} {last} ({PersonalNumber(number).formatted()})"
        for pk, first, last, number in rows
    }
