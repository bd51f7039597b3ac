"""Shared fixtures: a municipality with a unit, officers, two providers and their users."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, connections
from hypothesis import settings as hypothesis_settings

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.tooling import testing as build

# Property tests are judged on their examples, not on timing: CI machines are loaded (2 cores
# running two databases' suites), so hypothesis' per-example deadline would only add flakes.
hypothesis_settings.register_profile("verkstall", deadline=None)
hypothesis_settings.load_profile("verkstall")


class World:
    """Two organisations that must never see each other's data, and one that is not connected."""

    def __init__(self):
        self.muni = build.municipality(name="Teststad")
        self.unit = build.unit(self.muni, "Biståndsenheten Väst")
        self.other_unit = build.unit(self.muni, "Biståndsenheten Öst")
        self.area = build.area(self.muni, "Västra området")
        self.officer = build.user(Role.OFFICER, self.muni, unit=self.unit, username="officer")
        self.other_officer = build.user(
            Role.OFFICER, self.muni, unit=self.other_unit, username="officer2"
        )
        self.fee_officer = build.user(Role.FEE_OFFICER, self.muni, username="fee")
        self.provider_a = build.provider(self.muni, "Omsorg A AB")
        self.provider_b = build.provider(self.muni, "Omsorg B AB")
        self.offline = build.provider(self.muni, "Faxomsorg HB", connected=False)
        self.staff_a = build.user(
            Role.PROVIDER_STAFF, self.muni, provider=self.provider_a, username="staff_a"
        )
        self.staff_b = build.user(
            Role.PROVIDER_STAFF, self.muni, provider=self.provider_b, username="staff_b"
        )

    def person(self, **kw):
        from verkstall.people.services import register_person

        values = {
            "personal_number": build.test_number(),
            "first_name": "Elsa",
            "last_name": "Testsson",
            "street_address": "Testgatan 1",
            "postal_code": "16255",
            "city": "Vällingby",
            "area": self.area.pk,
            "phone": "08-123 45",
        }
        values.update(kw)
        return register_person(self.officer, **values)

    def decision(self, person=None, **kw):
        from verkstall.decisions.services import record_decision

        person = person or self.person()
        values = {
            "decided_on": clock.today() - timedelta(days=7),
            "services": [
                {
                    "service_type": "hemtjanst-omvardnad",
                    "scope_amount": "20",
                    "scope_unit": "hours_per_month",
                    "frequency": "morgon och kväll",
                }
            ],
        }
        values.update(kw)
        return record_decision(self.officer, person=person, **values)

    def order(self, provider=None, state="draft", **kw):
        """An order walked through the real services up to `state`."""
        from verkstall.deadlines.routine_selectors import needs_booked_staff
        from verkstall.orders import services

        decision = kw.pop("decision", None) or self.decision()
        provider = provider or self.provider_a
        order = services.create_order(self.officer, decision=decision, provider=provider, **kw)
        if state == "draft":
            return order
        services.send_order(self.officer, order)
        if state == "sent":
            return order.__class__.objects.get(pk=order.pk)
        actor = self._provider_actor(provider)
        channel = "" if provider.is_connected else "phone"
        services.acknowledge_order(actor, order, channel=channel)
        if state == "acknowledged":
            return order.__class__.objects.get(pk=order.pk)
        # Where the routine says the start is when a staff member is booked (R3.6, seed 003).
        booked = "Ordinarie personal" if needs_booked_staff(order) else ""
        services.register_start(
            actor, order, start_date=clock.today(), channel=channel, booked_staff=booked
        )
        if state == "started":
            return order.__class__.objects.get(pk=order.pk)
        if state == "ended":
            services.end_order(actor, order, end_date=clock.today(), channel=channel)
        elif state == "cancelled":
            raise ValueError("cancel from draft/sent/acknowledged explicitly")
        return order.__class__.objects.get(pk=order.pk)

    def _provider_actor(self, provider):
        if not provider.is_connected:
            return self.officer
        return {self.provider_a.pk: self.staff_a, self.provider_b.pk: self.staff_b}[provider.pk]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s per user and `world` makes five; tests need no slow hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


# --- PostgreSQL: the database roles, and the suite as the application's role (issue 18) -------

# `VERKSTALL_TEST_DB_ROLE=verkstall_app`: every test connection acts as that role (.ci/run sets
# it), so a test of something the application could not do as that role fails.
TEST_DB_ROLE = os.environ.get("VERKSTALL_TEST_DB_ROLE", "").strip()


@contextmanager
def _as_owner(conn):
    """The owner's work in a run as the app role (flushing, DDL): SET ROLE NONE, then back.
    Inside a transaction that is rolled back, the rollback takes both back by itself."""
    if conn.vendor != "postgresql" or not TEST_DB_ROLE:
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("SET ROLE NONE")
    try:
        yield
    finally:
        if not conn.needs_rollback:
            with conn.cursor() as cursor:
                cursor.execute(conn.ops.compose_sql("SET ROLE %s", [TEST_DB_ROLE]))


def _apply_roles(conn) -> None:
    from verkstall.audit import db_role_services
    from verkstall.audit.db_roles import DEFAULT_APP_ROLE

    db_role_services.apply_roles(
        app_role=TEST_DB_ROLE or db_role_services.configured_app_role() or DEFAULT_APP_ROLE,
        retention_role=db_role_services.configured_retention_role(),
        using=conn.alias,
    )


def _grant_again_if_lost(conn) -> None:
    """A test that restored a backup into the test database (tooling/tests/test_backup.py)
    replaced the schema, and a restore brings no grants: give them again, as an operator
    runs db_roles after a restore (docs/database-roles.md)."""
    from verkstall.audit.db_role_services import configured_retention_role

    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, 'django_migrations', 'SELECT')",
            [configured_retention_role()],
        )
        if not cursor.fetchone()[0]:
            _apply_roles(conn)


def _flush_as_owner() -> None:
    """A transactional test's database is emptied by `flush` (one TRUNCATE of every table),
    which the TRUNCATE triggers on the access log and the order events refuse, also for the
    owner (audit migration 0007). Only the test harness empties them: as the owner, with the
    triggers off for that one transaction (session_replication_role: a superuser's setting)."""
    from django.core.management.commands import flush
    from django.db.backends.postgresql.operations import DatabaseOperations

    handle, execute_sql_flush = flush.Command.handle, DatabaseOperations.execute_sql_flush

    def handle_as_owner(self, **options):
        conn = connections[options["database"]]
        with _as_owner(conn):
            result = handle(self, **options)
            _grant_again_if_lost(conn)
        return result

    def flush_with_triggers_off(self, sql_list):
        if sql_list:
            sql_list = ["SET LOCAL session_replication_role = replica", *sql_list]
        return execute_sql_flush(self, sql_list)

    flush.Command.handle = handle_as_owner
    DatabaseOperations.execute_sql_flush = flush_with_triggers_off


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL the migrated test database gets the application's roles and grants, as a
    deployment does (`python -m verkstall db_roles`, docs/database-roles.md): retention needs
    its role. With VERKSTALL_TEST_DB_ROLE every connection then acts as that role (Django's
    OPTIONS["assume_role"], a SET ROLE on connect)."""
    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock():
        _apply_roles(connection)
        _flush_as_owner()
        if TEST_DB_ROLE:
            connection.settings_dict["OPTIONS"]["assume_role"] = TEST_DB_ROLE
            connection.close()
    yield
    # The owner drops the test database.
    if connection.settings_dict["OPTIONS"].pop("assume_role", None):
        connection.close()


@pytest.fixture
def db_owner(db):
    """A test that does the owner's work (DDL, a migration, the grants themselves) acts as the
    owner also in a run as the app role; elsewhere it changes nothing."""
    with _as_owner(connection):
        yield
