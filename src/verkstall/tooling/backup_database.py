"""The database half of a backup (issue 18 item 4): dump and restore per vendor, the migration
state, and whether a database already holds anything.

PostgreSQL: `pg_dump --format=custom` of the whole database; restored by `pg_restore` (as SQL,
with the owners and grants of the original: the append-only tables stay closed to the app role,
docs/database-roles.md) piped into one `psql` transaction, so a restore that fails half-way
leaves the database as it was. The roles are the cluster's, not the database's: they must exist
where the dump is restored, and the restoring user must be able to give objects to their owner.
With `replace` the same transaction first drops and re-creates the `public` schema, so nothing
of the old database survives beside the restored one.

SQLite: sqlite3's online backup API in both directions, through Django's own connection (so an
in-memory test database works too); the destination is replaced as a whole.

The PostgreSQL client programs must be on PATH, in the server's major version or newer.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from .backup_archive import DATABASE_DIR, BackupError

MEMBERS = {
    "postgresql": f"{DATABASE_DIR}/verkstall.pgdump",
    "sqlite": f"{DATABASE_DIR}/verkstall.sqlite3",
}

# PostgreSQL 15's own public schema: owned by pg_database_owner, usable by everyone.
RESET_PUBLIC_SCHEMA = (
    "DROP SCHEMA public CASCADE; "
    "CREATE SCHEMA public AUTHORIZATION pg_database_owner; "
    "GRANT USAGE ON SCHEMA public TO PUBLIC; "
    "COMMENT ON SCHEMA public IS 'standard public schema';"
)

# Objects of the database itself: relations and functions outside the system schemas, not
# those that belong to an installed extension.
PG_OBJECTS = """
SELECT
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      AND n.nspname NOT LIKE 'pg_temp%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e'))
+ (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e'))
"""


def member_name(vendor: str) -> str:
    if vendor not in MEMBERS:
        raise BackupError(f"Säkerhetskopiering stöds för PostgreSQL och SQLite, inte {vendor}.")
    return MEMBERS[vendor]


def dump(connection, target: Path) -> dict:
    """Write the whole database to `target`; returns what the manifest says about it."""
    if connection.in_atomic_block:
        raise BackupError("Säkerhetskopian tas utanför en öppen transaktion.")
    member_name(connection.vendor)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return {"sqlite_version": sqlite3.sqlite_version}
    env = pg_environment(connection.settings_dict)
    run_tool(["pg_dump", "--format=custom", "--no-password", f"--file={target}"], env, "pg_dump")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    tool = run_tool(["pg_dump", "--version"], env, "pg_dump --version").strip()
    return {"server_version": server, "dumped_by": tool}


def restore(connection, dump_file: Path, *, replace: bool) -> None:
    """Load `dump_file` into the database; `replace` drops what is there first (PostgreSQL:
    the public schema, in the restore's own transaction)."""
    if connection.in_atomic_block:
        raise BackupError("Återställningen görs utanför en öppen transaktion.")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"{dump_file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"SQLite-kopian kunde inte läsas in ({exc}).") from None
        finally:
            source.close()
        return
    env = pg_environment(connection.settings_dict)
    connection.close()  # psql must be able to drop what this connection may have cached
    producer_args = ["pg_restore", "--file=-", str(dump_file)]
    consumer_args = ["psql", "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1"]
    consumer_args.append("--single-transaction")
    if replace:
        consumer_args.append(f"--command={RESET_PUBLIC_SCHEMA}")
    consumer_args.append("--file=-")
    with tempfile.TemporaryFile() as producer_errors:
        producer = subprocess.Popen(  # noqa: S603 - fixed program and arguments
            [_tool(producer_args[0]), *producer_args[1:]],
            stdout=subprocess.PIPE,
            stderr=producer_errors,
            env=env,
        )
        consumer = subprocess.run(  # noqa: S603 - fixed program and arguments
            [_tool(consumer_args[0]), *consumer_args[1:]],
            stdin=producer.stdout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
        producer.stdout.close()  # type: ignore[union-attr]
        producer.wait()
        producer_errors.seek(0)
        produced = producer_errors.read().decode(errors="replace").strip()
    if producer.returncode != 0:
        raise BackupError(f"pg_restore misslyckades: {produced[-2000:]}")
    if consumer.returncode != 0:
        message = consumer.stderr.decode(errors="replace").strip()[-2000:]
        raise BackupError(f"Återställningen i psql misslyckades och rullades tillbaka: {message}")


def database_objects(connection) -> int:
    """How many tables, sequences, views and functions the database holds (0: empty)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        else:
            cursor.execute(PG_OBJECTS)
        return int(cursor.fetchone()[0])


def migration_state(connection) -> dict[str, str]:
    """The last applied migration of each app ({} for a database never migrated)."""
    if "django_migrations" not in connection.introspection.table_names():
        return {}
    state: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            state[app] = name
    return state


def unknown_migrations(state: dict[str, str]) -> list[str]:
    """Migrations of `state` that this code does not have: the backup is from a newer version."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in state.items() if (app, name) not in known)


def newer_in_code(state: dict[str, str]) -> list[str]:
    """Apps whose latest migration in this code is not the one `state` ends with: after a
    restore, `migrate` brings the database up to this version."""
    from django.db.migrations.loader import MigrationLoader

    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    return sorted(f"{app}.{name}" for app, name in leaves if state.get(app) != name)


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's environment for the client programs: the password never on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(key):
            env[f"PG{key.upper()}"] = str(options[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} saknas: installera PostgreSQL-klienten (postgresql-client) i serverns "
            "version eller nyare."
        )
    return found


def run_tool(args: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed program and arguments
        [_tool(args[0]), *args[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} misslyckades: {result.stderr.strip()[-2000:]}")
    return result.stdout
