"""The month's settings and the log of reminders sent before its deadline (SPEC R9.1).

The deadline day itself (the 5th) is the municipality's rule profile's
`month_registration_day` (deadlines.models.THRESHOLDS); what is here is what no profile field
holds: on which days before it the reminder goes out.
"""

from __future__ import annotations

from django.db import models

from verkstall.core import clock


def default_reminder_days() -> list[int]:
    """Three days and one day before the deadline."""
    return [3, 1]


class MonthSettings(models.Model):
    """One municipality's month settings, edited by its LOV administrator (months/settings/).
    A municipality without a row has the defaults."""

    municipality = models.OneToOneField(
        "access.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    reminder_days = models.JSONField(
        "påminnelse så många dagar före sista dagen",
        default=default_reminder_days,
        blank=True,
        help_text="Utförare och biståndsenheter med något som saknas för månaden får e-post "
        "dessa dagar före sista registreringsdagen (R9.1). Tom lista: ingen påminnelse.",
    )
    updated_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "månadsinställning"
        verbose_name_plural = "månadsinställningar"

    def __str__(self) -> str:
        return f"Månadsinställningar ({self.municipality_id})"


class MonthReminder(models.Model):
    """One reminder mail sent to one person about one month, on one day: the log that makes
    the reminder run safe to repeat (at most one mail per person, month and day). Written in
    the transaction that puts the mail in the outbox, which sends it once (`sent_at` is when
    it was queued). It names counts only, never a client."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    user = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("månad", help_text="The month's first day.")
    sent_on = models.DateField("skickad dag")
    sent_at = models.DateTimeField("skickad")
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "access.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    missing = models.PositiveIntegerField("saknade uppgifter")

    class Meta:
        verbose_name = "månadspåminnelse"
        verbose_name_plural = "månadspåminnelser"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "month", "sent_on"], name="month_reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Påminnelse {self.month:%Y-%m} {self.sent_on} → {self.user_id}"
