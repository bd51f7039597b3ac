"""`POST /api/client-deaths/`: a client died; every order ends or is withdrawn in one step
(seed 004 "brukaren flyttar eller avlider"; orders.death_services)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from verkstall.core.date_fields import BoundedDateField
from verkstall.core.errors import NotFound
from verkstall.people.selectors import get_person

from .death_services import NOTE_MAX, register_death


class DeathSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="The client (an id the caller may see).")
    died_on = BoundedDateField(help_text="The day of death; not in the future.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)


class DeathResultSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    died_on = BoundedDateField()
    ended_orders = serializers.ListField(
        child=serializers.IntegerField(), help_text="Started orders, ended on the day of death."
    )
    cancelled_orders = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Orders that never started, withdrawn (makulerade).",
    )
    services_ended = serializers.IntegerField(
        help_text="Granted services whose validity now ends on the day of death."
    )


class ClientDeathViewSet(viewsets.GenericViewSet):
    """Register that a client died (officer of the client's current unit)."""

    serializer_class = DeathSerializer

    @extend_schema(
        request=DeathSerializer,
        responses={
            201: DeathResultSerializer,
            400: OpenApiResponse(description="Bad input; field names map to messages."),
            403: OpenApiResponse(description="Only an officer of the client's current unit."),
        },
        description="Every open order of the client ends (started: end date the day of death, "
        "end reason `died`) or is withdrawn (never started), also one a unit took before the "
        "client was transferred to the caller's unit (R1.4); every granted service ends on "
        "the day of death and the client's open clocks close, in one transaction.",
    )
    def create(self, request):
        data = DeathSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            person = get_person(request.user, values.pop("person"))
        except NotFound:
            return Response({"person": ["Okänd klient."]}, status=status.HTTP_400_BAD_REQUEST)
        result = register_death(request.user, person, **values)
        body = {
            "person": person.pk,
            "died_on": result.died_on,
            "ended_orders": [o.pk for o in result.ended],
            "cancelled_orders": [o.pk for o in result.cancelled],
            "services_ended": len(result.services_ended),
        }
        return Response(DeathResultSerializer(body).data, status=status.HTTP_201_CREATED)
