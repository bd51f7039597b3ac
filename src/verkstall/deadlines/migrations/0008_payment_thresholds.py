"""The month and the payment basis (SPEC R9.1, R9.4, issue 15): four new pieces of a routine,
each the profile's (R11.4), with the SPEC's value as the default of every existing profile.

- `month_registration_day` (R9.1, seed 002 "senast den 5:e nästkommande månad"): the month's
  starts, reassessments and absences are registered by this day of the next month; the month
  is closed for payment after it.
- `absence_payment_reasons` and `absence_payment_days` (R9.4): which absence reasons reduce
  the provider's payment, and after how many days of each absence (0: from its first day).
  By default hospital and short-term stays, from the first day.
- `payment_correction_months` (R9.4): how many months back a correction of a closed month
  becomes an adjustment in the next open month (12 by default).
"""

import verkstall.deadlines.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0007_placement_liability_and_queue"),
    ]

    operations = [
        migrations.AddField(
            model_name="ruleprofile",
            name="absence_payment_days",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Så många dagar av varje frånvaro ersätts ändå; därefter minskar "
                "frånvaron ersättningen. 0: från frånvarons första dag (R9.4).",
                verbose_name="frånvaro minskar ersättningen efter, dagar",
            ),
        ),
        migrations.AddField(
            model_name="ruleprofile",
            name="absence_payment_reasons",
            field=verkstall.deadlines.models.AbsenceReasonsField(
                blank=True,
                default=verkstall.deadlines.models.default_absence_payment_reasons,
                help_text="Frånvaro av dessa orsaker minskar utförarens ersättning för beviljad "
                "tid, per dag och per månad (R9.4).",
                verbose_name="frånvaroorsaker som minskar ersättningen",
            ),
        ),
        migrations.AddField(
            model_name="ruleprofile",
            name="month_registration_day",
            field=models.PositiveSmallIntegerField(
                default=5,
                help_text="Startdatum, omprövningar och frånvaro registreras senast denna dag i "
                "nästkommande månad (R9.1; 5 = den 5:e). Månaden stängs för ersättning först "
                "dagen efter, om den inte stängs i förtid med ett skäl.",
                verbose_name="månadens uppgifter registreras senast dag, i nästa månad",
            ),
        ),
        migrations.AddField(
            model_name="ruleprofile",
            name="payment_correction_months",
            field=models.PositiveSmallIntegerField(
                default=12,
                help_text="En rättelse som ändrar ersättningen för en stängd månad blir en "
                "justering i nästa öppna månad, för stängda månader högst så många månader "
                "bakåt (R9.4).",
                verbose_name="rättelser av stängda månader, månader bakåt",
            ),
        ),
    ]
