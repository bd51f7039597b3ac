"""The calendar feed's token (issue 17 item 7): a user's subscription to their due items as
iCalendar, stored as the hash of its secret; one active subscription per user."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0013_rules_generation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarFeedToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(help_text='Flödet svarar bara så länge användaren har kvar denna roll.', max_length=30, verbose_name='roll när den skapades')),
                ('secret_hash', models.CharField(max_length=64, unique=True, verbose_name='SHA-256 av hemligheten')),
                ('created_at', models.DateTimeField(verbose_name='skapad')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='senast hämtad')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='återkallad')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'kalenderprenumeration',
                'verbose_name_plural': 'kalenderprenumerationer',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('user',), name='calendar_feed_one_active_per_user')],
            },
        ),
    ]
