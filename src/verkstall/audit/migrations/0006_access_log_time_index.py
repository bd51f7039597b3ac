"""The access log's rows of a municipality in time order (issue 17 item 10): the reviewer's
page without a filter reads the latest rows from this index instead of sorting the whole log,
which made the page slower the longer the log grew."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_idempotent_responses"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(
                fields=["municipality_id", "occurred_at", "id"], name="audit_log_muni_time_idx"
            ),
        ),
    ]
