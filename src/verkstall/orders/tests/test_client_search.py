"""The client search in every page's header and the recently opened clients (issue 17 item 5):
posted, never in an address (issue 6); by name or personnummer in any of its written forms
(R1.1); only the user's own scope (Actors); each client shown in the access log (R10.4); the
client list and the results page page and sort with the lists' one component."""

from __future__ import annotations

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.audit.models import AccessLogEntry
from verkstall.people import unit_services
from verkstall.people.client_session import RECENT_SIZE
from verkstall.tooling import bench_list_services as bench_lists
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

SEARCH = reverse("client-search")
RECENT = reverse("client-recent")


def search(client, text):
    """Post a search as the header's form does; the results page it redirects to."""
    response = client.post(SEARCH, {"q": text})
    assert response.status_code == 302
    assert response["Location"] == SEARCH  # nothing of the text in the address
    return client.get(response["Location"])


def names(response) -> list[str]:
    return [p.first_name for p in response.context.get("persons") or []]


def test_the_header_has_the_search_for_the_roles_that_see_clients(world, client):
    for user in (world.officer, world.staff_a, world.fee_officer):
        client.force_login(user)
        html = client.get(reverse("watchlist")).content.decode()
        header = html.split("<header")[1].split("</header>")[0]
        assert f'<form method="post" role="search" action="{SEARCH}"' in header, user.role
        assert f'hx-get="{RECENT}"' in header
    client.force_login(build.user(Role.LOV_ADMIN, world.muni))
    html = client.get(reverse("contract-list")).content.decode()
    assert SEARCH not in html and RECENT not in html


@pytest.mark.parametrize(
    "written",
    ["12 digits", "12 digits with a dash", "10 digits", "10 digits with a dash", "name"],
)
def test_the_search_finds_the_client_by_name_or_number_in_any_form(world, client, written):
    person = world.person(first_name="Sökbar", last_name="Hittasson")
    world.person(first_name="Annan", last_name="Personsson")
    n = person.personal_number
    text = {
        "12 digits": n,
        "12 digits with a dash": f"{n[:8]}-{n[8:]}",
        "10 digits": n[2:],
        "10 digits with a dash": f"{n[2:8]}-{n[8:]}",
        "name": "hittas",
    }[written]
    client.force_login(world.officer)
    response = search(client, text)
    assert names(response) == ["Sökbar"]
    assert response.context["query"] == text


def test_another_units_client_is_not_found(world, client):  # Actors
    person = world.person(first_name="Annans", last_name="Enhetsson")
    client.force_login(world.other_officer)
    for text in (person.personal_number, person.formatted_personal_number, "Enhetsson"):
        response = search(client, text)
        assert names(response) == []
        assert "Annans" not in response.content.decode()
        assert "Inga klienter hittades." in response.content.decode()
    # A provider finds only the clients it holds or held an order for.
    held = world.order(provider=world.provider_a, state="sent").person
    client.force_login(world.staff_b)
    assert names(search(client, held.personal_number)) == []
    client.force_login(world.staff_a)
    assert names(search(client, held.personal_number)) == [held.first_name]


def test_the_search_is_posted_only(world, client):  # issue 6, issue 17 item 5
    world.person(first_name="Getbar", last_name="Adressson")
    client.force_login(world.officer)
    response = client.get(SEARCH, {"q": "Adressson"})  # a text in the address is not searched
    assert response.status_code == 200 and names(response) == []
    assert "Getbar" not in response.content.decode()
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(SEARCH).status_code == 405


def test_the_number_never_reaches_an_address(world, client):  # issue 6
    person = world.person(first_name="Dold")
    client.force_login(world.officer)
    number = person.personal_number
    response = client.post(SEARCH, {"q": person.formatted_personal_number}, follow=True)
    assert names(response) == ["Dold"]
    for url, _status in response.redirect_chain:
        assert number[2:8] not in url and number[-4:] not in url
    # The further pages and sorts of the results are links without the text.
    html = response.content.decode()
    hrefs = [h.split('"')[0] for h in html.split('href="')[1:]]
    assert all(number[-4:] not in h and number[2:8] not in h for h in hrefs)


def test_the_results_page_logs_the_clients_it_shows(world, client):  # R10.4
    shown = [world.person(first_name=f"Logg{i}", last_name="Loggsson") for i in range(3)]
    world.person(first_name="Ej", last_name="Visadsson")
    client.force_login(world.officer)
    search(client, "Loggsson")
    rows = AccessLogEntry.objects.filter(route="client-search", method="GET")
    assert {r.person_id for r in rows} == {p.pk for p in shown}
    assert {r.action for r in rows} == {"list"}
    # The posted search shows no client: one row says who searched, without the text.
    [posted] = AccessLogEntry.objects.filter(route="client-search", method="POST")
    assert posted.person_id is None and "Loggsson" not in f"{posted.path} {posted.detail}"


def test_the_results_page_and_its_sort(client):  # issue 17 item 5
    lists = bench_lists.list_world()
    bench_lists.fill(lists, 60)
    client.force_login(lists.officer)
    first = search(client, bench_lists.SEARCH_TEXT)
    page = first.context["persons"]
    assert (page.total, len(page), page.number) == (60, 50, 1)
    assert "Visar 1–50 av 60" in first.content.decode()
    assert page.next_url == "?page=2"
    second = client.get(SEARCH + page.next_url)
    assert (second.context["persons"].number, len(second.context["persons"])) == (2, 10)
    by_born = client.get(SEARCH + "?sort=-born").context["persons"]
    numbers = [p.personal_number for p in by_born]
    assert numbers == sorted(numbers, reverse=True) and by_born.total == 60


def test_the_client_list_pages_and_sorts_and_a_posted_search_pages_on_the_search_page(client):
    lists = bench_lists.list_world()
    bench_lists.fill(lists, 60)
    client.force_login(lists.officer)
    page = client.get(reverse("person-list") + "?size=25&page=3").context["persons"]
    assert (page.number, page.size, len(page), page.total) == (3, 25, 10, 60)
    listed = [(p.last_name, p.first_name) for p in page]
    assert listed == sorted(listed)
    by_unit = client.get(reverse("person-list") + "?sort=unit").context["persons"]
    assert by_unit.sort_key == "unit" and by_unit.total == 60
    posted = client.post(reverse("person-list"), {"q": bench_lists.SEARCH_TEXT})
    assert posted.status_code == 200
    assert posted.context["persons"].next_url == f"{SEARCH}?page=2"
    assert client.get(SEARCH).context["persons"].total == 60  # the same search, kept


def test_the_recently_opened_clients_most_recent_first_at_most_eight(world, client):
    persons = [world.person(first_name=f"Öppnad{i}") for i in range(10)]
    client.force_login(world.officer)
    for person in persons:
        assert client.get(reverse("person-detail", args=[person.pk])).status_code == 200
    client.get(reverse("person-detail", args=[persons[4].pk]))  # opened again: first
    response = client.get(RECENT, HTTP_HX_REQUEST="true")
    recent = [p.first_name for p in response.context["recent"]]
    expected = [persons[i].first_name for i in (4, 9, 8, 7, 6, 5, 3, 2)]
    assert recent == expected and len(recent) == RECENT_SIZE
    html = response.content.decode()
    assert "<html" not in html  # the header's partial
    # The number masked: the birth date, never the last four digits.
    assert f"{persons[4].personal_number[:8]}-****" in html
    assert persons[4].personal_number[-4:] not in html
    # Without JavaScript: a page of its own, and the search page without a search.
    assert "Öppnad4" in client.get(RECENT).content.decode()
    assert [p.first_name for p in client.get(SEARCH).context["recent"]] == expected


def test_a_client_no_longer_in_scope_leaves_the_recent_list(world, client):  # Actors
    moved, kept = world.person(first_name="Flyttad"), world.person(first_name="Kvar")
    client.force_login(world.officer)
    for person in (moved, kept):
        client.get(reverse("person-detail", args=[person.pk]))
    unit_services.move_to_unit(world.officer, moved, unit=world.other_unit)
    recent = client.get(RECENT, HTTP_HX_REQUEST="true").context["recent"]
    assert [p.first_name for p in recent] == ["Kvar"]
    # Another unit's client that could not be opened (404) never joins the list.
    client.force_login(world.other_officer)
    assert client.get(reverse("person-detail", args=[kept.pk])).status_code == 404
    client.get(reverse("person-detail", args=[moved.pk]))
    assert [p.first_name for p in client.get(RECENT).context["recent"]] == ["Flyttad"]


def test_the_recent_list_is_logged_when_shown(world, client):  # R10.4
    person = world.person(first_name="Senast")
    client.force_login(world.officer)
    client.get(reverse("person-detail", args=[person.pk]))
    client.get(reverse("watchlist"))  # a page with the header: no client read for it
    assert not AccessLogEntry.objects.filter(route="watchlist", person_id=person.pk).exists()
    client.get(RECENT, HTTP_HX_REQUEST="true")
    [row] = AccessLogEntry.objects.filter(route="client-recent")
    assert (row.person_id, row.action) == (person.pk, "list")
