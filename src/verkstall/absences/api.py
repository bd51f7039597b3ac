"""API for hospital notices and their receipts (SPEC R7.3). Thin: selectors read, services write.

POST /api/hospital-notices/ is how the region's system delivers an admission or discharge
notice by personnummer. In this version it is open to case officers (the integration signs
in as an officer); an unknown or invalid number is a 400 on `personal_number` and says
nothing more, so the endpoint cannot be used to learn who is a client.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateTimeField
from verkstall.core.errors import PermissionDenied
from verkstall.orders.models import ReplyChannel

from . import selectors, services
from .models import NoticeKind, NoticeReceipt, NoticeSource


class HospitalNoticeCreateSerializer(serializers.Serializer):
    personal_number = serializers.CharField(help_text="Personnummer or samordningsnummer.")
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    occurred_at = BoundedDateTimeField(help_text="When the admission or discharge happened.")
    text = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(
        choices=NoticeSource.choices, required=False, default=NoticeSource.API
    )


class HospitalNoticeCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    occurred_at = BoundedDateTimeField()
    receipts = serializers.IntegerField(help_text="How many current provider orders it reached.")


class NoticeReceiptSerializer(OutputModelSerializer):
    kind = serializers.CharField(source="notice.kind", read_only=True)
    occurred_at = serializers.DateTimeField(source="notice.occurred_at", read_only=True)
    text = serializers.CharField(source="notice.text", read_only=True)
    person = serializers.IntegerField(source="order.person_id", read_only=True)
    person_name = serializers.CharField(source="order.person.full_name", read_only=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.get_full_name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = NoticeReceipt
        fields = [
            "id",
            "order",
            "person",
            "person_name",
            "kind",
            "occurred_at",
            "text",
            "acknowledged_at",
            "acknowledged_by",
        ]


class AcknowledgeNoticeSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices,
        required=False,
        help_text="How the reply came in, when registered for a provider not connected.",
    )


class HospitalNoticeViewSet(viewsets.ViewSet):
    """Receive admission and discharge notices from the hospital (R7.3)."""

    serializer_class = HospitalNoticeCreateSerializer

    @extend_schema(
        request=HospitalNoticeCreateSerializer,
        responses={
            201: HospitalNoticeCreatedSerializer,
            400: OpenApiResponse(description="Bad input; field names map to messages."),
            403: OpenApiResponse(description="Only case officers may post notices."),
        },
    )
    def create(self, request):
        if not request.user.is_officer:
            raise PermissionDenied(
                "Endast handläggare kan ta emot in- och utskrivningsmeddelanden."
            )
        data = HospitalNoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = selectors.person_for_notice(request.user, values.pop("personal_number"))
        if person is None:
            return Response(
                {"personal_number": ["Okänt personnummer."]}, status=status.HTTP_400_BAD_REQUEST
            )
        notice = services.receive_notice(request.user, person, **values)
        body = {
            "id": notice.pk,
            "kind": notice.kind,
            "occurred_at": notice.occurred_at,
            "receipts": notice.receipts.count(),
        }
        return Response(HospitalNoticeCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class NoticeReceiptViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A provider's copies of hospital notices; `?acknowledged=false` for those still open."""

    serializer_class = NoticeReceiptSerializer

    def get_queryset(self):
        qs = selectors.receipts_for(self.request.user)
        flag = self.request.query_params.get("acknowledged")
        if flag == "false":
            qs = qs.filter(acknowledged_at__isnull=True)
        elif flag == "true":
            qs = qs.filter(acknowledged_at__isnull=False)
        return qs

    def get_object(self):
        return selectors.get_receipt(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=AcknowledgeNoticeSerializer,
        responses={
            200: NoticeReceiptSerializer,
            400: OpenApiResponse(description="Already acknowledged, or channel missing."),
            403: OpenApiResponse(description="You may see the notice but not acknowledge it."),
            404: OpenApiResponse(description="No such receipt, or not yours to see."),
        },
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        receipt = self.get_object()
        data = AcknowledgeNoticeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.acknowledge_notice(request.user, receipt, **data.validated_data)
        return Response(NoticeReceiptSerializer(selectors.get_receipt(request.user, pk)).data)
