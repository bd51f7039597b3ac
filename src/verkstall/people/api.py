"""API for clients (SPEC R1.1). Thin: selectors read, services write."""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import unquote

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.concurrency_api import VersionedViewSet, version_field
from verkstall.core.date_fields import BoundedDateTimeField
from verkstall.core.errors import ValidationFailed
from verkstall.core.personal_number import has_digits

from . import protection_services, selectors, services
from .change_api import PersonCorrectionActions, RelativeInputSerializer, RelativeSerializer
from .models import (
    OralBriefing,
    Person,
    ProtectedDataAccess,
    Protection,
    ProtectionRequest,
)
from .presentation import ShownPerson
from .selectors import SEARCH_HEADER
from .version_selectors import PERSON_VERSIONING


class PersonSerializer(OutputModelSerializer):
    """A client as the requesting user may see it (R10.5): for a protected client and a user
    who is not among its named staff, the address, postal code, city, phone and whereabouts
    are the placeholder "Skyddade uppgifter", relatives an empty list, and
    `protected_data_hidden` is true. Name and personnummer always show."""

    personal_number = serializers.CharField(source="formatted_personal_number", read_only=True)
    is_coordination_number = serializers.BooleanField(read_only=True)
    relatives = RelativeSerializer(many=True, read_only=True)
    area = serializers.IntegerField(
        source="area_id",
        read_only=True,
        allow_null=True,
        help_text="The home-care area's id; null for a protected client (R10.5).",
    )
    area_name = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The home-care area's name, or the placeholder for a protected client.",
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
    lock_version = version_field()

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
            "lock_version",
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
    """A list row: a protected client's protected fields are the placeholder for everyone,
    named staff included (they read them on the client itself)."""

    def to_representation(self, instance):
        if not isinstance(instance, ShownPerson):
            instance = selectors.listed_person(instance)
        return super().to_representation(instance)

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
    relatives = RelativeInputSerializer(many=True, required=False)


class PersonUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    street_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    area = serializers.IntegerField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    whereabouts = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="Why the data is changed; required for an officer's correction (R1.1), "
        "kept in the client's history.",
    )


class ProtectionSerializer(serializers.Serializer):
    protection = serializers.ChoiceField(choices=Protection.choices)


class ProtectedAccessSerializer(OutputModelSerializer):
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


class ProtectionApprovalSerializer(OutputModelSerializer):
    """A request that waits for, or got, a second officer's decision (four eyes, issue 11)."""

    user_name = serializers.CharField(
        source="user.get_full_name", read_only=True, default=None, allow_null=True
    )
    requested_by = serializers.CharField(source="requested_by.get_full_name", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.get_full_name", read_only=True, default=None, allow_null=True
    )
    pending = serializers.BooleanField(source="is_pending", read_only=True)

    class Meta:
        model = ProtectionRequest
        fields = [
            "id",
            "kind",
            "user",
            "user_name",
            "protection",
            "reason",
            "requested_by",
            "requested_at",
            "pending",
            "approved",
            "decided_by",
            "decided_at",
        ]


class OralBriefingSerializer(OutputModelSerializer):
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
    told_at = BoundedDateTimeField(help_text="When; not in the future.")
    provider = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The order's provider (default), or the new provider of an open switch.",
    )


# A search that may hold a personnummer travels in a header, never in the address (issue 11).
Q_IN_ADDRESS_MESSAGE = (
    "Sökningen innehåller siffror och kan vara ett personnummer, som inte får stå i adressen. "
    f"Skicka sökningen i huvudet {SEARCH_HEADER} i stället."
)


def search_text(request) -> str:
    """The list's search: the X-Search-Query header (percent-encoded UTF-8), else `q` from the
    address, which may only hold a name."""
    header = request.headers.get(SEARCH_HEADER)
    if header:
        with suppress(UnicodeError):  # raw UTF-8 bytes arrive as Latin-1 text (WSGI)
            header = header.encode("latin-1").decode("utf-8")
        text = unquote(header)
        if "\x00" in text:
            raise ValidationFailed({SEARCH_HEADER: "Sökningen får inte innehålla NUL-tecken."})
        return text
    query = request.query_params.get("q", "")
    if has_digits(query):
        raise ValidationFailed({"q": Q_IN_ADDRESS_MESSAGE})
    return query


PROTECTION_RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="Only an officer of the client's unit."),
    404: OpenApiResponse(description="No such client, or not yours to see."),
}


class PersonViewSet(
    PersonCorrectionActions,
    VersionedViewSet,  # ETag and If-Match (core/concurrency_api.py, issue 18)
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Clients the signed-in user may see. Officers register clients; both sides keep contact
    data up to date."""

    serializer_class = PersonSerializer
    versioning = PERSON_VERSIONING

    def get_queryset(self):
        if self.action == "list":
            return selectors.search_persons(self.request.user, search_text(self.request))
        return selectors.persons_for(self.request.user).prefetch_related("relatives")

    def get_serializer_class(self):
        return PersonListSerializer if self.action == "list" else PersonSerializer

    def get_object(self):
        return selectors.get_person(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                SEARCH_HEADER,
                str,
                location=OpenApiParameter.HEADER,
                description="Search by name or by (part of) a personnummer or samordningsnummer. "
                "Sent in this header so that a personnummer never appears in an address or a "
                "server log. UTF-8; percent-encode characters outside ASCII (as "
                "encodeURIComponent does). Takes precedence over `q`.",
            ),
            OpenApiParameter(
                "q",
                str,
                description="Search by name only. A value with digits is refused with 400 "
                f"(it may be a personnummer): send such a search in the `{SEARCH_HEADER}` "
                "header instead.",
            ),
        ],
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

    @extend_schema(
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer},
        description="Correct the client's data (R1.1): the officer of the client's unit name, "
        "address, area, position and contact data, with a `reason`; a provider that holds an "
        "order for the client now (sent, acknowledged or started) phone and whereabouts "
        "(reason optional; 403 once its orders have ended). Every changed field is kept in "
        "the client's history (`changes/`).",
    )
    def partial_update(self, request, pk=None):
        person = self.get_object()
        data = PersonUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.update_person(request.user, person, **data.validated_data)
        return Response(self._shown(request, person.pk))

    @extend_schema(
        request=ProtectionSerializer,
        responses={
            200: PersonSerializer,
            202: ProtectionApprovalSerializer,
            **PROTECTION_RESPONSES,
        },
        description="Set, raise, lower or clear protected personal data (R10.1). The client's "
        "officer only. Raising it takes effect at once (200, the client; who marks a client "
        "that had none is named to see the data). Lowering or clearing it opens the data up "
        "and waits for a second officer of the unit (202, the pending request; approve it at "
        "`protection-requests/{id}/approve/`).",
    )
    @action(detail=True, methods=["post"])
    def protection(self, request, pk=None):
        person = self.get_object()
        data = ProtectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = protection_services.set_protection(request.user, person, **data.validated_data)
        if isinstance(result, ProtectionRequest):
            return Response(
                ProtectionApprovalSerializer(result).data, status=status.HTTP_202_ACCEPTED
            )
        return Response(self._shown(request, person.pk))

    @extend_schema(
        methods=["GET"],
        responses={200: ProtectedAccessSerializer(many=True), **PROTECTION_RESPONSES},
        description="The named staff who may see the protected data (R10.5).",
    )
    @extend_schema(
        methods=["POST"],
        request=ProtectedAccessGrantSerializer,
        responses={202: ProtectionApprovalSerializer, **PROTECTION_RESPONSES},
        description="Ask that a staff member may see the protected data (R10.5). Nobody gets "
        "access until another officer of the unit, not the one who asked and not the one "
        "named, approves the request (202, pending; four eyes).",
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
        asked = protection_services.request_protected_access(
            request.user, person, **data.validated_data
        )
        return Response(ProtectionApprovalSerializer(asked).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={200: ProtectionApprovalSerializer(many=True), **PROTECTION_RESPONSES},
        description="Requests to name staff or to lower or clear the protection, pending "
        "first (four eyes). The client's officers only.",
    )
    @action(detail=True, methods=["get"], url_path="protection-requests", pagination_class=None)
    def protection_requests(self, request, pk=None):
        person = self.get_object()
        asked = selectors.protection_requests(request.user, person)
        return Response(ProtectionApprovalSerializer(asked, many=True).data)

    def _decide(self, request, pk, request_pk, approve: bool):
        person = self.get_object()
        decided = protection_services.decide_protection_request(
            request.user, person, request=request_pk, approve=approve
        )
        return Response(ProtectionApprovalSerializer(decided).data)

    @extend_schema(
        request=None,
        responses={200: ProtectionApprovalSerializer, **PROTECTION_RESPONSES},
        description="Approve a pending request: another officer of the client's unit, never "
        "the one who asked nor the one who would be given access (four eyes).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"protection-requests/(?P<request_pk>[0-9]+)/approve",
        url_name="protection-request-approve",
    )
    def approve_protection_request(self, request, pk=None, request_pk=None):
        return self._decide(request, pk, request_pk, approve=True)

    @extend_schema(
        request=None,
        responses={200: ProtectionApprovalSerializer, **PROTECTION_RESPONSES},
        description="Reject a pending request (the same officers who may approve it).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"protection-requests/(?P<request_pk>[0-9]+)/reject",
        url_name="protection-request-reject",
    )
    def reject_protection_request(self, request, pk=None, request_pk=None):
        return self._decide(request, pk, request_pk, approve=False)

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
        grant = protection_services.revoke_protected_access(request.user, person, grant=grant_pk)
        return Response(ProtectedAccessSerializer(grant).data)
