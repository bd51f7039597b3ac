"""The order API's actions for the steps beside the transitions (orders.casework_services;
issue 16): `not-started/` (R3.7), `support-not-received/` (R7.2), `new-client-told/` (R3.4)
and `route/` (seed 002 "Utföraren fördelar"). `casework_actions` makes the mixin that
orders.api.OrderViewSet takes them from, given that module's documented answers (so neither
module imports the other); the view set answers with the order (`_answer`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from verkstall.core.date_fields import BoundedDateField, BoundedDateTimeField

from . import casework_services
from .models import EventKind, ReplyChannel
from .states import REPLY_PENDING, WITH_PROVIDER, State

ON_BEHALF_HELP = "How the report came in, when registered for a provider not connected (R3.3)."


class NotStartedSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=casework_services.TEXT_MAX,
        help_text="Why the service has not started (R3.7); the officer is told.",
    )
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class SupportNotReceivedSerializer(serializers.Serializer):
    from_date = BoundedDateField(help_text="From when the support is not received as ordered.")
    to_date = BoundedDateField(
        required=False, allow_null=True, help_text="Until when; leave out while it goes on."
    )
    reason = serializers.CharField(
        max_length=casework_services.TEXT_MAX,
        help_text="What is not received, and why (R7.2); the officer is told.",
    )
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class NewClientToldSerializer(serializers.Serializer):
    how = serializers.ChoiceField(
        choices=list(casework_services.TOLD_HOW.items()),
        help_text="How the provider was told of the new client: email or phone (R3.4).",
    )
    told_at = BoundedDateTimeField(required=False, allow_null=True, help_text="Default now.")


class RouteSerializer(serializers.Serializer):
    provider_unit = serializers.IntegerField(
        help_text="One of the order's provider's own units (seed 002 \"Utföraren fördelar\")."
    )


def casework_actions(transition_responses: dict, conflict_serializer, parameters=()) -> type:
    """The mixin with the four actions, documented with the order API's answers."""
    responses = {
        **transition_responses,
        409: OpenApiResponse(
            response=conflict_serializer,
            description="The order's state does not allow the step (`action` is the event "
            "kind), or it is registered already (code `already_registered`).",
        ),
    }

    class CaseworkActions:
        def _step(self, request, serializer_class, service, kind: str, states):
            """409 before the body is read when the state does not allow the step; then the
            service, and the order as it is now."""
            order = self.get_object()
            casework_services.require_state(order, kind, states)
            data = serializer_class(data=request.data)
            data.is_valid(raise_exception=True)
            event = service(request.user, order, **data.validated_data)
            return self._answer(request, order, event)

        @extend_schema(
            request=NotStartedSerializer,
            responses=responses,
            parameters=list(parameters),
            description="The provider (or the municipality for one not connected) documents "
            "that the service has not started, and why (R3.7): a `not_started` event with "
            "`reason`; the officer is told by a message.",
        )
        @action(detail=True, methods=["post"], url_path="not-started")
        def not_started(self, request, pk=None):
            return self._step(
                request,
                NotStartedSerializer,
                casework_services.report_not_started,
                EventKind.NOT_STARTED,
                REPLY_PENDING,
            )

        @extend_schema(
            request=SupportNotReceivedSerializer,
            responses=responses,
            parameters=list(parameters),
            description="The provider reports that the support is not received as ordered "
            "(R7.2, seed 003): a `support_not_received` event with `from_date`, `to_date` and "
            "`reason`; the officer is told by a message. While the service runs.",
        )
        @action(detail=True, methods=["post"], url_path="support-not-received")
        def support_not_received(self, request, pk=None):
            return self._step(
                request,
                SupportNotReceivedSerializer,
                casework_services.report_support_not_received,
                EventKind.SUPPORT_NOT_RECEIVED,
                (State.STARTED.value,),
            )

        @extend_schema(
            request=NewClientToldSerializer,
            responses=responses,
            parameters=list(parameters),
            description="The officer of the client's unit registers that the provider was "
            "told, by e-mail or phone, that an order for a new client is on its way (R3.4, "
            "seed 003): a `new_client_notified` event, once per order, before the start.",
        )
        @action(detail=True, methods=["post"], url_path="new-client-told")
        def new_client_told(self, request, pk=None):
            return self._step(
                request,
                NewClientToldSerializer,
                casework_services.register_new_client_told,
                EventKind.NEW_CLIENT_NOTIFIED,
                casework_services.BEFORE_START,
            )

        @extend_schema(
            request=RouteSerializer,
            responses=responses,
            parameters=list(parameters),
            description="The provider routes the order to one of its own units (seed 002 "
            '"Utföraren fördelar"): a `routed_to_unit` event with `from_unit` and `to_unit`; '
            "the order's clocks move to that unit.",
        )
        @action(detail=True, methods=["post"])
        def route(self, request, pk=None):
            return self._step(
                request,
                RouteSerializer,
                casework_services.route_to_unit,
                EventKind.ROUTED_TO_UNIT,
                WITH_PROVIDER,
            )

    return CaseworkActions
