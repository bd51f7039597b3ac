"""The application's database roles on PostgreSQL, made and granted (issue 18; SPEC R10.4,
R10.6; docs/database-roles.md). What the roles are and why: audit/db_roles.py.

`apply_roles` runs as the owner of the tables, in one transaction, and may run any number of
times: it creates the app role and the retention role where missing, sets exactly the
privileges db_roles.py describes on every table and sequence of the schema (REVOKE ALL, then
GRANT: a privilege given by hand is taken back), makes the retention role a member of the app
role and never the other way, re-installs the order events' trigger function with the
retention role's name, and checks the result. `python -m verkstall db_roles` calls it, and so
does every `migrate` when VERKSTALL_DB_APP_ROLE names the app role (`on_post_migrate`), so a
new table gets its grants with the migration that made it.

Roles belong to the whole PostgreSQL cluster, not to one database: two databases being set up
at once (test runs side by side) may create or grant the same role together. Those statements
run in a savepoint each and are judged by the result, not by the error.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError, connections, transaction

from . import db_roles
from .db_roles import identifier, names

LOGIN_CHOICES = ("app", "retention")


class RolesError(Exception):
    """The roles cannot be set up as asked; the message says why and what to do."""


def configured_app_role() -> str:
    """The app role the setting names, or "" when the setting names none."""
    return (getattr(settings, "VERKSTALL_DB_APP_ROLE", "") or "").strip()


def configured_retention_role() -> str:
    """The retention role the setting names (settings.py has its default)."""
    return db_roles.role_name(settings.VERKSTALL_DB_RETENTION_ROLE)


def _one(cursor, sql: str, params: Iterable = ()):
    cursor.execute(sql, list(params))
    row = cursor.fetchone()
    return row[0] if row else None


def _role(cursor, name: str) -> tuple[bool, bool] | None:
    """(may log in, is superuser) of an existing role; None if there is none."""
    cursor.execute(
        "SELECT rolcanlogin, rolsuper FROM pg_catalog.pg_roles WHERE rolname = %s", [name]
    )
    row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def _cluster_wide(connection, cursor, sql: str, done) -> None:
    """A statement on roles (shared by every database of the cluster) in a savepoint; an error
    counts only if the result it was for is not there afterwards (another session did it)."""
    try:
        with transaction.atomic(using=connection.alias):
            cursor.execute(sql)
    except DatabaseError:
        if not done():
            raise


def _ensure_role(connection, cursor, name: str, login: bool) -> str:
    found = _role(cursor, name)
    if found is None:
        _cluster_wide(
            connection,
            cursor,
            f"CREATE ROLE {identifier(name)} {'LOGIN' if login else 'NOLOGIN'}",
            lambda: _role(cursor, name) is not None,
        )
        found = _role(cursor, name)
        if found is not None:
            return f"Roll {name}: skapad ({'LOGIN' if found[0] else 'NOLOGIN'})."
    assert found is not None
    if found[1]:
        raise RolesError(
            f"Rollen {name} är superanvändare: den kringgår varje rättighet. Välj en annan roll."
        )
    if login and not found[0]:
        cursor.execute(f"ALTER ROLE {identifier(name)} LOGIN")
        return f"Roll {name}: fanns, får nu logga in (LOGIN)."
    return f"Roll {name}: fanns redan ({'LOGIN' if found[0] else 'NOLOGIN'})."


def _relations(cursor, kind: str) -> list[str]:
    """The tables ('r', 'p') or sequences ('S') of the current schema, by name."""
    kinds = ["r", "p"] if kind == "table" else ["S"]
    cursor.execute(
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
        "WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY c.relname",
        [kinds],
    )
    return [row[0] for row in cursor.fetchall()]


def _check_owner(cursor, app: str, retention: str) -> None:
    me = _one(cursor, "SELECT current_user")
    if me in (app, retention):
        raise RolesError(
            f"db_roles körs som {me}, som inte får vara app- eller gallringsrollen: kör den "
            "som tabellernas ägare (den roll som kör migrate)."
        )
    not_mine = _one(
        cursor,
        "SELECT count(*) FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S') "
        "AND NOT pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')",
    )
    if not_mine:
        raise RolesError(
            f"db_roles körs som {me}, som inte äger {not_mine} av schemats tabeller och "
            "sekvenser: kör den som tabellernas ägare (den roll som kör migrate)."
        )
    owners = _one(
        cursor,
        "SELECT count(*) FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S') "
        "AND pg_catalog.pg_get_userbyid(c.relowner) IN (%s, %s)",
        [app, retention],
    )
    if owners:
        raise RolesError(
            f"{owners} tabell(er) ägs av {app} eller {retention}: en ägare kan ändra och tömma "
            "loggen. Låt ägarrollen äga tabellerna (ALTER TABLE ... OWNER TO)."
        )


def _grant_tables(cursor, app: str, retention: str) -> list[str]:
    tables = _relations(cursor, "table")
    append_only = [t for t in tables if t in db_roles.APPEND_ONLY]
    others = [t for t in tables if t not in db_roles.APPEND_ONLY]
    removable = [t for t in db_roles.RETENTION_DELETES if t in tables]
    sequences = _relations(cursor, "sequence")
    app_id, retention_id = identifier(app), identifier(retention)
    if tables:
        cursor.execute(f"REVOKE ALL ON TABLE {names(tables)} FROM {app_id}, {retention_id}")
    if others:
        cursor.execute(f"GRANT {db_roles.APP_PRIVILEGES} ON TABLE {names(others)} TO {app_id}")
    if append_only:
        cursor.execute(
            f"GRANT {db_roles.APPEND_ONLY_PRIVILEGES} ON TABLE {names(append_only)} TO {app_id}"
        )
    if removable:
        cursor.execute(f"GRANT DELETE ON TABLE {names(removable)} TO {retention_id}")
    if sequences:
        cursor.execute(f"REVOKE ALL ON SEQUENCE {names(sequences)} FROM {app_id}, {retention_id}")
        cursor.execute(
            f"GRANT {db_roles.SEQUENCE_PRIVILEGES} ON SEQUENCE {names(sequences)} TO {app_id}"
        )
    return [
        f"{app}: {db_roles.APP_PRIVILEGES} på {len(others)} tabeller, "
        f"{db_roles.APPEND_ONLY_PRIVILEGES} på {', '.join(append_only) or '-'} (bara tillägg), "
        f"{db_roles.SEQUENCE_PRIVILEGES} på {len(sequences)} sekvenser.",
        f"{retention}: det {app} får, och DELETE på {', '.join(removable) or '-'}.",
    ]


def _memberships(connection, cursor, app: str, retention: str) -> str:
    def member(role: str, of: str) -> bool:
        return bool(
            _one(
                cursor,
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m "
                "JOIN pg_catalog.pg_roles r ON r.oid = m.roleid "
                "JOIN pg_catalog.pg_roles u ON u.oid = m.member "
                "WHERE r.rolname = %s AND u.rolname = %s)",
                [of, role],
            )
        )

    if member(app, retention):
        cursor.execute(f"REVOKE {identifier(retention)} FROM {identifier(app)}")
    if not member(retention, app):
        _cluster_wide(
            connection,
            cursor,
            f"GRANT {identifier(app)} TO {identifier(retention)}",
            lambda: member(retention, app),
        )
    return f"{retention} är medlem i {app}; {app} är inte medlem i {retention}."


def _retention_function(cursor, retention: str) -> str | None:
    installed = _one(
        cursor,
        "SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgname = %s",
        [db_roles.truncate_trigger(db_roles.ORDER_EVENTS)],
    )
    if not installed:
        return None  # audit 0007 not applied yet; it installs the function itself
    cursor.execute(db_roles.refuse_change_function(retention), [])
    return f"Beställningshändelser får raderas bara av {retention} (gallring)."


def _verify(cursor, app: str, retention: str) -> str:
    """What the issue asks, read back from the catalogue: the app role cannot change or erase
    an append-only table, nor become the retention role."""
    wrong = []
    for table in db_roles.APPEND_ONLY:
        if not _one(cursor, "SELECT to_regclass(%s) IS NOT NULL", [table]):
            continue
        for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"):
            if _one(cursor, "SELECT has_table_privilege(%s, %s, %s)", [app, table, privilege]):
                wrong.append(f"{privilege} på {table}")
    if _one(cursor, "SELECT pg_has_role(%s, %s, 'MEMBER')", [app, retention]):
        wrong.append(f"medlemskap i {retention}")
    if wrong:
        raise RolesError(
            f"{app} har fortfarande {', '.join(wrong)} (givet av en annan roll än "
            f"{_one(cursor, 'SELECT current_user')}?). Ta bort det och kör db_roles igen."
        )
    return (
        f"Kontrollerat: {app} kan inte ändra, radera eller tömma "
        f"{', '.join(db_roles.APPEND_ONLY)} och kan inte bli {retention}."
    )


def apply_roles(
    *,
    app_role: str,
    retention_role: str,
    login: Iterable[str] = (),
    using: str = "default",
) -> list[str]:
    """Create the roles where missing and set their privileges (see the module docstring);
    returns what was done, one line each (Swedish: the operator reads it). `login` names the
    roles ("app", "retention") that are created with LOGIN, or given it if they lack it; the
    others are created NOLOGIN and an existing role keeps what it has."""
    app, retention = db_roles.role_name(app_role), db_roles.role_name(retention_role)
    if app == retention:
        raise RolesError("App-rollen och gallringsrollen måste vara olika roller.")
    login = set(login)
    if login - set(LOGIN_CHOICES):
        raise RolesError(f"--login tar {' eller '.join(LOGIN_CHOICES)}.")
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise RolesError("Databasroller finns bara på PostgreSQL; SQLite har inga.")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _check_owner(cursor, app, retention)
        done = [
            _ensure_role(connection, cursor, app, "app" in login),
            _ensure_role(connection, cursor, retention, "retention" in login),
        ]
        database = _one(cursor, "SELECT current_database()")
        schema = _one(cursor, "SELECT current_schema()")
        cursor.execute(f"GRANT CONNECT ON DATABASE {identifier(database)} TO {identifier(app)}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {identifier(schema)} TO {identifier(app)}")
        done.append(f"{app}: CONNECT på databasen {database}, USAGE på schemat {schema}.")
        done += _grant_tables(cursor, app, retention)
        done.append(_memberships(connection, cursor, app, retention))
        function = _retention_function(cursor, retention)
        if function:
            done.append(function)
        done.append(_verify(cursor, app, retention))
    return done


def on_post_migrate(sender, using="default", verbosity=1, stdout=None, **kwargs) -> None:
    """After every `migrate` on PostgreSQL, when VERKSTALL_DB_APP_ROLE names the app role: the
    grants again, so that a table a migration made is granted too (docs/database-roles.md)."""
    app = configured_app_role()
    if not app or connections[using].vendor != "postgresql":
        return
    lines = apply_roles(app_role=app, retention_role=configured_retention_role(), using=using)
    if verbosity >= 1 and stdout is not None:
        for line in lines:
            stdout.write(f"  db_roles: {line}\n")
