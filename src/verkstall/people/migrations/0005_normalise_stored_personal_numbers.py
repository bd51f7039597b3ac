"""Personnummer stored before issue 11 with other digit forms (e.g. fullwidth １９５００１…)
are rewritten in the canonical twelve ASCII digits, so that search and the uniqueness check
find them. A number whose canonical form another client of the municipality already holds
is left as it is (two records of one person: for the municipality to merge by hand);
`python -m verkstall check_personal_numbers` lists what is left."""

import re
import unicodedata

from django.db import migrations

CANONICAL = re.compile(r"[0-9]{12}")


def normalise(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    for person in Person.objects.exclude(personal_number__regex=r"^[0-9]{12}$").iterator():
        text = unicodedata.normalize("NFKC", person.personal_number)
        digits = "".join(ch for ch in text if ch.isdigit())
        if not (CANONICAL.fullmatch(digits) and digits.isascii()):
            continue
        taken = Person.objects.filter(
            municipality_id=person.municipality_id, personal_number=digits
        ).exists()
        if not taken:
            Person.objects.filter(pk=person.pk).update(personal_number=digits)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_protection_request")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
