"""The reminder before the month's deadline (SPEC R9.1: "a reminder before the 5th, not only a
late mark after it"; seed 002 §Verkställighetsdatum/ersättning).

`python -m verkstall month_reminders [--today YYYY-MM-DD]` runs once a day. On the days the
municipality's month settings name (3 and 1 days before the deadline by default; the deadline
is the profile's `month_registration_day` of the following month), every provider and every
officer unit with something still missing for the month gets an e-mail: how many of each
kind (selectors.KINDS) and a link to the month screen. Never a client's name or personnummer:
the mail is built from counts only.

Who receives it, among active users with an e-mail address:
- a provider: its managers who belong to no unit; if none, all its managers; if it has no
  manager, all its users (as deadlines/reminders.py chooses for a provider's due items);
- an officer unit: its officers.

At most one mail per person, month and day: the log `MonthReminder` (unique together) is
written in the same transaction that puts the mail in the outbox (verkstall.outbox, with the
dedupe key "month_reminder:<user>:<month>:<day>"), each person in its own transaction that
locks the person's user row first (two runs at once do not both mail); a second run on the
same day queues nothing. The outbox sends the mail, once, retrying while the mail server is
down (issue 18); nothing is sent here. The mail holds no personal data (counts, the party's
name, a link; the greeting names nobody), so the outbox keeps it as rendered.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import translation

from verkstall.access.models import Municipality, Unit, User
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core import clock
from verkstall.deadlines.rules import Responsible
from verkstall.outbox import services as outbox
from verkstall.payments.selectors import registration_day
from verkstall.providers.models import Provider

from . import selectors
from .models import MonthReminder
from .periods import Month, days_left, deadline_text, reminder_months

logger = logging.getLogger(__name__)

#: The outbox's kind of the month reminder (stored as rendered: no personal data).
MAIL_KIND = "month_reminder"

#: Each kind's grouped count: its queryset for a municipality and month, and its path to the
#: order (whose provider and unit it belongs to); the due items are grouped by their
#: responsible party instead.
ORDER_PATHS = {
    selectors.NO_START: "",
    selectors.ABSENCE: "order__",
    selectors.CHANGE: "order__",
    selectors.LATE_START: "",
    selectors.NOTICE: "order__",
}


@dataclass
class Party:
    """A provider or an officer unit with something missing for the month."""

    kind: str  # "provider" or "unit"
    pk: int
    name: str = ""
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _querysets(municipality_id: int, month: Month) -> dict:
    rule_ids = selectors.reassessment_rule_ids(municipality_id)
    return {
        selectors.NO_START: selectors.no_start(municipality_id, month),
        selectors.ABSENCE: selectors.open_absences(municipality_id, month),
        selectors.REASSESSMENT: selectors.reassessments(municipality_id, month, rule_ids),
        selectors.CHANGE: selectors.changes_to_reassess(municipality_id, month),
        selectors.LATE_START: selectors.late_starts(municipality_id, month),
        selectors.NOTICE: selectors.open_notices(municipality_id, month),
    }


def missing_by_party(municipality_id: int, month: Month) -> dict[tuple[str, int], Party]:
    """What each provider and each officer unit of the municipality is missing for the month:
    one grouped query per kind (the month screen's querysets, counted)."""
    parties: dict[tuple[str, int], Party] = {}

    def add(kind: str, pk, what: str, n: int) -> None:
        if pk is not None and n:
            parties.setdefault((kind, pk), Party(kind, pk)).counts[what] += n

    for what, qs in _querysets(municipality_id, month).items():
        if what == selectors.REASSESSMENT:
            rows = qs.values("responsible", "responsible_provider_id", "responsible_unit_id")
            for row in rows.annotate(n=Count("pk")).order_by():
                add("provider", row["responsible_provider_id"], what, row["n"])
                if row["responsible"] == Responsible.OFFICER.value:
                    add("unit", row["responsible_unit_id"], what, row["n"])
            continue
        path = ORDER_PATHS[what]
        rows = qs.values(f"{path}provider_id", f"{path}unit_id").annotate(n=Count("pk"))
        for row in rows.order_by():
            add("provider", row[f"{path}provider_id"], what, row["n"])
            add("unit", row[f"{path}unit_id"], what, row["n"])
    return parties


def _name_parties(parties: dict[tuple[str, int], Party]) -> None:
    providers = [pk for kind, pk in parties if kind == "provider"]
    units = [pk for kind, pk in parties if kind == "unit"]
    for pk, name in Provider.objects.filter(pk__in=providers).values_list("pk", "name"):
        parties[("provider", pk)].name = name
    for pk, name in Unit.objects.filter(pk__in=units).values_list("pk", "name"):
        parties[("unit", pk)].name = name


def recipients(municipality_id: int, parties) -> dict[int, tuple[User, Party]]:
    """user id -> (user, the party they are told about), in one query."""
    providers = {pk for kind, pk in parties if kind == "provider"}
    units = {pk for kind, pk in parties if kind == "unit"}
    wanted = Q(provider_id__in=providers, role__in=[r.value for r in PROVIDER_ROLES]) | Q(
        unit_id__in=units, role=Role.OFFICER.value
    )
    users = list(
        User.objects.filter(municipality_id=municipality_id, is_active=True)
        .filter(wanted)
        .order_by("pk")
    )
    by_provider: dict[int, list[User]] = defaultdict(list)
    result: dict[int, tuple[User, Party]] = {}
    for user in users:
        if user.role_enum == Role.OFFICER:
            result[user.pk] = (user, parties[("unit", user.unit_id)])
        else:
            by_provider[user.provider_id].append(user)
    for provider_id, staff in by_provider.items():
        managers = [u for u in staff if u.role == Role.PROVIDER_MANAGER.value]
        provider_wide = [m for m in managers if m.provider_unit_id is None]
        for user in provider_wide or managers or staff:
            result[user.pk] = (user, parties[("provider", provider_id)])
    return result


def render_message(party: Party, month: Month, today: date, day: int) -> tuple[str, str, str]:
    """(subject, text, html) of the mail about `party`'s month: counts and a link, no client
    data and no name of the person it goes to."""
    context = {
        "party": party,
        "lines": [
            (selectors.KIND_LABELS[kind], party.counts[kind])
            for kind in selectors.KINDS
            if party.counts[kind]
        ],
        "month": month,
        "deadline": deadline_text(month, day),
        "days_left": days_left(today, month, day),
        "url": f"{settings.VERKSTALL_BASE_URL}/months/?month={month.label}",
    }
    with translation.override("sv"):
        subject = render_to_string("months/email/reminder_subject.txt", context)
        text = render_to_string("months/email/reminder.txt", context)
        html = render_to_string("months/email/reminder.html", context)
    return " ".join(subject.split()), text, html


def _queue_for(user: User, party: Party, month: Month, today: date, day: int) -> bool:
    """Queue the mail to `user` unless the log says they were reminded of the month today;
    the log row and the outbox row in one transaction. True if a mail was queued."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        if MonthReminder.objects.filter(user=user, month=month.first, sent_on=today).exists():
            return False
        subject, text, html = render_message(party, month, today, day)
        MonthReminder.objects.create(
            municipality_id=user.municipality_id,
            user=user,
            month=month.first,
            sent_on=today,
            sent_at=clock.now(),
            provider_id=party.pk if party.kind == "provider" else None,
            unit_id=party.pk if party.kind == "unit" else None,
            missing=party.total,
        )
        outbox.enqueue(
            kind=MAIL_KIND,
            recipients=[user.email],
            subject=subject,
            body=text,
            html_body=html,
            reference=f"{user.pk}:{month.label}",
            dedupe_key=f"{MAIL_KIND}:{user.pk}:{month.label}:{today.isoformat()}",
        )
        return True


@dataclass
class Result:
    date: str
    months: list[str] = field(default_factory=list)
    mails: int = 0
    parties: int = 0
    skipped_without_email: int = 0
    already_sent: int = 0


def send_month_reminders(today: date | None = None) -> Result:
    """Queue the day's month reminders in the outbox, in every municipality whose settings
    make today a reminder day. Safe to run again the same day: the log stops a second mail.
    `mails` counts the mails queued (the outbox sends them)."""
    today = today or clock.today()
    result = Result(date=today.isoformat())
    for municipality_id in Municipality.objects.order_by("pk").values_list("pk", flat=True):
        day = registration_day(municipality_id)
        for month in reminder_months(today, day, selectors.reminder_days(municipality_id)):
            result.months.append(f"{municipality_id}:{month.label}")
            parties = missing_by_party(municipality_id, month)
            if not parties:
                continue
            _name_parties(parties)
            result.parties += len(parties)
            for user, party in recipients(municipality_id, parties).values():
                if not (user.email or "").strip():
                    result.skipped_without_email += 1
                    continue
                if _queue_for(user, party, month, today, day):
                    result.mails += 1
                else:
                    result.already_sent += 1
    logger.info(
        "Month reminders for %s: %s mails queued, %s already sent, %s without e-mail",
        result.date,
        result.mails,
        result.already_sent,
        result.skipped_without_email,
    )
    return result
