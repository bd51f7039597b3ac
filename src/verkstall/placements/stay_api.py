"""API of the temporary stays from another municipality (SPEC R8.4): what the e-service posts,
and the placement unit's list, registration and declining (as placements/stay_views.py).

Thin: the selectors read and scope (placements.stay_selectors.intakes_for: the placement
unit's own municipality), the services validate (Swedish messages, field names as posted) and
write."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.people.presentation import PLACEHOLDER
from verkstall.people.selectors import may_see_protected

from . import stay_selectors, stay_services
from .api import RESPONSES, id_field
from .models import IntakeState, StayIntake


def _text(max_length: int, help_text: str = "", **kw):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, help_text=help_text, **kw
    )


class StayIntakeSerializer(serializers.Serializer):
    """What the e-service posts. Every field is checked by the service, which names the field
    of each fault; `external_id` is the e-service's own case id (a repeat is the same intake)."""

    external_id = _text(100, "The e-service's case id; posting it again changes nothing.")
    personal_number = _text(13, "Personnummer or samordningsnummer.")
    first_name = _text(100)
    last_name = _text(100)
    home_municipality_name = _text(100)
    home_municipality_code = _text(4)
    stay_from = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    stay_to = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    street_address = _text(200, "Address during the stay.")
    postal_code = _text(10)
    city = _text(100)
    help_requested = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    contact_name = _text(200)
    contact_phone = _text(30)
    contact_email = _text(254)


class StayIntakeReceivedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    state = serializers.CharField()
    created = serializers.BooleanField(help_text="False when the same external_id came before.")


class StayIntakeListSerializer(OutputModelSerializer):
    """An intake as a list row: no address or contact data."""

    # A string, not an enum: the order's `state` is the schema's one StateEnum.
    state = serializers.CharField(read_only=True, help_text="pending, registered or declined.")
    personal_number = serializers.SerializerMethodField()

    class Meta:
        model = StayIntake
        fields = [
            "id",
            "external_id",
            "state",
            "received_at",
            "personal_number",
            "first_name",
            "last_name",
            "home_municipality_name",
            "home_municipality_code",
            "stay_from",
            "stay_to",
            "unit",
            "person",
            "handled_at",
            "decline_reason",
        ]

    def get_personal_number(self, intake) -> str:
        number = intake.personal_number
        return f"{number[:8]}-{number[8:]}" if len(number) == 12 else number


class StayIntakeDetailSerializer(StayIntakeListSerializer):
    """One intake as the e-service posted it. Once registered, a client with protected
    personal data has the stay's address shown only to its named staff (R10.5)."""

    class Meta(StayIntakeListSerializer.Meta):
        fields = [
            *StayIntakeListSerializer.Meta.fields,
            "street_address",
            "postal_code",
            "city",
            "help_requested",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]

    def to_representation(self, intake):
        data = super().to_representation(intake)
        person = intake.person
        if person is not None and not may_see_protected(self.context["request"].user, person):
            for field in ("street_address", "postal_code", "city"):
                data[field] = str(PLACEHOLDER)
        return data


class RegisterStaySerializer(serializers.Serializer):
    unit = id_field(
        required=False, help_text="The myndighet unit of the municipality that gets the client."
    )


class DeclineStaySerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Required, at most 300 characters."
    )


STAY_FILTERS = [
    OpenApiParameter("state", str, enum=list(IntakeState.values), description="Only this state."),
]


class StayIntakeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Temporary stays of people from another municipality (R8.4). The e-service posts an
    intake with the receiving municipality's placement-unit account; the placement unit lists
    its municipality's intakes (placements.stay_selectors) and registers or declines them."""

    def get_queryset(self):
        qs = stay_selectors.intakes_for(self.request.user).order_by("received_at", "id")
        state = self.request.query_params.get("state")
        if state in IntakeState.values:
            qs = qs.filter(state=state)
        return qs

    def get_serializer_class(self):
        if self.action == "list":
            return StayIntakeListSerializer
        if self.action == "create":
            return StayIntakeSerializer
        return StayIntakeDetailSerializer

    def get_object(self):
        return stay_selectors.get_intake(self.request.user, self.kwargs["pk"])

    def _detail(self, request, pk) -> Response:
        intake = stay_selectors.get_intake(request.user, pk)
        return Response(StayIntakeDetailSerializer(intake, context={"request": request}).data)

    @extend_schema(parameters=STAY_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=StayIntakeSerializer,
        responses={
            201: StayIntakeReceivedSerializer,
            200: StayIntakeReceivedSerializer,
            400: OpenApiResponse(description="Bad input; field names map to messages."),
            403: OpenApiResponse(description="Only the placement unit's account may post."),
        },
    )
    def create(self, request):
        data = StayIntakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intake, created = stay_services.receive_intake(request.user, **data.validated_data)
        body = {
            "id": intake.pk,
            "external_id": intake.external_id,
            "state": intake.state,
            "created": created,
        }
        return Response(
            StayIntakeReceivedSerializer(body).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=RegisterStaySerializer, responses={200: StayIntakeDetailSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Register the stay (R8.4): the client record of the municipality, found by
        personnummer or created in `unit`, and a note in the case journal."""
        intake = self.get_object()
        data = RegisterStaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = data.validated_data.get("unit")
        stay_services.register_intake(request.user, intake=intake, unit=unit)
        return self._detail(request, intake.pk)

    @extend_schema(
        request=DeclineStaySerializer, responses={200: StayIntakeDetailSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline the intake with a reason (R8.4)."""
        intake = self.get_object()
        data = DeclineStaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data.get("reason", "")
        stay_services.decline_intake(request.user, intake=intake, reason=reason)
        return self._detail(request, intake.pk)
