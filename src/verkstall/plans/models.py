"""Implementation plans (genomförandeplaner), SPEC R5.

Each revision is a new version; older versions are kept. The current plan of an order is the
latest version that was sent. The provider writes it (or the municipality on behalf of a
provider that is not connected); the officer of the order's unit confirms receipt (R5.4).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.core import clock
from verkstall.core.concurrency import Versioned

from .storage import document_storage


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Utkast"
    SENT = "sent", "Skickad"
    CONFIRMED = "confirmed", "Mottagen av handläggaren"


class DocumentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (DOCX)"
    ODT = "odt", "OpenDocument-text (ODT)"


def document_path(plan, filename: str) -> str:
    # The name is chosen by services.upload_document; never the uploader's (personnummer).
    return f"plans/{plan.municipality_id}/{filename}"


class ImplementationPlan(Versioned):
    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField("version")
    status = models.CharField(
        "status", max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    what = models.TextField("vad ska göras", blank=True)
    how = models.TextField("hur det ska göras", blank=True)
    when = models.TextField("när det ska göras", blank=True)
    by_whom = models.TextField("av vem", blank=True)
    participation = models.TextField(
        "den enskildes delaktighet",
        blank=True,
        help_text="How the person or their representative took part, or why not (R5.2).",
    )
    revision_reason = models.TextField("skäl till revidering", blank=True)
    document = models.FileField(
        "dokument", storage=document_storage, upload_to=document_path, blank=True, max_length=255
    )
    document_kind = models.CharField(max_length=10, choices=DocumentKind.choices, blank=True)
    document_size = models.PositiveIntegerField(null=True, blank=True)
    begun_at = models.DateTimeField("påbörjad")
    sent_at = models.DateTimeField("skickad", null=True, blank=True)
    confirmed_at = models.DateTimeField("bekräftad", null=True, blank=True)
    reviewed_at = models.DateTimeField("senast uppföljd", null=True, blank=True)
    created_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey("access.User", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the municipality registered the plan for a provider not connected.",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    #: Who saved last is no change of the plan (core/concurrency.py).
    lock_ignored = ("updated_at", "updated_by")

    class Meta:
        verbose_name = "genomförandeplan"
        verbose_name_plural = "genomförandeplaner"
        ordering = ["order", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["order", "version"], name="plan_unique_version"),
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="draft"), name="plan_one_draft_per_order"
            ),
            models.CheckConstraint(
                name="plan_sent_has_sent_at",
                condition=Q(status="draft") | Q(sent_at__isnull=False),
            ),
            models.CheckConstraint(
                name="plan_confirmed_has_confirmed_at",
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def has_content(self) -> bool:
        return any(s.strip() for s in (self.what, self.how, self.when, self.by_whom))

    @property
    def download_name(self) -> str:
        """The order's and version's numbers only, never the personnummer."""
        return f"genomforandeplan-{self.order_id}-v{self.version}.{self.document_kind}"

    def __str__(self) -> str:
        return f"Genomförandeplan version {self.version} (beställning {self.order_id})"


class PlanGoal(models.Model):
    """How a plan addresses one goal of the decision behind its order (seed 002 §Social
    dokumentation: "hur målen i beslutet har uppnåtts"; R5.2: what, how, when and by whom).
    A revision (a new version) starts from the previous version's entries."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    plan = models.ForeignKey(
        ImplementationPlan, on_delete=models.CASCADE, related_name="goal_entries"
    )
    goal = models.ForeignKey(
        "decisions.DecisionGoal", on_delete=models.PROTECT, related_name="plan_entries"
    )
    how = models.TextField("så arbetar vi mot målet")

    class Meta:
        verbose_name = "mål i genomförandeplanen"
        verbose_name_plural = "mål i genomförandeplanen"
        ordering = ["plan", "goal__position", "goal_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "goal"], name="plan_goal_once"),
        ]

    def __str__(self) -> str:
        return f"Mål i genomförandeplan {self.plan_id}"
