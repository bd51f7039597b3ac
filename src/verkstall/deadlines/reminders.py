"""The daily e-mail reminder of what fell due (SPEC R11, glossary "bevakning").

Once a day (deadlines/tasks.py, `python -m verkstall send_reminders`), every responsible
person gets ONE e-mail that lists the open due items that are due today or have become
overdue since they were last told, each with a link to the item on the watchlist
(`/watchlist/<id>/`). The mail names the client by name only: a personnummer is never
written to an e-mail (ARCHITECTURE "Conventions"); it is not even read from the database
here, and anything shaped like one is masked before sending, as a last guard.

Who is "the responsible person" of an item:

- officer: the item's `responsible_user`;
- provider: the provider's managers (role provider_manager) of the item's provider unit; if
  that unit has no manager, the provider's managers who belong to no unit; an item without
  a unit goes to those provider-wide managers, or else to every manager of the provider;
  and if the provider has no manager at all, to all of the provider's users;
- placement_unit, fee_officer, aids_centre: the users with that role in the item's
  municipality.

Only active users count. The choice is made on who holds the role, not on who has an e-mail
address: a manager without an address is skipped (and counted), not replaced by the staff.

Idempotent by the log `Reminder` (user, item, kind "due"/"overdue"; unique together): an item
is mailed to a person once as due, on its due day, and once more as overdue, on the first run
after its due moment has passed. A second run on the same day finds everything logged and
queues nothing. Each recipient is handled in its own transaction that locks the recipient's
user row (so two workers running at once do not both mail the same person), writes the log
rows and puts the mail in the outbox (verkstall.outbox, with a dedupe key of the person and
the items) in the same transaction: the mail exists exactly when its log rows do, and the
outbox sends it once, retrying while the mail server is down (issue 18). Nothing is sent
here. The outbox row holds no client name: the mail is built when it is delivered
(`build_queued_reminder`, registered in deadlines/apps.py) from the log rows it names, with
the items as they are then.

"Overdue" is judged as the watchlist judges it (selectors.py): an open item whose due moment
has passed. A run for today uses the clock's now; a run for another day (`--date`, a
catch-up) is judged at the start of that day, like a morning run. Overdue items are looked
for `LOOKBACK_DAYS` back, so a scheduler that missed a few days catches up, while the first
run on an old database does not mail years of backlog (that is what the watchlist shows).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from verkstall.access.models import Municipality, User
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core import clock
from verkstall.core.personal_number import MAIL_MASK, mask_numbers
from verkstall.outbox import services as outbox

from .calendar import STOCKHOLM
from .models import DueItem, Reminder
from .rules import Responsible, Status
from .watchlist_scopes import RESPONSIBLE_ROLE

logger = logging.getLogger(__name__)

DUE = Reminder.Kind.DUE.value
OVERDUE = Reminder.Kind.OVERDUE.value

#: The outbox's kind of the daily reminder (built at delivery from its log rows).
MAIL_KIND = "due_reminder"

#: How many days back a run looks for items that became overdue and were not yet mailed.
LOOKBACK_DAYS = 7

#: Responsible parties that are a role in the municipality rather than a person or provider,
#: and the role that receives them: the watchlists' ROLE scope the other way round.
ROLE_RESPONSIBLES = RESPONSIBLE_ROLE

# Anything shaped like a personnummer or samordningsnummer: (YY)YYMMDD, an optional
# separator, four digits. Masked in every part of the message as a last guard.
MASK = MAIL_MASK

_ITEM_FIELDS = (
    "id",
    "municipality_id",
    "responsible",
    "responsible_user_id",
    "responsible_provider_id",
    "responsible_provider_unit_id",
    "order_id",
    "decision_id",
    "due_at",
    "due_date",
    # The client by name only: the personnummer is never loaded by this module.
    "person__first_name",
    "person__last_name",
    "rule__name",
    "order__provider__name",
)


@dataclass(frozen=True)
class Line:
    """One due item as a line of one person's mail."""

    item: DueItem
    kind: str

    @property
    def client_name(self) -> str:
        return f"{self.item.person.first_name} {self.item.person.last_name}"

    @property
    def what(self) -> str:
        return self.item.rule.name

    @property
    def due_text(self) -> str:
        if self.item.due_date:
            return f"{self.item.due_date:%Y-%m-%d}"
        return self.item.due_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d kl. %H:%M")

    @property
    def subject_text(self) -> str:
        if self.item.order_id:
            return f"Beställning {self.item.order_id} till {self.item.order.provider.name}"
        return f"Beslut {self.item.decision_id}" if self.item.decision_id else ""

    @property
    def url(self) -> str:
        return f"{settings.VERKSTALL_BASE_URL}/watchlist/{self.item.pk}/"


PROVIDER_SIDE = (Responsible.PROVIDER.value, Responsible.NEW_PROVIDER.value)


def _candidates(today: date, lookback_days: int) -> list[DueItem]:
    """Open items due from `lookback_days` before `today` up to the end of `today`, one
    query per municipality (every read filters by the tenant first)."""
    since = clock.start_of_day(today - timedelta(days=lookback_days))
    until = clock.start_of_day(today + timedelta(days=1))
    items: list[DueItem] = []
    for municipality_id in Municipality.objects.order_by("pk").values_list("pk", flat=True):
        items.extend(
            DueItem.objects.filter(
                municipality_id=municipality_id,
                status=Status.OPEN.value,
                due_at__gte=since,
                due_at__lt=until,
            )
            .select_related("person", "rule", "order__provider")
            .only(*_ITEM_FIELDS)
            .order_by("due_at", "pk")
        )
    return items


def _users_for(items: list[DueItem]) -> list[User]:
    """Every active user who may receive one of these items, in one query."""
    officers = {i.responsible_user_id for i in items if i.responsible_user_id}
    providers = {
        i.responsible_provider_id
        for i in items
        if i.responsible in PROVIDER_SIDE and i.responsible_provider_id
    }
    munis = {i.municipality_id for i in items if i.responsible in ROLE_RESPONSIBLES}
    wanted = Q(pk__in=officers) | Q(provider_id__in=providers)
    if munis:
        wanted |= Q(municipality_id__in=munis, role__in=ROLE_RESPONSIBLES.values())
    return list(User.objects.filter(wanted, is_active=True).order_by("pk"))


class _Directory:
    """Who is responsible for an item, from the users loaded once by `_users_for`."""

    def __init__(self, users: list[User]):
        self.by_pk = {u.pk: u for u in users}
        self.by_provider: dict[int, list[User]] = defaultdict(list)
        self.by_role: dict[tuple[int, str], list[User]] = defaultdict(list)
        for u in users:
            if u.provider_id and u.role_enum in PROVIDER_ROLES:
                self.by_provider[u.provider_id].append(u)
            else:
                self.by_role[(u.municipality_id, u.role)].append(u)

    def responsible_for(self, item: DueItem) -> list[User]:
        officer = self.by_pk.get(item.responsible_user_id)
        if item.responsible == Responsible.OFFICER.value:
            return [officer] if officer is not None else []
        if item.responsible in PROVIDER_SIDE:
            # A provider not connected has no users: the officer who registers its replies on
            # its behalf (R3.3) is the one to chase it (the engine sets responsible_user).
            return self._provider(item) or ([officer] if officer is not None else [])
        role = ROLE_RESPONSIBLES.get(item.responsible)
        return list(self.by_role.get((item.municipality_id, role), [])) if role else []

    def _provider(self, item: DueItem) -> list[User]:
        users = self.by_provider.get(item.responsible_provider_id, [])
        managers = [u for u in users if u.role == Role.PROVIDER_MANAGER.value]
        provider_wide = [m for m in managers if m.provider_unit_id is None]
        if item.responsible_provider_unit_id:
            unit = item.responsible_provider_unit_id
            tiers = [[m for m in managers if m.provider_unit_id == unit], provider_wide]
        else:
            tiers = [provider_wide, managers]
        tiers.append(users)
        return next((tier for tier in tiers if tier), [])


_mask = mask_numbers  # core/personal_number.py: the one mask of every mail


def build_message(user: User, lines: list[Line], today: date) -> EmailMultiAlternatives:
    """The one mail to `user` listing `lines` (due today first, then overdue)."""
    due = [line for line in lines if line.kind == DUE]
    overdue = [line for line in lines if line.kind == OVERDUE]
    context = {
        "user": user,
        "first_name": user.first_name or user.get_username(),
        "today": f"{today:%Y-%m-%d}",
        "due": due,
        "overdue": overdue,
        "watchlist_url": f"{settings.VERKSTALL_BASE_URL}/watchlist/",
    }
    with translation.override("sv"):
        subject = render_to_string("deadlines/email/reminder_subject.txt", context)
        text = render_to_string("deadlines/email/reminder.txt", context)
        html = render_to_string("deadlines/email/reminder.html", context)
    message = EmailMultiAlternatives(
        subject=_mask(" ".join(subject.split())),
        body=_mask(text),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    message.attach_alternative(_mask(html), "text/html")
    return message


def _queue_for(user: User, lines: list[Line], today: date) -> int:
    """Log `lines` not yet logged to `user` and queue the one mail that lists them, in one
    transaction. Returns the number of items queued (0 if another run had logged them all)."""
    with transaction.atomic():
        # Serialises two runs for the same person (a no-op on SQLite, whose IMMEDIATE
        # transactions are serial anyway); the log is read again after the lock.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        logged = set(
            Reminder.objects.filter(
                user=user, due_item_id__in=[line.item.pk for line in lines]
            ).values_list("due_item_id", "kind")
        )
        lines = [line for line in lines if (line.item.pk, line.kind) not in logged]
        if not lines:
            return 0
        queued_at = clock.now()
        rows = Reminder.objects.bulk_create(
            Reminder(
                municipality_id=line.item.municipality_id,
                user=user,
                due_item=line.item,
                kind=line.kind,
                sent_on=today,
                sent_at=queued_at,
            )
            for line in lines
        )
        pks = [row.pk for row in rows]
        if None in pks:  # pragma: no cover - SQLite 3.35+ and PostgreSQL return them
            raise RuntimeError("the database did not return the reminders' ids")
        told = ",".join(f"{line.item.pk}{line.kind[0]}" for line in lines)
        queued = outbox.enqueue(
            kind=MAIL_KIND,
            recipients=[user.email],
            reference=f"{user.pk}:{today.isoformat()}:{min(pks)}:{max(pks)}",
            dedupe_key=f"{MAIL_KIND}:{user.pk}:{today.isoformat()}:{_digest(told)}",
        )
        if queued is None:  # the same mail is queued already: no log rows without a mail
            transaction.set_rollback(True)
            return 0
        return len(lines)


def forget_given_up_reminder(mail) -> None:
    """The outbox gave up on a reminder (MAIL_KIND, `on_given_up`): its log rows go, so that
    a later run reminds of the items again instead of counting them as told."""
    user_pk, _day, first, last = mail.reference.split(":")
    Reminder.objects.filter(user_id=int(user_pk), pk__gte=int(first), pk__lte=int(last)).delete()


def _digest(text: str) -> str:
    """A short digest in base32 (letters, few digits: nothing shaped like a personnummer)."""
    return base64.b32encode(hashlib.sha256(text.encode()).digest()[:20]).decode().lower()


def build_queued_reminder(mail) -> EmailMultiAlternatives | None:
    """The outbox's builder of MAIL_KIND (deadlines/apps.py): the mail to the person of the
    reference listing its log rows' items as they are now; None when there is nobody to tell
    (the person left or has no address) or nothing left (the items were removed)."""
    try:
        user_pk, day, first, last = mail.reference.split(":")
        today = date.fromisoformat(day)
        logged = dict(
            Reminder.objects.filter(
                user_id=int(user_pk), pk__gte=int(first), pk__lte=int(last)
            ).values_list("due_item_id", "kind")
        )
    except ValueError:
        return None
    user = User.objects.filter(pk=int(user_pk), is_active=True).first()
    if user is None or not (user.email or "").strip() or not logged:
        return None
    items = (
        DueItem.objects.filter(pk__in=logged)
        .select_related("person", "rule", "order__provider")
        .only(*_ITEM_FIELDS)
        .order_by("due_at", "pk")
    )
    lines = [Line(item, logged[item.pk]) for item in items]
    return build_message(user, lines, today) if lines else None


def send_reminders(today: date | None = None, *, lookback_days: int = LOOKBACK_DAYS) -> dict:
    """Queue the day's reminders in the outbox. Safe to run again: only what is not yet
    logged is queued.

    Returns counts: `mails` queued (one per person, so also the number of people reached),
    `items` listed in them, `skipped_without_email` (people with something to be told but
    no e-mail address) and `items_without_recipient` (no active user holds the
    responsibility). The outbox sends the mails (`python -m verkstall deliver_mail`, or the
    task worker), retrying while the mail server is down.
    """
    today = today or clock.today()
    moment = clock.now() if today == clock.today() else clock.start_of_day(today)
    items = _candidates(today, lookback_days)
    kind = {i.pk: (OVERDUE if i.due_at < moment else DUE) for i in items}

    directory = _Directory(_users_for(items))
    per_user: dict[int, list[Line]] = defaultdict(list)
    without_recipient = 0
    for item in items:
        users = directory.responsible_for(item)
        if not users:
            without_recipient += 1
        for user in users:
            per_user[user.pk].append(Line(item, kind[item.pk]))

    logged = set(
        Reminder.objects.filter(due_item_id__in=[i.pk for i in items]).values_list(
            "user_id", "due_item_id", "kind"
        )
    )
    result = {
        "date": today.isoformat(),
        "mails": 0,
        "items": 0,
        "skipped_without_email": 0,
        "items_without_recipient": without_recipient,
    }
    for user_pk in sorted(per_user):
        user = directory.by_pk[user_pk]
        lines = [
            line for line in per_user[user_pk] if (user_pk, line.item.pk, line.kind) not in logged
        ]
        if not lines:
            continue
        if not (user.email or "").strip():
            result["skipped_without_email"] += 1
            continue
        queued = _queue_for(user, lines, today)
        if queued:
            result["mails"] += 1
            result["items"] += queued
    result["recipients"] = result["mails"]
    logger.info(
        "Reminders for %s: %s mails queued, %s items, %s without e-mail",
        result["date"],
        result["mails"],
        result["items"],
        result["skipped_without_email"],
    )
    return result
