"""Service types, decisions and the services they grant (SPEC R1.2)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from verkstall.core import clock
from verkstall.core.concurrency import Versioned

from .catalogue import KIND_LABELS, LSS, SOL, ServiceKind


class ServiceType(models.Model):
    """A kind of service (insats) from the catalogue; shared by all municipalities."""

    code = models.SlugField("kod", max_length=50, unique=True)
    name = models.CharField("namn", max_length=120)
    kind = models.CharField(
        "slag", max_length=30, choices=[(k.value, KIND_LABELS[k]) for k in ServiceKind]
    )
    law = models.CharField("lag", max_length=3, choices=[(SOL, SOL), (LSS, LSS)])
    lov = models.BooleanField("LOV gäller", default=False)
    queued = models.BooleanField("via kö", default=False)
    unassessed = models.BooleanField("utan behovsprövning (IUB)", default=False)
    active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "insatstyp"
        verbose_name_plural = "insatstyper"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Decision(Versioned):
    """A decision (beslut) granting one or more services to a person."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    unit = models.ForeignKey("access.Unit", on_delete=models.PROTECT, related_name="decisions")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="decisions")
    officer = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="decisions")
    decided_on = models.DateField("beslutsdatum")
    assessment_summary = models.TextField(
        "utredning (underlag för beställningen)",
        blank=True,
        help_text="The assessment behind the decision; the basis of the order document (R3.1).",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "beslut"
        verbose_name_plural = "beslut"
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["municipality", "person"])]

    def __str__(self) -> str:
        return f"Beslut {self.decided_on:%Y-%m-%d} ({self.person})"


class ScopeUnit(models.TextChoices):
    HOURS_PER_MONTH = "hours_per_month", "timmar per månad"
    VISITS_PER_DAY = "visits_per_day", "besök per dag"
    VISITS_PER_WEEK = "visits_per_week", "besök per vecka"
    VISITS_PER_MONTH = "visits_per_month", "besök per månad"
    DAYS_PER_WEEK = "days_per_week", "dagar per vecka"
    PLACE = "place", "plats"


class GrantedService(models.Model):
    """One granted service of a decision: type, scope, frequency and validity."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="services")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT)
    scope_amount = models.DecimalField("omfattning", max_digits=7, decimal_places=2)
    scope_unit = models.CharField("enhet", max_length=20, choices=ScopeUnit.choices)
    frequency = models.CharField(
        "frekvens", max_length=200, blank=True, help_text="E.g. 'morgon och kväll'."
    )
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)

    class Meta:
        verbose_name = "beviljad insats"
        verbose_name_plural = "beviljade insatser"
        # In the order they were granted, wherever they are listed (documents, letters, API):
        # without it PostgreSQL may return them in a different order from one read to the next.
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="granted_service_validity_order",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
            models.CheckConstraint(
                name="granted_service_positive_scope", condition=Q(scope_amount__gt=0)
            ),
        ]

    @property
    def scope_text(self) -> str:
        amount = format(self.scope_amount.normalize(), "f").replace(".", ",")
        return f"{amount} {self.get_scope_unit_display()}"

    def __str__(self) -> str:
        return f"{self.service_type.name}, {self.scope_text}"


class DecisionGoal(models.Model):
    """One goal of a decision (seed 002: "hur målen i beslutet har uppnåtts"): the plan and the
    follow-up record how each was met."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField("ordning", default=0)
    text = models.TextField("mål")

    class Meta:
        verbose_name = "mål i beslutet"
        verbose_name_plural = "mål i beslutet"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class DecisionCorrection(models.Model):
    """A correction of a registered decision (R1.1): what changed, from what to what, who and
    why. `changes` maps a field name to its old and new value as text: `{"decided_on":
    ["2026-03-01", "2026-03-02"]}`. The decision itself holds the corrected values."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="corrections")
    changes = models.JSONField("ändringar", default=dict)
    reason = models.TextField("skäl")
    corrected_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField("rättad", default=clock.now)

    class Meta:
        verbose_name = "rättelse av beslut"
        verbose_name_plural = "rättelser av beslut"
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"Rättelse av {self.decision} ({self.corrected_at:%Y-%m-%d})"


class IubRequest(models.Model):
    """A request for a service without needs assessment (IUB, R1.3, seed 002 §IUB): who asked,
    when, and the first case officer, who takes it. The decision that grants it, once made,
    points back here; the two-yearly new request (R6.2) hangs on the order it led to."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    unit = models.ForeignKey("access.Unit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="iub_requests"
    )
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asked_by = models.CharField(
        "vem som frågade", max_length=200, help_text="The person or who asked for them."
    )
    asked_on = models.DateField("förfrågan gjord")
    channel = models.CharField("hur förfrågan kom", max_length=30, blank=True)
    note = models.TextField("anteckning", blank=True)
    first_officer = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, related_name="+", verbose_name="första handläggare"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="iub_requests"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "förfrågan om IUB"
        verbose_name_plural = "förfrågningar om IUB"
        ordering = ["-asked_on", "-id"]
        indexes = [models.Index(fields=["municipality", "person"])]

    def __str__(self) -> str:
        return f"Förfrågan om IUB {self.asked_on:%Y-%m-%d}"
