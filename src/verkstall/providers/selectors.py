"""Reads of providers and areas, scoped to the user's municipality."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.scoping import NOTHING

from .models import Area, Provider


def providers_for(user) -> QuerySet[Provider]:
    """Providers of the user's municipality; a provider's own users see only their provider."""
    if not user.is_authenticated or user.municipality_id is None:
        return Provider.objects.filter(NOTHING)
    qs = Provider.objects.filter(municipality_id=user.municipality_id)
    if user.is_provider_user:
        qs = qs.filter(pk=user.provider_id)
    return qs.prefetch_related("units").order_by("name")


def areas_for(user) -> QuerySet[Area]:
    if not user.is_authenticated or user.municipality_id is None:
        return Area.objects.filter(NOTHING)
    return Area.objects.filter(municipality_id=user.municipality_id).order_by("name")
