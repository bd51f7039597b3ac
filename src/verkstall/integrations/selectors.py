"""Reads of API clients, keys and webhook deliveries: a unit manager sees their provider's."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.models import ApiToken
from verkstall.access.roles import Role

from .models import ApiClient, WebhookDelivery, WebhookEndpoint


def clients_for(user) -> QuerySet[ApiClient]:
    if getattr(user, "role_enum", None) != Role.PROVIDER_MANAGER or user.provider_id is None:
        return ApiClient.objects.none()
    return ApiClient.objects.filter(provider_id=user.provider_id).select_related("user")


def keys_of(client: ApiClient) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=client.user_id).order_by("-created_at")


def endpoints_for(user) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client__in=clients_for(user)).select_related("client")


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 100) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.all()[:limit]
