"""The API's OpenAPI schema class: drf-spectacular's, plus the error answers every operation
can give (core/api.py's exception handler), so the schema documents every status code the API
answers with (a contract that schemathesis checks, tests/test_schemathesis.py).

Used as REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]. An operation's own documentation of a status
(`@extend_schema(responses=...)`) wins; only missing codes are added:
- 401 and 403 on every operation (not signed in; a role that may not use it, or may see the
  object but not do this);
- 404 where an id is read: a path parameter, a request body, or a filter in the query;
- 400 on every operation: input is validated (a body, a filter), and any request whose path,
  query or form holds a NUL character is refused before it reaches the view
  (core.request_guards.RefuseNulMiddleware);
- 415 where a body is read (one that is not JSON or a form);
- on every write, the optional `Idempotency-Key` header and its 422 (audit/idempotency.py);
- on a write to one versioned row (a viewset with `versioning`, core/concurrency_api.py), the
  optional `If-Match` header and the 409 `version_conflict` (beside the operation's own 409).

Operation ids read as calls: `orders_acknowledge`, `events_list`, `orders_retrieve`.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .api import IDEMPOTENCY_HEADER
from .concurrency_api import CONFLICT_DESCRIPTION, IF_MATCH_PARAMETER, VersionConflictSerializer

PAGINATION_PARAMETERS = {"limit", "offset", "format"}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="e.g. not_found, permission_denied")


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes the write safe to retry: a request sent again with the same key (1-255 "
    "visible ASCII characters, e.g. a UUID) within 24 hours gets the first answer back, with "
    "the header Idempotent-Replayed: true, and changes nothing more. The same key with another "
    "request is a 422.",
)


#: The viewset actions whose operation ids drf-spectacular names well already.
STANDARD_ACTIONS = frozenset({"list", "create", "retrieve", "update", "partial_update", "destroy"})


class AutoSchema(SpectacularAutoSchema):
    def get_operation_id(self) -> str:
        """drf-spectacular's id, without the "_create" it gives a POST-only action: a client
        generated from the schema calls `orders_acknowledge`, not `orders_acknowledge_create`
        (issue 20). An action that also lists (GET and POST) keeps its "_list"/"_create"."""
        operation_id = super().get_operation_id()
        action = getattr(self.view, "action", None)
        methods = set(getattr(self.view, "action_map", None) or {})
        if (
            self.method == "POST"
            and action not in STANDARD_ACTIONS
            and methods == {"post"}
            and operation_id.endswith("_create")
        ):
            return operation_id.removesuffix("_create")
        return operation_id

    def _writes(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")

    def _versioned_write(self) -> bool:
        return (
            self._writes()
            and getattr(self.view, "versioning", None) is not None
            and "{id}" in self.path
        )

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._writes():
            parameters = [*parameters, IDEMPOTENCY_PARAMETER]
        if self._versioned_write():
            parameters = [*parameters, IF_MATCH_PARAMETER]
        return parameters

    def _filters_in_query(self) -> bool:
        return any(
            p.get("in") == "query" and p.get("name") not in PAGINATION_PARAMETERS
            for p in self._get_parameters()
        )

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        writes = self._writes()
        filters = self._filters_in_query()
        errors = {
            "401": OpenApiResponse(ErrorSerializer, description="Not signed in."),
            "403": OpenApiResponse(
                ErrorSerializer,
                description="Your role may not use this, or may see the object but not do this.",
            ),
        }
        if "{" in self.path or writes or filters:
            errors["404"] = OpenApiResponse(
                ErrorSerializer, description="No such object, or not yours to see."
            )
        if writes:
            errors["415"] = OpenApiResponse(
                ErrorSerializer, description="The body is not JSON (or a form)."
            )
        if writes:
            errors["422"] = OpenApiResponse(
                {"type": "object", "additionalProperties": {}},
                description="The Idempotency-Key was used before for another request.",
            )
        errors["400"] = OpenApiResponse(
            {"type": "object", "additionalProperties": {}},
            description="Bad input: field names map to lists of messages (also a NUL character "
            "anywhere in the path, query or form).",
        )
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        if self._versioned_write():
            responses["409"] = self._with_version_conflict(responses.get("409"), direction)
        return responses

    def _with_version_conflict(self, own: dict | None, direction: str) -> dict:
        """The operation's own 409 (a transition its state does not allow ...) or the
        version conflict: either body."""
        conflict = self._get_response_for_code(
            OpenApiResponse(VersionConflictSerializer, description=CONFLICT_DESCRIPTION),
            "409",
            direction=direction,
        )
        # An own 409 documented without a body, or none documented (a step refused by the
        # domain, such as a receipt that is not registered), answers with a domain error's.
        error = self._get_response_for_code(
            OpenApiResponse(ErrorSerializer), "409", direction=direction
        )
        own = own or {"description": "A domain conflict (`detail`, `code`)."}
        merged = {"description": f"{own.get('description', '')} Or: {CONFLICT_DESCRIPTION}"}
        content = {}
        for media, body in conflict["content"].items():
            theirs = (own.get("content") or error["content"]).get(media, {}).get("schema")
            content[media] = {"schema": {"anyOf": [theirs, body["schema"]]}}
        merged["content"] = content
        return merged
