"""Reads of decisions, scoped (verkstall.access.scoping)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from verkstall.core.errors import NotFound

from .correction_services import change_lines
from .models import Decision, DecisionCorrection, DecisionGoal, GrantedService, ServiceType
from .scoping import decision_scope


def decisions_for(user) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(decision_scope(user))
        .select_related("person", "officer")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=GrantedService.objects.select_related("service_type").order_by("id"),
            ),
            Prefetch("goals", queryset=DecisionGoal.objects.order_by("position", "id")),
        )
    )


def get_decision(user, pk) -> Decision:
    try:
        return decisions_for(user).get(pk=pk)
    except (Decision.DoesNotExist, ValueError, TypeError):
        raise NotFound("Beslutet finns inte eller så saknar du behörighet.") from None


def may_correct(user, decision: Decision) -> bool:
    """The officers of the decision's unit correct it and read its corrections (R1.1)."""
    return bool(user.is_officer and user.unit_id == decision.unit_id)


def decision_corrections(user, decision: Decision) -> QuerySet[DecisionCorrection]:
    """The corrections of a decision already fetched through `get_decision`, oldest first:
    for the officers of its unit only (none for anyone else)."""
    rows = DecisionCorrection.objects.filter(decision=decision).select_related("corrected_by")
    if not may_correct(user, decision):
        return rows.none()
    return rows.order_by("corrected_at", "id")


def correction_history(user, decision: Decision) -> list[dict]:
    """The corrections as shown on the decision's page: who, when, why, and each change's
    label, old and new value (R1.1)."""
    names = {s.pk: s.service_type.name for s in decision.services.all()}
    return [
        {"correction": c, "lines": change_lines(c.changes, names)}
        for c in decision_corrections(user, decision)
    ]


def service_types() -> QuerySet[ServiceType]:
    """The shared catalogue; not personal data, so every signed-in user may read it."""
    return ServiceType.objects.filter(active=True).order_by("name")
