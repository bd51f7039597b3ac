"""API for cleaning and service on voucher (SPEC R4.2, routine 004): the vouchers issued and the
reports of the provider's report form (redovisningsblankett), as the order's voucher page has
them (vouchers/views.py). Thin: the selectors read through the order's scope, the services
validate and move the order.

The voucher letter as PDF stays on the screen (`vouchers/<id>.pdf`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateField
from verkstall.core.errors import NotFound, ValidationFailed
from verkstall.orders.models import ReplyChannel

from . import selectors, services
from .models import Voucher, VoucherReport

MAX_ID = 2**63 - 1
ON_BEHALF_HELP = (
    "How the report form came in, when an officer registers it for a provider not connected (R3.3)."
)
RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="You may see the order but not do this."),
    404: OpenApiResponse(description="No such object, or not yours to see."),
    409: OpenApiResponse(description="Out of turn: the order's state does not allow it."),
}
ORDER_FILTER = [OpenApiParameter("order", int, description="Only this order's (id).")]


def _by_order(queryset, params):
    """`?order=<id>`: only that order's rows; anything but an id is a 400 naming the filter."""
    order = params.get("order")
    if order in (None, ""):
        return queryset
    if not order.isdigit() or int(order) > MAX_ID:
        raise ValidationFailed({"order": "Ange beställningens id."})
    return queryset.filter(order_id=int(order))


def _voucher_order(user, pk):
    """The order of cleaning or service named in a body; unknown or not the user's: a 400."""
    try:
        return selectors.get_voucher_order(user, pk)
    except NotFound:
        raise ValidationFailed(
            {"order": "Okänd beställning av städ eller service, eller så saknar du behörighet."}
        ) from None


class VoucherSerializer(OutputModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    person = serializers.IntegerField(source="order.person_id", read_only=True)
    person_name = serializers.CharField(source="order.person.full_name", read_only=True)
    issued_by_name = serializers.CharField(source="issued_by.get_full_name", read_only=True)

    class Meta:
        model = Voucher
        fields = [
            "id",
            "order",
            "person",
            "person_name",
            "kind",
            "kind_label",
            "extent",
            "issued_by",
            "issued_by_name",
            "issued_at",
        ]


class VoucherCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="An order of cleaning or service."
    )
    kind = serializers.ChoiceField(
        choices=Voucher.Kind.choices,
        help_text='"Värdeintyg städ" (cleaning) or "Värdeintyg städ FBH" (cleaning_fbh).',
    )


class VoucherViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Vouchers (värdeintyg) of the orders the user may see; the officer of the client's unit
    issues one for an order of cleaning or service (R4.2)."""

    def get_queryset(self):
        return _by_order(selectors.vouchers_for(self.request.user), self.request.query_params)

    def get_serializer_class(self):
        return VoucherCreateSerializer if self.action == "create" else VoucherSerializer

    def get_object(self):
        return selectors.get_voucher(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=ORDER_FILTER)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=VoucherCreateSerializer, responses={201: VoucherSerializer, **RESPONSES})
    def create(self, request):
        """Issue a voucher stating the extent granted (R4.2); it is written to the case journal
        as a document, and its letter is printed from the order's voucher page."""
        data = VoucherCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = _voucher_order(request.user, data.validated_data["order"])
        voucher = services.issue_voucher(
            request.user, order=order, kind=data.validated_data["kind"]
        )
        voucher = selectors.get_voucher(request.user, voucher.pk)
        return Response(VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)


class VoucherReportSerializer(OutputModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    person = serializers.IntegerField(source="order.person_id", read_only=True)
    person_name = serializers.CharField(source="order.person.full_name", read_only=True)
    on_behalf_of_name = serializers.CharField(
        source="on_behalf_of.name", default=None, allow_null=True, read_only=True
    )
    reported_by_name = serializers.CharField(source="reported_by.get_full_name", read_only=True)

    class Meta:
        model = VoucherReport
        fields = [
            "id",
            "order",
            "person",
            "person_name",
            "kind",
            "kind_label",
            "occurred_on",
            "note",
            "channel",
            "on_behalf_of",
            "on_behalf_of_name",
            "event",
            "reported_by",
            "reported_by_name",
            "registered_at",
        ]


class VoucherReportCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="An order of cleaning or service."
    )
    kind = serializers.ChoiceField(
        choices=VoucherReport.Kind.choices,
        help_text="What the report form reports: start, increase, decrease, move, death, end.",
    )
    occurred_on = BoundedDateField(
        help_text="The start date, the new start date of an increase or decrease, or the day "
        "of a move, death or end."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class VoucherReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reports of the report form (redovisningsblankett) on the orders the user may see. A
    connected provider reports itself; for one not connected the officer or fee officer
    registers the returned form on its behalf, saying how it came (`channel`). Each report moves
    the order through the order services (R4.2, R3.3)."""

    def get_queryset(self):
        return _by_order(selectors.reports_for(self.request.user), self.request.query_params)

    def get_serializer_class(self):
        if self.action == "create":
            return VoucherReportCreateSerializer
        return VoucherReportSerializer

    def get_object(self):
        return selectors.get_report(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=ORDER_FILTER)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=VoucherReportCreateSerializer,
        responses={201: VoucherReportSerializer, **RESPONSES},
    )
    def create(self, request):
        data = VoucherReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        order = _voucher_order(request.user, values.pop("order"))
        report = services.register_report(request.user, order=order, **values)
        report = selectors.get_report(request.user, report.pk)
        return Response(VoucherReportSerializer(report).data, status=status.HTTP_201_CREATED)
