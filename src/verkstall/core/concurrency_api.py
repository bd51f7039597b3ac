"""Optimistic concurrency in the API (core/concurrency.py, issue 18 item 1).

`VersionedViewSet` is mixed into the viewsets of the versioned rows (orders, plans, decisions,
clients), which name their `versioning`:

- an answer about one row (a GET of it, the answer to a write) carries `ETag: W/"<version>"`
  when its body has the row's `lock_version`;
- a write to one row (PATCH, PUT, DELETE, an action's POST) that sends `If-Match` with that tag,
  or `lock_version` in its body, is checked before it runs, under the row's lock: another
  version is a 409 `version_conflict` naming what changed since (`changed`, `changed_by`,
  `changed_at`, an order's `events`), and nothing is written. `If-Match: *` or no condition at
  all: the write runs as it always did.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .concurrency import ETAG, IF_MATCH, VERSION_FIELD, etag, parse_if_match, parse_version
from .concurrency_services import check_version
from .date_fields import BoundedDateTimeField

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class VersionConflictSerializer(serializers.Serializer):
    """The body of a 409 for a write based on an old version."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="version_conflict")
    current_version = serializers.IntegerField(help_text="The row's version now (its ETag).")
    your_version = serializers.IntegerField(help_text="The version the write was based on.")
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="The fields changed since your version."
    )
    changed_by = serializers.CharField(allow_null=True, help_text="Who changed it last.")
    changed_at = BoundedDateTimeField(allow_null=True, help_text="When it was last changed.")
    events = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="An order: the kinds of the events recorded since your version.",
    )


IF_MATCH_PARAMETER = OpenApiParameter(
    IF_MATCH,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='Optimistic concurrency: the ETag of the row as you read it (W/"3"; "3" and 3 '
    "are taken alike). When the row has changed since, the write is refused with 409 "
    "`version_conflict`, naming what changed, and nothing is written. `lock_version` in the "
    "body does the same. Without either the write runs unconditionally.",
)
CONFLICT_DESCRIPTION = (
    "`version_conflict`: the row changed after the version given in If-Match or "
    "`lock_version` (current_version, changed, changed_by, changed_at); nothing was written."
)


def version_field(**kwargs) -> serializers.IntegerField:
    """The row's version in an answer (read-only)."""
    kwargs.setdefault(
        "help_text",
        'The row\'s version, also its ETag (W/"<version>"): send it back as If-Match (or '
        "`lock_version` in the body) to have a write refused with 409 if someone changed the "
        "row in between.",
    )
    return serializers.IntegerField(read_only=True, **kwargs)


def expected_versions(request) -> set[int] | None:
    """The versions a write accepts: `If-Match`, else `lock_version` in its body."""
    versions = parse_if_match(request.headers.get(IF_MATCH))
    if versions is None:
        # A body that does not parse is refused here as the view would refuse it (400, 415).
        data = request.data
        if hasattr(data, "get"):
            versions = parse_version(data.get(VERSION_FIELD))
    return versions


class VersionedViewSet:
    """Mixed into a GenericViewSet whose `get_object()` returns a row of `versioning`."""

    versioning = None  # a core.concurrency.Versioning

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in WRITE_METHODS and "pk" in kwargs:
            expected = expected_versions(request)
            if expected is not None:
                # The row as this user may see it (404 otherwise), then its lock and version.
                row = self.get_object()
                check_version(self.versioning, row.pk, expected)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (
            "pk" in kwargs
            and 200 <= response.status_code < 300
            and isinstance(data, dict)
            and isinstance(data.get(VERSION_FIELD), int)
            and str(data.get("id")) == str(kwargs["pk"])
        ):
            response[ETAG] = etag(data[VERSION_FIELD])
        return response
