"""API for providers, contracts, provider choice and proximity (SPEC R2.1, R2.2, R2.3, R2.5).
Thin: selectors read, services write."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.date_fields import BoundedDateField
from verkstall.core.dates import parse_date
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import choice_services, selectors
from .models import Contract, Provider, ProviderChoice, ProviderUnit


class ProviderUnitSerializer(OutputModelSerializer):
    class Meta:
        model = ProviderUnit
        fields = ["id", "name", "manager_name", "phone"]


class ProviderSerializer(OutputModelSerializer):
    units = ProviderUnitSerializer(many=True, read_only=True)

    class Meta:
        model = Provider
        fields = ["id", "name", "is_connected", "channel", "email", "fax", "phone", "units"]


# --- Contracts, provider choice and proximity (SPEC R2.1, R2.2, R2.3, R2.5) -----------------------


class ContractSerializer(OutputModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    service_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "provider",
            "provider_name",
            "service_type",
            "area",
            "area_name",
            "valid_from",
            "valid_to",
            "in_no_choice",
            "accepts_new_clients",
            "capacity_reason",
            "capacity_until",
        ]


class ChoiceOptionSerializer(serializers.Serializer):
    provider = serializers.IntegerField(source="provider.pk")
    provider_name = serializers.CharField(source="provider.name")
    is_connected = serializers.BooleanField(source="provider.is_connected")
    contract = serializers.IntegerField(source="contract.pk")
    at_capacity = serializers.BooleanField(
        help_text="True if the provider takes no new clients now (R2.1)."
    )
    capacity_reason = serializers.CharField()
    capacity_until = BoundedDateField(allow_null=True)


class ChoiceSerializer(OutputModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = ProviderChoice
        fields = [
            "id",
            "person",
            "granted_service",
            "provider",
            "provider_name",
            "kind",
            "form_received_on",
            "registered_at",
        ]


class ChoiceCreateSerializer(serializers.Serializer):
    granted_service = serializers.IntegerField()
    provider = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=[ProviderChoice.Kind.CHOICE.value, ProviderChoice.Kind.RECHOICE.value],
        default=ProviderChoice.Kind.CHOICE.value,
        help_text='"choice" (Val av utförare LOV) or "rechoice" (Omval utförare LOV).',
    )
    form_received_on = BoundedDateField(help_text="When the signed choice form arrived.")
    returning_from_temporary_stay = serializers.BooleanField(
        default=False,
        help_text="The client returns from a temporary stay to their ordinary provider, which "
        "takes them back regardless of its capacity cap (R2.6).",
    )


class NearbyUnitSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    provider = serializers.IntegerField(source="unit.provider_id")
    provider_name = serializers.CharField(source="unit.provider.name")
    distance_km = serializers.FloatField(
        allow_null=True, help_text="Great-circle distance; null if a position is missing."
    )


GRANTED_SERVICE_PARAM = OpenApiParameter(
    "granted_service", int, required=True, description="A granted service of a decision."
)


def _granted_service(request):
    if not request.user.is_officer:
        raise PermissionDenied("Endast handläggare kan välja utförare för en klient.")
    value = request.query_params.get("granted_service")
    if not (value or "").isdigit():
        raise ValidationFailed({"granted_service": "Ange en beviljad insats."})
    return selectors.granted_service_for(request.user, None, int(value))


class ProviderChoiceActions:
    """Actions on /api/providers/ for contracts, choice and proximity (R2.1, R2.2, R2.3, R2.5)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, required=False),
            OpenApiParameter("service_type", str, required=False, description="Code."),
            OpenApiParameter(
                "valid_on", OpenApiTypes.DATE, required=False, description="In force that day."
            ),
        ],
        responses=ContractSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def contracts(self, request):
        """Contract lines of the municipality (a provider: its own), with capacity (R2.1)."""
        qs = selectors.contracts_for(request.user)
        params = request.query_params
        if (params.get("area") or "").isdigit():
            qs = qs.filter(area_id=int(params["area"]))
        if params.get("service_type"):
            qs = qs.filter(service_type__code=params["service_type"])
        if params.get("valid_on"):
            errors: dict[str, str] = {}
            day = parse_date(params["valid_on"], "valid_on", errors)
            if errors:
                raise ValidationFailed(errors)
            qs = qs.filter(selectors.valid_on(day))
        return Response(ContractSerializer(qs, many=True).data)

    @extend_schema(parameters=[GRANTED_SERVICE_PARAM], responses=ChoiceOptionSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="choice-options", pagination_class=None)
    def choice_options(self, request):
        """The providers the client may choose for a granted service, in the fair order for
        this client and day, those at their capacity cap last and marked (R2.1)."""
        granted = _granted_service(request)
        return Response(ChoiceOptionSerializer(selectors.choice_options(granted), many=True).data)

    @extend_schema(
        request=ChoiceCreateSerializer,
        responses={
            201: ChoiceSerializer,
            400: OpenApiResponse(description="Not contracted, at its cap, or a bad date."),
            403: OpenApiResponse(description="Only the client's case officer may do this."),
        },
    )
    @action(detail=False, methods=["post"], url_path="choices")
    def register_choice(self, request):
        """Register the client's active choice: "Val av utförare LOV" or "Omval utförare
        LOV", with the date the signed form arrived (R2.2). Meets the choice deadline (R2.3)."""
        data = ChoiceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not request.user.is_officer:
            raise PermissionDenied("Endast handläggare kan välja utförare för en klient.")
        try:
            granted = selectors.granted_service_for(request.user, None, values["granted_service"])
        except NotFound:
            raise ValidationFailed({"granted_service": "Okänd beviljad insats."}) from None
        values["granted_service"] = granted
        choice = choice_services.register_choice(request.user, **values)
        return Response(ChoiceSerializer(choice).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[GRANTED_SERVICE_PARAM], responses=NearbyUnitSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="nearest-units", pagination_class=None)
    def nearest_units(self, request):
        """Units offering a short-term or profile home, nearest the client first (R2.5)."""
        granted = _granted_service(request)
        if granted.service_type.kind not in selectors.PROXIMITY_KINDS:
            raise ValidationFailed(
                {"granted_service": "Närhetsprincipen gäller korttidsboende och profilboende."}
            )
        return Response(
            NearbyUnitSerializer(selectors.nearest_units(request.user, granted), many=True).data
        )


class ProviderViewSet(
    ProviderChoiceActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Providers of the municipality; contracts, provider choice and proximity as actions."""

    serializer_class = ProviderSerializer

    def get_queryset(self):
        return selectors.providers_for(self.request.user)

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (Provider.DoesNotExist, ValueError):
            raise NotFound("Utföraren finns inte.") from None
