"""The database roles that keep the access log and the order events append-only on PostgreSQL
(issue 18; SPEC R10.4: the log cannot be altered; R10.6: retention is the one exception to
append-only order events), as SQL text and plain data: no Django import.

Three roles (docs/database-roles.md):

- the **owner** runs the migrations and owns every table. Triggers refuse UPDATE, DELETE and
  TRUNCATE of the access log and of the order events also for it; only the owner (or a
  superuser) could still disable a trigger, which the application never connects as.
- the **app role** (setting VERKSTALL_DB_APP_ROLE) is what the application connects as:
  SELECT, INSERT, UPDATE and DELETE on every table except the append-only ones (APPEND_ONLY),
  where only SELECT and INSERT; USAGE on the sequences. Never TRUNCATE, REFERENCES or TRIGGER,
  and not the owner, so it cannot ALTER or DROP a table or disable its triggers.
- the **retention role** (setting VERKSTALL_DB_RETENTION_ROLE) is a member of the app role
  (what the app may do, retention may) and has DELETE on the order events. The trigger on
  the order events lets a DELETE through only for a session whose current role is the
  retention role, or a member of it that inherits its rights, and never for a superuser: the
  retention job says `SET LOCAL ROLE <retention role>` around its removal
  (audit/retention_services.py), which only a session whose login role may become that role
  can do. The app role is never a member of it.
"""

from __future__ import annotations

import re

# The app role `db_roles` sets up when VERKSTALL_DB_APP_ROLE names none (the retention role's
# default is the setting's own, in settings.py).
DEFAULT_APP_ROLE = "verkstall_app"

ACCESS_LOG = "audit_accesslogentry"
ORDER_EVENTS = "orders_orderevent"

# Each append-only table and the trigger function its row trigger already uses (audit 0002,
# orders 0002); its TRUNCATE trigger uses the same function.
APPEND_ONLY = {
    ACCESS_LOG: "verkstall_refuse_log_change",
    ORDER_EVENTS: "verkstall_refuse_change",
}
# What the retention role may remove beyond the app role's rights.
RETENTION_DELETES = (ORDER_EVENTS,)

APP_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_PRIVILEGES = "SELECT, INSERT"
SEQUENCE_PRIVILEGES = "USAGE"

# Lower case only: the name is written into SQL (as an identifier and, in the trigger function,
# as a literal), so it is checked rather than escaped.
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def role_name(name: str) -> str:
    """`name` if it is a plain lower-case PostgreSQL role name, else ValueError."""
    if not isinstance(name, str) or not _ROLE_NAME.fullmatch(name) or name.startswith("pg_"):
        raise ValueError(
            f"a database role name is lower-case letters, digits and _ (at most 63, not "
            f"starting with a digit or pg_), got {name!r}"
        )
    return name


def truncate_trigger(table: str) -> str:
    return f"{table}_no_truncate"


def refuse_change_function(retention_role: str) -> str:
    """verkstall_refuse_change(), the order events' trigger function: UPDATE and TRUNCATE are
    always refused, DELETE unless the current role is the retention role or inherits it (a
    superuser is never taken for it). Catalogue names are qualified and the search path fixed,
    so a session cannot put a temporary `pg_roles` of its own in the way."""
    role = role_name(retention_role)  # checked: no quote can reach the literal below
    return f"""
CREATE OR REPLACE FUNCTION verkstall_refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
    SELECT 1
    FROM pg_catalog.pg_roles AS me
    JOIN pg_catalog.pg_roles AS retention ON retention.rolname = '{role}'
    WHERE me.rolname = current_user AND NOT me.rolsuper
      AND pg_catalog.pg_has_role(me.oid, retention.oid, 'USAGE')
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '%% on %% is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""  # noqa: S608 - the role name, checked above, is the only value in it


def create_truncate_triggers() -> list[str]:
    """A BEFORE TRUNCATE statement trigger on every append-only table, refusing it."""
    return [
        f"CREATE TRIGGER {truncate_trigger(table)} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        for table, function in APPEND_ONLY.items()
    ]


def drop_truncate_triggers() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {truncate_trigger(table)} ON {table}" for table in APPEND_ONLY]


def identifier(name: str) -> str:
    """A catalogue name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def names(tables: list[str]) -> str:
    return ", ".join(identifier(t) for t in tables)
