"""A fingerprint of an installation's data, to prove a restored system equals the original
(issue 18 item 4): the row count of every table, the sequences, a sha256 over every order event
and over the access log in id order (all columns), a sha256 over the schema's objects (tables,
indexes, triggers and functions with their owners and grants: the append-only guards must
survive a restore), and the sha256 of every stored document.

One function for the restore drill, the `fingerprint` command and the tests. Two fingerprints
are compared on the same kind of database only (a backup restores into its own vendor), so the
row values are hashed as that database driver returns them, in a fixed text form.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from pathlib import Path

from django.db import connection as default_connection

from verkstall.audit.models import AccessLogEntry
from verkstall.journal.case_services import documents_dir
from verkstall.orders.models import OrderEvent

from .backup_archive import iter_documents, sha256_of

HASHED_TABLES = {
    "order_events": OrderEvent._meta.db_table,
    "access_log": AccessLogEntry._meta.db_table,
}
FETCH = 2000


def fingerprint(connection=default_connection, documents: Path | None = None) -> dict:
    """The fingerprint of the database behind `connection` and the document folder."""
    quote = connection.ops.quote_name
    result: dict = {"vendor": connection.vendor, "tables": {}}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - a table name
            result["tables"][table] = cursor.fetchone()[0]
        for key, table in HASHED_TABLES.items():
            result[key] = _table_digest(cursor, quote(table))
        result["sequences"] = _sequences(connection, cursor)
        result["schema"] = _schema_digest(connection, cursor)
    root = documents if documents is not None else documents_dir()
    result["documents"] = {name: sha256_of(path) for name, path in iter_documents(root)}
    return result


def _table_digest(cursor, table: str) -> dict:
    cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - a quoted table name
    digest = hashlib.sha256(json.dumps([c[0] for c in cursor.description]).encode())
    rows = 0
    while batch := cursor.fetchmany(FETCH):
        for row in batch:
            line = json.dumps(list(row), default=_plain, sort_keys=True, ensure_ascii=False)
            digest.update(line.encode() + b"\n")
            rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def _plain(value) -> str:
    """Text for the values json cannot write: times, decimals, UUIDs, bytes."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


# PostgreSQL: the public schema's relations, triggers and functions, with owners and grants.
PG_SCHEMA = """
SELECT 'relation', c.relname, c.relkind::text, pg_get_userbyid(c.relowner),
       coalesce(c.relacl::text, '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i')
UNION ALL
SELECT 'trigger', c.relname || '.' || t.tgname, t.tgenabled::text, pg_get_triggerdef(t.oid), ''
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND NOT t.tgisinternal
UNION ALL
SELECT 'function', p.proname, pg_get_userbyid(p.proowner), md5(pg_get_functiondef(p.oid)),
       coalesce(p.proacl::text, '')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
UNION ALL
SELECT 'schema', n.nspname, pg_get_userbyid(n.nspowner), coalesce(n.nspacl::text, ''), ''
  FROM pg_namespace n WHERE n.nspname = 'public'
ORDER BY 1, 2
"""
SQLITE_SCHEMA = (
    "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
)


def _schema_digest(connection, cursor) -> dict:
    if connection.vendor not in ("postgresql", "sqlite"):
        return {"objects": 0, "sha256": ""}
    cursor.execute(PG_SCHEMA if connection.vendor == "postgresql" else SQLITE_SCHEMA)
    rows = cursor.fetchall()
    digest = hashlib.sha256(json.dumps([list(r) for r in rows], ensure_ascii=False).encode())
    return {"objects": len(rows), "sha256": digest.hexdigest()}


def _sequences(connection, cursor) -> dict[str, int | None]:
    """Where each id sequence stands: a restored database hands out the next ids too."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        )
    elif connection.vendor == "sqlite":
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
    else:
        return {}
    return dict(cursor.fetchall())


def compare(source: dict, target: dict) -> list[str]:
    """Every difference between two fingerprints, one line each (empty: equal)."""
    differences = []
    if source["vendor"] != target["vendor"]:
        differences.append(f"databas: {source['vendor']} / {target['vendor']}")
    for key, label in (("tables", "tabell"), ("sequences", "sekvens")):
        a, b = source[key], target[key]
        for name in sorted(a.keys() | b.keys()):
            if a.get(name) != b.get(name):
                differences.append(f"{label} {name}: {a.get(name)} / {b.get(name)}")
    for key in HASHED_TABLES:
        if source[key] != target[key]:
            a, b = source[key], target[key]
            differences.append(
                f"{key}: {a['rows']} rader {a['sha256'][:12]} / "
                f"{b['rows']} rader {b['sha256'][:12]}"
            )
    if source["schema"] != target["schema"]:
        a, b = source["schema"], target["schema"]
        differences.append(
            f"schema: {a['objects']} objekt {a['sha256'][:12]} / "
            f"{b['objects']} objekt {b['sha256'][:12]}"
        )
    a, b = source["documents"], target["documents"]
    for name in sorted(a.keys() | b.keys()):
        if name not in b:
            differences.append(f"dokument {name} saknas efter återställningen")
        elif name not in a:
            differences.append(f"dokument {name} finns bara efter återställningen")
        elif a[name] != b[name]:
            differences.append(f"dokument {name} har annan sha256")
    return differences


def summary(fp: dict) -> dict:
    """The fingerprint in a few figures (the drill's table and JSON line)."""
    documents = hashlib.sha256(
        "".join(f"{name}\t{digest}\n" for name, digest in sorted(fp["documents"].items())).encode()
    )
    return {
        "tables": len(fp["tables"]),
        "rows": sum(fp["tables"].values()),
        "order_events": fp["order_events"],
        "access_log": fp["access_log"],
        "sequences": len(fp["sequences"]),
        "schema": fp["schema"],
        "documents": {"files": len(fp["documents"]), "sha256": documents.hexdigest()},
    }
