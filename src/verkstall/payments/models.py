"""Prices, performed time, month closes and the lines a close stored (SPEC R9.2, R9.4).

- `Price`: what the municipality pays per unit of a service type, for a period (R9.4); set by
  its LOV administrator. Two prices of one service type never overlap (services.py).
- `PerformedTime`: hours a provider registers for a day (R9.2): performed time of respite,
  escort and special care, or time beyond an acute oral order (R3.2). Changed until the month
  is closed, never after.
- `MonthClose`: the municipality closes a month for payment (R9.1, R9.4). It stores the
  month's basis as it was paid (`PaymentLine`, a snapshot with the names and personnummer the
  finance system got), and the profile's absence rule it was made by, so a closed month is
  never changed: later corrections become adjustment lines in the next open month.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from verkstall.core import clock

from .basis_types import LINE_KIND_LABELS, PRICE_UNIT_LABELS, LineKind, PerformedKind, PriceUnit


class Price(models.Model):
    """A price of one service type in one municipality, from `valid_from` (to `valid_to`)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    service_type = models.ForeignKey(
        "decisions.ServiceType", on_delete=models.PROTECT, related_name="+", verbose_name="insats"
    )
    unit = models.CharField(
        "prisenhet",
        max_length=20,
        choices=[(u.value, PRICE_UNIT_LABELS[u]) for u in PriceUnit],
    )
    amount = models.DecimalField("pris, kronor", max_digits=10, decimal_places=2)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till och med", null=True, blank=True)
    created_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("registrerat", default=clock.now, editable=False)
    ended_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField("avslutat", null=True, blank=True)

    class Meta:
        verbose_name = "pris"
        verbose_name_plural = "priser"
        ordering = ["service_type__name", "valid_from", "id"]
        indexes = [models.Index(fields=["municipality", "service_type", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                name="price_validity_order",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
            models.CheckConstraint(name="price_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} {self.amount} kr {self.get_unit_display()}"


class PerformedTime(models.Model):
    """Hours registered for one day of one granted service of an order (R9.2, R3.2)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="performed_time"
    )
    granted_service = models.ForeignKey(
        "decisions.GrantedService", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        "slag",
        max_length=10,
        choices=[
            (PerformedKind.PERFORMED.value, "Utförd tid"),
            (PerformedKind.EXCEEDED.value, "Överskriden tid vid akut muntlig beställning"),
        ],
        default=PerformedKind.PERFORMED.value,
    )
    day = models.DateField("dag")
    hours = models.DecimalField("timmar", max_digits=4, decimal_places=2)
    note = models.CharField("kommentar", max_length=500, blank=True)
    channel = models.CharField("kanal", max_length=10, blank=True)
    on_behalf_of = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("registrerad", default=clock.now, editable=False)
    changed_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField("ändrad", null=True, blank=True)

    class Meta:
        verbose_name = "utförd tid"
        verbose_name_plural = "utförd tid"
        ordering = ["-day", "-id"]
        indexes = [
            models.Index(fields=["municipality", "day"]),
            models.Index(fields=["order", "day"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "granted_service", "kind", "day"],
                name="performed_time_one_per_day",
            ),
            models.CheckConstraint(
                name="performed_time_hours_in_a_day",
                condition=Q(hours__gt=0) & Q(hours__lte=24),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h {self.day} ({self.order_id})"


class MonthClose(models.Model):
    """A month closed for payment by the municipality (R9.1, R9.4): one per month."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    period = models.DateField("månad", help_text="The month's first day.")
    closed_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("stängd", default=clock.now, editable=False)
    early = models.BooleanField(
        "stängd i förtid",
        default=False,
        help_text="Closed before the registration day had passed (R9.1), with a reason.",
    )
    reason = models.TextField("skäl att stänga i förtid", blank=True)
    absence_reasons = models.JSONField(
        "frånvaroorsaker som minskade ersättningen", default=list, blank=True
    )
    absence_paid_days = models.PositiveSmallIntegerField(
        "frånvarodagar som ersattes ändå", default=0
    )
    line_count = models.PositiveIntegerField("rader", default=0)
    total = models.DecimalField("summa, kronor", max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = "stängd månad"
        verbose_name_plural = "stängda månader"
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period"], name="month_close_once_per_month"
            ),
            models.CheckConstraint(name="month_close_first_day", condition=Q(period__day=1)),
            models.CheckConstraint(
                name="month_close_early_has_reason", condition=Q(early=False) | ~Q(reason="")
            ),
        ]

    @property
    def label(self) -> str:
        return f"{self.period:%Y-%m}"

    def __str__(self) -> str:
        return f"Stängd månad {self.label}"


class PaymentLine(models.Model):
    """One line of a closed month's basis, as it was paid (see payments.basis.Line)."""

    close = models.ForeignKey(MonthClose, on_delete=models.CASCADE, related_name="lines")
    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    seq = models.PositiveIntegerField()
    concerns = models.DateField("avser månad", help_text="The first day of the month paid for.")
    adjustment = models.BooleanField("justering", default=False)
    kind = models.CharField(
        "radtyp", max_length=20, choices=[(k.value, LINE_KIND_LABELS[k]) for k in LineKind]
    )
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    provider_name = models.CharField("utförare", max_length=160)
    service_type = models.ForeignKey(
        "decisions.ServiceType", on_delete=models.PROTECT, related_name="+"
    )
    service_type_code = models.CharField("insatskod", max_length=50)
    service_type_name = models.CharField("insats", max_length=120)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    personal_number = models.CharField("personnummer", max_length=13)
    person_name = models.CharField("namn", max_length=201)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    price = models.ForeignKey(
        Price, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.CharField("prisenhet", max_length=20, blank=True)
    unit_price = models.DecimalField(
        "á-pris", max_digits=10, decimal_places=2, null=True, blank=True
    )
    days = models.IntegerField("dagar")
    absence_days = models.IntegerField("frånvarodagar")
    quantity = models.DecimalField("antal", max_digits=14, decimal_places=4)
    amount = models.DecimalField("belopp", max_digits=14, decimal_places=2)
    note = models.TextField("notering", blank=True)
    flag = models.CharField("flagga", max_length=60, blank=True)
    trace = models.JSONField("spårning", default=dict, blank=True)

    class Meta:
        verbose_name = "ersättningsrad"
        verbose_name_plural = "ersättningsrader"
        ordering = ["close", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["close", "seq"], name="payment_line_unique_seq"),
        ]
        indexes = [models.Index(fields=["municipality", "concerns"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} kr ({self.order_id})"
