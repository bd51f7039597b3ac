"""The access log cannot be erased (issue 18 item 2; SPEC R10.4) and order events are removed
only by retention (R10.6): database roles, grants and triggers on PostgreSQL
(audit/db_roles.py, audit/db_role_services.py, audit migration 0007, docs/database-roles.md).

The role switches happen on connections of their own (psycopg, autocommit), so a refused
statement does not end the test's transaction; the data they act on is committed first
(transactional tests)."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from verkstall.access.declarations import AuditAction
from verkstall.audit import db_role_services, db_roles, retention_services
from verkstall.audit import retention_selectors as selectors
from verkstall.audit.db_roles import ACCESS_LOG, ORDER_EVENTS, role_name
from verkstall.audit.services import record_system
from verkstall.audit.tests.db_sessions import session
from verkstall.audit.tests.test_retention import closed_client, years_after_today
from verkstall.core import clock
from verkstall.orders.models import OrderEvent

APP = db_roles.DEFAULT_APP_ROLE  # what conftest's django_db_setup granted in the test database

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="database roles and triggers exist on PostgreSQL only; SQLite relies on the models' "
    "guards",
)


def _retention() -> str:
    return db_role_services.configured_retention_role()


def refused(conn, sql: str, match: str, params=()) -> None:
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=match):
        conn.execute(sql, params)


def _log_row() -> None:
    record_system(
        action=AuditAction.VIEW, person_ids=[424242], municipality_id=None, detail="", actor="t"
    )


INSERT_LOG = (
    "INSERT INTO audit_accesslogentry (occurred_at, request_id, username, role, action, "
    "outside_own, method, route, path, detail) "
    "VALUES (now(), gen_random_uuid(), 'app', '', 'view', false, '', '', '', '')"
)


# serialized_rollback, as in test_access_log: the flush afterwards (as the owner, with the
# TRUNCATE triggers off: conftest) would otherwise re-create content types twice.
@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_app_role_may_add_to_and_read_the_log_but_never_change_or_erase_it():  # R10.4
    _log_row()
    with session(APP) as app:
        app.execute(INSERT_LOG)
        assert app.execute("SELECT count(*) FROM audit_accesslogentry").fetchone() == (2,)
        for sql in (
            "UPDATE audit_accesslogentry SET username = 'x'",
            "DELETE FROM audit_accesslogentry",
            "TRUNCATE audit_accesslogentry",
        ):
            refused(app, sql, "permission denied for table audit_accesslogentry")
        for sql in (
            "ALTER TABLE audit_accesslogentry DISABLE TRIGGER audit_accesslogentry_append_only",
            "ALTER TABLE audit_accesslogentry DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_accesslogentry_no_truncate ON audit_accesslogentry",
            "DROP TABLE audit_accesslogentry",
        ):
            refused(app, sql, "must be owner of (table|relation) audit_accesslogentry")
        assert app.execute("SELECT count(*) FROM audit_accesslogentry").fetchone() == (2,)


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_owner_cannot_update_delete_or_truncate_the_log_either():  # R10.4
    _log_row()
    with session() as owner:
        for sql in (
            "UPDATE audit_accesslogentry SET username = 'x'",
            "DELETE FROM audit_accesslogentry",
            "TRUNCATE audit_accesslogentry",
            "TRUNCATE audit_accesslogentry CASCADE",
        ):
            refused(owner, sql, f"on {ACCESS_LOG} is not allowed: the access log is append-only")
        assert owner.execute("SELECT count(*) FROM audit_accesslogentry").fetchone() == (1,)


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_order_events_are_removed_by_the_retention_role_only(world):  # R10.6
    import psycopg

    order = world.order(state="sent")
    events = order.events.count()
    delete = "DELETE FROM orders_orderevent WHERE order_id = %s"
    with session(APP) as app, session() as owner:
        refused(app, "UPDATE orders_orderevent SET kind = 'ended'", "permission denied")
        refused(app, delete, "permission denied", [order.pk])
        refused(app, "TRUNCATE orders_orderevent CASCADE", "permission denied")
        refused(owner, "UPDATE orders_orderevent SET kind = 'ended'", "append-only")
        refused(owner, "TRUNCATE orders_orderevent CASCADE", "TRUNCATE on orders_orderevent")
        # The session variable that used to open the exception opens nothing any more.
        for conn, match in ((app, "permission denied"), (owner, "append-only")):
            with (
                pytest.raises(psycopg.errors.InsufficientPrivilege, match=match),
                conn.transaction(),
            ):
                conn.execute("SET LOCAL verkstall.retention = 'on'")
                conn.execute(delete, [order.pk])
        # The app role cannot make itself the retention role, and a temporary pg_roles of its
        # own does not fool the trigger.
        owner.execute(f"SET SESSION AUTHORIZATION {APP}")
        refused(owner, f"SET ROLE {_retention()}", "permission denied to set role")
        owner.execute("RESET SESSION AUTHORIZATION")
        with owner.transaction(force_rollback=True):
            owner.execute(
                "CREATE TEMP VIEW pg_roles AS SELECT oid, rolname, false AS rolsuper "
                "FROM pg_catalog.pg_roles"
            )
            refused(owner, delete, "append-only", [order.pk])
    with session(_retention()) as retention:
        with retention.transaction(force_rollback=True):
            assert retention.execute(delete, [order.pk]).rowcount == events
        refused(retention, "TRUNCATE orders_orderevent CASCADE", "permission denied")
        refused(retention, "DELETE FROM audit_accesslogentry", "permission denied")
        refused(retention, "UPDATE orders_orderevent SET kind = 'ended'", "permission denied")
    assert OrderEvent.objects.filter(order_id=order.pk).count() == events


@postgresql_only
def test_the_retention_removal_switches_to_its_role_and_back(world):  # R10.6
    client, _, order = closed_client(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        before = cursor.fetchone()[0]
    removal = retention_services.remove_client(client.pk, today=years_after_today(5))
    assert removal is not None and removal.rows["orders.orderevent"] > 0
    assert not OrderEvent.objects.filter(order_id=order.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == before != _retention()


@postgresql_only
def test_a_session_that_cannot_become_the_retention_role_removes_nothing(
    world, monkeypatch
):  # R10.6
    client, _, order = closed_client(world)
    later = years_after_today(5)
    with connection.cursor() as cursor:
        # The application's own login: it is not a member of the retention role.
        cursor.execute(f"SET LOCAL SESSION AUTHORIZATION {APP}")
    review = selectors.review(later)
    assert [c.person_id for c in review.due] == [client.pk]
    with pytest.raises(retention_services.RetentionRoleUnavailable):
        retention_services.apply(review)
    monkeypatch.setattr(clock, "today", lambda: later)
    with pytest.raises(CommandError, match="får inte bli gallringsrollen"):
        call_command("retention", "--apply", stdout=StringIO())
    assert OrderEvent.objects.filter(order_id=order.pk).exists()


def _privileges(role: str, table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {
            p
            for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
            if cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, p])
            and cursor.fetchone()[0]
        }


def _role_exists(role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone()[0] == 1


def _fresh_names() -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:10]
    return f"verkstall_t_app_{suffix}", f"verkstall_t_ret_{suffix}"


@postgresql_only
def test_db_roles_creates_grants_and_may_run_again(db_owner):  # R10.4
    """In the test's transaction: the roles it creates go with the rollback."""
    app, retention = _fresh_names()
    args = ("db_roles", "--app-role", app, "--retention-role", retention, "--login", "app")
    first, second = StringIO(), StringIO()
    call_command(*args, stdout=first)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE, TRUNCATE ON {ACCESS_LOG} TO {app}")  # by hand, wrongly
    call_command(*args, stdout=second)
    assert f"Roll {app}: skapad (LOGIN)" in first.getvalue()
    assert f"Roll {retention}: skapad (NOLOGIN)" in first.getvalue()
    assert f"Roll {app}: fanns redan (LOGIN)" in second.getvalue()
    assert "Kontrollerat" in second.getvalue()
    assert _privileges(app, ACCESS_LOG) == {"SELECT", "INSERT"}
    assert _privileges(app, ORDER_EVENTS) == {"SELECT", "INSERT"}
    assert _privileges(app, "orders_order") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert _privileges(retention, ORDER_EVENTS) == {"SELECT", "INSERT", "DELETE"}
    assert _privileges(retention, ACCESS_LOG) == {"SELECT", "INSERT"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(%s, %s, 'MEMBER'), pg_has_role(%s, %s, 'MEMBER')",
            [app, retention, retention, app],
        )
        assert cursor.fetchone() == (False, True)
        cursor.execute("SELECT has_sequence_privilege(%s, 'orders_order_id_seq', 'USAGE')", [app])
        assert cursor.fetchone() == (True,)


@postgresql_only
def test_db_roles_refuses_a_superuser_or_the_same_role_twice(db_owner):
    superuser, _ = _fresh_names()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {superuser} SUPERUSER NOLOGIN")  # gone with the rollback
    with pytest.raises(CommandError, match="superanvändare"):
        call_command("db_roles", "--app-role", superuser, stdout=StringIO())
    with pytest.raises(CommandError, match="tabellernas ägare"):
        call_command("db_roles", "--app-role", connection.settings_dict["USER"], stdout=StringIO())
    with pytest.raises(CommandError, match="olika roller"):
        call_command("db_roles", "--app-role", "verkstall_x", "--retention-role", "verkstall_x")
    with pytest.raises(CommandError, match="lower-case"):
        call_command("db_roles", "--app-role", 'x"; DROP TABLE orders_order; --')


@postgresql_only
def test_every_migrate_grants_a_new_table_when_the_setting_names_the_app_role(
    db_owner, settings
):  # R10.4
    app, _ = _fresh_names()
    settings.VERKSTALL_DB_APP_ROLE = ""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE audit_zz_new_table (id integer)")
    call_command("migrate", verbosity=0)
    assert not _role_exists(app)
    settings.VERKSTALL_DB_APP_ROLE = app
    call_command("migrate", verbosity=0)
    assert _privileges(app, "audit_zz_new_table") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert _privileges(app, ACCESS_LOG) == {"SELECT", "INSERT"}


@pytest.mark.django_db
def test_db_roles_on_sqlite_says_it_is_for_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite answer; PostgreSQL is tested above")
    with pytest.raises(CommandError, match="bara på PostgreSQL"):
        call_command("db_roles", stdout=StringIO())
    # and every migrate goes on without roles when the setting names none
    db_role_services.on_post_migrate(apps.get_app_config("audit"))


def test_a_role_name_is_checked_before_it_reaches_sql():
    assert role_name("verkstall_retention") == "verkstall_retention"
    for bad in ("", "Verkstall", "1app", "pg_app", "a-b", "a'b", "x" * 64):
        with pytest.raises(ValueError):
            role_name(bad)
    sql = db_roles.refuse_change_function("verkstall_retention")
    assert "retention.rolname = 'verkstall_retention'" in sql
    assert "pg_catalog.pg_roles" in sql and "NOT me.rolsuper" in sql
