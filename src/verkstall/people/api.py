"""API for clients (SPEC R1.1). Thin: selectors read, services write."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import OralBriefing, Person, ProtectedDataAccess, Protection, Relative
from .presentation import ShownPerson


class RelativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relative
        fields = ["id", "name", "relation", "phone", "email"]
        read_only_fields = ["id"]


class PersonSerializer(serializers.ModelSerializer):
    """A client as the requesting user may see it (R10.5): for a protected client and a user
    who is not among its named staff, the address, postal code, city, phone and whereabouts
    are the placeholder "Skyddade uppgifter", relatives an empty list, and
    `protected_data_hidden` is true. Name and personnummer always show."""

    personal_number = serializers.CharField(source="formatted_personal_number", read_only=True)
    is_coordination_number = serializers.BooleanField(read_only=True)
    relatives = RelativeSerializer(many=True, read_only=True)
    area_name = serializers.CharField(
        source="area.name", read_only=True, default=None, allow_null=True
    )
    protection = serializers.ChoiceField(
        choices=Protection.choices,
        read_only=True,
        help_text="Protected personal data (R10.1): none, confidentiality_marking "
        "(sekretessmarkering) or protected_registration (skyddad folkbokföring).",
    )
    protected_data_hidden = serializers.BooleanField(
        source="hidden",
        read_only=True,
        help_text="True when the protected fields hold the placeholder instead of the data "
        "(R10.5).",
    )

    def to_representation(self, instance):
        if not isinstance(instance, ShownPerson):
            request = self.context.get("request")
            user = getattr(request, "user", None)
            instance = selectors.shown_person(user, instance)
        return super().to_representation(instance)

    class Meta:
        model = Person
        fields = [
            "id",
            "personal_number",
            "is_coordination_number",
            "first_name",
            "last_name",
            "street_address",
            "postal_code",
            "city",
            "area",
            "area_name",
            "phone",
            "whereabouts",
            "unit",
            "relatives",
            "protection",
            "protected_data_hidden",
        ]
        read_only_fields = fields


class PersonListSerializer(PersonSerializer):
    class Meta(PersonSerializer.Meta):
        fields = [f for f in PersonSerializer.Meta.fields if f != "relatives"]
        read_only_fields = fields


class PersonCreateSerializer(serializers.Serializer):
    personal_number = serializers.CharField(max_length=20)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    street_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    area = serializers.IntegerField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    whereabouts = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relatives = RelativeSerializer(many=True, required=False)


class PersonUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    street_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    area = serializers.IntegerField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    whereabouts = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ProtectionSerializer(serializers.Serializer):
    protection = serializers.ChoiceField(choices=Protection.choices)


class ProtectedAccessSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.get_full_name", read_only=True)
    organisation = serializers.CharField(source="user.organisation_name", read_only=True)
    granted_by = serializers.CharField(source="granted_by.get_full_name", read_only=True)
    revoked_by = serializers.CharField(
        source="revoked_by.get_full_name", read_only=True, default=None, allow_null=True
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ProtectedDataAccess
        fields = [
            "id",
            "user",
            "user_name",
            "organisation",
            "reason",
            "granted_by",
            "granted_at",
            "revoked_by",
            "revoked_at",
            "active",
        ]
        read_only_fields = fields


class ProtectedAccessGrantSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The user to name (R10.5)."
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class OralBriefingSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.get_full_name", read_only=True)

    class Meta:
        model = OralBriefing
        fields = [
            "id",
            "order",
            "provider",
            "provider_name",
            "told_name",
            "told_user",
            "told_at",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class OralBriefingCreateSerializer(serializers.Serializer):
    told_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Who at the provider was told; defaults to told_user's name.",
    )
    told_user = serializers.IntegerField(
        required=False, allow_null=True, help_text="The provider's unit manager, if a user."
    )
    told_at = serializers.DateTimeField(help_text="When; not in the future.")
    provider = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The order's provider (default), or the new provider of an open switch.",
    )


PROTECTION_RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="Only an officer of the client's unit."),
    404: OpenApiResponse(description="No such client, or not yours to see."),
}


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Clients the signed-in user may see. Officers register clients; both sides keep contact
    data up to date."""

    serializer_class = PersonSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.search_persons(self.request.user, self.request.query_params.get("q"))
        return selectors.persons_for(self.request.user).prefetch_related("relatives")

    def get_serializer_class(self):
        return PersonListSerializer if self.action == "list" else PersonSerializer

    def get_object(self):
        return selectors.get_person(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name or personnummer (part of).")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer})
    def create(self, request):
        data = PersonCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.register_person(request.user, **data.validated_data)
        return Response(self._shown(request, person.pk), status=status.HTTP_201_CREATED)

    def _shown(self, request, pk) -> dict:
        person = selectors.get_person(request.user, pk)
        return PersonSerializer(person, context={"request": request}).data

    @extend_schema(request=PersonUpdateSerializer, responses={200: PersonSerializer})
    def partial_update(self, request, pk=None):
        person = self.get_object()
        data = PersonUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.update_person(request.user, person, **data.validated_data)
        return Response(self._shown(request, person.pk))

    @extend_schema(
        request=ProtectionSerializer,
        responses={200: PersonSerializer, **PROTECTION_RESPONSES},
        description="Set or clear protected personal data (R10.1). The client's officer only; "
        "the officer who sets it is named to see the protected data.",
    )
    @action(detail=True, methods=["post"])
    def protection(self, request, pk=None):
        person = self.get_object()
        data = ProtectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_protection(request.user, person, **data.validated_data)
        return Response(self._shown(request, person.pk))

    @extend_schema(
        methods=["GET"],
        responses={200: ProtectedAccessSerializer(many=True), **PROTECTION_RESPONSES},
        description="The named staff who may see the protected data (R10.5).",
    )
    @extend_schema(
        methods=["POST"],
        request=ProtectedAccessGrantSerializer,
        responses={201: ProtectedAccessSerializer, **PROTECTION_RESPONSES},
        description="Name a staff member who may see the protected data (R10.5).",
    )
    @action(
        detail=True, methods=["get", "post"], url_path="protected-access", pagination_class=None
    )
    def protected_access(self, request, pk=None):
        person = self.get_object()
        if request.method == "GET":
            grants = selectors.protected_access_grants(request.user, person)
            return Response(ProtectedAccessSerializer(grants, many=True).data)
        data = ProtectedAccessGrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.grant_protected_access(request.user, person, **data.validated_data)
        return Response(ProtectedAccessSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ProtectedAccessSerializer, **PROTECTION_RESPONSES},
        description="Revoke a named staff member's access (R10.5); the grant is kept.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"protected-access/(?P<grant_pk>[0-9]+)/revoke",
        url_name="protected-access-revoke",
    )
    def revoke_protected_access(self, request, pk=None, grant_pk=None):
        person = self.get_object()
        grant = services.revoke_protected_access(request.user, person, grant=grant_pk)
        return Response(ProtectedAccessSerializer(grant).data)
