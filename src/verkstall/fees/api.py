"""API of the fee notices (SPEC R9.3), as the fee officer's inbox and an order's fee page have
them. Thin: the selectors read through the order's scope, the services validate and write.

- `GET /api/fee-notices/` (`?handled=true|false`, `?order=<id>`): the notices the user may see,
  newest first; for the fee officer, the changes recorded since the last look are collected
  first, as the inbox does.
- `GET /api/fee-notices/{id}/`
- `POST /api/fee-notices/` (order, text, effective_from, effective_to, channel): the provider's
  own notice (the officer or fee officer for a provider not connected, R3.3).
- `POST /api/fee-notices/{id}/handle/` (note): the fee officer marks a notice handled.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateField
from verkstall.core.errors import NotFound, ValidationFailed
from verkstall.core.openapi import AutoSchema
from verkstall.orders.models import ReplyChannel
from verkstall.orders.selectors import get_order

from . import selectors, services
from .models import FeeNotice

MAX_ID = 2**63 - 1
RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="Your role may not do this."),
    404: OpenApiResponse(description="No such notice or order, or not yours to see."),
    409: OpenApiResponse(description="The notice was handled already."),
}
FILTERS = [
    OpenApiParameter("order", int, description="Only this order's notices (id)."),
    OpenApiParameter(
        "handled", bool, description="true: only handled notices; false: only those to handle."
    ),
]


class FeeNoticeSerializer(OutputModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    provider_name = serializers.CharField(source="order.provider.name", read_only=True)
    reported_by_name = serializers.SerializerMethodField()
    on_behalf_of_name = serializers.CharField(
        source="on_behalf_of.name", default=None, allow_null=True, read_only=True
    )
    handled = serializers.BooleanField(source="is_handled", read_only=True)
    handled_by_name = serializers.SerializerMethodField()

    class Meta:
        model = FeeNotice
        fields = [
            "id",
            "order",
            "person",
            "person_name",
            "provider_name",
            "kind",
            "kind_label",
            "text",
            "effective_from",
            "effective_to",
            "hours_per_month",
            "uncounted",
            "reported_by",
            "reported_by_name",
            "reported_by_organisation",
            "on_behalf_of",
            "on_behalf_of_name",
            "channel",
            "changed_at",
            "created_at",
            "handled",
            "handled_at",
            "handled_by",
            "handled_by_name",
            "handled_note",
        ]

    def get_reported_by_name(self, notice) -> str | None:
        user = notice.reported_by
        return (user.get_full_name() or user.username) if user else None

    def get_handled_by_name(self, notice) -> str | None:
        user = notice.handled_by
        return (user.get_full_name() or user.username) if user else None


#: What the fee officer alone reads: the fee-bearing hours (summed over every provider's
#: orders of the client) and how the notice was handled.
FEE_OFFICE_FIELDS = (
    "hours_per_month",
    "uncounted",
    "handled_by",
    "handled_by_name",
    "handled_note",
)


class ProviderFeeNoticeSerializer(FeeNoticeSerializer):
    """A notice as the order's provider reads it: what changed and whether it was handled, not
    the fee officer's note nor the client's hours with other providers (R9.3, R10.4)."""

    class Meta(FeeNoticeSerializer.Meta):
        fields = [f for f in FeeNoticeSerializer.Meta.fields if f not in FEE_OFFICE_FIELDS]


def output_serializer(user):
    provider = getattr(user, "role_enum", None) in PROVIDER_ROLES
    return ProviderFeeNoticeSerializer if provider else FeeNoticeSerializer


class FeeNoticeCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    text = serializers.CharField(max_length=services.TEXT_LENGTH, help_text="What changed.")
    effective_from = BoundedDateField(help_text="The first day the change affects the fee.")
    effective_to = BoundedDateField(required=False, allow_null=True, help_text="Its last day.")
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices,
        required=False,
        help_text="How the provider's notice came in, when the municipality registers it for "
        "a provider not connected (R3.3).",
    )


class HandleSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=services.NOTE_LENGTH)


def _filtered(queryset, params):
    order = params.get("order")
    if order not in (None, ""):
        if not order.isdigit() or int(order) > MAX_ID:
            raise ValidationFailed({"order": "Ange beställningens id."})
        queryset = queryset.filter(order_id=int(order))
    handled = params.get("handled")
    if handled not in (None, ""):
        if handled not in ("true", "false"):
            raise ValidationFailed({"handled": "Ange true eller false."})
        queryset = queryset.filter(handled_at__isnull=handled == "false")
    return queryset


class _AnswerByRole(AutoSchema):
    """The answer to a create or a handle documented as the caller's role reads it, like the
    list's and the detail's: a provider's lacks the fee office's fields (R10.4)."""

    def get_response_serializers(self):
        action = getattr(self.view, "action", None)
        if action in ("create", "handle"):
            request = getattr(self.view, "request", None)
            answer = output_serializer(getattr(request, "user", None))
            return {201 if action == "create" else 200: answer, **RESPONSES}
        return super().get_response_serializers()


class FeeNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fee notices: changes that affect a client's fee, for the fee officer (R9.3)."""

    schema = _AnswerByRole()

    def get_queryset(self):
        return _filtered(selectors.notices_for(self.request.user), self.request.query_params)

    def get_serializer_class(self):
        if self.action == "create":
            return FeeNoticeCreateSerializer
        if self.action == "handle":
            return HandleSerializer
        return output_serializer(self.request.user)

    def get_object(self):
        return selectors.get_notice(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        user = request.user
        if user.role_enum == Role.FEE_OFFICER and user.municipality_id is not None:
            services.collect_fee_notices(municipality=user.municipality)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FeeNoticeCreateSerializer)
    def create(self, request):
        """The provider's own notice of a change the system cannot see (R9.3)."""
        data = FeeNoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            order = get_order(request.user, values.pop("order"))
        except NotFound:
            raise ValidationFailed(
                {"order": "Okänd beställning, eller så saknar du behörighet."}
            ) from None
        notice = services.report_fee_notice(request.user, order=order, **values)
        notice = selectors.get_notice(request.user, notice.pk)
        serializer = output_serializer(request.user)
        return Response(serializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HandleSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        """The fee officer has handled the notice, with an optional note (R9.3)."""
        notice = self.get_object()
        data = HandleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.handle_fee_notice(request.user, notice=notice, **data.validated_data)
        notice = selectors.get_notice(request.user, notice.pk)
        return Response(output_serializer(request.user)(notice).data)
