"""API for implementation plans (SPEC R5): read, scoped by selectors; confirm receipt; the
plan shared with the person, or why not (R5.2)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.concurrency_api import VersionedViewSet, version_field
from verkstall.core.date_fields import BoundedDateField, BoundedDateTimeField
from verkstall.core.errors import NotFound
from verkstall.orders.models import ReplyChannel

from . import selectors, services, sharing_selectors
from .models import ImplementationPlan, PlanGoal
from .sharing_services import MAX_TEXT, SHARE_METHODS, share_plan
from .version_selectors import PLAN_VERSIONING


class PlanGoalSerializer(OutputModelSerializer):
    goal_text = serializers.CharField(source="goal.text", read_only=True)

    class Meta:
        model = PlanGoal
        fields = ["goal", "goal_text", "how"]


class PlanSharingSerializer(serializers.Serializer):
    """The plan version's latest registration of being shared with the person (R5.2)."""

    shared = serializers.BooleanField()
    shared_on = BoundedDateField(allow_null=True)
    method = serializers.CharField(help_text="in_person, representative, post, email, other")
    reason = serializers.CharField(help_text="Why it was not shared, when it was not.")
    note = serializers.CharField()
    recorded_at = BoundedDateTimeField()


class PlanSerializer(OutputModelSerializer):
    has_document = serializers.SerializerMethodField()
    sharing = serializers.SerializerMethodField(
        help_text="Whether the version was shared with the person, when and how, or why not "
        "(R5.2); null until the provider registers it."
    )
    goals = PlanGoalSerializer(
        source="goal_entries",
        many=True,
        read_only=True,
        help_text="How the plan addresses each goal of the decision (seed 002).",
    )
    # Plain text in the schema: "status" enums of other components would collide by name.
    status = serializers.CharField(read_only=True, help_text="draft, sent eller confirmed")
    # Empty when the plan has no document: an enum of the three kinds would not admit it.
    document_kind = serializers.CharField(read_only=True, help_text="pdf, docx, odt or empty")
    lock_version = version_field()

    class Meta:
        model = ImplementationPlan
        fields = [
            "id",
            "lock_version",
            "order",
            "version",
            "status",
            "what",
            "how",
            "when",
            "by_whom",
            "participation",
            "revision_reason",
            "sharing",
            "goals",
            "has_document",
            "document_kind",
            "begun_at",
            "sent_at",
            "confirmed_at",
            "reviewed_at",
        ]
        read_only_fields = fields

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)

    @extend_schema_field(PlanSharingSerializer(allow_null=True))
    def get_sharing(self, obj) -> dict | None:
        sharings = self.context.get("sharings")
        if sharings is None:  # one plan: its order's registrations
            sharings = sharing_selectors.sharings_of_orders([obj.order_id])
        sharing = sharings.get(obj.pk)
        return PlanSharingSerializer(sharing.as_dict()).data if sharing else None


class PlanShareSerializer(serializers.Serializer):
    shared = serializers.BooleanField(
        help_text="true: the plan was shared with the person (give shared_on and method); "
        "false: it was not (give reason)."
    )
    shared_on = BoundedDateField(required=False, allow_null=True)
    method = serializers.ChoiceField(
        choices=list(SHARE_METHODS.items()), required=False, allow_blank=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices,
        required=False,
        help_text="How the provider's report came in, when registered for a provider not "
        "connected (R3.3).",
    )


class PlanConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    state = serializers.CharField(help_text="The plan's status.")
    action = serializers.CharField()
    allowed_actions = serializers.ListField(child=serializers.CharField())


class PlanViewSet(
    VersionedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = PlanSerializer
    # `version` is the plan's revision (R5.3); `lock_version` and the ETag its concurrency.
    versioning = PLAN_VERSIONING

    def get_queryset(self):
        qs = selectors.plans_for(self.request.user)
        order = self.request.query_params.get("order")
        if order and order.isdigit():
            qs = qs.filter(order_id=int(order))
        return qs

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (ImplementationPlan.DoesNotExist, ValueError):
            raise NotFound("Planen finns inte eller så saknar du behörighet.") from None

    @extend_schema(
        request=None,
        responses={
            200: PlanSerializer,
            409: OpenApiResponse(
                response=PlanConflictSerializer, description="Only a sent plan can be confirmed."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        plan = services.confirm_plan(request.user, self.get_object())
        return Response(PlanSerializer(plan).data)

    def list(self, request, *args, **kwargs):
        """The plans, with each version's sharing read for the whole page in one query."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = self.get_serializer_context()
        context["sharings"] = sharing_selectors.sharings_of_orders({p.order_id for p in rows})
        data = PlanSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        request=PlanShareSerializer,
        responses={
            200: PlanSerializer,
            409: OpenApiResponse(
                response=PlanConflictSerializer,
                description="A draft is not shared: only a sent plan is; or the order is over.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """The provider registers that the plan was shared with the person, when and how, or
        why not (R5.2): recorded in the order's history (PLAN_SHARED)."""
        plan = self.get_object()
        given = PlanShareSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        share_plan(request.user, plan, **given.validated_data)
        return Response(PlanSerializer(self.get_object()).data)
