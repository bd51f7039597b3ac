"""What is still missing or questionable for a month, per provider and per officer unit
(SPEC R9.1, seed 002 §Verkställighetsdatum/ersättning, §Verkställighet).

By the deadline (the profile's `month_registration_day` of the following month, the 5th)
start dates, reassessments and absences must be registered, and wrong dates corrected,
because payment, statistics and fees for the month depend on them. Six kinds of rows:

- NO_START: orders sent (or acknowledged) before the month ended with no start date yet;
- ABSENCE: started orders with an absence begun by the month's end and no end date;
- REASSESSMENT: open follow-up or reassessment due items (rules of the profile in force that
  stop on a follow-up) due by the month's end;
- CHANGE: temporary changes longer than the payment holds (R3.8) begun by the month's end
  and not reassessed since (no follow-up done and no new order version after the report);
- LATE_START: starts in the month whose date was registered (or last corrected) after the
  month ended: questionable for the month's basis;
- NOTICE: hospital notices of the month (or before) not acknowledged (R7.3).

The screen reads one query per kind plus the deadline day, the rules and the month's close:
a fixed number, whatever the number of rows. The reminder run (reminder_services) counts the
same querysets grouped by provider and by unit, one query per kind for a whole municipality.

Scoping: a provider's users see their own provider's rows (access.scoping.order_scope; for
due items the provider's watchlist scope); an officer sees their unit's (the unit's
watchlist scope for due items).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from verkstall.absences.models import Absence, NoticeReceipt
from verkstall.access.models import Municipality
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.access.scoping import order_scope
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied
from verkstall.core.order_states import ACTIVE, ISSUED, REPLY_PENDING, State
from verkstall.deadlines.models import DueItem
from verkstall.deadlines.profile_selectors import rules_in_force
from verkstall.deadlines.rules import Status
from verkstall.deadlines.watchlist_scopes import PROVIDER, UNIT, scope_filter
from verkstall.followups.models import FollowUp
from verkstall.orders.models import EventKind, Order, OrderEvent, TemporaryChange
from verkstall.payments.models import MonthClose
from verkstall.payments.selectors import registration_day

from .models import MonthReminder, MonthSettings, default_reminder_days
from .periods import Month, days_left, deadline, deadline_text, default_month, is_late

NO_START, ABSENCE, REASSESSMENT, CHANGE, LATE_START, NOTICE = (
    "no_start",
    "absence",
    "reassessment",
    "change",
    "late_start",
    "notice",
)
KINDS = (NO_START, ABSENCE, REASSESSMENT, CHANGE, LATE_START, NOTICE)
KIND_LABELS = {
    NO_START: "Beställningar utan startdatum",
    ABSENCE: "Frånvaro utan slutdatum",
    REASSESSMENT: "Uppföljning eller omprövning inte registrerad",
    CHANGE: "Förändrat behov som väntar på omprövning",
    LATE_START: "Startdatum registrerat efter månadens slut",
    NOTICE: "In- och utskrivningsmeddelanden inte kvitterade",
}
#: The clock events that register a follow-up or reassessment (R6, R9.1 "omprövning"): a due
#: item of a rule stopping on one of them is a reassessment still to be registered.
REASSESSMENT_EVENTS = frozenset({"followup.done", "followup.answered"})
#: The events that register a start date (a registration or a correction of it).
START_REGISTRATIONS = (EventKind.STARTED.value, EventKind.START_CORRECTED.value)


# --- the settings -------------------------------------------------------------------------


def reminder_days(municipality_id: int) -> list[int]:
    """The days before the deadline on which the reminder goes out (MonthSettings)."""
    row = MonthSettings.objects.filter(municipality_id=municipality_id).values("reminder_days")
    found = row.first()
    return list(found["reminder_days"]) if found else default_reminder_days()


def reminders_sent(municipality_id: int) -> QuerySet[MonthReminder]:
    """The reminder log of a municipality, newest first (the settings page shows the last)."""
    return MonthReminder.objects.filter(municipality_id=municipality_id).select_related(
        "user", "provider", "unit"
    )


# --- the month's close (payments) ---------------------------------------------------------


def month_close(municipality_id: int, month: Month) -> MonthClose | None:
    """The municipality's close of the month for payment (payments), or None while it is
    open. A correction after the close is recorded as always; the payment basis turns it into
    an adjustment in a later month (R9.4)."""
    return MonthClose.objects.filter(municipality_id=municipality_id, period=month.first).first()


# --- who sees what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Whose month it is: a provider's (`provider_id`) or an officer unit's (`unit_id`)."""

    municipality_id: int
    provider_id: int | None = None
    unit_id: int | None = None


def viewer_of(user) -> Viewer:
    """The provider of a provider's user, the unit of an officer; PermissionDenied for any
    other role (the screen is theirs only: access/declarations.py)."""
    role = user.role_enum
    if user.municipality_id is not None:
        if role in PROVIDER_ROLES and user.provider_id:
            return Viewer(user.municipality_id, provider_id=user.provider_id)
        if role == Role.OFFICER and user.unit_id:
            return Viewer(user.municipality_id, unit_id=user.unit_id)
    raise PermissionDenied("Månadens registrering visas för utförare och biståndshandläggare.")


def _item_scope(user) -> Q:
    return scope_filter(user, PROVIDER if user.role_enum in PROVIDER_ROLES else UNIT)


# --- the kinds, for a whole municipality --------------------------------------------------


def _after(month: Month):
    """The first moment after the month (Swedish local time)."""
    return clock.start_of_day(month.next().first)


def no_start(municipality_id: int, month: Month) -> QuerySet[Order]:
    """Orders sent before the month ended that have no start date yet (R3.7, R9.1)."""
    return Order.objects.filter(
        municipality_id=municipality_id, state__in=REPLY_PENDING, sent_at__lt=_after(month)
    )


def open_absences(municipality_id: int, month: Month) -> QuerySet[Absence]:
    """Absences of started orders begun by the month's end with no end date (R7.1, R9.1)."""
    return Absence.objects.filter(
        municipality_id=municipality_id,
        to_date__isnull=True,
        from_date__lte=month.last,
        order__state__in=ACTIVE,
    )


def reassessment_rule_ids(municipality_id: int) -> list[int]:
    """The rules in force for the municipality that a follow-up or reassessment stops."""
    slug = Municipality.objects.filter(pk=municipality_id).values("rule_profile")[:1]
    rules = rules_in_force(Subquery(slug))
    return [r.pk for r in rules if REASSESSMENT_EVENTS & set(r.stop_events)]


def reassessments(municipality_id: int, month: Month, rule_ids: list[int]) -> QuerySet[DueItem]:
    """Open follow-up and reassessment items due by the month's end (R6, R9.1)."""
    return DueItem.objects.filter(
        municipality_id=municipality_id,
        status=Status.OPEN.value,
        rule_id__in=rule_ids,
        due_at__lt=_after(month),
    )


def changes_to_reassess(municipality_id: int, month: Month) -> QuerySet[TemporaryChange]:
    """Temporary changes that need a reassessment (R3.8), begun by the month's end, with no
    follow-up done and no new order version since they were reported (R3.10)."""
    followed_up = FollowUp.objects.filter(
        order_id=OuterRef("order_id"), done_at__gte=OuterRef("created_at")
    )
    reissued = Order.objects.filter(
        supersedes_id=OuterRef("order_id"), created_at__gte=OuterRef("created_at")
    ).exclude(state=State.CANCELLED.value)
    return (
        TemporaryChange.objects.filter(
            municipality_id=municipality_id, needs_reassessment=True, from_date__lte=month.last
        )
        .exclude(order__state=State.CANCELLED.value)
        .exclude(Exists(followed_up))
        .exclude(Exists(reissued))
    )


def late_starts(municipality_id: int, month: Month) -> QuerySet[Order]:
    """Orders whose start date is in the month but was registered, or last corrected, after
    the month ended (R9.1: questionable for the month's payment and statistics)."""
    registered = (
        OrderEvent.objects.filter(order_id=OuterRef("pk"), kind__in=START_REGISTRATIONS)
        .order_by("-recorded_at", "-seq")
        .values("recorded_at")[:1]
    )
    return (
        Order.objects.filter(
            municipality_id=municipality_id,
            start_date__gte=month.first,
            start_date__lte=month.last,
            state__in=ISSUED,  # a start date is set only by the start (R3.7)
        )
        .annotate(start_registered_at=Subquery(registered))
        .filter(start_registered_at__gte=_after(month))
    )


def open_notices(municipality_id: int, month: Month) -> QuerySet[NoticeReceipt]:
    """Hospital notices of the month or before that the provider has not acknowledged."""
    return NoticeReceipt.objects.filter(
        municipality_id=municipality_id,
        acknowledged_at__isnull=True,
        notice__occurred_at__lt=_after(month),
    )


# --- the month screen ---------------------------------------------------------------------


@dataclass
class MonthReport:
    """One viewer's month: the rows of each kind, the deadline and whether it has passed."""

    month: Month
    today: date
    deadline_day: int
    rows: dict[str, list] = field(default_factory=dict)
    close: object = None

    @property
    def deadline(self) -> date:
        return deadline(self.month, self.deadline_day)

    @property
    def deadline_text(self) -> str:
        return deadline_text(self.month, self.deadline_day)

    @property
    def days_left(self) -> int:
        return days_left(self.today, self.month, self.deadline_day)

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def late(self) -> bool:
        return is_late(self.today, self.month, self.deadline_day)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


ORDER_ROWS = ("person", "provider", "unit")


def month_report(user, month: Month | None = None) -> MonthReport:
    """What the user's provider or unit still has to register or check for `month` (default:
    the previous month until its deadline, then the current one). Scoped to the user."""
    viewer = viewer_of(user)
    muni = viewer.municipality_id
    today = clock.today()
    day = registration_day(muni)  # the deadline: this day of the following month
    month = month or default_month(today, day)
    scoped = order_scope
    rows = {
        NO_START: no_start(muni, month)
        .filter(scoped(user, ""))
        .select_related(*ORDER_ROWS)
        .order_by("sent_at", "pk"),
        ABSENCE: open_absences(muni, month)
        .filter(scoped(user, "order__"))
        .select_related("order__person", "order__provider")
        .order_by("from_date", "pk"),
        REASSESSMENT: reassessments(muni, month, reassessment_rule_ids(muni))
        .filter(_item_scope(user))
        .select_related("person", "rule", "order", "decision")
        .order_by("due_at", "pk"),
        CHANGE: changes_to_reassess(muni, month)
        .filter(scoped(user, "order__"))
        .select_related("order__person", "order__provider")
        .order_by("from_date", "pk"),
        LATE_START: late_starts(muni, month)
        .filter(scoped(user, ""))
        .select_related(*ORDER_ROWS)
        .order_by("start_date", "pk"),
        NOTICE: open_notices(muni, month)
        .filter(scoped(user, "order__"))
        .select_related("notice", "order__person", "order__provider")
        .order_by("notice__occurred_at", "pk"),
    }
    return MonthReport(
        month=month,
        today=today,
        deadline_day=day,
        rows={kind: list(qs) for kind, qs in rows.items()},
        close=month_close(muni, month),
    )
