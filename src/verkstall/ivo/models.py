"""The quarterly report of decisions not carried out, to IVO (SPEC R9.5).

A report is made per municipality and quarter. Its cases are granted services whose decision
was not carried out within the municipality's IVO limit (three months, the rule profile's
`ivo-ej-verkstallt`): reported as new once, again each quarter while still waiting, and once
more when carried out or ended (waits.py). The facts of a case are a snapshot taken when the
report was made or last brought up to date, so a report sent to IVO says what was sent.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.core import clock

from .quarters import Quarter
from .waits import KIND_LABELS, ONCE, Kind


class IvoReport(models.Model):
    """One municipality's report for one quarter: a draft until it is marked as sent."""

    municipality = models.ForeignKey(
        "access.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.CharField("kvartal", max_length=6, help_text="E.g. 2026Q3.")
    created_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("skapad", default=clock.now)
    refreshed_at = models.DateTimeField("uppdaterad", default=clock.now)
    submitted_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("inskickad till IVO", null=True, blank=True)

    class Meta:
        verbose_name = "IVO-rapport"
        verbose_name_plural = "IVO-rapporter"
        ordering = ["-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "quarter"], name="ivo_report_one_per_quarter"
            ),
            models.CheckConstraint(
                name="ivo_report_quarter_format", condition=Q(quarter__regex=r"^[0-9]{4}Q[1-4]$")
            ),
            models.CheckConstraint(
                name="ivo_report_submitted_by_someone",
                condition=Q(submitted_at__isnull=True) | Q(submitted_by__isnull=False),
            ),
        ]

    @property
    def period(self) -> Quarter:
        return Quarter.parse(self.quarter)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def __str__(self) -> str:
        return f"IVO-rapport {self.period.label}"


class IvoReportCase(models.Model):
    """One granted service in one report: new, continued or the follow-up (waits.Kind)."""

    municipality = models.ForeignKey(
        "access.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    report = models.ForeignKey(IvoReport, on_delete=models.CASCADE, related_name="cases")
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, related_name="+")
    granted_service = models.ForeignKey(
        "decisions.GrantedService", on_delete=models.PROTECT, related_name="ivo_cases"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        "ärendetyp", max_length=10, choices=[(k.value, KIND_LABELS[k]) for k in Kind]
    )
    decided_on = models.DateField("beslutsdatum")
    due_on = models.DateField("sista dag inom tre månader")
    carried_out_on = models.DateField("verkställt", null=True, blank=True)
    ended_on = models.DateField("avslutat utan att verkställas", null=True, blank=True)
    offered_on = models.DateField("senaste erbjudande", null=True, blank=True)
    offer_declined = models.BooleanField("erbjudandet avböjt", default=False)
    days_waited = models.PositiveIntegerField("dagar från beslut")
    serial = models.PositiveSmallIntegerField(
        "löpnummer i T-numret",
        default=0,
        help_text="The two free digits of the person's IVO number (ivo.identity), the same in "
        "every case of the person and unique among the municipality's persons of the same "
        "birth date and sex.",
    )
    reason = models.TextField("skäl till dröjsmålet", blank=True)
    reason_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason_at = models.DateTimeField("skäl angivet", null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "IVO-ärende"
        verbose_name_plural = "IVO-ärenden"
        ordering = ["decided_on", "id"]
        constraints = [
            # Nothing reported twice (R9.5): new once, the follow-up once, across all reports;
            # a service is in one report at most once.
            models.UniqueConstraint(
                fields=["granted_service", "kind"],
                condition=Q(kind__in=[k.value for k in ONCE]),
                name="ivo_case_new_and_followup_once",
            ),
            models.UniqueConstraint(
                fields=["report", "granted_service"], name="ivo_case_once_per_report"
            ),
            models.CheckConstraint(
                name="ivo_case_known_kind", condition=Q(kind__in=[k.value for k in Kind])
            ),
            models.CheckConstraint(
                name="ivo_case_one_outcome",
                condition=Q(carried_out_on__isnull=True) | Q(ended_on__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "granted_service"])]

    def __str__(self) -> str:
        return f"IVO-ärende {self.pk} ({self.get_kind_display()})"
