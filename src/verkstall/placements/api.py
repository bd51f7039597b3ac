"""API of the temporary stays from another municipality (SPEC R8.4): what the e-service posts.

Thin: the service validates (Swedish messages, field names as posted) and writes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from . import stay_services


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


class StayIntakeViewSet(viewsets.ViewSet):
    """Receive a temporary stay of a person from another municipality (R8.4). The intake lands
    in the posting account's municipality, for its placement unit to register."""

    serializer_class = StayIntakeSerializer

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
