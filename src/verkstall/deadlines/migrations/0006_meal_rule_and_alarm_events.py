"""Meal delivery is its own event (SPEC R3.6, seed 002 "Beställning av matdistribution görs
snarast dock inom 3 vardagar"; issue 14 §4).

Gotland's rule `matdistribution-bestalld` stopped on the order's start; it now stops on the
provider's "Matdistribution beställd" (`meal.ordered`, recorded by alarms.meal_services). Every
copy of the rule that is still version 1 with the old stop event (the template `gotland` and
the municipalities' unchanged copies of it) gets the new stop event as version 2, the old one
kept as its revision (as `services.update_rule` does; items already met keep the version they
were judged by). A copy a municipality changed stays as it is.

The alarm events (`alarm.ordered`, `alarm.installed`) need no data change: their rules were
right, only nothing recorded them (now alarms.services does).

The reverse is a no-op: the rows stay as they are.
"""

from datetime import date, time

from django.db import migrations

MEAL = "matdistribution-bestalld"
OLD_STOP = ["order.started"]
NEW_STOP = ["meal.ordered"]
NOT_SNAPSHOT = {"id", "profile", "version"}


def _snapshot(rule) -> dict:
    """The rule's fields as they were (the revision the admin shows)."""
    data = {}
    for field in rule._meta.concrete_fields:
        if field.name in NOT_SNAPSHOT:
            continue
        value = getattr(rule, field.attname)
        if isinstance(value, time):
            value = value.strftime("%H:%M")
        elif isinstance(value, date):  # a date or a moment (datetime is a date)
            value = value.isoformat()
        data[field.name] = value
    return data


def forward(apps, schema_editor):
    Rule = apps.get_model("deadlines", "Rule")
    RuleRevision = apps.get_model("deadlines", "RuleRevision")
    for rule in Rule.objects.filter(code=MEAL, version=1):
        if list(rule.stop_events) != OLD_STOP:
            continue
        RuleRevision.objects.create(rule=rule, version=1, snapshot=_snapshot(rule))
        rule.stop_events = list(NEW_STOP)
        rule.version = 2
        rule.save(update_fields=["stop_events", "version"])


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0005_national_library_and_owners"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
