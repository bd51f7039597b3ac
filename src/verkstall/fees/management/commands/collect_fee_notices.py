"""`python -m verkstall collect_fee_notices`: make the fee notices of the changes recorded since
the last collection, for every municipality (SPEC R9.3). Run it periodically (the fee
officer's inbox also collects its own municipality's on every visit); safe to run twice."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from verkstall.fees import services


class Command(BaseCommand):
    help = "Samla avgiftsmeddelanden om förändringar som påverkar avgiften (R9.3)."

    def handle(self, *args, **options):
        made = services.collect_all()
        self.stdout.write(f"{made} nya avgiftsmeddelanden.")
