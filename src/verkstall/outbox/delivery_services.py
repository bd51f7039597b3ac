"""Delivering the outbox (issue 18 item 1: "SMTP down for a while: outgoing mail waits in an
outbox in the database and goes out, once each, when it returns"; issue 19: no mail is sent
inside a web request).

`deliver_due` takes the due rows in one short transaction and claims them (their
`next_attempt_at` is set to the end of a lease, VERKSTALL_OUTBOX_LEASE_SECONDS), with
`SELECT ... FOR UPDATE SKIP LOCKED` where the database has it (PostgreSQL; SQLite's writers are
serial anyway): two workers never take the same row. It then sends each over one mail
connection outside any transaction, and marks each row in its own short transaction: sent
(never picked again), or failed, to be tried after 1, 2, 4 ... minutes up to an hour
(backoff.py) and given up after VERKSTALL_OUTBOX_MAX_ATTEMPTS attempts (about two days) with a
warning. A mail server that cannot be reached fails the rest of the batch at once.

Once each: a row is marked sent right after the server accepted it, and a row marked sent is
never taken again. Only a worker killed between the server's acceptance and that mark can
send a row twice (when its lease runs out); never is a mail lost.

Log lines hold the row's id, its kind and the error's class: no address, no content.
"""

from __future__ import annotations

import logging
import smtplib
from contextlib import suppress
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q

from verkstall.core import clock

from . import backoff, registry
from .models import OutgoingMail

logger = logging.getLogger(__name__)

BATCH = 100
#: Headers of every stored mail: it is sent by a machine, auto-responders keep quiet.
AUTO_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
#: `last_error` of a row whose builder found nothing left to send (not an error).
WITHDRAWN = "Withdrawn"


class NotAccepted(Exception):
    """The mail backend did not report the message as sent."""


def max_attempts() -> int:
    return int(getattr(settings, "VERKSTALL_OUTBOX_MAX_ATTEMPTS", 54))


def _lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "VERKSTALL_OUTBOX_LEASE_SECONDS", 300)))


def _claim(limit: int) -> tuple[datetime, datetime, list[OutgoingMail]]:
    """Take up to `limit` due rows for this worker until the lease ends."""
    with transaction.atomic():
        now = clock.now()
        due = OutgoingMail.objects.filter(
            sent_at__isnull=True, given_up_at__isnull=True, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if db_connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due[:limit])
        lease_until = now + _lease()
        if rows:
            OutgoingMail.objects.filter(pk__in=[r.pk for r in rows]).update(
                next_attempt_at=lease_until
            )
    return now, lease_until, rows


def _held(row: OutgoingMail, lease_until: datetime):
    """The row, while this worker's claim on it holds."""
    return OutgoingMail.objects.filter(
        pk=row.pk, next_attempt_at=lease_until, sent_at__isnull=True, given_up_at__isnull=True
    )


def stored_message(row: OutgoingMail) -> EmailMultiAlternatives:
    """A stored mail as a message: the first recipient in To, the others as blind copies."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=row.recipients[:1],
        bcc=row.recipients[1:],
        headers=dict(AUTO_HEADERS),
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    return message


def message_id(row: OutgoingMail) -> str:
    """The same Message-ID on every attempt of one row: a receiver (or the fault runs' mail
    server) sees a mail sent twice as the same mail."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<outbox-{row.pk}@{domain}>"


def _message(row: OutgoingMail):
    build = registry.kind_of(row.kind).build
    message = build(row) if build is not None else stored_message(row)
    if message is not None and "Message-ID" not in message.extra_headers:
        message.extra_headers["Message-ID"] = message_id(row)
    return message


def _run_hook(hook, row: OutgoingMail, what: str) -> None:
    if hook is None:
        return
    try:
        with transaction.atomic():
            hook(row)
    except Exception as exc:  # the mark stands whatever the hook does
        logger.error("Mail %s (%s): %s failed: %s", row.pk, row.kind, what, type(exc).__name__)


def _mark_sent(row: OutgoingMail, lease_until: datetime, message) -> bool:
    now = clock.now()
    with transaction.atomic():
        marked = _held(row, lease_until).update(
            sent_at=now,
            attempts=F("attempts") + 1,
            last_error="",
            recipients=list(message.recipients()),
        )
    if not marked:
        # Another worker took the row after this one's lease ran out: it may go twice.
        logger.warning("Mail %s (%s) sent after its claim ran out", row.pk, row.kind)
        return False
    row.sent_at, row.attempts = now, row.attempts + 1
    row.recipients = list(message.recipients())
    _run_hook(registry.kind_of(row.kind).on_sent, row, "on_sent")
    return True


def _mark_failed(row: OutgoingMail, lease_until: datetime, error: str) -> str:
    """Count a failed attempt; "given_up" once the attempts are used up, else "failed"."""
    now = clock.now()
    attempts = row.attempts + 1
    give_up = attempts >= max_attempts()
    first = int(getattr(settings, "VERKSTALL_OUTBOX_FIRST_RETRY_SECONDS", backoff.FIRST_SECONDS))
    cap = int(getattr(settings, "VERKSTALL_OUTBOX_RETRY_CAP_SECONDS", backoff.CAP_SECONDS))
    wait = timedelta(seconds=backoff.retry_delay_seconds(attempts, first=first, cap=cap))
    with transaction.atomic():
        marked = _held(row, lease_until).update(
            attempts=attempts,
            last_error=error[:100],
            next_attempt_at=now + wait,
            given_up_at=now if give_up else None,
        )
    if not marked:
        return "failed"
    row.attempts, row.last_error = attempts, error[:100]
    if give_up:
        row.given_up_at = now
        logger.warning(
            "Mail %s (%s) given up after %s attempts: %s", row.pk, row.kind, attempts, error
        )
        _run_hook(registry.kind_of(row.kind).on_given_up, row, "on_given_up")
        return "given_up"
    logger.warning("Mail %s (%s) attempt %s failed: %s", row.pk, row.kind, attempts, error)
    return "failed"


def _withdraw(row: OutgoingMail, lease_until: datetime) -> None:
    with transaction.atomic():
        _held(row, lease_until).update(given_up_at=clock.now(), last_error=WITHDRAWN)
    logger.info("Mail %s (%s) withdrawn: nothing left to send", row.pk, row.kind)


def _release(rows: list[OutgoingMail], lease_until: datetime) -> None:
    """Give claimed rows back untried, for the next run."""
    with transaction.atomic():
        OutgoingMail.objects.filter(
            pk__in=[r.pk for r in rows], next_attempt_at=lease_until
        ).update(next_attempt_at=clock.now())


def deliver_due(*, limit: int = BATCH) -> dict[str, int]:
    """Send up to `limit` due mails. Returns counts: claimed, sent, failed, given_up,
    withdrawn (a builder found nothing left to send), released (given back untried because
    the claim was running out)."""
    claimed_at, lease_until, rows = _claim(limit)
    counts = dict.fromkeys(("sent", "failed", "given_up", "withdrawn", "released"), 0)
    counts["claimed"] = len(rows)
    if not rows:
        return counts
    stop_at = claimed_at + (lease_until - claimed_at) / 2
    connection = get_connection()
    opened = False
    try:
        for index, row in enumerate(rows):
            if clock.now() >= stop_at:
                _release(rows[index:], lease_until)
                counts["released"] += len(rows) - index
                break
            try:
                message = _message(row)
            except Exception as exc:  # a builder's fault fails this mail only
                logger.error("Mail %s (%s) not built: %s", row.pk, row.kind, type(exc).__name__)
                counts[_mark_failed(row, lease_until, type(exc).__name__)] += 1
                continue
            if message is None:
                _withdraw(row, lease_until)
                counts["withdrawn"] += 1
                continue
            if not opened:
                try:
                    connection.open()
                    opened = True
                except (smtplib.SMTPException, OSError) as exc:
                    # No mail server: the rest of the batch waits for the next attempt.
                    for left in rows[index:]:
                        counts[_mark_failed(left, lease_until, type(exc).__name__)] += 1
                    break
            try:
                if connection.send_messages([message]) != 1:
                    raise NotAccepted
            except (smtplib.SMTPException, OSError, NotAccepted) as exc:
                counts[_mark_failed(row, lease_until, type(exc).__name__)] += 1
                with suppress(smtplib.SMTPException, OSError):
                    connection.close()  # the next mail connects again
                opened = False
                continue
            _mark_sent(row, lease_until, message)
            counts["sent"] += 1
    finally:
        with suppress(smtplib.SMTPException, OSError):
            connection.close()
    return counts


def purge_finished(*, keep_days: int | None = None) -> int:
    """Remove mails sent or given up more than `keep_days` (VERKSTALL_OUTBOX_KEEP_DAYS,
    default 30) ago; the number removed."""
    days = (
        keep_days if keep_days is not None else getattr(settings, "VERKSTALL_OUTBOX_KEEP_DAYS", 30)
    )
    before = clock.now() - timedelta(days=int(days))
    removed, _ = OutgoingMail.objects.filter(
        Q(sent_at__lt=before) | Q(given_up_at__lt=before)
    ).delete()
    return removed
