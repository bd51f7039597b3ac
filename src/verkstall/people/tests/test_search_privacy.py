"""The client search is posted: a personnummer typed into it never becomes part of an address
(issue 6: no personnummer in URLs), and it still finds the client (R1.1)."""

from __future__ import annotations

from django.urls import reverse


def test_search_by_personnummer_is_posted_and_finds_the_client(world, client):  # R1.1
    person = world.person(first_name="Sökbar")
    client.force_login(world.officer)
    page = client.get(reverse("person-list")).content.decode()
    # Every search form on the page (the list's, and the header's, issue 17 item 5) is posted,
    # and nothing on the page sends a text by GET: the one hx-get, the header's recently
    # opened clients, carries none.
    forms = [f.split("</form>")[0] for f in page.split("<form")[1:] if 'role="search"' in f]
    assert len(forms) == 2
    assert all('method="post"' in form and "hx-get" not in form for form in forms)
    assert "hx-push-url" not in page
    assert page.count("hx-get") == page.count(f'hx-get="{reverse("client-recent")}"') == 1
    response = client.post(reverse("person-list"), {"q": person.formatted_personal_number})
    assert response.status_code == 200
    assert "Sökbar" in response.content.decode()
    response = client.post(
        reverse("person-list"), {"q": person.personal_number}, HTTP_HX_REQUEST="true"
    )
    assert "Sökbar" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_another_units_client_is_not_found_by_number(world, client):  # R1.1, Actors
    person = world.person(first_name="Annans")
    client.force_login(world.other_officer)
    response = client.post(reverse("person-list"), {"q": person.personal_number})
    assert "Annans" not in response.content.decode()
