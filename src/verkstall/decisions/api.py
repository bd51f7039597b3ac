"""API for decisions and the service catalogue (SPEC R1.2)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateField
from verkstall.core.errors import NotFound
from verkstall.people.selectors import get_person

from . import selectors, services
from .models import Decision, GrantedService, ScopeUnit, ServiceType


class ServiceTypeSerializer(OutputModelSerializer):
    class Meta:
        model = ServiceType
        fields = ["id", "code", "name", "kind", "law", "lov", "queued", "unassessed"]


class GrantedServiceSerializer(OutputModelSerializer):
    service_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service_type_name = serializers.CharField(source="service_type.name", read_only=True)

    class Meta:
        model = GrantedService
        fields = [
            "id",
            "service_type",
            "service_type_name",
            "scope_amount",
            "scope_unit",
            "frequency",
            "valid_from",
            "valid_to",
        ]


class DecisionSerializer(OutputModelSerializer):
    services = GrantedServiceSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "person", "unit", "officer", "decided_on", "assessment_summary", "services"]


class GrantedServiceInput(serializers.Serializer):
    service_type = serializers.CharField(help_text="Service type code, e.g. hemtjanst-omvardnad.")
    scope_amount = serializers.DecimalField(max_digits=7, decimal_places=2)
    scope_unit = serializers.ChoiceField(choices=ScopeUnit.choices)
    frequency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    valid_from = BoundedDateField(required=False, allow_null=True)
    valid_to = BoundedDateField(required=False, allow_null=True)


class DecisionCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    decided_on = BoundedDateField()
    assessment_summary = serializers.CharField(required=False, allow_blank=True)
    services = GrantedServiceInput(many=True)


class DecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DecisionSerializer

    def get_queryset(self):
        qs = selectors.decisions_for(self.request.user).order_by("-decided_on", "-id")
        person = self.request.query_params.get("person")
        if person and person.isdigit():
            qs = qs.filter(person_id=person)
        return qs

    def get_object(self):
        return selectors.get_decision(self.request.user, self.kwargs["pk"])

    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer})
    def create(self, request):
        data = DecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            person = get_person(request.user, values.pop("person"))
        except NotFound:
            return Response({"person": ["Okänd klient."]}, status=status.HTTP_400_BAD_REQUEST)
        decision = services.record_decision(request.user, person=person, **values)
        return Response(
            DecisionSerializer(selectors.get_decision(request.user, decision.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ServiceTypeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ServiceTypeSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.service_types()
