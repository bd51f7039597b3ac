"""Assignment by rotation asks first (issue 17 item 3; R2.4): the client's page offers it as a
button in a POST form, never a link; pressing it shows which provider the rotation gives and
that the turn is used; only the confirmed POST assigns."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from verkstall.core.confirm_views import BACK_FIELD
from verkstall.providers.models import RotationAssignment
from verkstall.providers.rotation_services import assign_by_rotation
from verkstall.providers.tests.test_rotation_db import OMVARDNAD, Gotland
from verkstall.tooling.testing import confirmed


@pytest.fixture
def gotland(db):
    return Gotland()


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_the_clients_page_offers_rotation_as_a_button_not_a_link(gotland, client):  # R2.4
    g = gotland
    person, services = g.client("Nils", "Olsson")
    url = reverse("rotation-assign", args=[services[OMVARDNAD].pk])
    client.force_login(g.karin)
    html = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert f'<a href="{url}"' not in html
    form = re.search(rf'<form method="post" action="{re.escape(url)}"[^>]*>(.*?)</form>', html)
    assert form is not None
    assert re.search(r'<button type="submit"[^>]*>Tilldela enligt turordning</button>', form[1])


def test_assigning_by_rotation_asks_first_naming_the_provider_and_the_used_turn(
    gotland, client
):  # R2.4, issue 17 item 3
    g = gotland
    person, services = g.client("Nils", "Olsson")
    url = reverse("rotation-assign", args=[services[OMVARDNAD].pk])
    client.force_login(g.karin)

    asked = client.post(url)
    assert asked.status_code == 200
    html = asked.content.decode()
    heading = "Kontrollera innan du tilldelar Hemtjänst – personlig omvårdnad enligt turordning"
    assert f'<h1 id="confirm-heading">{heading}</h1>' in html
    assert f"<title>{heading} – Verkställ</title>" in html
    assert re.search(r"<dt>Nästa på tur</dt><dd>Björkens Hemtjänst</dd>", html)
    assert "Turen är därmed använd" in html
    assert _hidden(html)["provider"] == str(g.bjorkens.pk)
    assert not RotationAssignment.objects.exists()

    back = client.post(url, {BACK_FIELD: "1"})
    assert back.status_code == 302
    assert back["Location"] == reverse("person-detail", args=[person.pk])
    assert not RotationAssignment.objects.exists()

    done = client.post(url, _hidden(html) | confirmed())
    assignment = RotationAssignment.objects.get()
    assert done["Location"] == reverse("rotation-assignment", args=[assignment.pk])
    assert assignment.provider == g.bjorkens


def test_a_turn_that_moved_since_the_check_is_shown_again_not_assigned(gotland, client):
    # R2.4: the officer confirms the provider the page named; if someone else took that turn
    # meanwhile, the page comes back naming the new one, and nothing is assigned unseen.
    g = gotland
    _person, services = g.client("Nils", "Olsson")
    url = reverse("rotation-assign", args=[services[OMVARDNAD].pk])
    client.force_login(g.karin)
    shown = _hidden(client.post(url).content.decode())
    assert shown["provider"] == str(g.bjorkens.pk)

    _other, other_services = g.client("Olga", "Ek")
    assign_by_rotation(g.karin, granted_service=other_services[OMVARDNAD])  # Björkens' turn

    again = client.post(url, shown | confirmed())
    assert again.status_code == 200
    html = again.content.decode()
    assert "Turordningen har ändrats sedan du kontrollerade" in html
    assert re.search(r"<dt>Nästa på tur</dt><dd>Ängens Omsorg</dd>", html)
    assert RotationAssignment.objects.count() == 1  # only the other client's
