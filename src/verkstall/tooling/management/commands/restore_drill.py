"""`python -m verkstall restore_drill [--clients 200] [--database-url SOURCE]
[--target-url TARGET]` (docs/operations-backup.md): back up, restore into an empty target,
compare the fingerprints. A table, then one JSON line; exit code 1 on any difference."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from verkstall.tooling import generator_services as generator
from verkstall.tooling.backup_archive import BackupError
from verkstall.tooling.drill_services import run_drill


class Command(BaseCommand):
    help = (
        "Restore drill: generate a small municipality if the source is empty, back it up, "
        "restore it into an empty target and prove both equal (issue 18)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--clients", type=int, default=200, help="Clients to generate into an empty source."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--target-url",
            help="An empty database of the source's kind (default on SQLite: a temporary file).",
        )
        parser.add_argument(
            "--target-data-dir", help="The target's data folder (default: a temporary folder)."
        )
        parser.add_argument(
            "--database-url",
            help="The source database (applied before settings load, see __main__.py).",
        )

    def handle(self, *args, clients, seed, target_url, target_data_dir, **options):
        if clients < 1:
            raise CommandError("--clients måste vara minst 1.")
        try:
            report = run_drill(
                clients=clients,
                seed=seed,
                target_url=target_url,
                target_data_dir=target_data_dir,
                progress=generator.progress_bar(self.stderr._out),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self._table(report)
        self.stdout.write(json.dumps(report, sort_keys=True, ensure_ascii=False))
        if not report["equal"]:
            raise CommandError("Återställningsövningen fann skillnader mellan källa och mål.")

    def _table(self, report: dict) -> None:
        source, target = report["source"], report["target"]
        rows = [
            ("tabeller", source["tables"], target["tables"]),
            ("rader", source["rows"], target["rows"]),
            ("sekvenser", source["sequences"], target["sequences"]),
        ]
        for key, label in (("order_events", "orderhändelser"), ("access_log", "åtkomstlogg")):
            rows.append((label, _hashed(source[key]), _hashed(target[key])))
        rows.append(("schema", _hashed(source["schema"]), _hashed(target["schema"])))
        rows.append(("dokument", _hashed(source["documents"]), _hashed(target["documents"])))
        self.stdout.write(f"{'':16} {'källa':24} {'mål':24}")
        for label, a, b in rows:
            mark = "lika" if a == b else "OLIKA"
            self.stdout.write(f"{label:16} {a!s:24} {b!s:24} {mark}")
        for line in report["differences"]:
            self.stdout.write(f"  skillnad: {line}")
        verdict = "lika" if report["equal"] else "OLIKA"
        self.stdout.write(
            f"Återställd installation {verdict} originalet ({report['vendor']}, "
            f"{report['archive_bytes']} byte arkiv, {report['seconds']['total']} s)."
        )


def _hashed(part: dict) -> str:
    count = part.get("rows", part.get("files", part.get("objects")))
    return f"{count} {part['sha256'][:12]}"
