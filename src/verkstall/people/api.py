"""API for clients (SPEC R1.1). Thin: selectors read, services write."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from . import selectors, services
from .models import Person, Relative


class RelativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relative
        fields = ["id", "name", "relation", "phone", "email"]
        read_only_fields = ["id"]


class PersonSerializer(serializers.ModelSerializer):
    personal_number = serializers.CharField(source="formatted_personal_number", read_only=True)
    is_coordination_number = serializers.BooleanField(read_only=True)
    relatives = RelativeSerializer(many=True, read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True, default=None)

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
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonUpdateSerializer, responses={200: PersonSerializer})
    def partial_update(self, request, pk=None):
        person = self.get_object()
        data = PersonUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.update_person(request.user, person, **data.validated_data)
        return Response(PersonSerializer(selectors.get_person(request.user, person.pk)).data)
