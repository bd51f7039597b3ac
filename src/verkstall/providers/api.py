"""API for providers (read-only here; contracts and capacity come with R2)."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from verkstall.core.errors import NotFound

from . import selectors
from .models import Provider, ProviderUnit


class ProviderUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProviderUnit
        fields = ["id", "name", "manager_name", "phone"]


class ProviderSerializer(serializers.ModelSerializer):
    units = ProviderUnitSerializer(many=True, read_only=True)

    class Meta:
        model = Provider
        fields = ["id", "name", "is_connected", "channel", "email", "fax", "phone", "units"]


class ProviderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProviderSerializer

    def get_queryset(self):
        return selectors.providers_for(self.request.user)

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (Provider.DoesNotExist, ValueError):
            raise NotFound("Utföraren finns inte.") from None
