"""Load the four built-in rule profiles (fixtures/builtin_profiles.json)."""

from django.db import migrations


def load(apps, schema_editor):
    from verkstall.deadlines.services import sync_builtin_profiles

    sync_builtin_profiles(apps.get_model("deadlines", "RuleProfile"), apps.get_model("deadlines", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
