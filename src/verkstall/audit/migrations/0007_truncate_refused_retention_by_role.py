"""Issue 18 item 2 on PostgreSQL: the access log and the order events cannot be erased.

1. A BEFORE TRUNCATE statement trigger on each append-only table (audit_accesslogentry,
   orders_orderevent): their row triggers (audit 0002, orders 0002) never saw a TRUNCATE.
2. verkstall_refuse_change() no longer lets a DELETE of an order event through for any session
   that says `SET LOCAL verkstall.retention = 'on'` (audit 0003): only for the retention role
   (setting VERKSTALL_DB_RETENTION_ROLE, default verkstall_retention), which the retention job
   switches to and the application's own role cannot (audit/db_roles.py).

The roles and their grants are not made here (a migration runs as the owner, who may not
create roles): `python -m verkstall db_roles` does that, and re-installs the function with the
role named by the setting then. SQLite relies on the models' guards.
"""

from importlib import import_module

from django.conf import settings
from django.db import migrations

from verkstall.audit import db_roles

# The function as audit 0003 made it: DELETE allowed when the session variable says so.
SESSION_VARIABLE_FUNCTION = import_module(
    "verkstall.audit.migrations.0003_retention_may_remove_order_events"
).FORWARD


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(db_roles.refuse_change_function(settings.VERKSTALL_DB_RETENTION_ROLE))
    for statement in db_roles.create_truncate_triggers():
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in db_roles.drop_truncate_triggers():
        schema_editor.execute(statement)
    schema_editor.execute(SESSION_VARIABLE_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_access_log_time_index")]
    operations = [migrations.RunPython(forward, backward)]
