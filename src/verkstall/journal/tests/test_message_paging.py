"""The message list pages and sorts (issue 17 item 5, R10.3): by date (the newest first by
default) or by subject, the box kept in every link, an unknown sort the default."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from verkstall.core import clock
from verkstall.journal.models import Message
from verkstall.tooling import bench_list_services as bench_lists

pytestmark = pytest.mark.django_db

LIST = reverse("message-list")


@pytest.fixture
def lists(client):
    """70 messages to the officer's unit; five subjects (two differing only in case) and seven
    moments, so that equal values need the tiebreak."""
    world = bench_lists.list_world()
    bench_lists.fill(world, 70)
    now = clock.now()
    for message in Message.objects.filter(unit=world.unit):
        message.subject = ["alfa", "Beta", "gamma", "Alfa", "beta"][message.pk % 5]
        message.sent_at = now - timedelta(minutes=message.pk % 7)
        message.save(update_fields=["subject", "sent_at"])
    client.force_login(world.officer)
    return world


def test_the_inbox_pages_with_the_total_newest_first(lists, client):
    response = client.get(LIST + "?page=2")
    page = response.context["messages_list"]
    assert (page.number, len(page), page.total) == (2, 20, 70)
    newest = Message.objects.filter(unit=lists.unit).order_by("-sent_at", "-id")
    assert [m.pk for m in page] == [m.pk for m in newest[50:]]
    html = response.content.decode()
    assert "Visar 51–70 av 70" in html and 'aria-sort="descending"' in html


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("subject", lambda m: (m.subject.lower(), m.pk), False),
        ("-subject", lambda m: (m.subject.lower(), m.pk), True),
        ("date", lambda m: (m.sent_at, m.pk), False),
        ("-date", lambda m: (m.sent_at, m.pk), True),
    ],
)
def test_each_column_sorts_with_the_id_breaking_ties(lists, client, sort, key, reverse):
    rows = []
    for number in (1, 2):
        rows += list(client.get(f"{LIST}?sort={sort}&page={number}").context["messages_list"])
    assert len(rows) == 70
    assert [key(m) for m in rows] == sorted((key(m) for m in rows), reverse=reverse)
    assert len({key(m)[0] for m in rows}) < 10  # equal values: the tiebreak is tested


def test_an_unknown_sort_is_the_default_and_the_box_stays_in_the_links(lists, client):
    response = client.get(LIST + "?box=out&sort=body")
    assert response.status_code == 200
    page = response.context["messages_list"]
    assert (page.sort_key, page.descending, page.total) == ("date", True, 0)  # none sent
    response = client.get(LIST + "?box=in&sort=sender")
    page = response.context["messages_list"]
    assert (page.sort_key, page.descending) == ("date", True)
    query = parse_qs(urlsplit(page.next_url).query)
    assert query == {"box": ["in"], "sort": ["sender"], "page": ["2"]}
