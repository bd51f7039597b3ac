"""The rules' generation: a token that changes whenever a rule, a profile or a profile's
included libraries change (issue 19: "profiles cached per process and invalidated on a rule
change").

The deadline engine keeps the rules in force per profile in each process, keyed by this token
(deadlines/rule_cache_selectors.py), and reads the token with the municipality's profile in
one small query on every recompute instead of reading every rule. The database changes the
token itself, by triggers, so that no way of writing a rule can forget it: the admin, the
services, an import, a migration, a bulk `update()` or SQL by hand. The table, its row and
the triggers are made by deadlines/generation_services.py, which every later `migrate` runs
again (SQLite drops a table's triggers when a migration rebuilds it).
"""

from django.db import migrations


def forward(apps, schema_editor):
    from verkstall.deadlines.generation_services import install

    install(schema_editor.connection)


def backward(apps, schema_editor):
    from verkstall.deadlines.generation_services import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0012_clocks_from_receipt")]
    operations = [migrations.RunPython(forward, backward)]
