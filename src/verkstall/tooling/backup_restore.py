"""`python -m verkstall backup` and `restore` (issue 18 item 4; docs/operations-backup.md).

A backup is the configured database and every stored document (DATA_DIR/documents: plan
documents and received scans) in one archive with a checksummed manifest
(tooling/backup_archive.py). A restore checks the whole archive first and touches nothing when
any member is missing or differs; it refuses a database or document folder that already holds
something unless told to replace it (`force`). The database is restored in one transaction; the
documents are unpacked beside the document folder and swapped in after the database succeeded.
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.db import connection as default_connection

from verkstall.journal.case_services import documents_dir

from . import backup_database as database
from .backup_archive import (
    DOCUMENTS_DIR,
    BackupError,
    extract_members,
    iter_documents,
    verify_archive,
    write_archive,
)


def create_backup(*, output: Path, connection=default_connection) -> dict:
    """Write the archive to `output` (replacing a file of that name only once the new archive
    is complete) and return its manifest."""
    member = database.member_name(connection.vendor)
    state = database.migration_state(connection)
    if not state:
        raise BackupError("Databasen är inte migrerad: det finns inget att säkerhetskopiera.")
    output = Path(output).resolve()
    if not output.parent.is_dir():
        raise BackupError(f"Mappen {output.parent} finns inte.")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".verkstall-backup-") as tmp:
        dump_file = Path(tmp) / "database"
        details = database.dump(connection, dump_file)
        manifest = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "verkstall_version": _version(),
            "database": {"vendor": connection.vendor, "member": member, **details},
            "migrations": state,
        }
        return write_archive(
            output,
            database=dump_file,
            database_member=member,
            documents=documents_dir(),
            manifest=manifest,
        )


def restore_backup(*, archive: Path, force: bool = False, connection=default_connection) -> dict:
    """Restore the archive into the configured database and document folder. Returns a summary
    (what was restored, and the apps whose code has newer migrations than the backup)."""
    archive = Path(archive).resolve()
    manifest = verify_archive(archive)
    vendor = manifest["database"].get("vendor")
    if vendor != connection.vendor:
        raise BackupError(
            f"Arkivet innehåller en {vendor}-databas men den här installationen använder "
            f"{connection.vendor}; återställ till samma sorts databas."
        )
    migrations = manifest.get("migrations") or {}
    unknown = database.unknown_migrations(migrations)
    if unknown:
        raise BackupError(
            "Arkivet kommer från en nyare version av Verkställ (migreringar som koden inte har: "
            f"{', '.join(unknown[:5])}). Återställ med den version som tog säkerhetskopian."
        )
    root = documents_dir()
    objects = database.database_objects(connection)
    files = sum(1 for _ in iter_documents(root))
    if (objects or files) and not force:
        raise BackupError(_occupied_message(objects, files, root))
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=".verkstall-restore-") as tmp:
        staging = Path(tmp) / "archive"
        extract_members(archive, manifest, staging)
        dump_file = staging.joinpath(*PurePosixPath(manifest["database"]["member"]).parts)
        database.restore(connection, dump_file, replace=bool(objects))
        _swap_folder(staging / DOCUMENTS_DIR, root, Path(tmp) / "replaced")
    documents = [m for m in manifest["members"] if m["name"].startswith(f"{DOCUMENTS_DIR}/")]
    return {
        "archive": str(archive),
        "created_at": manifest.get("created_at"),
        "vendor": vendor,
        "documents": len(documents),
        "replaced": bool(objects or files),
        "migrate_needed": database.newer_in_code(migrations),
    }


def _occupied_message(objects: int, files: int, root: Path) -> str:
    held = []
    if objects:
        held.append(
            f"databasen innehåller redan {objects} objekt (tabeller, sekvenser, funktioner)"
        )
    if files:
        held.append(f"dokumentmappen {root} innehåller {files} filer")
    return (
        f"Återställningen avbröts: {' och '.join(held)}. En återställning ersätter allt; "
        "kör igen med --force om det är meningen."
    )


def _swap_folder(new: Path, target: Path, trash: Path) -> None:
    """Put `new` where `target` is; the old folder goes to `trash` (removed with the staging
    folder). Both renames stay on one file system, so each is atomic."""
    new.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.replace(target, trash)
    os.replace(new, target)


def _version() -> str:
    try:
        return importlib.metadata.version("verkstall")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
        return "unknown"
