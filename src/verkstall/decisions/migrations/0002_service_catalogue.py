"""Seed the service catalogue from SPEC's glossary (verkstall.decisions.catalogue)."""

from django.db import migrations


def load(apps, schema_editor):
    from verkstall.decisions.catalogue import CATALOGUE

    ServiceType = apps.get_model("decisions", "ServiceType")
    for code, name, kind, law, lov, queued, unassessed in CATALOGUE:
        ServiceType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind.value,
                "law": law,
                "lov": lov,
                "queued": queued,
                "unassessed": unassessed,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
