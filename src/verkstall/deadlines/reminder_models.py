"""The daily reminders' log (deadlines/reminders.py): a model of this app, in its own module
because models.py is full; models.py imports it, so it is a model of `deadlines` like any other."""

from __future__ import annotations

from django.db import models


class Reminder(models.Model):
    """One due item sent to one person by e-mail as due today or as overdue (reminders.py).

    The log that makes the daily reminder run safe to repeat: written with the outbox's mail
    (`sent_at`: queued), at most one row per person, item and kind, so an item is mailed
    once when it falls due and once more when it is overdue.
    """

    class Kind(models.TextChoices):
        DUE = "due", "Förfaller i dag"
        OVERDUE = "overdue", "Försenad"

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    user = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    due_item = models.ForeignKey(
        "deadlines.DueItem", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = "påminnelse"
        verbose_name_plural = "påminnelser"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "due_item", "kind"], name="reminder_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_item_id} → {self.user_id}"
