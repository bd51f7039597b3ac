from __future__ import annotations

import argparse
from datetime import date

from django.core.management.base import BaseCommand

from verkstall.months.reminder_services import send_month_reminders


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = (
        "Queue the month reminders in the outbox (SPEC R9.1): on the days before the month's "
        "registration deadline that each municipality's month settings name (3 and 1 days "
        "before the 5th by default), every provider and officer unit with something still "
        "missing for the month gets one e-mail with the counts and a link to the month "
        "screen; the outbox's worker (`deliver_mail`, or the task worker) sends them. Run it "
        "once a day; safe to run again: nobody is mailed twice about a month on one day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            dest="day",
            metavar="YYYY-MM-DD",
            type=_day,
            default=None,
            help="Run as if today were this day (a catch-up, or a test).",
        )

    def handle(self, *args, day=None, **options):
        result = send_month_reminders(day)
        months = ", ".join(result.months) or "none"
        self.stdout.write(
            f"{result.date}: reminder months {months}; queued {result.mails} e-mail(s) about "
            f"{result.parties} provider(s)/unit(s) with something missing."
        )
        if result.already_sent:
            self.stdout.write(f"{result.already_sent} person(s) were already reminded today.")
        if result.skipped_without_email:
            self.stdout.write(
                f"Skipped {result.skipped_without_email} person(s) without an e-mail address."
            )
