"""Malformed input is a 400, never a 500 (issue 11: an outside test's NUL bytes and deep JSON).

A NUL character (\\x00) in a search or filter parameter reached PostgreSQL, which refuses it
in a string literal (500 on every list endpoint and screen that passes a raw parameter on);
on SQLite it was silently searched for. JSON nested 5 000 deep exhausted the decoder's
recursion (500). Both are refused in one place (core/request_guards.py): the NUL middleware
for the path, the query and posted forms, and the depth-limited JSON parser the API uses.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from verkstall.access.roles import Role
from verkstall.core.request_guards import MAX_JSON_DEPTH, json_depth
from verkstall.people.models import Person
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

NUL = "\x00"

# (role attribute on the world, URL) of the API's list endpoints with their filters.
API_FILTERS = [
    ("officer", "/api/persons/?q=Elsa%00"),
    ("officer", "/api/persons/?limit=10%00"),
    ("officer", "/api/persons/?offset=%00"),
    ("officer", "/api/orders/?state=sent%00"),
    ("officer", "/api/decisions/?person=1%00"),
    ("officer", "/api/plans/?order=1%00"),
    ("officer", "/api/messages/?box=in%00"),
    ("officer", "/api/due-items/?scope=unit%00"),
    ("officer", "/api/providers/?a%00b=1"),
    ("officer", "/api/providers/nearest-units/?granted_service=1%00"),
    ("staff_a", "/api/notice-receipts/?acknowledged=false%00"),
    ("staff_a", "/api/provider-journal/?order=1%00"),
]

SCREENS = [
    "/clients/?q=Elsa%00",
    "/orders/?state=%00",
    "/watchlist/?scope=%00",
    "/messages/?box=out%00",
    "/messages/new/?order=1%00",
    "/rotation/?kind=%00",
    "/clients/%00/",
]


@pytest.mark.parametrize(("who", "url"), API_FILTERS)
def test_a_nul_in_an_api_filter_is_a_400_naming_the_parameter(world, api, who, url):
    response = api(getattr(world, who)).get(url)
    assert response.status_code == 400, (url, response.status_code)
    (field,) = response.json()
    assert field in url.replace("%00", "")
    assert "NUL" in response.json()[field][0]


@pytest.mark.parametrize("url", SCREENS)
def test_a_nul_in_a_screens_search_or_filter_is_a_400_page(world, client, url):
    client.force_login(world.officer)
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert "NUL" in response.content.decode()


def test_a_nul_in_the_access_log_filter_is_a_400(world, client):
    client.force_login(build.user(Role.LOG_REVIEWER, world.muni, username="granskare"))
    assert client.get("/audit/log/?username=a%00").status_code == 400


def test_a_nul_in_a_posted_screen_form_is_a_400_urlencoded_and_multipart(world, client):
    world.person(first_name="Elsa")
    client.force_login(world.officer)
    urlencoded = client.post(
        "/clients/",
        urlencode({"q": f"Elsa{NUL}"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert urlencoded.status_code == 400
    assert "Elsa" not in urlencoded.content.decode().split("<main", 1)[-1].split("NUL")[0]
    multipart = client.post("/clients/", {"q": f"Elsa{NUL}"})  # the test client's default
    assert multipart.status_code == 400
    created = client.post(
        "/clients/new/",
        {"personal_number": build.test_number(), "first_name": f"A{NUL}", "last_name": "B"},
    )
    assert created.status_code in (200, 400)  # the form's own message, or the guard's
    assert not Person.objects.filter(first_name__startswith="A").exists()
    # A clean search still works.
    assert "Elsa" in client.post("/clients/", {"q": "Elsa"}).content.decode()


def test_a_nul_in_an_api_form_body_is_a_400(world, api):
    response = api(world.officer).post(
        "/api/persons/",
        urlencode({"personal_number": build.test_number(), "first_name": f"A{NUL}"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "first_name" in response.json()


def test_a_nul_in_the_search_header_is_a_400(world, api):
    response = api(world.officer).get("/api/persons/", headers={"X-Search-Query": "Elsa%00"})
    assert response.status_code == 400
    assert "X-Search-Query" in response.json()


# --- deeply nested JSON -----------------------------------------------------------------------


def nested(depth: int, kind: str = "list") -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("officer", "/api/persons/"),
        ("officer", "/api/decisions/"),
        ("officer", "/api/orders/"),
        ("officer", "/api/messages/"),
        ("officer", "/api/hospital-notices/"),
        ("officer", "/api/persons/{person}/protection/"),
        ("staff_a", "/api/provider-journal/"),
    ],
)
@pytest.mark.parametrize("kind", ["list", "object"])
def test_json_nested_5000_deep_is_a_400_with_detail(world, api, who, url, kind):
    body = nested(5000, kind)
    if kind == "object":
        body = '{"first_name": ' + body + "}"
    if "{person}" in url:
        url = url.format(person=world.person().pk)
    response = api(getattr(world, who)).post(url, body, content_type="application/json")
    assert response.status_code == 400, (url, response.status_code)
    assert "nästlat" in response.json()["detail"]


def test_json_within_the_depth_limit_is_parsed_as_before(world, api):
    client = api(world.officer)
    fields = {"personal_number": build.test_number(), "first_name": "[[[[{{{{", "last_name": "N"}
    body = json.dumps(fields)[:-1] + ', "ignored": ' + nested(MAX_JSON_DEPTH - 1, "object") + "}"
    response = client.post("/api/persons/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["first_name"] == "[[[[{{{{"
    too_deep = body.replace(nested(MAX_JSON_DEPTH - 1, "object"), nested(MAX_JSON_DEPTH, "object"))
    assert client.post("/api/persons/", too_deep, content_type="application/json").status_code == (
        400
    )


def test_the_depth_counts_brackets_outside_strings_only():
    assert json_depth('{"a": [1, {"b": "[[[[{"}], "c\\"[[": []}') == 3
    assert json_depth('"[[[') == 0  # an unclosed string: no brackets, and a linear scan
    assert json_depth("[" * 5000) == 5000
    assert json_depth("1") == 0
