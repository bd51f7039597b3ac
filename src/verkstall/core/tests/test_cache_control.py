"""`Cache-Control: no-store` on everything that may carry client data (issue 11; SPEC R10.1):
screens, htmx partials, API answers, CSV exports and error pages; static files are left to
their server."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core.security import SecurityHeadersMiddleware
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

NO_STORE = "no-store, private"


def test_screens_are_not_stored(client, world):  # R10.1
    person = world.person()
    client.force_login(world.officer)
    for url in (
        reverse("home"),
        reverse("person-list"),
        reverse("order-list"),
        reverse("watchlist"),
        reverse("person-detail", args=[person.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url
    partial = client.get(reverse("person-list"), HTTP_HX_REQUEST="true")
    assert partial["Cache-Control"] == NO_STORE


def test_api_answers_are_not_stored(world, api):  # R10.1
    person = world.person()
    for url in ("/api/persons/", f"/api/persons/{person.pk}/", "/api/orders/", "/api/nope/"):
        response = api(world.officer).get(url)
        assert response["Cache-Control"] == NO_STORE, url
    refused = api(world.staff_a).post("/api/persons/", {}, format="json")
    assert refused.status_code in (403, 400)
    assert refused["Cache-Control"] == NO_STORE


def test_csv_exports_are_not_stored(client, world):  # R10.1
    reviewer = build.user(Role.LOG_REVIEWER, world.muni, username="reviewer")
    client.force_login(reviewer)
    response = client.get(reverse("log-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == NO_STORE

    client.force_login(world.officer)
    response = client.get(reverse("rotation-history-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == NO_STORE


def test_login_and_error_pages_are_not_stored(client):  # R10.1
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
    assert client.get("/no-such-page/")["Cache-Control"] == NO_STORE


def test_a_views_own_cache_control_and_static_files_are_kept(settings):  # R10.1
    def answer(cache_control=None):
        def get_response(request):
            response = HttpResponse("x")
            if cache_control:
                response["Cache-Control"] = cache_control
            return response

        return SecurityHeadersMiddleware(get_response)

    factory = RequestFactory()
    own = answer("max-age=60")(factory.get("/orders/"))
    assert own["Cache-Control"] == "max-age=60"
    static = answer()(factory.get(f"/{settings.STATIC_URL.strip('/')}/verkstall/site.css"))
    assert "Cache-Control" not in static
