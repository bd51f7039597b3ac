"""`python -m verkstall spec_index`: write docs/SPEC-INDEX.md, the map from every SPEC id to the
modules, profile rules and tests that cite it. `--check` writes nothing and exits 1 when the
committed file differs from what it would write."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from verkstall.tooling import spec_index


class Command(BaseCommand):
    help = "Skriv docs/SPEC-INDEX.md: varje SPEC-id med moduler, regler och tester som anger det."
    requires_system_checks = []  # reads files only; needs neither URLs nor a database

    def add_arguments(self, parser):
        parser.add_argument(
            "--spec",
            type=Path,
            default=settings.SPEC_PATH,
            help="SPEC.md (standard: inställningen SPEC_PATH)",
        )
        parser.add_argument("--output", type=Path, default=settings.REPO_DIR / spec_index.OUTPUT)
        parser.add_argument(
            "--check", action="store_true", help="skriv inget; avsluta med 1 om filen är inaktuell"
        )

    def handle(self, *args, spec: Path, output: Path, check: bool, **options):
        if not spec.is_file():
            raise CommandError(f"SPEC.md saknas: {spec}")
        text = spec_index.generate(spec, settings.REPO_DIR)
        current = output.read_text(encoding="utf-8") if output.is_file() else None
        if check:
            if current != text:
                self.stderr.write(f"{output} är inaktuell; kör `python -m verkstall spec_index`.")
                raise SystemExit(1)
            self.stdout.write(f"{output} är aktuell.")
            return
        if current != text:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        self.stdout.write(f"Skrev {output}.")
