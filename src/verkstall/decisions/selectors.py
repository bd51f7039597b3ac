"""Reads of decisions, scoped (verkstall.access.scoping)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from verkstall.core.errors import NotFound

from .models import Decision, GrantedService, ServiceType
from .scoping import decision_scope


def decisions_for(user) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(decision_scope(user))
        .select_related("person", "officer")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=GrantedService.objects.select_related("service_type").order_by("id"),
            )
        )
    )


def get_decision(user, pk) -> Decision:
    try:
        return decisions_for(user).get(pk=pk)
    except (Decision.DoesNotExist, ValueError, TypeError):
        raise NotFound("Beslutet finns inte eller så saknar du behörighet.") from None


def service_types() -> QuerySet[ServiceType]:
    """The shared catalogue; not personal data, so every signed-in user may read it."""
    return ServiceType.objects.filter(active=True).order_by("name")
