"""API of the care-home and day-activity queue (SPEC R8.1, R8.2, R8.3): what the queue's
screens do, for a municipality's and a provider's own systems. The temporary stays from another
municipality (R8.4) have theirs in stay_api.py.

Thin: the selectors read and scope (placements.selectors.entries_for), the services validate
(Swedish messages under the field names posted) and write. Where the client is now follows
R10.5: a protected client's only to its named staff, and never in a list.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateTimeField
from verkstall.people.selectors import listed_person, shown_person

from . import selectors, services
from .models import EntryState, PlaceOffer, QueueChoice, QueueEntry
from .services import QueueStepNotAllowed

MAX_ID = 2**63 - 1
RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="You may see the object but not do this."),
    404: OpenApiResponse(description="No such object, or not yours to see."),
    409: OpenApiResponse(description="Out of turn: the step does not fit the current state."),
}
KINDS = ("care_home", "day_activity")


def id_field(**kw):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kw)


# --- the queue (R8.1, R8.2, R8.3) -------------------------------------------------------------


class QueuePersonSerializer(serializers.Serializer):
    """The client as a placement needs it (R8.1): name and personnummer, never an address."""

    id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(source="full_name", read_only=True)
    personal_number = serializers.CharField(source="formatted_personal_number", read_only=True)
    protected = serializers.BooleanField(source="is_protected", read_only=True)


class QueueChoiceSerializer(OutputModelSerializer):
    home_name = serializers.CharField(source="home", read_only=True)

    class Meta:
        model = QueueChoice
        fields = ["rank", "home", "home_name"]


class PlaceOfferSerializer(OutputModelSerializer):
    home_name = serializers.CharField(source="home", read_only=True)

    class Meta:
        model = PlaceOffer
        fields = [
            "id",
            "home",
            "home_name",
            "offered_at",
            "outcome",
            "answered_at",
            "decline_reason",
        ]


class QueueEntrySerializer(OutputModelSerializer):
    """A queue entry as a list row: where the client is now is the placeholder for a protected
    client, whoever reads (R10.5); the entry itself shows it to the named staff."""

    # A string, not an enum: the order's `state` is the schema's one StateEnum.
    state = serializers.CharField(
        read_only=True, help_text="waiting, offered, accepted, ordered or removed."
    )
    kind = serializers.SerializerMethodField(help_text="care_home or day_activity (R8.3).")
    person = serializers.SerializerMethodField()
    service_type_name = serializers.CharField(
        source="granted_service.service_type.name", read_only=True
    )
    days_waited = serializers.SerializerMethodField()
    current_location = serializers.SerializerMethodField(
        help_text="Where the client is now (urgent placement, R8.1); the placeholder "
        '"Skyddade uppgifter" for a protected client (R10.5).'
    )
    choices = serializers.SerializerMethodField(help_text="The homes chosen, in rank order.")

    class Meta:
        model = QueueEntry
        fields = [
            "id",
            "state",
            "kind",
            "urgent",
            "person",
            "decision",
            "granted_service",
            "service_type_name",
            "unit",
            "queued_at",
            "days_waited",
            "current_location",
            "discharge_ready_at",
            "liability_from",
            "accepted_at",
            "removed_at",
            "order",
            "choices",
        ]

    def get_kind(self, entry) -> str:
        kind = entry.granted_service.service_type.kind
        return "care_home" if kind in selectors.CARE_HOME_KINDS else "day_activity"

    @extend_schema_field(QueuePersonSerializer)
    def get_person(self, entry) -> dict:
        return QueuePersonSerializer(self._person(entry)).data

    def get_days_waited(self, entry) -> int:
        return selectors.days_waited(entry)

    def get_current_location(self, entry) -> str:
        if not entry.current_location:
            return ""
        person = listed_person(entry.person)
        return entry.current_location if person.visible else person.placeholder

    @extend_schema_field(QueueChoiceSerializer(many=True))
    def get_choices(self, entry) -> list[dict]:
        return QueueChoiceSerializer(entry.choices.all(), many=True).data

    def _person(self, entry):
        return listed_person(entry.person)


class QueueEntryDetailSerializer(QueueEntrySerializer):
    """One entry: its offers with their answers, the notes, and where the client is now as the
    reader may see it (`selectors.shown_location`, R10.5)."""

    offers = serializers.SerializerMethodField()
    officer_name = serializers.CharField(source="officer.get_full_name", read_only=True)

    class Meta(QueueEntrySerializer.Meta):
        fields = [
            *QueueEntrySerializer.Meta.fields,
            "notes",
            "removed_reason",
            "officer",
            "officer_name",
            "offers",
        ]

    def _user(self):
        return self.context["request"].user

    def _person(self, entry):
        return shown_person(self._user(), entry.person)

    def get_current_location(self, entry) -> str:
        return selectors.shown_location(self._user(), entry)

    @extend_schema_field(QueueChoiceSerializer(many=True))
    def get_choices(self, entry) -> list[dict]:
        return QueueChoiceSerializer(selectors.choices_of(entry), many=True).data

    @extend_schema_field(PlaceOfferSerializer(many=True))
    def get_offers(self, entry) -> list[dict]:
        return PlaceOfferSerializer(selectors.offers_of(entry), many=True).data


class EnqueueSerializer(serializers.Serializer):
    granted_service = id_field(help_text="The granted service (care home or day activity).")
    homes = serializers.ListField(
        child=id_field(),
        max_length=20,
        help_text="The homes (or day-activity units) chosen, first choice first.",
    )
    urgent = serializers.BooleanField(
        required=False, default=False, help_text="Urgent placement (care home only, R8.1)."
    )
    current_location = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Urgent: where the client is."
    )
    discharge_ready_at = BoundedDateTimeField(
        required=False,
        allow_null=True,
        help_text="Urgent: when the hospital said the client is ready for discharge.",
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class OfferSerializer(serializers.Serializer):
    home = id_field(help_text="One of the homes the client chose.")


class AnswerSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="The client's answer to the open offer.")
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Required when the client declined."
    )


class OrderToHomeSerializer(serializers.Serializer):
    instructions = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Required, at most 300 characters: why the client leaves the queue (no "
        "longer wants a place, moved, died).",
    )


QUEUE_FILTERS = [
    OpenApiParameter("state", str, enum=list(EntryState.values), description="Only this state."),
    OpenApiParameter("urgent", bool, description="Only urgent placements (true) or not (false)."),
    OpenApiParameter("kind", str, enum=list(KINDS), description="Care homes or day activities."),
]


class QueueEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The queue entries the user may see (placements.selectors.entries_for): the placement
    unit its municipality's, the officer its unit's. The officer puts a client in the queue,
    sends the order and withdraws; the placement unit offers a place, registers the answer
    and withdraws (R8.1, R8.2, R8.3)."""

    def get_queryset(self):
        qs = selectors.entries_for(self.request.user)
        params = self.request.query_params
        if params.get("state") in EntryState.values:
            qs = qs.filter(state=params["state"])
        if params.get("urgent") in ("true", "false"):
            qs = qs.filter(urgent=params["urgent"] == "true")
        kind = params.get("kind")
        if kind in KINDS:
            care = {"granted_service__service_type__kind__in": selectors.CARE_HOME_KINDS}
            qs = qs.filter(**care) if kind == "care_home" else qs.exclude(**care)
        return qs.prefetch_related("choices__home__provider")

    def get_serializer_class(self):
        if self.action == "list":
            return QueueEntrySerializer
        if self.action == "create":
            return EnqueueSerializer
        return QueueEntryDetailSerializer

    def get_object(self):
        return selectors.get_entry(self.request.user, self.kwargs["pk"])

    def _detail(self, request, pk, code=status.HTTP_200_OK) -> Response:
        entry = selectors.get_entry(request.user, pk)
        body = QueueEntryDetailSerializer(entry, context={"request": request}).data
        return Response(body, status=code)

    @extend_schema(parameters=QUEUE_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=EnqueueSerializer, responses={201: QueueEntryDetailSerializer, **RESPONSES}
    )
    def create(self, request):
        """The officer puts the client in the queue (R8.1, R8.3), urgent or not."""
        data = EnqueueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.enqueue(request.user, **data.validated_data)
        return self._detail(request, entry.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=OfferSerializer, responses={200: QueueEntryDetailSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def offer(self, request, pk=None):
        """The placement unit offers a place at one of the chosen homes (R8.2, R8.3)."""
        entry = self.get_object()
        data = OfferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.offer_place(request.user, entry=entry, home=data.validated_data["home"])
        return self._detail(request, entry.pk)

    @extend_schema(
        request=AnswerSerializer, responses={200: QueueEntryDetailSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The client's answer to the open offer (R8.2): accepted, or declined with a reason."""
        entry = self.get_object()
        offer = selectors.open_offer(entry)
        if offer is None:
            raise QueueStepNotAllowed("Köplatsen har inget obesvarat erbjudande.")
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.record_answer(request.user, offer=offer, **data.validated_data)
        return self._detail(request, entry.pk)

    @extend_schema(
        request=OrderToHomeSerializer, responses={200: QueueEntryDetailSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        """The officer sends the order to the accepted home in one step (R8.2, R8.3); the
        entry's `order` is the new order's id."""
        entry = self.get_object()
        data = OrderToHomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.order_to_home(request.user, entry=entry, **data.validated_data)
        return self._detail(request, entry.pk)

    @extend_schema(
        request=WithdrawSerializer, responses={200: QueueEntryDetailSerializer, **RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Remove the client from the queue with a reason; an open offer is closed and an
        urgent placement's payment-liability clock stops running (R8.1, R8.2)."""
        entry = self.get_object()
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.withdraw(request.user, entry=entry, reason=data.validated_data.get("reason", ""))
        return self._detail(request, entry.pk)
