"""The care-home queue (SPEC R8.1, R8.2, issue 14 §1).

- Two thresholds of a routine: when the payment liability begins after the hospital's notice
  (`discharge_liability_days`, 3 by lag 2017:612) when the profile has no rule for it, and how
  many declined offers a client may make before leaving the queue (`queue_declines_allowed`).
- The payment-liability rule (start "placement.discharge_ready", stop
  "placement.place_accepted") becomes a rule of the decision: the queue entry exists before
  any order, and the engine reads the queue's events for the decision's clocks. Every
  profile's copy moves; no order item of it can exist (nothing recorded those events).

The reverse puts the rules back on the order (the fields go with the schema's reverse).
"""

from django.db import migrations, models

EVENTS = ("placement.discharge_ready", "placement.place_accepted")


def to_decision(apps, schema_editor):
    Rule = apps.get_model("deadlines", "Rule")
    Rule.objects.filter(start_event__in=EVENTS, subject="order").update(subject="decision")


def to_order(apps, schema_editor):
    Rule = apps.get_model("deadlines", "Rule")
    Rule.objects.filter(start_event__in=EVENTS, subject="decision").update(subject="order")


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0006_meal_rule_and_alarm_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="ruleprofile",
            name="discharge_liability_days",
            field=models.PositiveSmallIntegerField(
                default=3,
                help_text="Kalenderdagar från sjukhusets underrättelse om utskrivningsklar till "
                "att kommunens betalningsansvar inträder, om profilen saknar regel för det "
                "(R8.1; lag 2017:612 utan lokal överenskommelse: 3).",
                verbose_name="betalningsansvar inträder efter utskrivningsklar, dagar",
            ),
        ),
        migrations.AddField(
            model_name="ruleprofile",
            name="queue_declines_allowed",
            field=models.PositiveSmallIntegerField(
                default=2,
                help_text="Den som tackat nej till så många erbjudna platser avförs ur kön; vid "
                "färre står den enskilde kvar i kön. Ange ett högt tal om ett nej aldrig avför "
                "(R8.2).",
                verbose_name="avböjda erbjudanden innan den enskilde avförs ur kön",
            ),
        ),
        migrations.RunPython(to_decision, to_order),
    ]
