from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from verkstall.deadlines.reminders import send_reminders
from verkstall.deadlines.tasks import send_daily_reminders


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: expected YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = (
        "Queue today's reminder e-mails in the outbox: one mail per responsible person listing "
        "the due items that are due today or have become overdue (deadlines/reminders.py); the "
        "outbox's worker (`deliver_mail`, or the task worker) sends them. Run it once a day "
        "from a scheduler (cron, a systemd timer). Safe to run again: what was already mailed "
        "is not mailed twice. With --enqueue the work is queued for a background worker "
        "instead; start one with `python -m verkstall db_worker` (django_tasks_db; add "
        "--batch to run what is queued and exit)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="day",
            metavar="YYYY-MM-DD",
            type=_day,
            default=None,
            help="Send for this day (YYYY-MM-DD) instead of today, e.g. to catch up a missed run.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the task send_daily_reminders for `python -m verkstall db_worker` "
            "instead of sending now.",
        )

    def handle(self, *args, day=None, enqueue=False, **options):
        if enqueue:
            result = send_daily_reminders.enqueue(day.isoformat() if day else None)
            self.stdout.write(
                f"Queued send_daily_reminders (task {result.id}); "
                "`python -m verkstall db_worker` sends it."
            )
            return
        result = send_reminders(day)
        self.stdout.write(
            f"{result['date']}: queued {result['mails']} e-mail(s) to {result['recipients']} "
            f"person(s), {result['items']} due item(s); the outbox sends them."
        )
        if result["skipped_without_email"]:
            self.stdout.write(
                f"Skipped {result['skipped_without_email']} person(s) without an e-mail address."
            )
        if result["items_without_recipient"]:
            self.stdout.write(
                f"{result['items_without_recipient']} due item(s) have no active responsible user."
            )
