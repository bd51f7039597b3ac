"""List clients whose stored personnummer is not in the canonical twelve ASCII digits (left by
migration people 0005 because another client already holds the canonical number). Prints
client ids and municipality codes, never the numbers; exits 1 when any is found."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from verkstall.people.selectors import noncanonical_numbers


class Command(BaseCommand):
    help = "List clients whose personnummer is not stored in canonical form (ids only)."

    def handle(self, *args, **options):
        rows = list(noncanonical_numbers())
        for person_id, municipality_code in rows:
            self.stdout.write(f"klient {person_id} ({municipality_code})")
        self.stdout.write(f"{len(rows)} klienter med personnummer i annan form än 12 siffror.")
        if rows:
            raise SystemExit(1)
