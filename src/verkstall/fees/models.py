"""Fee notices to the fee officer (SPEC R9.3, seed 002 §Verkställighet av avgift).

A `FeeNotice` is one change that affects a client's fee: derived from the row a lower app
wrote (an order event, an absence's end) by `services.collect_fee_notices`, once per source row
(the unique constraints), or written by the provider as free text. `FeeScan` is the watermark
of the collection per municipality, so that a collection reads only the order events recorded
since the last one.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from verkstall.core import clock

from .changes import KIND_LABELS, PROVIDER_REPORT, Hours, hours_text


class FeeNotice(models.Model):
    """A change that affects the client's fee, for the fee officer's inbox (R9.3)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="fee_notices")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("vad", max_length=20, choices=list(KIND_LABELS.items()))
    text = models.TextField("förändring")
    effective_from = models.DateField("från och med")
    effective_to = models.DateField("till och med", null=True, blank=True)
    hours_per_month = models.DecimalField(
        "avgiftsgrundande timmar per månad",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The client's fee-bearing services in force on the day of the change, in "
        "hours per month (services not granted in hours are named in `uncounted`).",
    )
    uncounted = models.CharField("ej räknat i timmar", max_length=300, blank=True)
    # The source: the order event it was derived from, or the absence whose end it tells.
    event = models.ForeignKey(
        "orders.OrderEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    absence = models.ForeignKey(
        "absences.Absence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_notices",
    )
    absence_to = models.DateField(
        "frånvaron till och med",
        null=True,
        blank=True,
        help_text="The absence's last day as this notice told it (None: ongoing).",
    )
    reported_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_by_organisation = models.CharField("organisation", max_length=200, blank=True)
    on_behalf_of = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField("kanal", max_length=10, blank=True)
    changed_at = models.DateTimeField("förändringen registrerades")
    created_at = models.DateTimeField("meddelad", default=clock.now, editable=False)
    handled_at = models.DateTimeField("hanterad", null=True, blank=True)
    handled_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_note = models.TextField("anteckning", blank=True)

    class Meta:
        verbose_name = "avgiftsmeddelande"
        verbose_name_plural = "avgiftsmeddelanden"
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(event__isnull=False), name="fee_notice_once_per_event"
            ),
            models.UniqueConstraint(
                fields=["absence", "absence_to"],
                condition=Q(absence__isnull=False, event__isnull=True),
                name="fee_notice_once_per_absence_end",
            ),
            models.CheckConstraint(
                name="fee_notice_handled_with_who",
                condition=Q(handled_at__isnull=True, handled_by__isnull=True)
                | Q(handled_at__isnull=False, handled_by__isnull=False),
            ),
            models.CheckConstraint(
                name="fee_notice_period_order",
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
            ),
            models.CheckConstraint(
                name="fee_notice_report_has_author",
                condition=~Q(kind=PROVIDER_REPORT) | Q(reported_by__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "-changed_at"], name="fee_notice_by_municipality"),
            models.Index(
                fields=["municipality", "-changed_at"],
                condition=Q(handled_at__isnull=True),
                name="fee_notice_unhandled",
            ),
        ]

    @property
    def is_handled(self) -> bool:
        return self.handled_at is not None

    @property
    def hours_text(self) -> str:
        """ "4 timmar per månad (ej i timmar: Trygghetslarm)"; "" when not computed."""
        if self.hours_per_month is None:
            return ""
        uncounted = tuple(name for name in self.uncounted.split(", ") if name)
        return hours_text(Hours(Decimal(self.hours_per_month), uncounted))

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_from:%Y-%m-%d} ({self.order_id})"


class FeeScan(models.Model):
    """How far the collection of fee notices has read a municipality's order events: every
    event with a higher id is read again at the next collection (`services.SCAN_LAG`)."""

    municipality = models.OneToOneField(
        "access.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    last_event_id = models.BigIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "insamling av avgiftsmeddelanden"
        verbose_name_plural = "insamlingar av avgiftsmeddelanden"

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.last_event_id}"
