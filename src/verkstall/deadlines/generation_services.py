"""The rules' generation: a token the database changes itself whenever a rule, a profile or a
profile's included libraries change (issue 19; read by rule_cache_selectors.py).

`install` makes the token's table, its row and the triggers, and may run any number of times:
migration 0013 runs it, and so does every `migrate` afterwards (`on_post_migrate`), because
SQLite rebuilds a table for most schema changes and a rebuilt table has lost its triggers;
without them the process's cached rules would outlive a change. PostgreSQL uses one trigger
per statement (TRUNCATE included), SQLite one per row and operation.

The token is random, not a counter: a transaction that changed a rule and was rolled back
leaves a token that never comes back, so no process takes rules cached under it for the
rules of another change.
"""

from __future__ import annotations

TABLE = "deadlines_rules_generation"
WATCHED = ("deadlines_rule", "deadlines_ruleprofile", "deadlines_ruleprofile_includes")
MIGRATION = ("deadlines", "0013_rules_generation")
SQLITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")

_CREATE = (
    "CREATE TABLE IF NOT EXISTS deadlines_rules_generation "
    "(id integer PRIMARY KEY, token varchar(40) NOT NULL)"
)
_FIRST_ROW = (
    "INSERT INTO deadlines_rules_generation (id, token) SELECT 1, 'start' "
    "WHERE NOT EXISTS (SELECT 1 FROM deadlines_rules_generation)"
)
_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION verkstall_new_rules_generation() RETURNS trigger AS $$
BEGIN
  UPDATE deadlines_rules_generation SET token = md5(random()::text || clock_timestamp()::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
_SQLITE_BODY = "BEGIN UPDATE deadlines_rules_generation SET token = hex(randomblob(16)); END"


def trigger_names(vendor: str) -> set[str]:
    """The triggers `install` makes on this database."""
    if vendor == "postgresql":
        return {f"{table}_new_generation" for table in WATCHED}
    if vendor == "sqlite":
        return {f"{t}_new_generation_{op.lower()}" for t in WATCHED for op in SQLITE_OPERATIONS}
    return set()


def _statements(vendor: str) -> list[str]:
    statements = [_CREATE, _FIRST_ROW]
    if vendor == "postgresql":
        statements.append(_POSTGRES_FUNCTION)
        statements += [
            f"CREATE OR REPLACE TRIGGER {table}_new_generation "
            "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION verkstall_new_rules_generation()"
            for table in WATCHED
        ]
    elif vendor == "sqlite":
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {table}_new_generation_{op.lower()} "
            f"AFTER {op} ON {table} {_SQLITE_BODY}"
            for table in WATCHED
            for op in SQLITE_OPERATIONS
        ]
    return statements


def install(connection) -> None:
    """Make the table, its row and the triggers where any is missing (idempotent)."""
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor):
            cursor.execute(statement)


def uninstall(connection) -> None:
    """Drop the triggers and the table (migration 0013 backwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in WATCHED:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_new_generation ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS verkstall_new_rules_generation()")
        elif connection.vendor == "sqlite":
            for name in trigger_names("sqlite"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """After every `migrate` (and a test database's flush): the triggers again, once 0013 is
    applied (a table rebuilt by a later migration on SQLite has lost them)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        install(connection)
