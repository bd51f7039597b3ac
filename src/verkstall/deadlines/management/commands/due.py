"""`python -m verkstall due PROFILE RULE START [--service TYPE]`: when a rule falls due, and why.

Reads the rule from the database (the profile as the municipality edited it, not the built-in
fixture) and explains the due date with the same `rules.explain` that the engine stores on a
due item, so the command, the screens and the API say the same thing (SPEC R11.2).
`--list PROFILE` prints a profile's rules, one per line.

Every error names its problem on stderr and exits with code 2, never with a traceback.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from verkstall.deadlines import selectors
from verkstall.decisions.selectors import service_types

from ...calendar import STOCKHOLM, UnsupportedYearError
from ...rules import RESPONSIBLE_LABELS, Event, explain

USAGE_ERROR = 2


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def parse_start(text: str) -> tuple[date | datetime, datetime]:
    """START as given (a date or an aware Stockholm datetime) and as the moment the start
    event happened: a date is that day's local midnight, a time without offset is local."""
    value = (text or "").strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return day, datetime.combine(day, time.min, STOCKHOLM)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"Ogiltigt START {text!r}: ange ett datum (2026-12-22) eller en tidpunkt "
            f"(2026-12-22T10:00) i svensk tid."
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    else:
        moment = moment.astimezone(STOCKHOLM)
    return moment, moment


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
        profile = self._profile(slug)
        rules = selectors.rules_of(profile)
        width = max((len(r.code) for r in rules), default=0)
        for rule in rules:
            spec = rule.spec()
            self.stdout.write(
                f"{rule.code:<{width}}  {rule.name} — {spec.length_text()} — {rule.source}"
            )

    def _due(self, slug: str, code: str, start_text: str, service: str | None) -> dict:
        profile = self._profile(slug)
        rule = selectors.get_rule(profile, code)
        if rule is None:
            known = ", ".join(r.code for r in selectors.rules_of(profile))
            raise fail(f"Profilen {slug} har ingen regel {code!r}. Regler: {known}.")
        spec = rule.spec()
        if service:
            stype = service_types().filter(code=service).first()
            if stype is None:
                known = ", ".join(sorted(service_types().values_list("code", flat=True)))
                raise fail(f"Okänd insatstyp {service!r}. Kända insatstyper: {known}.")
            if not spec.applies_to([stype.kind], [stype.code]):
                scope = ", ".join([*spec.service_kinds, *spec.service_types])
                raise fail(
                    f"Regeln {slug}/{code} gäller inte insatstypen {stype.code} "
                    f"({stype.name}, insatsslag {stype.kind}); den gäller: {scope}."
                )
        given, moment = parse_start(start_text)
        try:
            due = spec.due_from(moment)
        except UnsupportedYearError as exc:
            raise fail(f"Ogiltigt START {start_text!r}: {exc}") from None
        except (ValueError, OverflowError):
            raise fail(
                f"Ogiltigt START {start_text!r}: fristen hamnar utanför kalendern."
            ) from None
        explanation = explain(spec, Event(spec.start_event, moment, moment), due, None, None)
        return {
            "profile": profile.slug,
            "rule": rule.code,
            "name": rule.name,
            "version": rule.version,
            "source": rule.source,
            "source_text": rule.source_text,
            "responsible": rule.responsible,
            "responsible_label": RESPONSIBLE_LABELS[spec.responsible],
            "subject": rule.subject,
            "start_event": spec.start_event,
            "stop_events": list(spec.stop_events),
            "start": given.isoformat(),
            "length": explanation["length"],
            "due_date": explanation["due_date"],
            "due_at": explanation["due_at"],
            "skipped": explanation["skipped"],
            "rolled_from": explanation["rolled_from"],
            "explanation": explanation["text"],
        }
