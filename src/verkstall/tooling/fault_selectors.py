"""What the fault runs check in the database afterwards (issue 18 item 1): nothing lost,
nothing made twice, nothing half-written.

- `fold_problems`: every order's state is the fold of its events (seq 1..n without a gap,
  `last_event_seq` = n, the first event "created", each transition from the state the one
  before left): an order whose row and events disagree is half-written.
- `due_differences`: every stored due item of the orders equals a fresh recompute (in a
  transaction rolled back afterwards, so the check changes nothing).
- `life_problems`: for the lives the load drove, an answered write is in the database
  (lost otherwise), and no decision got two orders nor an order two events of a kind (made
  twice).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db import transaction
from django_tasks_db.models import DBTaskResult

from verkstall.core import clock
from verkstall.deadlines import engine
from verkstall.deadlines.models import DueItem, Reminder
from verkstall.deadlines.reminders import MAIL_KIND
from verkstall.decisions.models import GrantedService
from verkstall.months import periods
from verkstall.months import selectors as month_selectors
from verkstall.months.models import MonthReminder
from verkstall.months.periods import Month
from verkstall.orders.models import Order, OrderEvent
from verkstall.orders.states import IllegalTransition, State, next_state
from verkstall.outbox.models import OutgoingMail
from verkstall.payments.selectors import registration_day
from verkstall.providers.models import Provider, RotationAssignment

#: Event kinds that are transitions of the state table, with their action.
TRANSITION_KINDS = {
    "sent": "send",
    "acknowledged": "acknowledge",
    "started": "start",
    "ended": "end",
    "cancelled": "cancel",
}
#: The answered step of a life and the event it must have left.
STEP_EVENTS = {
    "create": "created",
    "send": "sent",
    "acknowledge": "acknowledged",
    "start": "started",
}


def fold_problems(order_ids: list[int]) -> list[str]:
    """Orders whose row is not the fold of their events, each with what is wrong."""
    events = defaultdict(list)
    rows = OrderEvent.objects.filter(order_id__in=order_ids).order_by("order_id", "seq")
    for order_id, seq, kind in rows.values_list("order_id", "seq", "kind"):
        events[order_id].append((seq, kind))
    problems = []
    for order_id, state, last_seq in Order.objects.filter(pk__in=order_ids).values_list(
        "pk", "state", "last_event_seq"
    ):
        history = events[order_id]
        if [seq for seq, _ in history] != list(range(1, len(history) + 1)):
            problems.append(f"order {order_id}: event numbers {[s for s, _ in history]}")
            continue
        if last_seq != len(history) or not history or history[0][1] != "created":
            problems.append(f"order {order_id}: last_event_seq {last_seq}, {len(history)} events")
            continue
        folded = State.DRAFT
        try:
            for _, kind in history[1:]:
                if kind in TRANSITION_KINDS:
                    folded = next_state(folded, TRANSITION_KINDS[kind])
        except IllegalTransition as exc:
            problems.append(f"order {order_id}: events do not fold ({exc})")
            continue
        if folded.value != state:
            problems.append(f"order {order_id}: state {state}, its events say {folded.value}")
    return problems


def _due_snapshot(orders: list[Order]) -> dict:
    skip = {"id", "updated_at"}
    fields = [f.attname for f in DueItem._meta.concrete_fields if f.attname not in skip]
    rows = DueItem.objects.filter(order__in=orders).values(*fields)
    return {(r["rule_id"], r["subject_key"], r["cycle"]): r for r in rows}


def due_differences(order_ids: list[int]) -> list[str]:
    """Due items of the orders that a fresh recompute would change (nothing is kept)."""
    with transaction.atomic():
        orders = list(Order.objects.filter(pk__in=order_ids).select_related("decision", "provider"))
        before = _due_snapshot(orders)
        for order in orders:
            engine.recompute_order(order)
        after = _due_snapshot(orders)
        transaction.set_rollback(True)
    problems = [f"due item {key}: stored, not recomputed" for key in before.keys() - after.keys()]
    problems += [f"due item {key}: recomputed, not stored" for key in after.keys() - before.keys()]
    problems += [
        f"due item {key}: differs"
        for key in before.keys() & after.keys()
        if before[key] != after[key]
    ]
    return problems


def life_problems(lives) -> dict[str, list[str]]:
    """`lost`: an answered write missing; `duplicated`: a write made twice."""
    decisions = [life.decision for life in lives]
    orders_of = defaultdict(list)
    for pk, decision in Order.objects.filter(decision_id__in=decisions).values_list(
        "pk", "decision_id"
    ):
        orders_of[decision].append(pk)
    kinds = defaultdict(Counter)
    all_orders = [pk for pks in orders_of.values() for pk in pks]
    for order_id, kind in OrderEvent.objects.filter(order_id__in=all_orders).values_list(
        "order_id", "kind"
    ):
        kinds[order_id][kind] += 1
    lost, duplicated = [], []
    for life in lives:
        made = orders_of.get(life.decision, [])
        if len(made) > 1:
            duplicated.append(f"decision {life.decision}: {len(made)} orders")
        for step, status in life.answered.items():
            if status not in (200, 201):
                continue
            order = life.order if life.order in made else None
            if order is None or kinds[order][STEP_EVENTS[step]] == 0:
                lost.append(f"decision {life.decision}: {step} answered {status}, not stored")
        for order in made:
            twice = [
                kind for kind, n in kinds[order].items() if n > 1 and kind in STEP_EVENTS.values()
            ]
            if twice:
                duplicated.append(f"order {order}: {twice} twice")
    return {"lost": lost, "duplicated": duplicated}


def orders_of_lives(lives) -> list[int]:
    decisions = [life.decision for life in lives]
    return list(Order.objects.filter(decision_id__in=decisions).values_list("pk", flat=True))


def mail_problems(since, received: Counter, message_id) -> dict[str, list[str]]:
    """Every mail queued since `since` went out once: sent (lost if still waiting or given
    up), and accepted by the mail server exactly once (by its Message-ID)."""
    lost, duplicated = [], []
    rows = list(OutgoingMail.objects.filter(created_at__gte=since).only("pk", "kind", "sent_at"))
    for row in rows:
        if row.sent_at is None:
            lost.append(f"mail {row.pk} ({row.kind}) not sent")
            continue
        times = received.get(message_id(row), 0)
        if times == 0:
            lost.append(f"mail {row.pk} ({row.kind}) marked sent, never received")
        elif times > 1:
            duplicated.append(f"mail {row.pk} ({row.kind}) received {times} times")
    return {"lost": lost, "duplicated": duplicated, "mails": len(rows)}


def reminder_problems(since) -> dict[str, list[str]]:
    """Each reminder logged since `since` is in exactly one queued mail (reminders.py writes
    the log rows and their mail in one transaction, the mail naming the rows' id range)."""
    ranges = defaultdict(list)
    for reference in OutgoingMail.objects.filter(kind=MAIL_KIND, created_at__gte=since).values_list(
        "reference", flat=True
    ):
        user, _day, first, last = reference.split(":")
        ranges[int(user)].append((int(first), int(last)))
    lost, duplicated = [], []
    rows = Reminder.objects.filter(sent_at__gte=since).values_list("pk", "user_id")
    count = 0
    for pk, user in rows:
        count += 1
        covering = sum(1 for first, last in ranges[user] if first <= pk <= last)
        if covering == 0:
            lost.append(f"reminder {pk} in no mail")
        elif covering > 1:
            duplicated.append(f"reminder {pk} in {covering} mails")
    return {"lost": lost, "duplicated": duplicated, "reminders": count}


def waiting_mails(since) -> int:
    """Mails queued since `since` that are neither sent nor given up."""
    return OutgoingMail.objects.filter(
        created_at__gte=since, sent_at__isnull=True, given_up_at__isnull=True
    ).count()


def month_reminder_day(municipality) -> date:
    """The first reminder day of the month reminder (months app) from today on: the month
    whose registration deadline comes next, on its first reminder day not yet used."""
    day = registration_day(municipality.pk)
    month = Month.of(clock.today())
    used = set(
        MonthReminder.objects.filter(municipality=municipality).values_list("sent_on", flat=True)
    )
    for _ in range(24):
        due = periods.deadline(month, day)
        for before in sorted(month_selectors.reminder_days(municipality.pk), reverse=True):
            candidate = due - timedelta(days=before)
            if candidate >= clock.today() and candidate not in used:
                return candidate
        month = month.next()
    return clock.today()


def month_reminder_problems(since) -> dict:
    """Each month reminder logged since `since` has its mail in the outbox. (Twice is ruled
    out by the database: the log is unique per person, month and day, and so is the mail's
    dedupe key; the fault run counts on that rather than checking it.)"""
    rows = list(
        MonthReminder.objects.filter(sent_at__gte=since).values_list("user_id", "month", "sent_on")
    )
    keys = Counter(rows)
    mails = Counter(
        OutgoingMail.objects.filter(kind="month_reminder", created_at__gte=since).values_list(
            "dedupe_key", flat=True
        )
    )
    lost, duplicated = [], []
    for user, month, day in keys:
        key = f"month_reminder:{user}:{month:%Y-%m}:{day.isoformat()}"
        if mails[key] == 0:
            lost.append(f"month reminder {key} without its mail")
    return {"lost": lost, "duplicated": duplicated, "month_reminders": len(rows)}


def latest_attempt(since):
    """When the last of the waiting mails queued since `since` is tried next."""
    return (
        OutgoingMail.objects.filter(
            created_at__gte=since, sent_at__isnull=True, given_up_at__isnull=True
        )
        .order_by("-next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def job_status(job_id) -> str | None:
    """A queued task's status (django_tasks_db), None if there is no such task."""
    return DBTaskResult.objects.filter(id=job_id).values_list("status", flat=True).first()


def job_runners(job_id) -> list[str]:
    """The ids of the workers that took the task, in order (one per run)."""
    return DBTaskResult.objects.filter(id=job_id).values_list("worker_ids", flat=True).first() or []


def connected_providers(municipality, *, count: int) -> list:
    """`count` providers of the municipality connected to the system, oldest first."""
    return list(
        Provider.objects.filter(municipality=municipality, is_connected=True).order_by("pk")[:count]
    )


def granted_services(decision_ids: list[int]) -> list[int]:
    return list(
        GrantedService.objects.filter(decision_id__in=decision_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def rotation_assignments(granted_ids: list[int]) -> dict[int, list[int]]:
    """Granted service -> the providers its rotation assignments gave, in order."""
    made: dict[int, list[int]] = {pk: [] for pk in granted_ids}
    rows = RotationAssignment.objects.filter(granted_service_id__in=granted_ids).order_by("pk")
    for gs, provider in rows.values_list("granted_service_id", "provider_id"):
        made[gs].append(provider)
    return made


def one_outcome_problems(order_ids: list[int]) -> list[str]:
    """Orders that were both sent and cancelled (two writes where one was meant to win)."""
    both = Counter(
        OrderEvent.objects.filter(
            order_id__in=order_ids, kind__in=("sent", "cancelled")
        ).values_list("order_id", flat=True)
    )
    return [f"order {pk}: sent and cancelled" for pk, n in both.items() if n > 1]
