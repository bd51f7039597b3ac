"""`python -m verkstall deliver_webhooks [--every SECONDS]`: deliver the providers' webhooks
(issue 20 item 2). Once, or every SECONDS until stopped (a systemd service, or a cron job
without --every). Safe with several at once: each endpoint is delivered by one at a time."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from verkstall.core.management import repeat
from verkstall.integrations.webhook_services import deliver_due


class Command(BaseCommand):
    help = "Deliver the events that webhooks have not received yet."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args, every: float = 0, **options):
        def once():
            delivered = deliver_due()
            total = sum(delivered.values())
            if total or not every:
                self.stdout.write(f"{total} events delivered to {len(delivered)} webhooks")

        repeat.run(once, every=every, name="deliver_webhooks")
