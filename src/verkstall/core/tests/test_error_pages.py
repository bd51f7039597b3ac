"""The error pages are Swedish and in the site's layout, never Django's English ones (issue 17
item 9): 404, 500, 403, 400 and a failed CSRF check, with DEBUG off as in production."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from verkstall import urls
from verkstall.core import hooks
from verkstall.core.views import server_error

pytestmark = pytest.mark.django_db

LAYOUT = ('<html lang="sv">', "verkstall/site.css", '<main id="main">')
ENGLISH = ("Not Found", "Server Error", "Forbidden", "Bad Request", "CSRF verification")


def _swedish_page(response, heading: str) -> str:
    html = response.content.decode()
    assert all(part in html for part in LAYOUT), html[:400]
    assert f"<h1>{heading}</h1>" in html
    assert not [word for word in ENGLISH if word in html]
    return html


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def test_a_missing_page_is_the_swedish_404(world, client):  # issue 17 item 9
    client.force_login(world.officer)
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    _swedish_page(response, "Hittades inte")


def test_a_view_that_fails_gives_the_swedish_500(world, monkeypatch):  # issue 17 item 9
    def fail(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(hooks, "call", fail)  # the officer's start page goes through it
    client = Client(raise_request_exception=False)
    client.force_login(world.officer)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    html = _swedish_page(response, "Något gick fel")
    # Rendered without the request: no menu, no user, nothing a context processor reads.
    assert "Logga ut" not in html and world.officer.username not in html
    assert "something broke" not in html
    assert urls.handler500 == "verkstall.core.views.server_error"


def test_the_500_page_stands_when_its_template_fails(rf):  # issue 17 item 9
    response = server_error(rf.get("/"), template_name="finns-inte.html")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="sv">' in html and "<h1>Något gick fel</h1>" in html


def test_the_apis_500_is_json(rf):  # issue 17 item 9
    response = server_error(rf.get("/api/orders/"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_is_a_503_to_retry_not_a_500(world, monkeypatch, error):  # issue 18
    def lost(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(hooks, "call", lost)
    client = Client(raise_request_exception=False)
    client.force_login(world.officer)
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    _swedish_page(response, "Tjänsten är tillfälligt otillgänglig")
    assert "server closed" not in response.content.decode()


def test_the_apis_lost_database_is_a_json_503(rf):  # issue 18 item 1
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(rf.get("/api/orders/"))
    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "database_unavailable"
    assert response["Retry-After"] == "5"


def test_a_refused_page_is_the_swedish_403(world, client):  # issue 17 item 9, Actors
    client.force_login(world.staff_a)
    response = client.get(reverse("log-review"))  # the log reviewer's page
    assert response.status_code == 403
    _swedish_page(response, "Inte tillåtet")


def test_djangos_permission_denied_is_the_swedish_403(world, monkeypatch):  # issue 17 item 9
    def refuse(*args, **kwargs):
        raise PermissionDenied

    monkeypatch.setattr(hooks, "call", refuse)
    client = Client(raise_request_exception=False)
    client.force_login(world.officer)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    _swedish_page(response, "Inte tillåtet")


def test_a_bad_request_is_the_swedish_400(db):  # issue 17 item 9
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="inte en värd!")
    assert response.status_code == 400
    _swedish_page(response, "Felaktig begäran")


def test_a_failed_csrf_check_is_a_swedish_page(db):  # issue 17 item 9
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    _swedish_page(response, "Formuläret kunde inte skickas")
