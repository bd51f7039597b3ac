"""Writes of areas, providers and provider units (set-up; contracts and capacity come with R2)."""

from __future__ import annotations

from django.db import transaction

from verkstall.core.errors import ValidationFailed

from .models import Area, Channel, Provider, ProviderUnit


@transaction.atomic
def ensure_area(*, municipality, name: str) -> Area:
    return Area.objects.get_or_create(municipality=municipality, name=name)[0]


@transaction.atomic
def ensure_provider(
    *, municipality, name: str, is_connected: bool, channel: str, **contact
) -> Provider:
    """A provider; one that is not connected must have fax, post or e-mail as channel (R3.3)."""
    if is_connected and channel != Channel.SYSTEM:
        raise ValidationFailed({"channel": "En ansluten utförare får beställningar i systemet."})
    if not is_connected and channel == Channel.SYSTEM:
        raise ValidationFailed({"channel": "Ange fax, post eller e-post för en ej ansluten."})
    return Provider.objects.get_or_create(
        municipality=municipality,
        name=name,
        defaults={"is_connected": is_connected, "channel": channel, **contact},
    )[0]


@transaction.atomic
def ensure_provider_unit(*, provider: Provider, name: str, manager_name: str = "") -> ProviderUnit:
    return ProviderUnit.objects.get_or_create(
        municipality=provider.municipality,
        provider=provider,
        name=name,
        defaults={"manager_name": manager_name},
    )[0]
