"""The fee officer's rule for fee notices (SPEC R9.3, seed 002 §Verkställighet av avgift).

The national library `nationell` gets `avgiftsmeddelande`: each fee notice (fees.FeeNotice: a
change that affects the client's fee, for services under the profile's `fee_hours_per_month`)
starts the clock "fee.change", which the fee officer's handling ("fee.handled") meets. The
rule's service conditions say which services bear a fee (not housing support nor day or
daily activity, seed 002 "gäller ej boendestöd och sysselsättning"); a municipality that words
it otherwise overrides the rule with its own of the same code (R11.3).

Only the missing rule is added, to the library only; a database made from scratch has it
already (0005 loads the library from the fixture). The reverse is a no-op.
"""

from django.db import migrations

CODE = "avgiftsmeddelande"


def forward(apps, schema_editor):
    from verkstall.deadlines.profiles import LIBRARY, fixture_data
    from verkstall.deadlines.rule_services import add_rules

    RuleProfile = apps.get_model("deadlines", "RuleProfile")
    Rule = apps.get_model("deadlines", "Rule")
    library = RuleProfile.objects.filter(slug=LIBRARY).first()
    if library is None or Rule.objects.filter(profile=library, code=CODE).exists():
        return
    [profile] = [p for p in fixture_data()["profiles"] if p["slug"] == LIBRARY]
    add_rules(library, [r for r in profile["rules"] if r["code"] == CODE], rule_model=Rule)


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0008_payment_thresholds"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
