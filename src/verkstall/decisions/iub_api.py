"""API for the requests for a service without needs assessment (IUB, SPEC R1.3): the unit's
officers list, read and register them. The decision that grants one is linked by
`POST /api/decisions/` with `iub_request`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateField
from verkstall.core.errors import NotFound
from verkstall.people.selectors import get_person

from . import iub_selectors, iub_services
from .iub_services import ASKED_BY_MAX, IUB_CHANNELS
from .models import IubRequest


class IubRequestSerializer(OutputModelSerializer):
    """A request as the reader may see it: for a client with protected personal data, who
    asked and the note are the placeholder except to the named staff reading one request
    (never in a list, R10.5)."""

    service_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    asked_by = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField(help_text="No decision has granted it yet.")

    class Meta:
        model = IubRequest
        fields = [
            "id",
            "person",
            "unit",
            "service_type",
            "asked_by",
            "asked_on",
            "channel",
            "note",
            "first_officer",
            "decision",
            "is_open",
            "created_at",
        ]

    def _shown(self, obj):
        user = self.context["request"].user
        return iub_selectors.shown_request(user, obj, listed=self.context.get("listed", False))

    def get_asked_by(self, obj) -> str:
        return self._shown(obj).asked_by

    def get_note(self, obj) -> str:
        return self._shown(obj).note

    def get_is_open(self, obj) -> bool:
        return obj.decision_id is None


class IubRelativeInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    relation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class IubRequestCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    asked_by = serializers.CharField(
        max_length=ASKED_BY_MAX, help_text="Who asked: the person, or who asked for them."
    )
    asked_on = BoundedDateField()
    channel = serializers.ChoiceField(choices=list(IUB_CHANNELS.items()))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    service_type = serializers.CharField(
        required=False, allow_blank=True, help_text="A service type code without needs assessment."
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="The client's phone."
    )
    relatives = IubRelativeInput(many=True, required=False)


class IubRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IubRequestSerializer

    def get_queryset(self):
        qs = iub_selectors.iub_requests_for(self.request.user)
        person = self.request.query_params.get("person")
        if person and person.isdigit():
            qs = qs.filter(person_id=person)
        if self.request.query_params.get("open") == "true":
            qs = qs.filter(decision__isnull=True)
        return qs

    def get_object(self):
        return iub_selectors.get_iub_request(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "listed": self.action == "list"}

    @extend_schema(
        parameters=[
            OpenApiParameter("person", int, description="Only this client's requests."),
            OpenApiParameter("open", str, description="true: only those without a decision."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=IubRequestCreateSerializer,
        responses={201: IubRequestSerializer},
        description="The first case officer registers a request (who asked, when, how) and, "
        "at the same time, the client's phone and relatives (R1.3, seed 002 §IUB).",
    )
    def create(self, request):
        data = IubRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            person = get_person(request.user, values.pop("person"))
        except NotFound:
            return Response({"person": ["Okänd klient."]}, status=status.HTTP_400_BAD_REQUEST)
        created = iub_services.register_iub_request(request.user, person=person, **values)
        shown = iub_selectors.get_iub_request(request.user, created.pk)
        return Response(
            IubRequestSerializer(shown, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
