"""The browsable API is off in the production settings (issue 11, finding "Critical": its HTML
forms listed every client of every municipality; SPEC R10.1). Under
verkstall.settings_production the API answers only in JSON, whatever the client asks for, and
the OpenAPI schema, Swagger UI and ReDoc still work. The test settings keep the browsable API
(the canary proofs scan its HTML).

DRF reads DEFAULT_RENDERER_CLASSES into APIView when it is imported, so a settings override
alone changes nothing: the fixture installs the production module's renderer list on APIView
as well, in this process.
"""

from __future__ import annotations

import importlib
import secrets

import pytest
from django.utils.module_loading import import_string
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def production_renderers(monkeypatch, settings):
    monkeypatch.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    production = importlib.import_module("verkstall.settings_production")
    settings.REST_FRAMEWORK = production.REST_FRAMEWORK
    names = production.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    monkeypatch.setattr(APIView, "renderer_classes", [import_string(n) for n in names])
    return names


def _assert_no_html(response):
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert "<form" not in body and "<html" not in body.lower() and "<option" not in body


def test_production_renders_json_only(production_renderers):  # R10.1
    assert production_renderers == ["rest_framework.renderers.JSONRenderer"]


def test_the_browsable_api_is_refused_in_production(production_renderers, client, world):  # R10.1
    order = world.order()
    client.force_login(world.officer)
    for url in (
        "/api/orders/",
        "/api/decisions/",
        "/api/persons/",
        f"/api/orders/{order.pk}/",
        f"/api/orders/{order.pk}/oral-briefings/",
    ):
        by_format = client.get(url, {"format": "api"})
        assert by_format.status_code in (404, 406), url
        _assert_no_html(by_format)
        by_accept = client.get(url, HTTP_ACCEPT="text/html")
        assert by_accept.status_code in (404, 405, 406), url
        _assert_no_html(by_accept)
    # A browser's usual Accept header gets the JSON.
    as_browser = client.get("/api/orders/", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert as_browser.status_code == 200
    _assert_no_html(as_browser)
    assert as_browser.json()["results"][0]["id"] == order.pk


def test_the_schema_and_docs_stay_in_production(production_renderers, client, world):  # R10.1
    client.force_login(world.officer)
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert client.get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert page["Content-Type"].startswith("text/html")


def test_the_test_settings_keep_the_browsable_api(client, world):  # R10.1
    client.force_login(world.officer)
    response = client.get("/api/orders/", {"format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
