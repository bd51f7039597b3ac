"""Follow-ups (uppföljningar), SPEC R6.

The officer asks the provider how it is going (R6.1), the provider answers, and the officer
records the follow-up with its outcome (R6.3). An order has at most one open follow-up; each
step is also an order event (followup.requested / .answered / .done) that moves the clocks.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from verkstall.core import clock


class Outcome(models.TextChoices):
    UNCHANGED = "unchanged", "Oförändrad insats"
    REASSESSMENT = "reassessment", "Ny prövning (omprövning)"
    NEW_DECISION = "new_decision", "Nytt beslut"


class FollowUp(models.Model):
    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="followups")
    requested_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField("läget efterfrågat", null=True, blank=True)
    question = models.TextField("fråga till utföraren", blank=True)
    answer = models.TextField("utförarens svar", blank=True)
    answered_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("besvarad", null=True, blank=True)
    on_behalf_of = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the municipality registered the answer for a provider not connected.",
    )
    done_by = models.ForeignKey(
        "access.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField("uppföljd", null=True, blank=True)
    outcome = models.CharField("utfall", max_length=20, choices=Outcome.choices, blank=True)
    notes = models.TextField("anteckningar", blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "uppföljning"
        verbose_name_plural = "uppföljningar"
        ordering = ["order", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(done_at__isnull=True), name="followup_one_open"
            ),
            models.CheckConstraint(
                name="followup_done_has_outcome",
                condition=Q(done_at__isnull=True) | ~Q(outcome=""),
            ),
            models.CheckConstraint(
                name="followup_answer_after_request",
                condition=Q(answered_at__isnull=True) | Q(requested_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "done_at"])]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def awaits_answer(self) -> bool:
        return self.requested_at is not None and self.answered_at is None and not self.is_done

    def __str__(self) -> str:
        return f"Uppföljning (beställning {self.order_id})"


class GoalAssessment(models.TextChoices):
    MET = "met", "Uppnått"
    PARTLY_MET = "partly_met", "Delvis uppnått"
    NOT_MET = "not_met", "Inte uppnått"


class GoalOutcome(models.Model):
    """How one goal of the decision was met, as the officer judged it at the follow-up (seed
    002 §Social dokumentation: "hur målen i beslutet har uppnåtts"; R6.3)."""

    municipality = models.ForeignKey("access.Municipality", on_delete=models.PROTECT)
    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="goal_outcomes")
    goal = models.ForeignKey(
        "decisions.DecisionGoal", on_delete=models.PROTECT, related_name="outcomes"
    )
    assessment = models.CharField("bedömning", max_length=20, choices=GoalAssessment.choices)
    note = models.TextField("kommentar", blank=True)

    class Meta:
        verbose_name = "måluppfyllelse"
        verbose_name_plural = "måluppfyllelse"
        ordering = ["followup", "goal__position", "goal_id"]
        constraints = [
            models.UniqueConstraint(fields=["followup", "goal"], name="goal_outcome_once"),
            models.CheckConstraint(
                name="goal_outcome_known_assessment",
                condition=Q(assessment__in=["met", "partly_met", "not_met"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_assessment_display()} (uppföljning {self.followup_id})"
