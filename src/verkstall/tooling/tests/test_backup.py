"""Backup, restore and the restore drill (issue 18 item 4; docs/operations-backup.md).

On the suite's own database (SQLite, and PostgreSQL when DATABASE_URL names one): a small
generated municipality with stored documents and access-log rows is backed up, changed, and
restored; the fingerprint proves the restore brought back exactly what was backed up.
Transactional tests: `pg_dump` reads only committed rows, and SQLite's backup API copies
outside a transaction.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from verkstall.journal.case_services import documents_dir
from verkstall.orders.models import OrderEvent
from verkstall.tooling import backup_archive
from verkstall.tooling.backup_archive import BackupError
from verkstall.tooling.backup_restore import create_backup, restore_backup
from verkstall.tooling.drill_services import prepare_source
from verkstall.tooling.fingerprint import compare, fingerprint

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def source(settings, tmp_path):
    """Three generated clients, their stored documents and access-log rows, in DATA_DIR."""
    settings.DATA_DIR = tmp_path / "data"
    prepared = prepare_source(clients=3, seed=5)
    assert prepared["generated"] and prepared["documents_stored"] >= 3
    assert prepared["pages_read"] >= 1
    return tmp_path


def _backup(tmp_path):
    archive = tmp_path / "backup.tar"
    manifest = create_backup(output=archive)
    return archive, manifest


def _change_one_event() -> None:
    """One column of the newest order event, past PostgreSQL's append-only trigger."""
    table = connection.ops.quote_name(OrderEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # as the owner, triggers off, this once
            cursor.execute("SET LOCAL ROLE NONE")
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {table} SET actor_organisation = actor_organisation || ' (ändrad)' "  # noqa: S608
            f"WHERE id = (SELECT max(id) FROM {table})"
        )


def _change_everything() -> None:
    """An event changed, a document changed, one removed and a stranger added."""
    _change_one_event()
    files = sorted(p for p in documents_dir().rglob("*") if p.is_file())
    files[0].write_bytes(b"%PDF-1.4\n% overwritten\n")
    files[1].unlink()
    (documents_dir() / "stranger.pdf").write_bytes(b"%PDF-1.4\n% not in the backup\n")


def test_the_fingerprint_differs_when_one_order_event_differs(source):
    before = fingerprint()
    assert before["order_events"]["rows"] > 0
    _change_one_event()
    after = fingerprint()
    differences = compare(before, after)
    assert len(differences) == 1 and differences[0].startswith("order_events:")
    assert after["tables"] == before["tables"]  # same row counts: only the hash sees it


def test_a_backup_restores_the_fingerprint_it_was_taken_with(source):
    original = fingerprint()
    assert original["access_log"]["rows"] > 0 and len(original["documents"]) >= 3
    archive, manifest = _backup(source)
    names = {m["name"] for m in manifest["members"]}
    assert {f"documents/{name}" for name in original["documents"]} <= names
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["orders"].startswith("00")

    _change_everything()
    assert len(compare(original, fingerprint())) >= 4

    result = restore_backup(archive=archive, force=True)
    assert result["replaced"] and result["documents"] == len(original["documents"])
    assert compare(original, fingerprint()) == []
    assert not any(
        p.name.startswith(".verkstall-restore-") for p in documents_dir().parent.iterdir()
    )


def _flip_byte(archive, member_name: str, at: int = 7) -> None:
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member_name).offset_data
    data = bytearray(archive.read_bytes())
    data[offset + at] ^= 0x01
    archive.write_bytes(bytes(data))


@pytest.mark.parametrize("which", ["database", "document"])
def test_a_tampered_archive_is_refused_and_nothing_is_touched(source, which):
    archive, manifest = _backup(source)
    members = [m["name"] for m in manifest["members"]]
    name = manifest["database"]["member"] if which == "database" else members[-1]
    _flip_byte(archive, name)
    _change_everything()
    changed = fingerprint()

    with pytest.raises(BackupError, match=f"{name} har fel sha256"):
        restore_backup(archive=archive, force=True)
    assert compare(changed, fingerprint()) == []
    with pytest.raises(CommandError, match="kontrollsummorna stämmer inte"):
        call_command("restore", archive=str(archive), force=True, stdout=StringIO())
    assert compare(changed, fingerprint()) == []


def test_an_archive_missing_a_member_is_refused(source):
    archive, manifest = _backup(source)
    dropped = next(m["name"] for m in manifest["members"] if m["name"].startswith("documents/"))
    shorter = source / "shorter.tar"
    with tarfile.open(archive) as tar, tarfile.open(shorter, "w") as out:
        for member in tar:
            if member.name != dropped:
                out.addfile(member, tar.extractfile(member))
    before = fingerprint()
    with pytest.raises(BackupError, match=f"{dropped} saknas"):
        restore_backup(archive=shorter, force=True)
    assert compare(before, fingerprint()) == []


def test_restore_into_a_database_that_holds_data_needs_force(source):
    archive, _ = _backup(source)
    _change_one_event()
    changed = fingerprint()
    with pytest.raises(BackupError, match="--force"):
        restore_backup(archive=archive)
    with pytest.raises(CommandError, match="databasen innehåller redan"):
        call_command("restore", archive=str(archive), stdout=StringIO())
    assert compare(changed, fingerprint()) == []


def test_a_backup_that_fails_half_way_leaves_no_file_and_keeps_the_old_one(source, monkeypatch):
    archive, _ = _backup(source)
    old = archive.read_bytes()
    real = backup_archive._add_file
    calls = []

    def failing(tar, name, path):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(tar, name, path)

    monkeypatch.setattr(backup_archive, "_add_file", failing)
    with pytest.raises(OSError, match="disk full"):
        create_backup(output=archive)
    assert archive.read_bytes() == old
    assert sorted(p.name for p in archive.parent.iterdir() if p.name.startswith(".")) == []


def test_an_archive_from_a_newer_version_or_with_unsafe_names_is_refused(source, tmp_path):
    dump = tmp_path / "dump"
    dump.write_bytes(b"not really a dump")
    newer = tmp_path / "newer.tar"
    backup_archive.write_archive(
        newer,
        database=dump,
        database_member=f"database/verkstall.{connection.vendor}",
        documents=tmp_path / "no-documents",
        manifest={
            "database": {"vendor": connection.vendor, "member": "ignored"},
            "migrations": {"orders": "9999_from_the_future"},
        },
    )
    with pytest.raises(BackupError, match="nämner ingen databasdump"):
        restore_backup(archive=newer, force=True)

    good = tmp_path / "good-newer.tar"
    backup_archive.write_archive(
        good,
        database=dump,
        database_member="database/verkstall.dump",
        documents=tmp_path / "no-documents",
        manifest={
            "database": {"vendor": connection.vendor, "member": "database/verkstall.dump"},
            "migrations": {"orders": "9999_from_the_future"},
        },
    )
    with pytest.raises(BackupError, match=r"nyare version.*orders\.9999_from_the_future"):
        restore_backup(archive=good, force=True)

    unsafe = tmp_path / "unsafe.tar"
    shutil.copy(good, unsafe)
    with tarfile.open(unsafe, "a") as tar:
        info = tarfile.TarInfo("documents/../../escape.pdf")
        info.size = 0
        tar.addfile(info, BytesIO(b""))
    with pytest.raises(BackupError, match="otillåten post"):
        restore_backup(archive=unsafe, force=True)
    assert not (tmp_path / "escape.pdf").exists()


def test_the_backup_command_prints_what_it_wrote(source):
    out = StringIO()
    call_command("backup", output=str(source / "cli.tar"), stdout=out)
    text = out.getvalue()
    assert "Säkerhetskopian skrevs till" in text and "sha256" in text
    assert "dokument   4 filer" in text or "dokument   3 filer" in text
    assert backup_archive.verify_archive(source / "cli.tar")["members"]


def test_the_restore_drill_proves_the_restored_copy_equal(settings, tmp_path):
    """The drill end to end: generate, store documents, back up, restore with the real
    `restore` command into an empty target of the same kind, compare."""
    settings.DATA_DIR = tmp_path / "data"
    options = {"clients": 3, "seed": 2, "target_data_dir": str(tmp_path / "target-data")}
    target_db = None
    if connection.vendor == "postgresql":
        target_db = f"{connection.settings_dict['NAME']}_drill"
        _create_database(target_db)
        s = connection.settings_dict
        options["target_url"] = (
            f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{target_db}"
        )
    out = StringIO()
    try:
        call_command("restore_drill", stdout=out, stderr=StringIO(), **options)
    finally:
        if target_db:
            _drop_database(target_db)
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["equal"] and report["differences"] == []
    assert report["generated"] and report["source"] == report["target"]
    assert report["source"]["order_events"]["rows"] > 0
    assert report["source"]["access_log"]["rows"] > 0
    assert report["source"]["documents"]["files"] >= 3
    assert (tmp_path / "target-data" / "documents").is_dir()
    assert "orderhändelser" in out.getvalue()


def _create_database(name: str) -> None:
    _drop_database(name)
    _as_login_user(f"CREATE DATABASE {connection.ops.quote_name(name)}")


def _drop_database(name: str) -> None:
    _as_login_user(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


def _as_login_user(sql: str) -> None:
    """Outside Django's connection, which may act as the app role (VERKSTALL_TEST_DB_ROLE)."""
    from verkstall.audit.tests.db_sessions import session

    with session() as plain:
        plain.execute(sql)
