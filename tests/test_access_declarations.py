"""Deny by default (issue 6, SPEC "Actors"): every screen and API action declares its roles and
scoping in access/declarations.py; anything undeclared, or a role not declared, is refused."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework import routers, viewsets
from rest_framework.response import Response

from verkstall.access import declarations
from verkstall.access.declarations import Scope
from verkstall.access.roles import Role
from verkstall.tooling import testing as build


class _Match:
    def __init__(self, namespaces):
        self.namespaces = list(namespaces)


def _api_actions(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    return sorted(set(actions.values())) if actions else ["*"]


ROUTES = list(declarations.walk_urls())
SCREENS = [r for r in ROUTES if not declarations.is_api_view(r[1])]
API_ROUTES = [r for r in ROUTES if declarations.is_api_view(r[1])]


def test_every_url_pattern_is_declared():  # Actors
    missing = []
    for pattern, callback, namespaces, _name in ROUTES:
        if declarations.is_api_view(callback):
            for action in _api_actions(callback):
                if declarations.for_api(callback.cls, None if action == "*" else action) is None:
                    missing.append(f"{pattern} -> {declarations.dotted(callback.cls)}.{action}")
        elif declarations.for_view(callback, _Match(namespaces)) is None:
            target = getattr(callback, "view_class", None) or callback
            missing.append(f"{pattern} -> {declarations.dotted(target)}")
    assert missing == [], "undeclared views (add them to access/declarations.py):\n" + "\n".join(
        missing
    )


# Views of a client-data scope that show no client themselves, and why.
NO_CLIENT_SHOWN = {
    # A background job's progress and figures (issue 17 item 8); its file, which may name
    # clients, is `job_file`, logged as exported.
    "verkstall.jobs.views.job_page",
}


def test_every_declaration_names_a_scope_roles_and_an_audit_kind_for_client_data():  # Actors, R10.4
    every = [a for view, a in declarations.VIEWS.items() if view not in NO_CLIENT_SHOWN] + [
        a for actions in declarations.API.values() for a in actions.values()
    ]
    for access in every:
        assert isinstance(access.scope, Scope)
        if access.public:
            assert access.scope == Scope.PUBLIC and not access.roles
            continue
        assert access.roles, access
        assert access.roles <= frozenset(Role)
        client_data = access.scope not in (Scope.NONE, Scope.MUNICIPALITY, Scope.ACCESS_LOG)
        if client_data:
            assert access.audit is not None, access


def test_no_declaration_is_stale():  # Actors
    """A declared view that no longer exists would hide a missing one behind a typo."""
    screens = {
        declarations.dotted(getattr(cb, "view_class", None) or cb) for _, cb, _, _ in SCREENS
    }
    apis = {declarations.dotted(cb.cls) for _, cb, _, _ in API_ROUTES}
    assert set(declarations.VIEWS) - screens == set()
    assert set(declarations.API) - apis == set()


# --- undeclared views are refused ---------------------------------------------------------------


def undeclared_view(request):
    from django.http import HttpResponse

    return HttpResponse("should never be seen")


class UndeclaredViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response({"leak": True})


_router = routers.SimpleRouter()
_router.register("undeclared", UndeclaredViewSet, basename="undeclared")
urlpatterns = [path("undeclared-screen/", undeclared_view), *_router.urls]
urlpatterns += __import__("verkstall.urls", fromlist=["urlpatterns"]).urlpatterns


@override_settings(ROOT_URLCONF=__name__)
def test_an_undeclared_screen_and_api_are_refused_even_to_a_logged_in_officer(
    world, client, api
):  # Actors
    client.force_login(world.officer)
    response = client.get("/undeclared-screen/")
    assert response.status_code == 403
    assert b"should never be seen" not in response.content
    response = api(world.officer).get("/undeclared/")
    assert response.status_code == 403
    assert "leak" not in response.json()


# --- every role that a view does not declare is refused -------------------------------------


@pytest.fixture
def everyone(world):
    users = {}
    for role in Role:
        kwargs = {}
        if role == Role.OFFICER:
            kwargs["unit"] = world.unit
        if role in (Role.PROVIDER_STAFF, Role.PROVIDER_MANAGER):
            kwargs["provider"] = world.provider_a
        users[role] = build.user(role, world.muni, username=f"every-{role.value}", **kwargs)
    return users


def _concrete(pattern: str) -> str:
    """A URL for the pattern with a harmless value for every parameter."""
    url = re.sub(r"\(\?P<format>[^)]*\)", "json", pattern)
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "1", url)
    url = re.sub(r"<int:\w+>", "1", url)
    url = re.sub(r"<[\w:]+>", "x", url)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return "/" + url


def test_each_screen_refuses_the_roles_it_does_not_declare(client, everyone):  # Actors
    checked = 0
    for pattern, callback, namespaces, _name in SCREENS:
        access = declarations.for_view(callback, _Match(namespaces))
        if access.public or access.url_token or "admin" in namespaces:
            continue  # a secret in the URL: test_a_route_with_a_secret_in_its_url_...
        url = _concrete(pattern)
        for role, user in everyone.items():
            if role in access.roles:
                continue
            client.force_login(user)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 403, (url, role, method, response.status_code)
                checked += 1
    assert checked > 100


def test_each_api_action_refuses_the_roles_it_does_not_declare(api, everyone):  # Actors
    checked = 0
    for pattern, callback, _namespaces, _name in API_ROUTES:
        if "format" in pattern:
            continue
        url = _concrete(pattern)
        mapping = getattr(callback, "actions", None) or {"get": "*"}
        for method, action in list(mapping.items()):
            if method == "head":
                continue
            access = declarations.for_api(callback.cls, None if action == "*" else action)
            for role, user in everyone.items():
                if role in access.roles:
                    continue
                response = getattr(api(user), method)(url, {}, format="json")
                assert response.status_code == 403, (url, method, role, response.status_code)
                checked += 1
    assert checked > 50


def test_nobody_logged_in_is_sent_to_the_login_or_refused_by_the_api(db, client):  # Actors
    for pattern, callback, namespaces, _name in SCREENS:
        access = declarations.for_view(callback, _Match(namespaces))
        if access.public or access.url_token or "admin" in namespaces:
            continue
        response = client.get(_concrete(pattern))
        assert response.status_code == 302 and "/login/" in response["Location"], pattern
    for pattern, _callback, _ns, _name in API_ROUTES:
        if "format" in pattern:
            continue
        assert client.get(_concrete(pattern)).status_code in (401, 403), pattern


# --- routes authenticated by a secret in their URL (the calendar feed, issue 17 item 7) -------

SECRET_ROUTES = [r for r in SCREENS if declarations.for_view(r[1], _Match(r[2])).url_token]


def test_a_route_with_a_secret_in_its_url_declares_who_may_use_it():  # Actors, R10.4
    assert [name for *_rest, name in SECRET_ROUTES] == ["calendar-feed"]
    for _pattern, callback, namespaces, _name in SECRET_ROUTES:
        access = declarations.for_view(callback, _Match(namespaces))
        assert not access.public and access.roles and access.audit is not None
        assert access.scope == Scope.DUE_ITEM


def test_a_route_with_a_secret_in_its_url_ignores_the_session(db, client, everyone):  # Actors
    """Without its secret, no session opens it: a wrong secret is 404 for every role and for
    nobody logged in alike (never the login page, which would say the route exists)."""
    checked = 0
    for pattern, _callback, _namespaces, _name in SECRET_ROUTES:
        url = _concrete(pattern)
        assert client.get(url).status_code == 404, url
        for user in everyone.values():
            client.force_login(user)
            assert client.get(url).status_code == 404, (url, user.role)
            assert client.post(url).status_code in (403, 405), (url, user.role)
            checked += 1
        client.logout()
    assert checked == len(SECRET_ROUTES) * len(Role)
