"""The decision letter carries the assessment when the routine says so (issue 16 item 12).

`letter_includes_assessment` (seed 002 §Beställning/Uppdrag: "Utredning och
beslutsmeddelande postas till den enskilde"): a practice of the routine, so the profile's
(R11.4), false by default. The built-in profiles take it from the fixture's "flags" (Region
Gotland: true), unless an administrator already said otherwise; a database made from scratch
gets it the same way. The reverse drops the field.
"""

from django.db import migrations, models

FLAG = "letter_includes_assessment"


def forward(apps, schema_editor):
    from verkstall.deadlines.profiles import fixture_data

    RuleProfile = apps.get_model("deadlines", "RuleProfile")
    for data in fixture_data()["profiles"]:
        if FLAG in data.get("flags", {}):
            RuleProfile.objects.filter(slug=data["slug"]).update(**{FLAG: data["flags"][FLAG]})


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0009_fee_notice_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="ruleprofile",
            name=FLAG,
            field=models.BooleanField(
                default=False,
                verbose_name="utredningen postas med beslutsmeddelandet (seed 002; ej IUB)",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
