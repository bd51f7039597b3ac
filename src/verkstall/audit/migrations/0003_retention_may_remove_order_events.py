"""Retention (gallring, SPEC R10.6) is the one exception to append-only order events.

orders/0002 made PostgreSQL refuse every UPDATE and DELETE on orders_orderevent through the
trigger function verkstall_refuse_change(). This replaces that function (the trigger stays)
with one that lets a DELETE through only when the transaction has said it is retention:
`SET LOCAL verkstall.retention = 'on'` (audit.retention_services does it with set_config(...,
true), which is the same thing). UPDATE is still refused, always. The access log's trigger
function verkstall_refuse_log_change() is not touched: the log has no exception at all.
SQLite relies on the model's guard, which retention bypasses with one DELETE per table.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION verkstall_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('verkstall.retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '%% on %% is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# The function as orders/0002 made it: no exception.
BACKWARD = """
CREATE OR REPLACE FUNCTION verkstall_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%% on %% is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_access_log_append_only"),
        ("orders", "0002_order_events_append_only"),
    ]
    operations = [migrations.RunPython(forward, backward)]
