"""The watchlist screens page and sort (issue 17 item 5; SPEC R11): the officer's, the
provider's and the unit manager's lists show one page of the grouped list (overdue, today,
"snarast", the rest; issue 17 item 6) with the total, the groups going on across pages and
each heading with its group's number on the whole list; a sort orders each group, never the
groups; a page, size or sort that is not offered is the default, never an error.

The rows are the benchmark's (tooling/bench_list_services.py): 120 orders, each with an item
of the officer's and of the provider unit's, overdue, due today, "snarast" and later by turns.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from verkstall.core.clock import travel_to
from verkstall.deadlines.watchlist_page_selectors import WATCHLIST_SORTING
from verkstall.deadlines.watchlist_scopes import SCREEN_ORDER
from verkstall.tooling import bench_list_services as bench_lists

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(datetime(2026, 3, 11, 12, 0))  # a Wednesday


@pytest.fixture
def lists():
    with travel_to(NOON):
        world = bench_lists.list_world()
        bench_lists.fill(world, 120)
    return world


def _get(client, user, url):
    client.force_login(user)
    with travel_to(NOON):
        response = client.get(url)
    assert response.status_code == 200, url
    return response


def _rows(client, user, url_of_page, pages):
    rows = []
    for number in range(1, pages + 1):
        response = _get(client, user, url_of_page(number))
        rows += list(response.context["watchlist"].items)
    return rows


def _rank(item) -> int:
    return SCREEN_ORDER.index(item.bucket)


@pytest.mark.parametrize(
    ("who", "scope"),
    [("officer", "mine"), ("officer", "unit"), ("staff", "provider"), ("manager", "provider_unit")],
)
def test_each_watchlist_pages_across_its_groups_with_the_total(lists, client, who, scope):
    # R11, issue 17 items 5 and 6
    user = getattr(lists, who)
    response = _get(client, user, f"/watchlist/?scope={scope}&size=25&page=2")
    wl = response.context["watchlist"]
    assert (wl.paging.number, wl.paging.size, wl.paging.total, len(wl.items)) == (2, 25, 120, 25)
    assert wl.counts == {"asap": 30, "overdue": 30, "today": 30, "week": 30}
    html = response.content.decode()
    assert "Visar 26–50 av 120" in html
    assert 'aria-label="Sidor, bevakningar"' in html
    # Page 2 of 25 rows: the rest of the overdue group, the start of today's; each heading
    # gives its group's number on the whole list.
    assert [b for b, _items, _n in wl.sections] == ["overdue", "today"]
    assert '<span class="wl-n">(30)</span>' in html.split('id="wl-group-overdue"')[1]
    # Every item once, across the pages, in the screen's order: the groups, each by due moment.
    rows = _rows(client, user, lambda n: f"/watchlist/?scope={scope}&size=25&page={n}", 5)
    assert len({i.pk for i in rows}) == 120
    keys = [(_rank(i), i.due_at is not None, i.due_at or NOON, i.pk) for i in rows]
    assert keys == sorted(keys)
    assert [b for b, _g in itertools.groupby(rows, key=lambda i: i.bucket)] == list(SCREEN_ORDER)


@pytest.mark.parametrize("key", sorted(WATCHLIST_SORTING.columns))
@pytest.mark.parametrize("descending", [False, True])
def test_a_sort_orders_each_group_and_keeps_the_groups(lists, client, key, descending):
    # R11, issue 17 item 5
    sort = f"-{key}" if descending else key
    rows = _rows(client, lists.officer, lambda n: f"/watchlist/?scope=unit&sort={sort}&page={n}", 3)
    assert len({i.pk for i in rows}) == 120
    assert [_rank(i) for i in rows] == sorted(_rank(i) for i in rows)

    def value(item):
        return {
            "due": (item.due_at or NOON,),
            "client": (item.person.last_name, item.person.first_name),
            "rule": (item.rule.name,),
            "service": (item.service_type.name,),
        }[key]

    for _bucket, group in itertools.groupby(rows, key=lambda i: i.bucket):
        group = list(group)
        assert [value(i) for i in group] == sorted((value(i) for i in group), reverse=descending)
        for a, b in itertools.pairwise(group):  # the id breaks ties, in the sort's direction
            if value(a) == value(b):
                assert (a.pk > b.pk) if descending else (a.pk < b.pk)
    response = _get(client, lists.officer, f"/watchlist/?scope=unit&sort={sort}")
    html = response.content.decode()
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in html
    # The filter form keeps the sort; the tabs and "Rensa filter" start afresh.
    assert f'<input type="hidden" name="sort" value="{sort}">' in html


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=0",
        "page=１",
        "size=7",
        "size=x",
        "sort=person__personal_number",
        "sort=-",
        "sort=cr%C3%A9%C3%A9",
        "page=99999999999999999999&size=100&sort=password",
    ],
)
def test_a_page_size_or_sort_not_offered_is_the_default_never_an_error(lists, client, query):
    # issue 17 item 5
    response = _get(client, lists.officer, f"/watchlist/?scope=mine&{query}")
    page = response.context["watchlist"].paging
    assert page.size in (50, 100)
    assert (page.sort_key, page.descending) == ("due", False)
    assert page.number in (1, page.pages)


def test_the_links_keep_the_scope_the_filters_and_the_horizon(lists, client):  # issue 17 item 5
    first = _get(client, lists.officer, "/watchlist/?scope=unit").context["watchlist"].items[0]
    rule = first.rule.code
    response = _get(client, lists.officer, f"/watchlist/?scope=unit&rule={rule}&horizon=14&size=25")
    page = response.context["watchlist"].paging
    assert page.total == 120
    assert parse_qs(urlsplit(page.next_url).query) == {
        "scope": ["unit"],
        "rule": [rule],
        "horizon": ["14"],
        "size": ["25"],
        "page": ["2"],
    }


def test_the_client_filter_offers_the_pages_clients_and_the_one_chosen(lists, client):
    # R10.4, issue 17 item 5: no more clients read than the page shows
    response = _get(client, lists.officer, "/watchlist/?scope=mine&size=25")
    form, wl = response.context["form"], response.context["watchlist"]
    offered = {pk for pk, _name in form.fields["person"].choices if pk}
    assert offered == {str(i.person_id) for i in wl.items}
    last = _get(client, lists.officer, "/watchlist/?scope=mine&size=25&page=5")
    other = last.context["watchlist"].items[-1]
    assert str(other.person_id) not in offered
    response = _get(client, lists.officer, f"/watchlist/?scope=mine&person={other.person_id}")
    wl = response.context["watchlist"]
    assert [i.pk for i in wl.items] == [other.pk] and wl.filters == {"person": other.person_id}
    choices = dict(response.context["form"].fields["person"].choices)
    assert choices[str(other.person_id)] == f"{other.person.last_name}, {other.person.first_name}"


def test_the_start_page_shows_the_top_ten_and_the_whole_lists_number(lists, client):
    # R11, issue 17 items 5 and 6
    response = _get(client, lists.staff, "/inbox/")
    wl = response.context["watchlist"]
    assert len(wl.items) == 10 and wl.total == 120 and wl.paging is None
    assert all(i.bucket == "overdue" for i in wl.items)
    assert "Visa hela bevakningslistan (120 bevakningar)" in response.content.decode()
