"""API of performed time (SPEC R9.2, R3.2): `/api/performed-time/`, scoped like orders (the
provider's own orders, the officer's unit's, the fee officer's municipality's). Thin: the
serializers check the shape, `services` the meaning; a month closed for payment refuses every
write with 409 (`month_closed`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateField
from verkstall.core.errors import NotFound, ValidationFailed
from verkstall.orders.models import ReplyChannel
from verkstall.orders.selectors import get_order

from . import selectors, services
from .basis_types import PerformedKind
from .models import PerformedTime

MAX_ID = 2**63 - 1
RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="You may see the order but not do this."),
    404: OpenApiResponse(description="No such object, or not yours to see."),
    409: OpenApiResponse(description="The month is closed for payment (month_closed)."),
}
KIND_HELP = (
    '"performed": performed time of respite, escort or special care (R9.2); "exceeded": time '
    "beyond an acute oral order, in the acute period (R3.2)."
)
CHANNEL_HELP = (
    "How the report came in, when the municipality registers for a provider not connected (R3.3)."
)


class PerformedTimeSerializer(OutputModelSerializer):
    person = serializers.IntegerField(source="order.person_id", read_only=True)
    person_name = serializers.CharField(source="order.person.full_name", read_only=True)
    service_type = serializers.CharField(source="granted_service.service_type.code", read_only=True)
    service_type_name = serializers.CharField(
        source="granted_service.service_type.name", read_only=True
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = PerformedTime
        fields = [
            "id",
            "order",
            "person",
            "person_name",
            "granted_service",
            "service_type",
            "service_type_name",
            "kind",
            "kind_label",
            "day",
            "hours",
            "note",
            "channel",
            "on_behalf_of",
            "registered_by",
            "registered_at",
            "changed_by",
            "changed_at",
        ]


class PerformedTimeCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    granted_service = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="One of the order's granted services."
    )
    kind = serializers.ChoiceField(
        choices=[k.value for k in PerformedKind],
        default=PerformedKind.PERFORMED.value,
        help_text=KIND_HELP,
    )
    day = BoundedDateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, help_text="0 < hours <= 24.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=CHANNEL_HELP
    )


class PerformedTimeChangeSerializer(serializers.Serializer):
    day = BoundedDateField(required=False)
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=CHANNEL_HELP
    )


def _order(user, pk):
    try:
        return get_order(user, pk)
    except NotFound:
        raise ValidationFailed(
            {"order": "Okänd beställning, eller så saknar du behörighet."}
        ) from None


class PerformedTimeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Performed time per day of the orders the user may see (R9.2), and the exceeded time of
    an acute oral order (R3.2). The provider registers, changes and removes it until the
    municipality closes the month; the officer or fee officer does so for a provider that is
    not connected, giving `channel` (R3.3)."""

    def get_queryset(self):
        rows = selectors.performed_time_for(self.request.user)
        order = self.request.query_params.get("order")
        if order in (None, ""):
            return rows
        if not order.isdigit() or int(order) > MAX_ID:
            raise ValidationFailed({"order": "Ange beställningens id."})
        return rows.filter(order_id=int(order))

    def get_serializer_class(self):
        if self.action == "create":
            return PerformedTimeCreateSerializer
        if self.action in ("update", "partial_update"):
            return PerformedTimeChangeSerializer
        return PerformedTimeSerializer

    def get_object(self):
        return selectors.get_performed_time(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("order", int, description="Only this order's.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=PerformedTimeCreateSerializer,
        responses={201: PerformedTimeSerializer, **RESPONSES},
    )
    def create(self, request):
        data = PerformedTimeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        order = _order(request.user, values.pop("order"))
        entry = services.register_performed_time(request.user, order=order, **values)
        entry = selectors.get_performed_time(request.user, entry.pk)
        return Response(PerformedTimeSerializer(entry).data, status=status.HTTP_201_CREATED)

    def _change(self, request, *, partial: bool):
        entry = self.get_object()
        data = PerformedTimeChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "hours" not in values:
            if not partial:
                raise ValidationFailed({"hours": "Ange timmar."})
            values["hours"] = entry.hours
        entry = services.change_performed_time(request.user, entry, **values)
        entry = selectors.get_performed_time(request.user, entry.pk)
        return Response(PerformedTimeSerializer(entry).data)

    @extend_schema(
        request=PerformedTimeChangeSerializer,
        responses={200: PerformedTimeSerializer, **RESPONSES},
    )
    def update(self, request, pk=None):
        """Change an entry's hours (and day, comment) while its month is open."""
        return self._change(request, partial=False)

    @extend_schema(
        request=PerformedTimeChangeSerializer,
        responses={200: PerformedTimeSerializer, **RESPONSES},
    )
    def partial_update(self, request, pk=None):
        return self._change(request, partial=True)

    @extend_schema(responses={204: None, **RESPONSES})
    def destroy(self, request, pk=None):
        """Remove an entry registered by mistake while its month is open."""
        services.remove_performed_time(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
