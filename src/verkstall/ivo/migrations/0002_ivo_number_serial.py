"""The serial of a person's IVO number is stored on the case (R9.5): cases made before get the
lowest free serial per municipality, birth date and sex, a person the same in all its cases."""

from django.db import migrations, models


def assign_serials(apps, schema_editor):
    from verkstall.ivo.identity import free_serial, identity_key

    Case = apps.get_model("ivo", "IvoReportCase")
    by_person, taken = {}, {}
    rows = Case.objects.order_by("municipality_id", "created_at", "id").values_list(
        "pk", "municipality_id", "person_id", "person__personal_number"
    )
    for pk, municipality, person, number in rows:
        key = (municipality, person)
        if key not in by_person:
            used = taken.setdefault((municipality, *identity_key(number)), set())
            by_person[key] = free_serial(used)
            used.add(by_person[key])
        Case.objects.filter(pk=pk).update(serial=by_person[key])


class Migration(migrations.Migration):
    dependencies = [
        ("ivo", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ivoreportcase",
            name="serial",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="The two free digits of the person's IVO number (ivo.identity), the "
                "same in every case of the person and unique among the municipality's persons "
                "of the same birth date and sex.",
                verbose_name="löpnummer i T-numret",
            ),
        ),
        migrations.RunPython(assign_serials, migrations.RunPython.noop),
    ]
