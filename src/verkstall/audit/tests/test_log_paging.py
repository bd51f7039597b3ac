"""The log reviewer's page pages and sorts (issue 17 item 5, R10.4): one page of the log with
its total, newest first unless the reviewer sorts by another column, links that keep the
filter, and a page, size or sort not offered is the default, never an error."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.audit.models import AccessLogEntry
from verkstall.audit.selectors import LOG_SORTING
from verkstall.core import clock
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(world):
    return build.user(Role.LOG_REVIEWER, world.muni, username="reviewer")


@pytest.fixture
def logged(world):
    """120 reads by three users of four clients, a minute apart, every third outside."""
    persons = [world.person() for _ in range(4)]
    now = clock.now()
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            occurred_at=now - timedelta(minutes=i + 1),
            request_id=uuid.uuid4(),
            user_id=world.officer.pk,
            username=("anna", "bo", "cecilia")[i % 3],
            role=("officer", "provider_staff")[i % 2],
            municipality_id=world.muni.pk,
            person_id=persons[i % 4].pk,
            action=("view", "change")[i % 2],
            outside_own=i % 3 == 0,
            method="GET",
            route="order-detail",
            path=f"/orders/{i % 7}/",
            status_code=200,
        )
        for i in range(120)
    )
    return AccessLogEntry.objects.filter(municipality_id=world.muni.pk).exclude(username="reviewer")


def _get(client, reviewer, params):
    client.force_login(reviewer)
    response = client.get(reverse("log-review"), params)
    assert response.status_code == 200, params
    return response


def test_the_log_shows_its_page_and_the_total(client, reviewer, logged):  # R10.4
    total = logged.count()
    response = _get(client, reviewer, {"page": 2, "size": 25})
    page = response.context["paging"]
    assert (page.number, page.size, page.total, len(page.rows)) == (2, 25, total, 25)
    newest = list(logged.order_by("-occurred_at", "-id").values_list("pk", flat=True))
    assert [r.pk for r in page.rows] == newest[25:50]
    html = response.content.decode()
    assert f"Visar 26–50 av {total}" in html
    assert 'aria-label="Sidor, loggposter"' in html
    assert 'aria-sort="descending"' in html  # the time, newest first


@pytest.mark.parametrize("key", sorted(LOG_SORTING.columns))
@pytest.mark.parametrize("descending", [False, True])
def test_each_column_sorts_the_whole_log(client, reviewer, logged, key, descending):
    sort = f"-{key}" if descending else key
    rows = []
    for number in (1, 2, 3):
        response = _get(client, reviewer, {"sort": sort, "page": number})
        rows += response.context["paging"].rows
    assert len({r.pk for r in rows}) == logged.count()

    def value(r):
        return {
            "time": (r.occurred_at,),
            "user": (r.username,),
            "role": (r.role,),
            "action": (r.action,),
            "page": (r.method, r.path),
        }[key]

    assert [value(r) for r in rows] == sorted((value(r) for r in rows), reverse=descending)
    for a, b in itertools.pairwise(rows):
        if value(a) == value(b):
            assert (a.pk > b.pk) if descending else (a.pk < b.pk)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
        {"size": "1000"},
        {"size": "x"},
        {"sort": "detail"},
        {"sort": "-remote_addr"},
        {"sort": "--time"},
    ],
)
def test_a_page_size_or_sort_not_offered_is_the_default(client, reviewer, logged, params):
    page = _get(client, reviewer, params).context["paging"]
    assert page.size == 50 and (page.sort_key, page.descending) == ("time", True)
    assert page.number in (1, page.pages)


def test_the_links_keep_the_filter(client, reviewer, logged):  # R10.4
    response = _get(client, reviewer, {"username": "anna", "outside": "on", "size": 25})
    page = response.context["paging"]
    expected = logged.filter(username="anna", outside_own=True).count()
    assert page.total == expected and all(r.username == "anna" for r in page.rows)
    assert parse_qs(urlsplit(page.sort_url("user")).query) == {
        "username": ["anna"],
        "outside": ["on"],
        "size": ["25"],
        "sort": ["user"],
    }
    html = response.content.decode()
    assert '<input type="hidden" name="size" value="25">' in html
    assert '<input type="hidden" name="sort" value="-time">' in html
