"""On PostgreSQL the database itself refuses UPDATE and DELETE on the access log, from any
session (SPEC R10.4: the log cannot be altered). SQLite relies on the model's guard."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION verkstall_refuse_log_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%% on %% is not allowed: the access log is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accesslogentry_append_only
  BEFORE UPDATE OR DELETE ON audit_accesslogentry
  FOR EACH ROW EXECUTE FUNCTION verkstall_refuse_log_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_accesslogentry_append_only ON audit_accesslogentry;
DROP FUNCTION IF EXISTS verkstall_refuse_log_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
