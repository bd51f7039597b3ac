"""`python -m verkstall due PROFILE RULE START [--service TYPE]`: when a rule falls due, and why.

Reads the rule from the database (the profile as the municipality edited it, not the built-in
fixture) and answers through `deadlines.trial.try_rule`, which explains the due date with the
same `rules.explain` that the engine stores on a due item; the admin's "Prova regeln" panel
calls it too, so the command, the admin, the screens and the API say the same thing (SPEC
R11.2, R11.5).
`--list PROFILE` prints a profile's rules, one per line. A rule of a national library the
profile includes (R11.3) is found under the profile too, as the engine applies it.

Every error names its problem on stderr and exits with code 2, never with a traceback.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from verkstall.core.errors import ValidationFailed
from verkstall.deadlines import selectors
from verkstall.deadlines.profile_selectors import rules_in_force

from ...trial import try_rule

USAGE_ERROR = 2


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


class Command(BaseCommand):
    help = (
        "Visa när en regel i en regelprofil förfaller från en startdag, med förklaring "
        "(JSON). --list PROFIL visar profilens regler."
    )

    def add_arguments(self, parser):
        parser.add_argument("profile", nargs="?", help="regelprofilens kod, t.ex. stockholm-hv")
        parser.add_argument("rule", nargs="?", help="regelns kod, t.ex. kvittens-och-start")
        parser.add_argument(
            "start",
            nargs="?",
            help="när starthändelsen inträffade: 2026-12-22 eller 2026-12-22T10:00 (svensk tid)",
        )
        parser.add_argument(
            "--service",
            metavar="TYPE",
            help="insatstypens kod, t.ex. hemtjanst-omvardnad: kontrollera att regeln gäller den",
        )
        parser.add_argument(
            "--list", metavar="PROFILE", dest="list_profile", help="lista profilens regler"
        )

    def handle(self, *args, **options):
        try:
            if options["list_profile"]:
                if options["profile"] or options["rule"] or options["start"]:
                    raise fail("--list PROFILE tar inga andra argument.")
                self._list(options["list_profile"])
                return
            missing = [n for n in ("profile", "rule", "start") if not options[n]]
            if missing:
                raise fail(
                    "Ange PROFILE RULE START, t.ex. "
                    "`due stockholm-hv kvittens-och-start 2026-12-22`, eller --list PROFILE. "
                    f"Saknas: {', '.join(n.upper() for n in missing)}."
                )
            result = self._due(
                options["profile"], options["rule"], options["start"], options["service"]
            )
        except DatabaseError as exc:
            raise fail(
                f"Kunde inte läsa regelprofilerna ur databasen ({exc.__class__.__name__}); "
                "har `python -m verkstall migrate` körts?"
            ) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _profile(self, slug: str):
        profile = selectors.get_profile(slug)
        if profile is None:
            known = ", ".join(selectors.profile_slugs()) or "inga"
            raise fail(f"Okänd regelprofil {slug!r}. Kända profiler: {known}.")
        return profile

    def _list(self, slug: str) -> None:
        """The rules in force under the profile: its own, then those of the national
        libraries it includes (marked with the library's code)."""
        profile = self._profile(slug)
        rules = rules_in_force(profile.slug)
        width = max((len(r.code) for r in rules), default=0)
        for rule in rules:
            spec = rule.spec()
            origin = "" if rule.profile_id == profile.pk else f" [{rule.profile.slug}]"
            self.stdout.write(
                f"{rule.code:<{width}}  {rule.name} — {spec.length_text()} — {rule.source}{origin}"
            )

    def _due(self, slug: str, code: str, start_text: str, service: str | None) -> dict:
        profile = self._profile(slug)
        in_force = rules_in_force(profile.slug)
        rule = next((r for r in in_force if r.code == code), None)
        if rule is None:
            known = ", ".join(r.code for r in in_force)
            raise fail(f"Profilen {slug} har ingen regel {code!r}. Regler: {known}.")
        try:
            return try_rule(rule, start_text, service, profile=profile)
        except ValidationFailed as exc:
            if "start" in exc.errors:
                raise fail(f"Ogiltigt START {start_text!r}: {exc.errors['start'][0]}") from None
            raise fail(exc.message) from None
