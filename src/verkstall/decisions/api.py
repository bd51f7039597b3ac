"""API for decisions and the service catalogue (SPEC R1.2)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.concurrency_api import VersionedViewSet, version_field
from verkstall.core.date_fields import BoundedDateField
from verkstall.core.errors import NotFound
from verkstall.people.selectors import get_person

from . import correction_services, selectors, services
from .goal_texts import MAX_GOAL_LENGTH, MAX_GOALS
from .models import (
    Decision,
    DecisionCorrection,
    DecisionGoal,
    GrantedService,
    ScopeUnit,
    ServiceType,
)
from .version_selectors import DECISION_VERSIONING


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


class DecisionGoalSerializer(OutputModelSerializer):
    class Meta:
        model = DecisionGoal
        fields = ["id", "position", "text"]


class DecisionSerializer(OutputModelSerializer):
    services = GrantedServiceSerializer(many=True, read_only=True)
    goals = DecisionGoalSerializer(
        many=True, read_only=True, help_text="The goals of the decision (seed 002)."
    )
    lock_version = version_field()

    class Meta:
        model = Decision
        fields = [
            "id",
            "lock_version",
            "person",
            "unit",
            "officer",
            "decided_on",
            "assessment_summary",
            "services",
            "goals",
        ]


class DecisionCorrectionSerializer(OutputModelSerializer):
    changes = serializers.DictField(
        child=serializers.ListField(),
        read_only=True,
        help_text='Field -> [old, new] as text: "decided_on", "assessment_summary", "goals" '
        '(lists of texts), "services.<id>.<field>".',
    )

    class Meta:
        model = DecisionCorrection
        fields = ["id", "decision", "changes", "reason", "corrected_by", "corrected_at"]


def goal_list(**kwargs):
    return serializers.ListField(
        child=serializers.CharField(max_length=MAX_GOAL_LENGTH, allow_blank=True),
        max_length=MAX_GOALS,
        help_text="The goals of the decision, one text each (seed 002).",
        **kwargs,
    )


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
    goals = goal_list(required=False)
    iub_request = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The request for a service without needs assessment (IUB) this decision "
        "grants (R1.3); it then points at the decision.",
    )


class ServiceCorrectionInput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The granted service of the decision to correct.")
    scope_amount = serializers.DecimalField(max_digits=7, decimal_places=2, required=False)
    scope_unit = serializers.ChoiceField(choices=ScopeUnit.choices, required=False)
    frequency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    valid_from = BoundedDateField(required=False)
    valid_to = BoundedDateField(required=False, allow_null=True)


class DecisionCorrectSerializer(serializers.Serializer):
    """What to correct (R1.1): only the fields given are looked at."""

    reason = serializers.CharField(max_length=2000, help_text="Why the decision is corrected.")
    decided_on = BoundedDateField(required=False)
    assessment_summary = serializers.CharField(required=False, allow_blank=True)
    goals = goal_list(required=False)
    services = ServiceCorrectionInput(many=True, required=False)


class DecisionViewSet(
    VersionedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = DecisionSerializer
    versioning = DECISION_VERSIONING  # ETag and If-Match (core/concurrency_api.py, issue 18)

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

    @extend_schema(
        request=None,
        responses={200: DecisionCorrectionSerializer(many=True)},
        description="The decision's corrections, oldest first (R1.1): for the officers of its "
        "unit.",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def corrections(self, request, pk=None):
        decision = self.get_object()
        rows = selectors.decision_corrections(request.user, decision)
        if not selectors.may_correct(request.user, decision):
            return Response(
                {"detail": "Endast handläggare på beslutets enhet ser rättelserna."},
                status=status.HTTP_403_FORBIDDEN,
            )
        return Response(DecisionCorrectionSerializer(rows, many=True).data)

    @extend_schema(
        request=DecisionCorrectSerializer,
        responses={201: DecisionCorrectionSerializer},
        description="Correct a registered decision (R1.1): its date, assessment, goals, and a "
        "granted service's scope, frequency and validity, with a reason. Kept in the "
        "decision's history; the providers of its orders are told what changed.",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        decision = self.get_object()
        data = DecisionCorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = correction_services.correct_decision(
            request.user, decision, **data.validated_data
        )
        return Response(
            DecisionCorrectionSerializer(correction).data, status=status.HTTP_201_CREATED
        )


class ServiceTypeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ServiceTypeSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.service_types()
