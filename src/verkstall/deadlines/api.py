"""API for watchlists and due items (SPEC R11). Thin: the selectors read and scope."""

from __future__ import annotations

from functools import lru_cache

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from verkstall.core.date_fields import BoundedDateField, BoundedDateTimeField
from verkstall.core.openapi import AutoSchema

from . import selectors
from .rules import RESPONSIBLE_LABELS, STATUS_LABELS, Responsible, Status

MAX_ID = 2**63 - 1
STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]


class PersonRefSerializer(serializers.Serializer):
    """A client as a watchlist shows it: id and name only, never the personnummer."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="full_name", read_only=True)


class ResponsibleSerializer(serializers.Serializer):
    party = serializers.ChoiceField(
        choices=[(r.value, RESPONSIBLE_LABELS[r]) for r in Responsible], read_only=True
    )
    label = serializers.CharField(read_only=True)
    user = serializers.IntegerField(allow_null=True, read_only=True)
    user_name = serializers.CharField(allow_null=True, read_only=True)
    unit = serializers.IntegerField(allow_null=True, read_only=True)
    provider = serializers.IntegerField(allow_null=True, read_only=True)
    provider_unit = serializers.IntegerField(allow_null=True, read_only=True)


class DueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    rule = serializers.CharField(source="rule.code", read_only=True, help_text="The rule's code.")
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    status = serializers.SerializerMethodField(
        help_text='"overdue" is derived: an open item whose due moment has passed.'
    )
    status_label = serializers.SerializerMethodField()
    bucket = serializers.ChoiceField(
        choices=[(b, selectors.BUCKET_LABELS[b]) for b in selectors.BUCKETS],
        allow_null=True,
        read_only=True,
        help_text="Where an open item sits on a watchlist; null for an item met or closed.",
    )
    due_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text='Null for a "snarast" item with no due date.'
    )
    due_date = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The due day for whole-day rules; null for hour rules and snarast items.",
    )
    person = PersonRefSerializer(read_only=True)
    order = serializers.IntegerField(source="order_id", read_only=True, allow_null=True)
    decision = serializers.IntegerField(source="decision_id", read_only=True, allow_null=True)
    service_type = serializers.CharField(
        source="service_type.name", read_only=True, allow_null=True, default=None
    )
    service_type_code = serializers.CharField(
        source="service_type.code", read_only=True, allow_null=True, default=None
    )
    responsible = serializers.SerializerMethodField()
    met_at = serializers.DateTimeField(read_only=True, allow_null=True)
    explanation_text = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=STATUS_CHOICES))
    def get_status(self, item) -> str:
        return selectors.current_status(item)

    def get_status_label(self, item) -> str:
        return STATUS_LABELS[Status(selectors.current_status(item))]

    def get_explanation_text(self, item) -> str:
        text = getattr(item, "explanation_text", None)  # annotated on watchlists
        if text is None and "explanation" not in item.get_deferred_fields():
            text = (item.explanation or {}).get("text")
        return text or ""

    @extend_schema_field(ResponsibleSerializer)
    def get_responsible(self, item) -> dict:
        data = {
            "party": item.responsible,
            "label": RESPONSIBLE_LABELS.get(Responsible(item.responsible), item.responsible),
            "user": item.responsible_user_id,
            "user_name": None,
            "unit": item.responsible_unit_id,
            "provider": item.responsible_provider_id,
            "provider_unit": item.responsible_provider_unit_id,
        }
        if item.responsible_user_id:
            user = item.responsible_user
            data["user_name"] = user.get_full_name() or user.username
        return ResponsibleSerializer(data).data


_RESPONSIBLE_LABELS = {r.value: label for r, label in RESPONSIBLE_LABELS.items()}
_STATUS_LABELS = {s.value: label for s, label in STATUS_LABELS.items()}


def serialized_moment(value, tz=None):
    """What serializers.DateTimeField (ISO 8601, the current time zone) makes of a moment."""
    if value is None:
        return None
    return _iso(value, tz or timezone.get_current_timezone())


@lru_cache(maxsize=8192)
def _iso(value, tz) -> str:
    # Cached: most due moments are the very end of a due day, shared by many items.
    try:
        text = value.astimezone(tz).isoformat()
    except OverflowError:  # a moment at the edge of what a datetime holds: shown as stored
        text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_OPEN, _OVERDUE = Status.OPEN.value, Status.OVERDUE.value
_OVERDUE_BUCKET = selectors.OVERDUE


def watchlist_row(row: tuple, tz=None) -> dict:
    """One row of `selectors.watchlist_rows` exactly as DueItemSerializer shows the item
    (deadlines/tests/test_watchlist_api_rows.py), without a serializer per field: a list of
    a thousand rows is serialized in milliseconds, not a second. The row is unpacked in
    `selectors.ROW_FIELDS` order."""
    (
        pk,
        rule_code,
        rule_name,
        status,
        due_at,
        due_date,
        person_id,
        person_first,
        person_last,
        order_id,
        decision_id,
        service_type_name,
        service_type_code,
        party,
        user_id,
        user_first,
        user_last,
        username,
        unit_id,
        provider_id,
        provider_unit_id,
        met_at,
        bucket,
        explanation_text,
    ) = row
    tz = tz or timezone.get_current_timezone()
    if status == _OPEN and bucket == _OVERDUE_BUCKET:
        status = _OVERDUE
    user_name = None
    if user_id:
        user_name = f"{user_first} {user_last}".strip() or username
    return {
        "id": pk,
        "rule": rule_code,
        "rule_name": rule_name,
        "status": status,
        "status_label": _STATUS_LABELS[status],
        "bucket": bucket,
        "due_at": None if due_at is None else _iso(due_at, tz),
        "due_date": None if due_date is None else due_date.isoformat(),
        "person": {"id": person_id, "name": f"{person_first} {person_last}"},
        "order": order_id,
        "decision": decision_id,
        "service_type": service_type_name,
        "service_type_code": service_type_code,
        "responsible": {
            "party": party,
            "label": _RESPONSIBLE_LABELS.get(party, party),
            "user": user_id,
            "user_name": user_name,
            "unit": unit_id,
            "provider": provider_id,
            "provider_unit": provider_unit_id,
        },
        "met_at": None if met_at is None else _iso(met_at, tz),
        "explanation_text": explanation_text or "",
    }


class DueItemDetailSerializer(DueItemSerializer):
    explanation = serializers.JSONField(
        read_only=True,
        help_text="How the due date was computed (R11.2): start event, rule, source, "
        "skipped days; exactly as stored on the item.",
    )


class BucketCountsSerializer(serializers.Serializer):
    asap = serializers.IntegerField(help_text='Open items with no due date ("snarast").')
    overdue = serializers.IntegerField()
    today = serializers.IntegerField()
    week = serializers.IntegerField(help_text="Due after today and within the next 7 days.")


class WatchlistSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=[(s, s) for s in selectors.SCOPES])
    today = BoundedDateField()
    horizon = BoundedDateTimeField(help_text="Items due up to this moment are listed.")
    counts = BucketCountsSerializer()
    results = DueItemSerializer(many=True)


class WatchlistQuerySerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=list(selectors.SCOPES), required=False)
    rule = serializers.CharField(required=False, allow_blank=True)
    service_type = serializers.CharField(required=False, allow_blank=True)
    # Bounded: an id beyond a 64-bit integer was a server error in the database.
    person = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    responsible_user = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )


WATCHLIST_PARAMETERS = [
    OpenApiParameter(
        "scope",
        str,
        enum=list(selectors.SCOPES),
        description="Whose list: `mine` and `unit` for a case officer, `provider` and "
        "`provider_unit` (if the user belongs to a provider unit) for provider staff. "
        "Default: `mine` for an officer, `provider_unit` or else `provider` for provider staff.",
    ),
    OpenApiParameter("rule", str, description="Only this rule (its code)."),
    OpenApiParameter("service_type", str, description="Only this service type (its code)."),
    OpenApiParameter("person", int, description="Only this client (id)."),
    OpenApiParameter("responsible_user", int, description="Only this responsible officer (id)."),
]


class WatchlistSchema(AutoSchema):
    """The list action answers one watchlist object (counts and results), not an array."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)


class DueItemViewSet(viewsets.ViewSet):
    """Watchlists (*bevakning*): what is overdue, due today, due within seven days, or due
    "snarast", for the signed-in user's scope (SPEC R11); and one due item explained (R11.2)."""

    schema = WatchlistSchema()

    @extend_schema(
        operation_id="due_items_watchlist",
        summary="The watchlist of a scope",
        parameters=WATCHLIST_PARAMETERS,
        responses={
            200: WatchlistSerializer,
            400: OpenApiResponse(description="Unknown scope or a malformed filter."),
            403: OpenApiResponse(description="The user's role may not use this scope."),
        },
    )
    def list(self, request):
        query = WatchlistQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        tz = timezone.get_current_timezone()
        wl = selectors.watchlist_rows(
            request.user,
            values.get("scope"),
            rule=values.get("rule"),
            service_type=values.get("service_type"),
            person=values.get("person"),
            responsible_user=values.get("responsible_user"),
        )
        return Response(
            {
                "scope": wl.scope,
                "today": wl.today.isoformat(),
                "horizon": serializers.DateTimeField().to_representation(wl.horizon),
                "counts": wl.counts,
                "results": [watchlist_row(row, tz) for row in wl.items],
            }
        )

    @extend_schema(
        summary="One due item with its full explanation (R11.2)",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            200: DueItemDetailSerializer,
            404: OpenApiResponse(description="No such due item, or not yours to see."),
        },
    )
    def retrieve(self, request, pk=None):
        item = selectors.get_due_item(request.user, pk)
        return Response(DueItemDetailSerializer(item).data)
