"""Cleaning and service on voucher (SPEC R4.2, routine 004 "Städ").

A `Voucher` (värdeintyg) is the letter the client gets stating the extent granted, to hand to
the provider of their choice; a `VoucherReport` is one report of the provider's report form
(redovisningsblankett): start, increase, decrease, move, death or end. A report changes the
order only through the order services (its `event`); the row says what the form said, who
registered it, and by which channel.
"""

from __future__ import annotations

from django.db import models

from verkstall.core import clock


class Voucher(models.Model):
    """A voucher issued for an order of cleaning or service (R4.2)."""

    class Kind(models.TextChoices):
        CLEANING = "cleaning", "Värdeintyg städ"
        # Routine 004 names a second kind without defining it further; read here as the
        # voucher of the disability area (funktionshinder, "FN" in the routine).
        CLEANING_FBH = "cleaning_fbh", "Värdeintyg städ FBH"

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="vouchers")
    kind = models.CharField("slag", max_length=20, choices=Kind.choices)
    extent = models.TextField("omfattning", help_text="The extent granted, as the letter says.")
    issued_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("utfärdat", default=clock.now, editable=False)

    class Meta:
        verbose_name = "värdeintyg"
        verbose_name_plural = "värdeintyg"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.order_id})"


class VoucherReport(models.Model):
    """One report of the provider's report form (redovisningsblankett, R4.2)."""

    class Kind(models.TextChoices):
        START = "start", "Start"
        INCREASE = "increase", "Ökning"
        DECREASE = "decrease", "Minskning"
        MOVE = "move", "Flytt"
        DEATH = "death", "Dödsfall"
        END = "end", "Avslut"

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="voucher_reports"
    )
    kind = models.CharField("slag", max_length=10, choices=Kind.choices)
    occurred_on = models.DateField("datum")
    note = models.TextField("kommentar", blank=True)
    channel = models.CharField("kanal", max_length=10, blank=True)
    on_behalf_of = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "orders.OrderEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("registrerad", default=clock.now, editable=False)

    class Meta:
        verbose_name = "redovisning"
        verbose_name_plural = "redovisningar"
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on} ({self.order_id})"
