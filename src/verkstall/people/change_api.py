"""The API's corrections of a client's relatives and the client's change history (SPEC R1.1),
as actions of `people.api.PersonViewSet` (mixed in): add, correct and remove a relative, and
read who changed what, when and why. Thin: selectors read, services write."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer

from . import selectors, services
from .models import Relative


class RelativeSerializer(OutputModelSerializer):
    class Meta:
        model = Relative
        fields = ["id", "name", "relation", "phone", "email"]
        read_only_fields = ["id"]


class RelativeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)


class RelativeCreateSerializer(RelativeInputSerializer):
    name = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class RelativeUpdateSerializer(RelativeInputSerializer):
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="Why; required for an officer's correction (R1.1).",
    )


class RelativeRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the relative is removed.")


class PersonChangeSerializer(serializers.Serializer):
    """One change of the client's data (R1.1). For a protected client and a reader who may
    not see its protected data, the values, the relative and the reason of a change of a
    protected field are the placeholder "Skyddade uppgifter" and `hidden` is true (R10.5)."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(
        read_only=True, help_text="field, relative_added, relative_changed or relative_removed."
    )
    field = serializers.CharField(read_only=True, help_text="The client's or relative's field.")
    field_label = serializers.CharField(read_only=True)
    relative = serializers.IntegerField(source="relative_id", read_only=True, allow_null=True)
    subject = serializers.CharField(read_only=True, help_text="The relative it concerns.")
    old_value = serializers.CharField(read_only=True)
    new_value = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    changed_by = serializers.CharField(source="who", read_only=True)
    changed_at = serializers.DateTimeField(read_only=True)
    hidden = serializers.BooleanField(read_only=True)


CHANGE_RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(
        description="Only the client's officer or a provider that holds an order for the "
        "client now (not one whose orders ended), and only one who may see the "
        "relatives of a client with protected personal data (R10.5)."
    ),
    404: OpenApiResponse(description="No such client or relative, or not yours to see."),
}


class PersonCorrectionActions:
    """The relatives' and the history's actions of the client API (R1.1)."""

    @extend_schema(
        responses={200: PersonChangeSerializer(many=True), 404: CHANGE_RESPONSES[404]},
        description="The history of the client's data, newest first (R1.1): who changed "
        "what, when, from what to what, and why. Protected values are the placeholder for a "
        "reader who may not see them (R10.5).",
    )
    @action(detail=True, methods=["get"], url_path="changes", pagination_class=None)
    def changes(self, request, pk=None):
        person = self.get_object()
        rows = selectors.shown_changes(
            request.user, person, selectors.person_changes(request.user, person)
        )
        return Response(PersonChangeSerializer(rows, many=True).data)

    @extend_schema(
        request=RelativeCreateSerializer,
        responses={201: RelativeSerializer, **CHANGE_RESPONSES},
        description="Add a relative (R1.1): the client's officer or provider. Kept in the "
        "client's history.",
    )
    @action(detail=True, methods=["post"], url_path="relatives")
    def relatives(self, request, pk=None):
        person = self.get_object()
        data = RelativeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        relative = services.add_relative(request.user, person, **data.validated_data)
        return Response(RelativeSerializer(relative).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RelativeUpdateSerializer,
        responses={200: RelativeSerializer, **CHANGE_RESPONSES},
        description="Correct a relative's name, relation, phone or e-mail (R1.1); the "
        "officer gives a reason. Kept in the client's history.",
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"relatives/(?P<relative_pk>[0-9]+)",
        url_name="relative",
    )
    def relative(self, request, pk=None, relative_pk=None):
        person = self.get_object()
        data = RelativeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        relative = services.change_relative(
            request.user, person, relative=relative_pk, **data.validated_data
        )
        return Response(RelativeSerializer(relative).data)

    @extend_schema(
        request=RelativeRemoveSerializer,
        responses={200: PersonChangeSerializer, **CHANGE_RESPONSES},
        description="Remove a relative, with a reason (R1.1). The history keeps who the "
        "relative was; the answer is that history row.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"relatives/(?P<relative_pk>[0-9]+)/remove",
        url_name="relative-remove",
    )
    def remove_relative(self, request, pk=None, relative_pk=None):
        person = self.get_object()
        data = RelativeRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.remove_relative(
            request.user, person, relative=relative_pk, **data.validated_data
        )
        (shown,) = selectors.shown_changes(request.user, person, [change])
        return Response(PersonChangeSerializer(shown).data)
