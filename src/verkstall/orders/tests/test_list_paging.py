"""The order list and the provider's inbox page and sort (issue 17 item 5): the total on every
page, bounds that are never an error, links that keep the filter, whitelisted sorts with a
stable tiebreak, and the same number of queries at 50 rows as at 500 (one COUNT, one page).
The rows are the benchmark's (tooling/bench_list_services.py): the test and `bench_lists` agree."""

from __future__ import annotations

import itertools
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verkstall.core import clock
from verkstall.orders.models import Order
from verkstall.orders.selectors import ORDER_SORTING
from verkstall.orders.states import State
from verkstall.tooling import bench_list_services as bench_lists
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

LIFE = [s.value for s in State]


@pytest.fixture
def lists():
    """120 orders of one unit, in three states, with two providers and start dates."""
    world = bench_lists.list_world()
    bench_lists.fill(world, 120)
    other = build.provider(world.muni, "Aaa Omsorg AB")
    pks = list(Order.objects.filter(unit=world.unit).order_by("pk").values_list("pk", flat=True))
    Order.objects.filter(pk__in=pks[::3]).update(state=State.ACKNOWLEDGED.value, provider=other)
    for i, pk in enumerate(pks[1::3]):
        Order.objects.filter(pk=pk).update(
            state=State.STARTED.value, start_date=clock.today() - timedelta(days=i % 7)
        )
    return world


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_the_order_list_shows_its_page_and_the_total(lists, client):  # issue 17 item 5
    response = _get(client, lists.officer, "/orders/?page=2")
    page = response.context["orders"]
    assert (page.number, len(page.rows), page.total) == (2, 50, 120)
    html = response.content.decode()
    assert "Visar 51–100 av 120" in html
    assert 'aria-current="page" aria-label="Sida 2"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    newest = Order.objects.filter(unit=lists.unit).order_by("-created_at", "-id")
    assert [o.pk for o in page] == [o.pk for o in newest[50:100]]


@pytest.mark.parametrize(
    ("asked", "number", "shown"),
    [("99", 3, "Visar 101–120 av 120"), ("abc", 1, "Visar 1–50 av 120"), ("-1", 1, "Visar 1–50")],
)
def test_a_page_beyond_the_last_or_not_a_number_is_the_last_or_first(
    lists, client, asked, number, shown
):  # issue 17 item 5
    response = _get(client, lists.officer, f"/orders/?page={asked}")
    assert response.context["orders"].number == number
    assert shown in response.content.decode()


def test_the_links_keep_the_filter_and_the_size(lists, client):  # issue 17 item 5
    response = _get(client, lists.officer, "/orders/?state=started&size=25&sort=client")
    page = response.context["orders"]
    assert page.total == 40 and all(o.state == "started" for o in page)
    assert _query(page.next_url) == {
        "state": ["started"],
        "size": ["25"],
        "sort": ["client"],
        "page": ["2"],
    }
    html = response.content.decode()
    # The filter form keeps the sort and size; a new filter starts on page one.
    assert '<input type="hidden" name="sort" value="client">' in html
    assert '<input type="hidden" name="size" value="25">' in html
    assert "Visar 1–25 av 40" in html


def _sort_value(key: str, order: Order):
    return {
        "created": (order.created_at,),
        "sent": (order.sent_at,),
        "state": (LIFE.index(order.state),),
        "client": (order.person.last_name, order.person.first_name),
        "provider": (order.provider.name,),
        "start": (order.start_date is None, order.start_date or clock.today()),
    }[key]


@pytest.mark.parametrize("key", sorted(ORDER_SORTING.columns))
@pytest.mark.parametrize("descending", [False, True])
def test_each_column_sorts_the_whole_list_with_the_id_breaking_ties(
    lists, client, key, descending
):  # issue 17 item 5
    sort = f"-{key}" if descending else key
    rows = []
    for number in (1, 2, 3):
        response = _get(client, lists.officer, f"/orders/?sort={sort}&page={number}")
        rows += list(response.context["orders"])
    assert len({o.pk for o in rows}) == 120  # every order once across the pages
    values = [_sort_value(key, o) for o in rows]
    if key == "start" and descending:  # nulls last either way
        values = [(v[0], -v[1].toordinal()) for v in values]
        assert values == sorted(values)
    else:
        assert values == sorted(values, reverse=descending)
    # Equal values in the id's order, in the sort's direction.
    for a, b in itertools.pairwise(rows):
        if _sort_value(key, a) == _sort_value(key, b):
            assert (a.pk > b.pk) if descending else (a.pk < b.pk)
    html = response.content.decode()
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in html
    assert html.count("aria-sort=") == 1


@pytest.mark.parametrize("sort", ["person__personal_number", "password", "-", "créé", "id"])
def test_an_unknown_sort_is_the_default_never_an_error(lists, client, sort):
    response = _get(client, lists.officer, f"/orders/?sort={sort}")
    page = response.context["orders"]
    assert (page.sort_key, page.descending) == ("created", True)
    newest = Order.objects.filter(unit=lists.unit).order_by("-created_at", "-id")
    assert [o.pk for o in page] == [o.pk for o in newest[:50]]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_sort_by_the_client_or_provider_reads_no_more_than_the_default(lists, client):
    client.force_login(lists.officer)
    client.get("/orders/")
    default = _queries(client, "/orders/")
    assert _queries(client, "/orders/?sort=client") == default
    assert _queries(client, "/orders/?sort=-provider") == default


def test_the_inbox_pages_each_list_on_its_own(lists, client):  # issue 17 item 5
    # The provider's: 40 sent orders, and 10 of its started ones back to acknowledged.
    started = Order.objects.filter(provider=lists.provider, state=State.STARTED.value)
    pks = list(started.order_by("pk").values_list("pk", flat=True)[:10])
    Order.objects.filter(pk__in=pks).update(state=State.ACKNOWLEDGED.value, start_date=None)
    response = _get(client, lists.staff, "/inbox/?new-page=2&new-size=25")
    new, to_start = response.context["new_orders"], response.context["to_start"]
    assert (new.number, new.size, new.total, len(new)) == (2, 25, 40, 15)
    assert (to_start.number, to_start.size, to_start.total, len(to_start)) == (1, 50, 10, 10)
    assert _query(new.previous_url) == {"new-size": ["25"]}
    # One list's links keep the other's place.
    assert _query(to_start.size_links[0].url) == {
        "new-page": ["2"],
        "new-size": ["25"],
        "start-size": ["25"],
    }
    html = response.content.decode()
    assert "Visar 26–40 av 40" in html and "Visar 1–10 av 10" in html
    assert 'aria-label="Sidor, nya beställningar"' in html


def test_every_list_reads_as_many_queries_at_500_rows_as_at_50(client):  # issue 17 item 5
    """No query per row: each list of the benchmark, by the user it is meant for, counted
    at 50 rows and again at 500 (the order list sorted and on its last page too)."""
    world = bench_lists.list_world()
    bench_lists.fill(world, 50)
    clients = bench_lists.clients(world)
    counts = {}
    for size in (50, 500):
        bench_lists.fill(world, size)
        for name, who, path in bench_lists.LISTS:
            clients[who].get(path)
            counts.setdefault(name, []).append(_queries(clients[who], path))
    pages = {name: path for name, _who, path in bench_lists.LISTS}
    assert {name: c[0] for name, c in counts.items()} == {name: c[1] for name, c in counts.items()}
    assert set(counts) == set(pages)
    # ...and the page holds 50 rows at 500: the count is not flat by showing nothing.
    response = clients["officer"].get("/clients/search/")
    assert response.context["persons"].total == 500 and len(response.context["persons"]) == 50


def test_paging_and_sorting_an_empty_list_is_no_search_in_the_access_log(world, client):  # R10.4
    """A page, size or sort (a list's own, or under a prefix) only pages the list: an empty
    list read with them leaves no row; a filter still does (audit.middleware, issue 11)."""
    from verkstall.audit.models import AccessLogEntry

    client.force_login(world.officer)
    _get(client, world.officer, "/orders/?sort=client&size=25&page=2")
    _get(client, world.officer, "/messages/?sort=-subject&page=3")
    assert not AccessLogEntry.objects.filter(username="officer").exists()
    _get(client, world.officer, "/orders/?state=sent&sort=client")
    [row] = AccessLogEntry.objects.filter(username="officer")
    assert row.person_id is None and row.route == "order-list"
