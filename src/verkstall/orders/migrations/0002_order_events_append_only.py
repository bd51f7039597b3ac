"""On PostgreSQL the database itself refuses to change or delete an order event (SPEC R3:
the order's history is append-only). SQLite relies on the model's guard."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION verkstall_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%% on %% is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER orders_orderevent_append_only
  BEFORE UPDATE OR DELETE ON orders_orderevent
  FOR EACH ROW EXECUTE FUNCTION verkstall_refuse_change();
"""

BACKWARD = "DROP TRIGGER IF EXISTS orders_orderevent_append_only ON orders_orderevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
