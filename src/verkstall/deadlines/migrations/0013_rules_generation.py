"""The rules' generation: a token that changes whenever a rule, a profile or a profile's
included libraries change (issue 19: "profiles cached per process and invalidated on a rule
change").

The deadline engine keeps the rules in force per profile in each process, keyed by this token
(deadlines/rule_cache_selectors.py), and reads the token with the municipality's profile in one small
query on every recompute instead of reading every rule. The database changes the token itself,
by triggers, so that no way of writing a rule can forget it: the admin, the services, an
import, a migration, a bulk `update()` or SQL by hand. The token is random, not a counter: a
transaction that changed a rule and was rolled back leaves a token that never comes back, so a
process cannot take rules cached under it for the rules of another change.
"""

from django.db import migrations

WATCHED = ("deadlines_rule", "deadlines_ruleprofile", "deadlines_ruleprofile_includes")

CREATE = (
    "CREATE TABLE deadlines_rules_generation (id integer PRIMARY KEY, token varchar(40) NOT NULL)"
)
INSERT = "INSERT INTO deadlines_rules_generation (id, token) VALUES (1, 'start')"

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION verkstall_new_rules_generation() RETURNS trigger AS $$
BEGIN
  UPDATE deadlines_rules_generation SET token = md5(random()::text || clock_timestamp()::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _postgres_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_new_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION verkstall_new_rules_generation()"
    )


SQLITE_BODY = "BEGIN UPDATE deadlines_rules_generation SET token = hex(randomblob(16)); END"


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_new_generation_{op.lower()} AFTER {op} ON {table} {SQLITE_BODY}"
        for op in ("INSERT", "UPDATE", "DELETE")
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [CREATE, INSERT]
    if vendor == "postgresql":
        statements += [POSTGRES_FUNCTION, *(_postgres_trigger(t) for t in WATCHED)]
    elif vendor == "sqlite":
        statements += [s for t in WATCHED for s in _sqlite_triggers(t)]
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in WATCHED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_new_generation ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS verkstall_new_rules_generation()")
    elif vendor == "sqlite":
        for table in WATCHED:
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_new_generation_{op}")
    schema_editor.execute("DROP TABLE IF EXISTS deadlines_rules_generation")


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0012_clocks_from_receipt")]
    operations = [migrations.RunPython(forward, backward)]
