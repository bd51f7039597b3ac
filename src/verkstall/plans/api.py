"""API for implementation plans (SPEC R5): read, scoped by selectors; confirm receipt."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.errors import NotFound

from . import selectors, services
from .models import ImplementationPlan


class PlanSerializer(OutputModelSerializer):
    has_document = serializers.SerializerMethodField()
    # Plain text in the schema: "status" enums of other components would collide by name.
    status = serializers.CharField(read_only=True, help_text="draft, sent eller confirmed")
    # Empty when the plan has no document: an enum of the three kinds would not admit it.
    document_kind = serializers.CharField(read_only=True, help_text="pdf, docx, odt or empty")

    class Meta:
        model = ImplementationPlan
        fields = [
            "id",
            "order",
            "version",
            "status",
            "what",
            "how",
            "when",
            "by_whom",
            "participation",
            "revision_reason",
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


class PlanConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    state = serializers.CharField(help_text="The plan's status.")
    action = serializers.CharField()
    allowed_actions = serializers.ListField(child=serializers.CharField())


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanSerializer

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
