"""`GET /api/events/`: the event feed (issue 20, orders.feed_selectors) for a provider's or a
municipality's own system: what happened to the orders it may see, in order, each once."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer

from . import feed_selectors as feed
from .models import EventKind, OrderEvent


class FeedEventSerializer(OutputModelSerializer):
    """An event as the feed gives it: what happened to which order, and when. No personal data
    and no free text: the receiver reads the order (`/api/orders/{id}/`) for the details, and
    for a message event (`message_sent`, SPEC R10.3) the message (`/api/messages/{id}/`)."""

    order = serializers.IntegerField(source="order_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    on_behalf_of = serializers.IntegerField(
        source="on_behalf_of_id", allow_null=True, read_only=True
    )
    cursor = serializers.SerializerMethodField(
        help_text="This event's place in the feed: `after` it, the feed goes on from here."
    )
    message = serializers.SerializerMethodField(
        help_text="For a `message_sent` event, the message's id (read it at "
        "`/api/messages/{id}/`); otherwise null."
    )

    class Meta:
        model = OrderEvent
        fields = [
            "id",
            "cursor",
            "order",
            "seq",
            "kind",
            "kind_label",
            "from_state",
            "to_state",
            "actor_organisation",
            "on_behalf_of",
            "channel",
            "occurred_at",
            "recorded_at",
            "message",
        ]

    def get_cursor(self, event) -> str:
        return feed.cursor_text(event.txid, event.pk)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_message(self, event) -> int | None:
        if event.kind != EventKind.MESSAGE_SENT:
            return None
        return event.data.get("message")


@extend_schema_serializer(many=False)  # one page, though the action is the viewset's list
class FeedPageSerializer(serializers.Serializer):
    results = FeedEventSerializer(many=True, read_only=True)
    cursor = serializers.CharField(
        read_only=True,
        help_text="Give it as `after` in the next read; the same cursor when nothing was new.",
    )
    more = serializers.BooleanField(
        read_only=True, help_text="More events are ready: read again at once."
    )


class EventFeedViewSet(viewsets.GenericViewSet):
    """The order events the caller may see, in the order they were recorded (issue 20)."""

    serializer_class = FeedEventSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                str,
                description="The `cursor` of the last answer (or of an event); none: from the "
                "start.",
            ),
            OpenApiParameter(
                "limit", int, description=f"At most this many events (1–{feed.MAX_LIMIT})."
            ),
        ],
        responses={
            200: FeedPageSerializer,
            400: OpenApiResponse(description="A cursor or limit that is not one."),
        },
    )
    def list(self, request):
        page = feed.page_for(
            request.user,
            after=request.query_params.get("after"),
            limit=feed.parse_limit(request.query_params.get("limit")),
        )
        return Response(
            {
                "results": FeedEventSerializer(page.events, many=True).data,
                "cursor": page.cursor,
                "more": page.more,
            }
        )
