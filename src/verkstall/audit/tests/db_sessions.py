"""A PostgreSQL connection of its own to the test database, for tests of what the database
itself refuses (R10.4): a refused statement there does not end the test's transaction."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def session(role: str | None = None):
    """Autocommit, as the test database's login user (its owner), acting as `role` if given."""
    import psycopg

    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if role:
            conn.execute(f"SET ROLE {role}")
        yield conn
