"""API for orders and every transition (SPEC R3). Thin: selectors read, services write."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.concurrency_api import VersionedViewSet, version_field
from verkstall.core.errors import NotFound
from verkstall.decisions.api import GrantedServiceSerializer
from verkstall.decisions.selectors import get_decision
from verkstall.people.api import OralBriefingCreateSerializer, OralBriefingSerializer
from verkstall.people.protection_services import OralBriefingMissing, record_oral_briefing
from verkstall.people.selectors import oral_briefings_for_order

from . import correction_services, draft_correction_services, receipt_services, selectors, services
from .casework_api import casework_actions
from .models import Order, OrderEvent
from .request_api import (
    AcknowledgeSerializer,
    CancelSerializer,
    CorrectDateSerializer,
    DraftCorrectionSerializer,
    EndSerializer,
    OrderCreateSerializer,
    ReceiptSerializer,
    SendSerializer,
    StartSerializer,
)
from .states import Action, State
from .version_selectors import ORDER_VERSIONING


class OrderEventSerializer(OutputModelSerializer):
    actor = serializers.CharField(source="actor.get_full_name", read_only=True)
    on_behalf_of = serializers.CharField(
        source="on_behalf_of.name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = OrderEvent
        fields = [
            "seq",
            "kind",
            "from_state",
            "to_state",
            "actor",
            "actor_organisation",
            "on_behalf_of",
            "channel",
            "occurred_at",
            "recorded_at",
            "data",
        ]


class OrderSerializer(OutputModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    person_protected = serializers.BooleanField(
        source="person.is_protected",
        read_only=True,
        help_text="The client has protected personal data (R10.1); its kind, address and "
        "contact data are at /api/persons/{id}/, shown only to the named staff (R10.5).",
    )
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    services = GrantedServiceSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    # Every change of an order is an event: its last event's number is its version (issue 18).
    lock_version = version_field(source="last_event_seq")

    class Meta:
        model = Order
        fields = [
            "id",
            "lock_version",
            "state",
            "person",
            "person_name",
            "person_protected",
            "decision",
            "provider",
            "provider_name",
            "provider_unit",
            "services",
            "instructions",
            "acute_oral_at",
            "written_on",
            "sent_at",
            "acknowledged_at",
            "start_date",
            "end_date",
            "end_reason",
            "created_at",
            "allowed_actions",
        ]

    def get_allowed_actions(self, order) -> list[str]:
        return [a.value for a in selectors.actions_for(self.context["request"].user, order)]


class OrderDetailSerializer(OrderSerializer):
    events = serializers.SerializerMethodField()
    new_client = serializers.SerializerMethodField(
        help_text="The order is the client's first with this provider: no other order of the "
        "client was sent to it before (R3.4); then the officer tells the provider by e-mail "
        "or phone (POST new-client-told/)."
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "new_client", "events"]

    def get_new_client(self, order) -> bool:
        return selectors.is_new_client(order)

    @extend_schema_field(OrderEventSerializer(many=True))
    def get_events(self, order) -> list[dict]:
        return OrderEventSerializer(selectors.order_events(order), many=True).data


class OrderStepSerializer(OrderSerializer):
    """The answer to a transition or a step (issue 19: only what the step changed): the order's
    own fields and allowed actions, and the event the step recorded. `?full=true` answers with
    the whole order and its history instead (OrderDetailSerializer)."""

    event = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "event"]

    @extend_schema_field(OrderEventSerializer(allow_null=True))
    def get_event(self, order) -> dict | None:
        event = self.context.get("event")
        return None if event is None else OrderEventSerializer(event).data


#: The query parameter that asks a transition for the whole order.
FULL_PARAMETER = OpenApiParameter(
    "full",
    bool,
    description="true: answer with the whole order and its history (as GET /api/orders/{id}/) "
    "instead of the order's own fields and the recorded `event`.",
)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    # The same choices as Order.state, so the schema has one state enum, not two.
    state = serializers.ChoiceField(choices=Order._meta.get_field("state").choices)
    action = serializers.CharField()
    allowed_actions = serializers.ListField(child=serializers.CharField())
    # Only when sending waits for the oral briefing of protected data (R10.1).
    order = serializers.IntegerField(required=False, help_text="oral_briefing_missing: the order.")
    provider = serializers.CharField(
        required=False, help_text="oral_briefing_missing: the provider to tell."
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="oral_briefing_missing: the fields of POST oral-briefings/.",
    )


#: A step's answer: the lean one, or with `?full=true` the whole order (one of the two).
STEP_OR_DETAIL = PolymorphicProxySerializer(
    component_name="OrderStepOrDetail",
    serializers=[OrderStepSerializer, OrderDetailSerializer],
    resource_type_field_name=None,
)

TRANSITION_RESPONSES = {
    200: OpenApiResponse(
        response=STEP_OR_DETAIL,
        description="The order's own fields and the recorded `event`; with `?full=true` "
        "the whole order with its `events` and `new_client` (OrderDetailSerializer).",
    ),
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="You may see the order but not do this."),
    404: OpenApiResponse(description="No such order, or not yours to see."),
    409: ConflictSerializer,
}


# What a transition writes on the order row (services._transition and its callers).
TRANSITION_FIELDS = [
    "state",
    "sent_at",
    "written_on",
    "acknowledged_at",
    "start_date",
    "end_date",
    "end_reason",
    "provider_unit",
    "last_event_seq",
    "updated_at",
]


class OrderViewSet(
    casework_actions(
        TRANSITION_RESPONSES, ConflictSerializer, [FULL_PARAMETER]
    ),  # issue 16: casework_api.py
    VersionedViewSet,  # ETag and If-Match (core/concurrency_api.py, issue 18)
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Orders the signed-in user may see, and their transitions."""

    versioning = ORDER_VERSIONING

    def _answer(self, request, order, event=None) -> Response:
        """The order after a transition or a step (casework_api): its own columns re-read
        (one query) instead of the whole order with its client, provider and services again;
        the event the step recorded, or with `?full=true` the whole history (issue 19)."""
        order.refresh_from_db(fields=TRANSITION_FIELDS)
        context = {"request": request}
        if request.query_params.get("full", "").lower() in ("1", "true", "yes"):
            return Response(OrderDetailSerializer(order, context=context).data)
        if not isinstance(event, OrderEvent):
            event = order.events.order_by("-seq").first()
        return Response(OrderStepSerializer(order, context={**context, "event": event}).data)

    def get_queryset(self):
        qs = selectors.orders_for(self.request.user)
        state = self.request.query_params.get("state")
        if state in State._value2member_map_:
            qs = qs.filter(state=state)
        return qs

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action != "list" else OrderSerializer

    def get_object(self):
        return selectors.get_order(self.request.user, self.kwargs["pk"])

    def _detail(self, request, pk) -> Response:
        order = selectors.get_order(request.user, pk)
        return Response(OrderDetailSerializer(order, context={"request": request}).data)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderDetailSerializer})
    def create(self, request):
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            decision = get_decision(request.user, values.pop("decision"))
        except NotFound:
            return Response({"decision": ["Okänt beslut."]}, status=status.HTTP_400_BAD_REQUEST)
        order = services.create_order(request.user, decision=decision, **values)
        response = self._detail(request, order.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _transition(self, request, pk, serializer_class, service, transition: Action):
        order = self.get_object()
        # A state that does not allow the action is a 409 whatever the body holds (as in the
        # services): validating the body first would answer "field required" instead.
        services.check_state(order, transition)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        event = service(request.user, order, **data.validated_data)
        return self._answer(request, order, event)

    @extend_schema(
        request=SendSerializer,
        parameters=[FULL_PARAMETER],
        responses={
            **TRANSITION_RESPONSES,
            409: OpenApiResponse(
                response=ConflictSerializer,
                description="The state does not allow sending (state, action, "
                "allowed_actions); or the client has protected personal data and no oral "
                "briefing of the provider's unit manager is recorded (R10.1): code "
                "`oral_briefing_missing` with `order`, `provider` and `missing` (the fields "
                "of POST oral-briefings/).",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        try:
            return self._transition(request, pk, SendSerializer, services.send_order, Action.SEND)
        except OralBriefingMissing as exc:
            # The documented conflict body (state, action, allowed_actions) with what the
            # briefing needs; the bare error's body did not match the schema (schemathesis).
            order = self.get_object()
            allowed = [a.value for a in selectors.actions_for(request.user, order)]
            body = {**exc.as_dict(), "state": order.state, "action": Action.SEND.value}
            return Response({**body, "allowed_actions": allowed}, status=exc.status_code)

    @extend_schema(
        methods=["GET"],
        responses={200: OralBriefingSerializer(many=True)},
        description="Oral briefings of the provider's unit manager recorded on the order "
        "(protected personal data, R10.1).",
    )
    @extend_schema(
        methods=["POST"],
        request=OralBriefingCreateSerializer,
        responses={
            201: OralBriefingSerializer,
            400: OpenApiResponse(description="Bad input; field names map to messages."),
            403: OpenApiResponse(description="Only an officer of the client's unit."),
            404: OpenApiResponse(description="No such order, or not yours to see."),
        },
        description="Record that the provider's unit manager was told orally before the order "
        "goes out (R10.1). A told manager's user account is named to see the protected data.",
    )
    @action(detail=True, methods=["get", "post"], url_path="oral-briefings", pagination_class=None)
    def oral_briefings(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            return Response(OralBriefingSerializer(oral_briefings_for_order(order), many=True).data)
        data = OralBriefingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        briefing = record_oral_briefing(request.user, order, **data.validated_data)
        return Response(OralBriefingSerializer(briefing).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AcknowledgeSerializer, responses=TRANSITION_RESPONSES, parameters=[FULL_PARAMETER]
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._transition(
            request, pk, AcknowledgeSerializer, services.acknowledge_order, Action.ACKNOWLEDGE
        )

    @extend_schema(
        request=StartSerializer, responses=TRANSITION_RESPONSES, parameters=[FULL_PARAMETER]
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, pk, StartSerializer, services.register_start, Action.START)

    @extend_schema(
        request=EndSerializer, responses=TRANSITION_RESPONSES, parameters=[FULL_PARAMETER]
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        # The same call as the order's screen (orders.views.ACTIONS): services.end_order alone
        # decides what an end by the officer or by the provider does (R3.9).
        return self._transition(request, pk, EndSerializer, services.end_order, Action.END)

    @extend_schema(
        request=CancelSerializer, responses=TRANSITION_RESPONSES, parameters=[FULL_PARAMETER]
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(request, pk, CancelSerializer, services.cancel_order, Action.CANCEL)

    @extend_schema(
        request=CorrectDateSerializer,
        responses={
            **TRANSITION_RESPONSES,
            409: OpenApiResponse(
                response=ConflictSerializer,
                description="The order has no registered date of that kind to correct (action "
                "`correct_start` or `correct_end`).",
            ),
        },
        description="Correct a registered start or end date with a reason (R9.1, seed 002: "
        "by the 5th of the following month). The history keeps both dates (a "
        "`start_corrected` or `end_corrected` event with `old_date`, `new_date` and "
        "`reason`) and the deadlines move with the new date. A month already closed for "
        "payment does not refuse it: the payment basis turns it into an adjustment.",
    )
    @action(detail=True, methods=["post"], url_path="correct-date")
    def correct_date(self, request, pk=None):
        order = self.get_object()
        data = CorrectDateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = correction_services.correct_date(request.user, order, **data.validated_data)
        return self._answer(request, order, event)

    @extend_schema(
        request=DraftCorrectionSerializer,
        responses={
            **TRANSITION_RESPONSES,
            403: OpenApiResponse(description="Only an officer of the client's unit."),
            409: OpenApiResponse(
                response=ConflictSerializer,
                description="The order is no longer a draft (action `correct_draft`).",
            ),
        },
        description="Correct a draft order's provider, provider unit, services or "
        "information with a reason (R1.1). The history gets a `draft_corrected` event with "
        "each changed field's old and new value in `changes`, the `reason` and a `text` "
        "(corrections recorded before that kind existed are `created` events with "
        "`draft_corrected` true in their data).",
    )
    @action(detail=True, methods=["post"], url_path="correct-draft")
    def correct_draft(self, request, pk=None):
        order = self.get_object()
        data = DraftCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "provider_unit" in values and values["provider_unit"] is None:
            values["provider_unit"] = ""
        event = draft_correction_services.correct_draft(request.user, order, **values)
        # The provider and the services may have changed: the order read again.
        return self._answer(request, selectors.get_order(request.user, order.pk), event)

    @extend_schema(
        request=ReceiptSerializer,
        responses={
            **TRANSITION_RESPONSES,
            403: OpenApiResponse(description="Only an officer of the client's unit."),
            409: OpenApiResponse(
                description="The order was received when it was sent (in the system or by "
                "e-mail), its arrival is registered already (code `receipt_not_registered`), "
                "or its state allows no receipt."
            ),
        },
        description="Register the day an order sent by post or fax reached the provider "
        "(R11.4): the clocks that count from the receipt (`order.received`) start then.",
    )
    @action(detail=True, methods=["post"])
    def receipt(self, request, pk=None):
        order = self.get_object()
        data = ReceiptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = receipt_services.register_receipt(request.user, order, **data.validated_data)
        return self._answer(request, order, event)
