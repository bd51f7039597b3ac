"""The officer's order list, the newest first, read off an index (issue 17 item 5)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_case_events_messages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["municipality", "unit", "created_at"], name="orders_orde_municip_256616_idx"
            ),
        ),
    ]
