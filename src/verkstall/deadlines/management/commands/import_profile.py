"""`python -m verkstall import_profile FILE [--owner KOMMUNKOD] [--slug S]`: a new rule profile
from a JSON file (schema `verkstall-rule-profile/2`, docs/rule-profiles.md; SPEC R11.5).

Run as the system itself: `--owner` names the municipality that will own the profile (by its
kommunkod); without it the profile is a template nobody owns. `--slug` gives the profile
another code than the file's. An import never overwrites a profile: a code already taken is an
error. Every error is one line on stderr, named by its path in the file ("rules[3].unit:
..."); the command then exits with code 2, never with a traceback, and nothing is imported.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from verkstall.core.errors import DomainError, ValidationFailed
from verkstall.deadlines.profile_io import import_profile
from verkstall.deadlines.profile_io_selectors import municipality_by_code

USAGE_ERROR = 2
MAX_BYTES = 1024 * 1024


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def read_document(path: str):
    """The JSON document in the file, or a Swedish error."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise fail(f"{path}: filen är större än 1 MB.")
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(f"{path}: filen finns inte.") from None
    except UnicodeDecodeError:
        raise fail(f"{path}: filen är inte text i UTF-8.") from None
    except OSError as exc:
        raise fail(f"{path}: kunde inte läsas ({exc.strerror or exc}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(
            f"{path}: ogiltig JSON på rad {exc.lineno}, kolumn {exc.colno} ({exc.msg})."
        ) from None


class Command(BaseCommand):
    help = "Importera en regelprofil från en JSON-fil (formatet verkstall-rule-profile/2)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON-filen, som export_profile skriver den")
        parser.add_argument(
            "--owner", metavar="KOMMUNKOD", help="kommunen som äger profilen, t.ex. 0980"
        )
        parser.add_argument("--slug", metavar="S", default="", help="profilens kod i stället")

    def handle(self, *args, **options):
        document = read_document(options["file"])
        try:
            owner = None
            if options["owner"]:
                owner = municipality_by_code(options["owner"])
                if owner is None:
                    raise fail(f"Ingen kommun har kommunkoden {options['owner']!r}.")
            profile = import_profile(None, document, slug=options["slug"], owner=owner)
        except ValidationFailed as exc:
            lines = [f"{path}: {message}" for path, msgs in exc.errors.items() for message in msgs]
            raise fail("\n".join(lines)) from None
        except DomainError as exc:
            raise fail(exc.message) from None
        except DatabaseError as exc:
            raise fail(
                f"Kunde inte skriva regelprofilen ({exc.__class__.__name__}); "
                "har `python -m verkstall migrate` körts?"
            ) from None
        owner_text = f"ägs av {profile.owner.name}" if profile.owner_id else "en mall utan ägare"
        self.stdout.write(
            f"Regelprofilen {profile.slug} importerades ({profile.rules.count()} regler"
            f", {owner_text})."
        )
