"""API for the safety alarm and meal delivery (SPEC R4.1, R2.6, R3.6). Thin: selectors read,
services write. What the aids centre reads of an order is what an installer needs: the client's
name, address and phone, the provider and the order's instructions (alarms/scoping.py)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateField
from verkstall.orders.models import Order, ReplyChannel
from verkstall.people.selectors import listed_person, shown_person

from . import meal_services, selectors, services
from .models import AlarmContactMove

ON_BEHALF_HELP = "How the report came in, when registered for a provider not connected (R3.3)."
RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="You may see the order but not do this."),
    404: OpenApiResponse(description="No such order, or not yours to see."),
    409: OpenApiResponse(description="Out of turn: not ordered yet, or done already."),
}


class InstallerPersonSerializer(serializers.Serializer):
    """The client as an installer needs it; a protected client's address and phone only for
    its named staff, and never in a list (R10.5)."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    street_address = serializers.CharField()
    postal_code = serializers.CharField()
    city = serializers.CharField()
    phone = serializers.CharField()


class AlarmOrderSerializer(OutputModelSerializer):
    person = serializers.SerializerMethodField()
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    alarm_ordered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    alarm_installed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "state",
            "person",
            "provider_name",
            "instructions",
            "alarm_ordered_at",
            "alarm_installed_at",
        ]

    @extend_schema_field(InstallerPersonSerializer)
    def get_person(self, order) -> dict:
        user = self.context["request"].user
        listing = self.context.get("listing", False)
        person = listed_person(order.person) if listing else shown_person(user, order.person)
        return InstallerPersonSerializer(person).data


class AlarmOrderedSerializer(serializers.Serializer):
    ordered_on = BoundedDateField(required=False, help_text="Today if left out.")
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class AlarmInstalledSerializer(serializers.Serializer):
    installed_on = BoundedDateField(required=False, help_text="Today if left out.")


class AlarmOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders with a safety alarm the user may see. `?awaiting=installation`: the aids
    centre's inbox (ordered, not installed, R4.1)."""

    serializer_class = AlarmOrderSerializer

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("awaiting") == "installation":
            return selectors.awaiting_installation(user)
        return selectors.alarm_orders_for(user)

    def get_object(self):
        return selectors.get_alarm_order(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "listing": self.action == "list"}

    def _answer(self, request, pk) -> Response:
        order = selectors.get_alarm_order(request.user, pk)
        return Response(AlarmOrderSerializer(order, context={"request": request}).data)

    @extend_schema(
        request=AlarmOrderedSerializer, responses={200: AlarmOrderSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def ordered(self, request, pk=None):
        """The alarm provider ordered the alarm from the aids centre (R4.1)."""
        order = self.get_object()
        data = AlarmOrderedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.register_alarm_ordered(request.user, order=order, **data.validated_data)
        return self._answer(request, order.pk)

    @extend_schema(
        request=AlarmInstalledSerializer, responses={200: AlarmOrderSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def installed(self, request, pk=None):
        """The aids centre installed the alarm (R4.1)."""
        order = self.get_object()
        data = AlarmInstalledSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.register_alarm_installed(request.user, order=order, **data.validated_data)
        return self._answer(request, order.pk)


class ContactMoveSerializer(OutputModelSerializer):
    old_provider_name = serializers.CharField(source="old_provider.name", read_only=True)
    new_provider_name = serializers.CharField(source="new_provider.name", read_only=True)

    class Meta:
        model = AlarmContactMove
        fields = [
            "id",
            "order",
            "old_provider",
            "old_provider_name",
            "new_provider",
            "new_provider_name",
            "from_date",
            "created_at",
            "confirmed_at",
        ]


class ContactMoveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Moves of a safety alarm's contact after a provider switch (R2.6). `?open=true`: those
    the aids centre has not confirmed."""

    serializer_class = ContactMoveSerializer

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("open") == "true":
            return selectors.open_contact_moves(user)
        return selectors.contact_moves_for(user)

    def get_object(self):
        return selectors.get_contact_move(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses={200: ContactMoveSerializer, **RESPONSES})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The aids centre: "Larmets kontaktuppgifter flyttade"."""
        move = services.confirm_contact_move(request.user, move=self.get_object())
        return Response(ContactMoveSerializer(move).data)


class MealOrderedSerializer(serializers.Serializer):
    ordered_on = BoundedDateField(required=False, help_text="Today if left out.")
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class MealOrderAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    meal_ordered_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MealOrderViewSet(viewsets.GenericViewSet):
    """Meal delivery on an order (R3.6): the provider records that it ordered the meals."""

    serializer_class = MealOrderAnswerSerializer

    def get_queryset(self):
        return selectors.meal_orders_for(self.request.user)

    @extend_schema(
        request=MealOrderedSerializer, responses={200: MealOrderAnswerSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def ordered(self, request, pk=None):
        order = selectors.get_meal_order(request.user, pk)
        data = MealOrderedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meal_services.register_meal_ordered(request.user, order=order, **data.validated_data)
        order = selectors.get_meal_order(request.user, pk)
        answer = {"id": order.pk, "meal_ordered_at": order.meal_ordered_at}
        return Response(MealOrderAnswerSerializer(answer).data)
