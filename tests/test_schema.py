"""The API's OpenAPI 3 schema (ARCHITECTURE "Stack": drf-spectacular at /api/schema/).

openapi-spec-validator is not installed; the schema is checked against the OpenAPI 3.0 JSON
Schema that drf-spectacular ships (the same check `spectacular --validate` runs), and its
structure is asserted directly.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

ORDER_ACTIONS = ["send", "acknowledge", "start", "end", "cancel"]
EXPECTED_PATHS = [
    "/api/persons/",
    "/api/persons/{id}/",
    "/api/decisions/",
    "/api/decisions/{id}/",
    "/api/orders/",
    "/api/orders/{id}/",
    *[f"/api/orders/{{id}}/{action}/" for action in ORDER_ACTIONS],
]


@pytest.fixture
def schema(world, api) -> dict:
    response = api(world.officer).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_the_schema_is_served_as_openapi_3(schema):  # ARCHITECTURE "Stack"
    assert schema["openapi"].startswith("3.")
    # A generated client's package is named after the title: ASCII, or pip refuses it.
    assert schema["info"]["title"] == "Verkstall API" and schema["info"]["title"].isascii()
    validate_schema(schema)  # raises on any violation of the OpenAPI 3.0 JSON Schema


@pytest.mark.skipif(
    importlib.util.find_spec("openapi_spec_validator") is None,
    reason="openapi-spec-validator is not installed in the venv",
)
def test_the_schema_passes_openapi_spec_validator(schema):  # ARCHITECTURE "Stack"
    from openapi_spec_validator import validate

    validate(schema)


def test_operation_ids_read_as_calls(schema):  # issue 20 item 4
    """A generated client names its functions after the operation ids: one per operation,
    and a transition is `orders_acknowledge`, not `orders_acknowledge_create`."""
    ids = [
        operation["operationId"]
        for operations in schema["paths"].values()
        for method, operation in operations.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(ids) == len(set(ids))
    for expected in ("orders_acknowledge", "orders_start", "orders_create", "events_list"):
        assert expected in ids
    assert "orders_acknowledge_create" not in ids
    # An action that lists and creates keeps both words.
    assert {"orders_oral_briefings_list", "orders_oral_briefings_create"} <= set(ids)


def test_the_schema_is_also_served_by_accept_header(world, api):  # ARCHITECTURE "Stack"
    response = api(world.officer).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


@pytest.mark.parametrize("path", EXPECTED_PATHS)
def test_the_schema_describes_every_client_decision_and_order_endpoint(
    schema, path
):  # R1.1, R1.2, R3.1
    assert path in schema["paths"]


@pytest.mark.parametrize("action", ORDER_ACTIONS)
def test_every_order_transition_is_a_post_documenting_200_400_403_404_409(schema, action):  # R3.1
    operation = schema["paths"][f"/api/orders/{{id}}/{action}/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    conflict = operation["responses"]["409"]["content"]["application/json"]["schema"]
    # The state's refusal, or a write based on an old version (If-Match, issue 18 item 1).
    assert conflict == {
        "anyOf": [
            {"$ref": "#/components/schemas/Conflict"},
            {"$ref": "#/components/schemas/VersionConflict"},
        ]
    }
    assert "If-Match" in {p["name"] for p in operation["parameters"] if p["in"] == "header"}


def test_the_conflict_body_names_state_and_allowed_actions(schema):  # R3.1
    conflict = schema["components"]["schemas"]["Conflict"]
    assert {"detail", "state", "allowed_actions"} <= set(conflict["required"])


def test_write_endpoints_document_their_request_bodies(schema):  # R1.1, R1.2, R3.1
    paths = schema["paths"]
    assert "requestBody" in paths["/api/persons/"]["post"]
    assert "requestBody" in paths["/api/decisions/"]["post"]
    assert "requestBody" in paths["/api/orders/"]["post"]
    assert "patch" in paths["/api/persons/{id}/"]
    start = paths["/api/orders/{id}/start/"]["post"]["requestBody"]["content"]["application/json"]
    assert start["schema"] == {"$ref": "#/components/schemas/StartRequest"}
    assert "start_date" in schema["components"]["schemas"]["StartRequest"]["required"]


def test_the_schema_generates_without_warnings_and_validates(tmp_path):  # ARCHITECTURE "Stack"
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3.")
