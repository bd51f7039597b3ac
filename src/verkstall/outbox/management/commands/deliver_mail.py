"""`python -m verkstall deliver_mail [--every SECONDS]`: send what waits in the outbox (issue
18 item 1). Once, or every SECONDS until stopped (a systemd service, or a cron job without
--every); with --every it also removes, once an hour, what was sent more than
VERKSTALL_OUTBOX_KEEP_DAYS ago. Safe with several at once and beside the task worker: each
mail is claimed by one of them."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from verkstall.core.management import repeat
from verkstall.outbox import delivery_services, selectors
from verkstall.outbox.tasks import deliver_all_due

PURGE_EVERY_SECONDS = 3600


class Command(BaseCommand):
    help = "Send the e-mail that waits in the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args, every: float = 0, **options):
        purged_at = [None]

        def once():
            if every and (
                purged_at[0] is None or time.monotonic() - purged_at[0] > PURGE_EVERY_SECONDS
            ):
                removed = delivery_services.purge_finished()
                purged_at[0] = time.monotonic()
                if removed:
                    self.stdout.write(f"{removed} old mails removed")
            counts = deliver_all_due()
            if counts.get("claimed") or not every:
                waiting = selectors.backlog()["pending"]
                self.stdout.write(
                    f"{counts.get('sent', 0)} sent, {counts.get('failed', 0)} failed, "
                    f"{counts.get('given_up', 0)} given up; {waiting} waiting"
                )

        repeat.run(once, every=every, name="deliver_mail")
