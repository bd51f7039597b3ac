"""Absence and hospital notices (SPEC R7). Writes in services.py; each write also appends
an event to the order, so the order's history and its clocks (R9.1, R7.2, R7.3) follow."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.core import clock


class AbsenceReason(models.TextChoices):
    HOSPITAL = "hospital", "Sjukhusvistelse"
    SHORT_TERM_STAY = "short_term_stay", "Korttidsvistelse"
    OWN_CHOICE = "own_choice", "Eget val"
    OTHER = "other", "Annat"


class Absence(models.Model):
    """A period when the order's services are not delivered (frånvaro, R7.1).

    `to_date` empty means ongoing. Overlap on the same order is refused by the service, which
    locks the order row first, so two registrations cannot race past each other."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="absences")
    reason = models.CharField("orsak", max_length=20, choices=AbsenceReason.choices)
    from_date = models.DateField("från och med")
    to_date = models.DateField("till och med", null=True, blank=True)
    registered_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("registrerad", default=clock.now)
    long_flagged_at = models.DateTimeField(
        "markerad som lång frånvaro",
        null=True,
        blank=True,
        help_text="When the absence was found to exceed the municipality's profile's "
        "long_absence_days consecutive days (R7.2, 30 by default); once.",
    )
    reported_at = models.DateTimeField("rapporterad till handläggaren", null=True, blank=True)

    class Meta:
        verbose_name = "frånvaro"
        verbose_name_plural = "frånvaro"
        ordering = ["-from_date", "-id"]
        indexes = [models.Index(fields=["municipality", "order", "from_date"])]
        constraints = [
            models.CheckConstraint(
                name="absence_to_not_before_from",
                condition=Q(to_date__isnull=True) | Q(to_date__gte=models.F("from_date")),
            ),
        ]

    @property
    def is_ongoing(self) -> bool:
        return self.to_date is None

    def period_label(self) -> str:
        end = f"{self.to_date:%Y-%m-%d}" if self.to_date else "pågående"
        return f"{self.from_date:%Y-%m-%d} – {end}"

    def __str__(self) -> str:
        return f"Frånvaro {self.period_label()} ({self.get_reason_display()})"


class NoticeKind(models.TextChoices):
    ADMISSION = "admission", "Inskrivning"
    DISCHARGE = "discharge", "Utskrivning"


class NoticeSource(models.TextChoices):
    API = "api", "Regionens system (API)"
    MANUAL = "manual", "Manuellt registrerad"


class HospitalNotice(models.Model):
    """An admission or discharge notice from the hospital (in- och utskrivningsmeddelande,
    R7.3). It reaches every current provider of the client through one receipt each."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("typ", max_length=10, choices=NoticeKind.choices)
    occurred_at = models.DateTimeField("inträffade")
    source = models.CharField("källa", max_length=10, choices=NoticeSource.choices)
    text = models.TextField("meddelande", blank=True)
    received_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField("mottaget", default=clock.now)

    class Meta:
        verbose_name = "in- eller utskrivningsmeddelande"
        verbose_name_plural = "in- och utskrivningsmeddelanden"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class NoticeReceipt(models.Model):
    """One provider order's copy of a hospital notice, which that provider acknowledges."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    notice = models.ForeignKey(HospitalNotice, on_delete=models.PROTECT, related_name="receipts")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="notice_receipts"
    )
    acknowledged_at = models.DateTimeField("kvitterat", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "mottagning av meddelande"
        verbose_name_plural = "mottagningar av meddelanden"
        ordering = ["-notice__occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "order"], name="notice_receipt_unique"),
            models.CheckConstraint(
                name="notice_receipt_ack_has_actor",
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["order", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.notice} → beställning {self.order_id}"
