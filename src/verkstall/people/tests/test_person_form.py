"""Registering a client reports every fault at once (issue 17 item 2: "every form reports all
its errors in one submit"): a wrong personnummer beside empty names is one submit, not two
(R1.1)."""

from __future__ import annotations

import pytest

from verkstall.core.personal_number import InvalidPersonalNumber, parse_personal_number
from verkstall.people.forms import PersonForm
from verkstall.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_form_reports_a_wrong_number_with_the_missing_names():  # R1.1
    form = PersonForm({"personal_number": "19121212-1213", "first_name": "", "last_name": ""})
    assert not form.is_valid()
    assert set(form.errors) >= {"personal_number", "first_name", "last_name"}
    with pytest.raises(InvalidPersonalNumber) as fault:
        parse_personal_number("19121212-1213")
    assert form.errors["personal_number"] == [str(fault.value)]  # the service's own words


def test_the_screen_shows_all_three_faults_in_one_submit(world, client):  # R1.1
    client.force_login(world.officer)
    response = client.post(
        "/clients/new/", {"personal_number": "12345", "first_name": "", "last_name": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('aria-invalid="true"') >= 3
    assert "Det finns fel i formuläret" in page
    assert not Person.objects.filter(personal_number__contains="12345").exists()
