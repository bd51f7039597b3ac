"""The restore drill (issue 18 item 4): `python -m verkstall restore_drill`.

Proves that a backup restores to the same system: a small municipality (generated when the
source database holds no client, with stored documents and access-log rows written through the
real services and screens), a backup with `backup`, a restore with the real `restore` command
into an empty target (its own database and data folder, as a second installation would have),
and the fingerprint (tooling/fingerprint.py) of both compared. A source that already holds
clients is only read: the drill writes nothing into a database with real data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from verkstall.access.models import User
from verkstall.access.roles import Role
from verkstall.journal.services import record_document_received
from verkstall.people.models import Person
from verkstall.plans.models import ImplementationPlan, PlanStatus
from verkstall.plans.services import upload_document
from verkstall.tooling import generator_services as generator

from .backup_archive import BackupError
from .backup_restore import create_backup
from .fingerprint import compare, fingerprint, summary

SRC = Path(__file__).resolve().parents[2]  # the folder that holds the verkstall package
DOCUMENTS = 3  # received scans, one client each, plus one plan document
PAGES = 5  # client pages read by an officer: rows in the access log


def run_drill(
    *,
    clients: int,
    seed: int = 1,
    target_url: str | None = None,
    target_data_dir: Path | None = None,
    progress=None,
) -> dict:
    """Back up the configured database, restore it into the target, compare. Returns the report
    (`equal`, both fingerprints' summaries, the differences, seconds per step)."""
    seconds: dict[str, float] = {}
    started = time.monotonic()
    prepared = prepare_source(clients=clients, seed=seed, progress=progress)
    seconds["prepare"] = _since(started)
    with tempfile.TemporaryDirectory(prefix="verkstall-drill-") as tmp:
        target_url = target_url or _default_target(Path(tmp))
        _check_target(target_url)
        data_dir = Path(target_data_dir or Path(tmp) / "target-data").resolve()
        if data_dir == Path(settings.DATA_DIR).resolve():
            raise BackupError("Målets datamapp får inte vara källans (VERKSTALL_DATA_DIR).")
        data_dir.mkdir(parents=True, exist_ok=True)
        archive = Path(tmp) / "verkstall-backup.tar"
        step = time.monotonic()
        manifest = create_backup(output=archive)
        seconds["backup"] = _since(step)
        source = fingerprint()
        env = {**os.environ, "DATABASE_URL": target_url, "VERKSTALL_DATA_DIR": str(data_dir)}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
        step = time.monotonic()
        _command(env, "restore", "--input", str(archive))
        seconds["restore"] = _since(step)
        target = json.loads(_command(env, "fingerprint").strip().splitlines()[-1])
        archive_bytes = archive.stat().st_size
    differences = compare(source, target)
    seconds["total"] = _since(started)
    return {
        "equal": not differences,
        "vendor": connection.vendor,
        **prepared,
        "archive_bytes": archive_bytes,
        "archive_members": len(manifest["members"]),
        "source": summary(source),
        "target": summary(target),
        "differences": differences,
        "seconds": seconds,
    }


def prepare_source(*, clients: int, seed: int = 1, progress=None) -> dict:
    """An empty source gets a generated municipality, documents and access-log rows."""
    generator.ensure_migrated()
    if Person.objects.exists():
        return {"generated": False}
    generator.generate(clients, seed=seed, progress=progress)
    return {
        "generated": True,
        "clients": clients,
        "documents_stored": store_documents(),
        "pages_read": read_client_pages(),
    }


def store_documents(count: int = DOCUMENTS) -> int:
    """Received scans through journal.services.record_document_received (the officer of the
    client's unit) and a plan document through plans.services.upload_document (the provider's
    staff, on a draft plan): the files land where the application stores them."""
    stored = 0
    for person in Person.objects.order_by("id")[: count * 4]:
        officer = _first_user(role=Role.OFFICER, unit_id=person.unit_id)
        if officer is None:
            continue
        record_document_received(
            officer,
            person=person,
            title="Inkommen handling (återställningsövning)",
            text="Inskannad handling som ska finnas kvar efter en återställning.",
            upload=SimpleUploadedFile(f"handling-{stored}.pdf", _pdf(f"scan {person.pk}")),
        )
        stored += 1
        if stored == count:
            break
    plans = ImplementationPlan.objects.filter(status=PlanStatus.DRAFT, document="")
    for plan in plans.select_related("order").order_by("id")[:20]:
        staff = _first_user(role=Role.PROVIDER_STAFF, provider_id=plan.order.provider_id)
        if staff is not None:
            upload_document(
                staff, plan, upload=SimpleUploadedFile("plan.pdf", _pdf(f"plan {plan.pk}"))
            )
            return stored + 1
    return stored


def read_client_pages(count: int = PAGES) -> int:
    """An officer reads client pages through the whole request stack, so the access log
    gets its rows from the middleware that writes them in production."""
    read = 0
    for person in Person.objects.order_by("id")[:count]:
        officer = _first_user(role=Role.OFFICER, unit_id=person.unit_id)
        if officer is None:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(officer)
        response = client.get(reverse("person-detail", args=[person.pk]), secure=True)
        if response.status_code != 200:
            raise BackupError(f"Klientsidan svarade {response.status_code} under övningen.")
        read += 1
    return read


def _first_user(**filters) -> User | None:
    return User.objects.filter(is_active=True, **filters).order_by("id").first()


def _pdf(text: str) -> bytes:
    return f"%PDF-1.4\n% {text}\n%%EOF\n".encode()


def _default_target(tmp: Path) -> str:
    if connection.vendor != "sqlite":
        raise BackupError(
            "Ange --target-url: en tom PostgreSQL-databas som övningen återställer till."
        )
    return f"sqlite:///{tmp / 'target.sqlite3'}"


def _check_target(url: str) -> None:
    """The target is a database of the source's kind and never the source itself."""
    try:
        target = dj_database_url.parse(url)
    except ValueError as exc:
        raise BackupError(f"--target-url kan inte tolkas ({exc}).") from None
    source = connection.settings_dict
    if target["ENGINE"] != source["ENGINE"]:
        raise BackupError(
            f"Målet ({target['ENGINE'].rsplit('.', 1)[-1]}) är inte samma sorts databas som "
            f"källan ({connection.vendor})."
        )

    def where(d: dict) -> tuple:
        name = str(d.get("NAME") or "")
        if d["ENGINE"].endswith("sqlite3") and "memory" not in name:
            name = str(Path(name).resolve())
        return (name, d.get("HOST") or "", str(d.get("PORT") or ""))

    if where(target) == where(source):
        raise BackupError("Målet är källdatabasen själv; ange en annan, tom databas.")


def _command(env: dict, *args: str) -> str:
    """Run `python -m verkstall ARGS` against the target; its output, or BackupError."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "verkstall", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        raise BackupError(f"`{args[0]}` mot målet misslyckades: {result.stderr.strip()[-2000:]}")
    return result.stdout


def _since(moment: float) -> float:
    return round(time.monotonic() - moment, 2)
