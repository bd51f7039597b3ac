"""API for orders and every transition (SPEC R3). Thin: selectors read, services write."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateField, BoundedDateTimeField
from verkstall.core.errors import NotFound
from verkstall.decisions.api import GrantedServiceSerializer
from verkstall.decisions.selectors import get_decision
from verkstall.people.api import OralBriefingCreateSerializer, OralBriefingSerializer
from verkstall.people.protection_services import OralBriefingMissing, record_oral_briefing
from verkstall.people.selectors import oral_briefings_for_order

from . import correction_services, draft_correction_services, receipt_services, selectors, services
from .casework_api import casework_actions
from .models import EndReason, Order, OrderEvent, ReplyChannel
from .states import Action, State


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

    class Meta:
        model = Order
        fields = [
            "id",
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


class OrderCreateSerializer(serializers.Serializer):
    decision = serializers.IntegerField()
    provider = serializers.IntegerField()
    provider_unit = serializers.IntegerField(required=False, allow_null=True)
    services = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Granted service ids of the decision; default all of them.",
    )
    instructions = serializers.CharField(required=False, allow_blank=True)
    acute_oral_at = BoundedDateTimeField(
        required=False,
        allow_null=True,
        help_text="When an acute oral order was given, if one came first (R3.2).",
    )


class SendSerializer(serializers.Serializer):
    written_on = BoundedDateField(
        required=False, help_text="The order's date; never earlier than today (R3.2)."
    )


ON_BEHALF_HELP = "How the reply came in, when registered for a provider not connected (R3.3)."


class AcknowledgeSerializer(serializers.Serializer):
    occurred_at = BoundedDateTimeField(required=False)
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class StartSerializer(serializers.Serializer):
    start_date = BoundedDateField()
    booked_staff = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The staff member booked for the service (R3.6, seed 003): required when "
        "the municipality's routine names the booked staff for the order's service kind "
        "(its rule profile's booked_staff_service_kinds, e.g. housing support in Solna).",
    )
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class EndSerializer(serializers.Serializer):
    end_date = BoundedDateField()
    end_reason = serializers.ChoiceField(
        choices=EndReason.choices,
        help_text="Why the service ends: moved, died, declined, needs_changed or other (seed "
        "004). A death ends every order of the client at once: POST /api/client-deaths/.",
    )
    note = serializers.CharField(required=False, allow_blank=True)
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class ReceiptSerializer(serializers.Serializer):
    received_on = BoundedDateField(
        help_text="The day an order sent by post or fax reached the provider (R11.4): not "
        "before it was sent, not in the future; once per sending."
    )


class CorrectDateSerializer(serializers.Serializer):
    which = serializers.ChoiceField(
        choices=list(correction_services.LABEL.items()),
        help_text="Which registered date is corrected: the start date or the end date.",
    )
    date = BoundedDateField(
        help_text="The right date: not in the future; a start not before the order, an end "
        "not before the start (R9.1)."
    )
    reason = serializers.CharField(help_text="Why the date is corrected (required).")
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class DraftCorrectionSerializer(serializers.Serializer):
    """What a draft correction may change (R1.1); a field left out stays as it is."""

    provider = serializers.IntegerField(required=False)
    provider_unit = serializers.IntegerField(
        required=False, allow_null=True, help_text="null clears the provider's unit."
    )
    services = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Granted service ids of the decision.",
    )
    instructions = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, help_text="Why the draft is corrected.")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


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


TRANSITION_RESPONSES = {
    200: OrderDetailSerializer,
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
    casework_actions(TRANSITION_RESPONSES, ConflictSerializer),  # issue 16: casework_api.py
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Orders the signed-in user may see, and their transitions."""

    def _answer(self, request, order) -> Response:
        """The order after a step (casework_api): its own columns re-read."""
        order.refresh_from_db(fields=TRANSITION_FIELDS)
        return Response(OrderDetailSerializer(order, context={"request": request}).data)

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
        service(request.user, order, **data.validated_data)
        # Only the order's own columns change in a transition: re-read those (one query)
        # instead of the whole order with its client, provider and services again.
        order.refresh_from_db(fields=TRANSITION_FIELDS)
        return Response(OrderDetailSerializer(order, context={"request": request}).data)

    @extend_schema(
        request=SendSerializer,
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

    @extend_schema(request=AcknowledgeSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._transition(
            request, pk, AcknowledgeSerializer, services.acknowledge_order, Action.ACKNOWLEDGE
        )

    @extend_schema(request=StartSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, pk, StartSerializer, services.register_start, Action.START)

    @extend_schema(request=EndSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        # The same call as the order's screen (orders.views.ACTIONS): services.end_order alone
        # decides what an end by the officer or by the provider does (R3.9).
        return self._transition(request, pk, EndSerializer, services.end_order, Action.END)

    @extend_schema(request=CancelSerializer, responses=TRANSITION_RESPONSES)
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
        correction_services.correct_date(request.user, order, **data.validated_data)
        order.refresh_from_db(fields=TRANSITION_FIELDS)
        return Response(OrderDetailSerializer(order, context={"request": request}).data)

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
        "information with a reason (R1.1). The history gets a `created` event with "
        "`draft_corrected` true and each changed field's old and new value in `changes`.",
    )
    @action(detail=True, methods=["post"], url_path="correct-draft")
    def correct_draft(self, request, pk=None):
        order = self.get_object()
        data = DraftCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "provider_unit" in values and values["provider_unit"] is None:
            values["provider_unit"] = ""
        draft_correction_services.correct_draft(request.user, order, **values)
        return self._detail(request, order.pk)

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
        receipt_services.register_receipt(request.user, order, **data.validated_data)
        order.refresh_from_db(fields=TRANSITION_FIELDS)
        return Response(OrderDetailSerializer(order, context={"request": request}).data)
