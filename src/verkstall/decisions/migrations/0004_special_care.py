"""Särskild omvårdnad (special care) joins the catalogue (SPEC R9.2, seed 002
§Verkställighetsdatum/ersättning: the provider registers performed time for respite, temporary
escort and special care), so that an officer can grant it. The row is written as it stands in
verkstall.decisions.catalogue at the time of this migration; the reverse removes it again
unless a decision has granted it."""

from django.db import migrations, models

ROW = {
    "code": "sarskild-omvardnad",
    "name": "Särskild omvårdnad",
    "kind": "special_care",
    "law": "SoL",
    "lov": False,
    "queued": False,
    "unassessed": False,
}


def add(apps, schema_editor):
    ServiceType = apps.get_model("decisions", "ServiceType")
    values = dict(ROW)
    ServiceType.objects.update_or_create(code=values.pop("code"), defaults=values)


def remove(apps, schema_editor):
    ServiceType = apps.get_model("decisions", "ServiceType")
    GrantedService = apps.get_model("decisions", "GrantedService")
    if not GrantedService.objects.filter(service_type__code=ROW["code"]).exists():
        ServiceType.objects.filter(code=ROW["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_granted_service_ordering")]

    operations = [
        migrations.AlterField(
            model_name="servicetype",
            name="kind",
            field=models.CharField(
                choices=[
                    ("service", "Service"),
                    ("personal_care", "Personlig omvårdnad"),
                    ("cleaning", "Städ"),
                    ("housing_support", "Boendestöd"),
                    ("day_activity", "Dagverksamhet"),
                    ("daily_activity_lss", "Daglig verksamhet"),
                    ("safety_alarm", "Trygghetslarm"),
                    ("meal_delivery", "Matdistribution"),
                    ("escort", "Ledsagning"),
                    ("respite", "Avlösning"),
                    ("special_care", "Särskild omvårdnad"),
                    ("care_home", "Vård- och omsorgsboende"),
                    ("short_term_stay", "Korttidsboende"),
                    ("profile_home", "Profilboende"),
                ],
                max_length=30,
                verbose_name="slag",
            ),
        ),
        migrations.RunPython(add, remove),
    ]
