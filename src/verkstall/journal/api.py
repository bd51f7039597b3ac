"""API for messages and the provider journal (SPEC R10.3, R10.2). Thin: selectors read,
services write; another organisation's message or order is a 404."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.errors import NotFound
from verkstall.orders.selectors import get_order

from . import selectors, services
from .models import Message, MessageReceipt, ProviderJournalEntry


class ReceiptSerializer(OutputModelSerializer):
    user = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = MessageReceipt
        fields = ["user", "read_at"]


class MessageSerializer(OutputModelSerializer):
    sender = serializers.CharField(source="sender.get_full_name", read_only=True)
    receipts = ReceiptSerializer(many=True, read_only=True)
    order = serializers.IntegerField(source="order_id")

    class Meta:
        model = Message
        fields = [
            "id",
            "person",
            "order",
            "sender",
            "sender_organisation",
            "recipient_organisation",
            "subject",
            "body",
            "sent_at",
            "receipts",
        ]
        read_only_fields = ["person", "sender_organisation", "recipient_organisation"]


class MessageCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()


class MessageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Messages to and from the user's organisation. `?box=out` lists the sent ones."""

    serializer_class = MessageSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            box = self.request.query_params.get("box")
            return selectors.outbox(user) if box == "out" else selectors.inbox(user)
        return selectors.messages_for(user)

    def get_object(self):
        return selectors.get_message(self.request.user, self.kwargs["pk"])

    @extend_schema(request=MessageCreateSerializer, responses={201: MessageSerializer})
    def create(self, request, *args, **kwargs):
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = get_order(request.user, data["order"])
        message = services.send_message(
            request.user,
            person=order.person,
            order=order,
            subject=data["subject"],
            body=data["body"],
        )
        message = selectors.get_message(request.user, message.pk)
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MessageSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Leave the reader's receipt (only the receiving organisation leaves one)."""
        message = self.get_object()
        services.mark_read(request.user, message)
        return Response(self.get_serializer(self.get_object()).data)


class ProviderJournalEntrySerializer(OutputModelSerializer):
    author = serializers.CharField(source="author.get_full_name", read_only=True)
    order = serializers.IntegerField(source="order_id")
    corrects = serializers.IntegerField(source="corrects_id", required=False, allow_null=True)

    class Meta:
        model = ProviderJournalEntry
        fields = [
            "id",
            "order",
            "author",
            "author_organisation",
            "written_at",
            "text",
            "is_summary",
            "corrects",
        ]
        read_only_fields = ["author_organisation", "written_at"]


class ProviderJournalEntryCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    text = serializers.CharField()
    is_summary = serializers.BooleanField(required=False, default=False)
    corrects = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True
    )


class ProviderJournalViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The provider's journal of an order (`?order=<id>`): the provider's own staff only."""

    serializer_class = ProviderJournalEntrySerializer

    def get_queryset(self):
        order_pk = self.request.query_params.get("order")
        if not order_pk:
            raise NotFound("Ange beställningen (?order=).")
        return selectors.provider_journal(self.request.user, order_pk)

    @extend_schema(
        parameters=[OpenApiParameter("order", int, required=True, description="The order's id.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ProviderJournalEntryCreateSerializer,
        responses={201: ProviderJournalEntrySerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = ProviderJournalEntryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = get_order(request.user, data["order"])
        corrects_id = data.get("corrects")
        corrects = selectors.get_provider_entry(request.user, corrects_id) if corrects_id else None
        entry = services.write_provider_entry(
            request.user,
            order=order,
            text=data["text"],
            is_summary=data.get("is_summary", False),
            corrects=corrects,
        )
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)
