"""`python -m verkstall check_profile SLUG`: the rules of a profile that can never fire.

Lists, one line each (code, name, problem, in Swedish), every rule in force under the profile
(its own and those of the national libraries it includes, `rules_in_force`) whose clock can
never start, or can start but never be met, because no part of the system records its start
or stop events (deadlines/event_sources.py; SPEC R11.4, issue 13 §4). Exit code 0 when there
is none, 1 when some are listed, 2 on a usage error (unknown profile, no SLUG), named in
Swedish on stderr without a traceback, like `due`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ...event_sources import rule_reachability
from ...profile_selectors import get_profile, profile_slugs, rules_in_force

USAGE_ERROR = 2
RULES_NEVER_FIRE = 1


class Command(BaseCommand):
    help = (
        "Lista regler i en regelprofil som aldrig kan starta eller aldrig bli klara, eftersom "
        "ingen del av systemet registrerar deras händelser. Slutkod 1 om någon listas."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="regelprofilens kod, t.ex. gotland")

    def handle(self, *args, **options):
        slug = options["slug"]
        if not slug:
            raise CommandError(
                "Ange regelprofilens kod, t.ex. `check_profile gotland`.", returncode=USAGE_ERROR
            )
        try:
            profile = get_profile(slug)
            if profile is None:
                known = ", ".join(profile_slugs()) or "inga"
                raise CommandError(
                    f"Okänd regelprofil {slug!r}. Kända profiler: {known}.",
                    returncode=USAGE_ERROR,
                )
            rules = rules_in_force(profile.slug)
        except DatabaseError as exc:
            raise CommandError(
                f"Kunde inte läsa regelprofilerna ur databasen ({exc.__class__.__name__}); "
                "har `python -m verkstall migrate` körts?",
                returncode=USAGE_ERROR,
            ) from None
        found = [(rule, rule_reachability(rule)) for rule in rules]
        found = [(rule, reach) for rule, reach in found if reach.problem]
        if not found:
            self.stdout.write(
                f"Alla {len(rules)} regler i {profile.slug} kan starta och bli klara."
            )
            return
        width = max(len(rule.code) for rule, _ in found)
        for rule, reach in found:
            self.stdout.write(f"{rule.code:<{width}}  {rule.name} — {reach.problem}")
        raise CommandError(
            f"{len(found)} av {len(rules)} regler i {profile.slug} kan aldrig starta eller "
            "aldrig bli klara.",
            returncode=RULES_NEVER_FIRE,
        )
