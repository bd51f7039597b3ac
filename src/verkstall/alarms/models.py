"""The aids centre's task when a safety alarm follows a provider switch (SPEC R2.6, R4.1).

Seed 002 §Byte av utförare: "Om brukaren har trygghetslarm ska ny utförare kontakta HMC ... för
korrigerande av utförarens kontaktuppgifter till larmcentralen. HMC ändrar så att
trygghetslarmet blir kopplat till ny aktuell utförare från överenskommet
verkställighetsdatum." The alarm's own steps (ordered from the aids centre, installed) are
order events (EventKind.ALARM_ORDERED, ALARM_INSTALLED); only the move is a row of its own.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.core import clock


class AlarmContactMove(models.Model):
    """Move a safety alarm's contact to the new provider from the switch date: created when a
    switch of an order with a safety alarm completes, confirmed by the aids centre."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="alarm_contact_moves",
        verbose_name="beställning",
        help_text="The new provider's order, which holds the alarm from the switch date.",
    )
    old_provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="tidigare utförare",
    )
    new_provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="+", verbose_name="ny utförare"
    )
    from_date = models.DateField("kopplas om från och med")
    created_at = models.DateTimeField("skapad", default=clock.now, editable=False)
    confirmed_at = models.DateTimeField("bekräftad", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "access.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bekräftad av",
    )

    class Meta:
        verbose_name = "flytt av larmets kontaktuppgifter"
        verbose_name_plural = "flyttar av larmens kontaktuppgifter"
        ordering = ["from_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order"], name="one_alarm_contact_move_per_order"),
            models.CheckConstraint(
                name="alarm_move_confirmed_with_who",
                condition=Q(confirmed_at__isnull=True, confirmed_by__isnull=True)
                | Q(confirmed_at__isnull=False, confirmed_by__isnull=False),
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.confirmed_at is None

    def __str__(self) -> str:
        return f"Larm {self.old_provider} -> {self.new_provider} ({self.from_date:%Y-%m-%d})"
