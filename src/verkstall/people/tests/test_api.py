"""The clients API: registering, searching and keeping a client's details up to date."""

from __future__ import annotations

from datetime import date

import pytest

from verkstall.access.roles import Role
from verkstall.core.personal_number import luhn_check_digit, make_test_personal_number
from verkstall.people.models import Person, Relative
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

PERSONS = "/api/persons/"


def body(**changes) -> dict:
    values = {
        "personal_number": make_test_personal_number(date(1941, 6, 3), 991).formatted(),
        "first_name": "Gunnel",
        "last_name": "Andersson",
        "street_address": "Råcksta gränd 4",
        "postal_code": "16257",
        "city": "Vällingby",
        "phone": "08-555 12",
        "relatives": [{"name": "Per Andersson", "relation": "son", "phone": "070-111"}],
    }
    values.update(changes)
    return values


def results(response) -> list[dict]:
    assert response.status_code == 200, response.data
    return response.json()["results"]


def test_an_officer_registers_a_client_with_relatives(world, api):  # R1.1
    number = make_test_personal_number(date(1941, 6, 3), 991)
    response = api(world.officer).post(
        PERSONS, body(personal_number=number.value[2:], area=world.area.pk), format="json"
    )
    assert response.status_code == 201, response.data
    data = response.json()
    assert data["personal_number"] == "19410603-9912"
    assert data["personal_number"] == number.formatted()
    assert data["is_coordination_number"] is False
    assert data["unit"] == world.unit.pk
    assert data["area"] == world.area.pk
    assert data["area_name"] == "Västra området"
    assert [r["name"] for r in data["relatives"]] == ["Per Andersson"]
    person = Person.objects.get(pk=data["id"])
    assert person.personal_number == number.value
    assert person.municipality_id == world.muni.pk
    assert Relative.objects.get(person=person).relation == "son"


def test_a_client_with_a_samordningsnummer_is_registered_as_such(world, api):  # R1.1
    nine = "410663991"  # 3 June 1941, day + 60
    number = f"19{nine}{luhn_check_digit(nine)}"
    response = api(world.officer).post(PERSONS, body(personal_number=number), format="json")
    assert response.status_code == 201, response.data
    assert response.json()["is_coordination_number"] is True


@pytest.mark.parametrize(
    ("number", "phrase"),
    [
        ("19410603-9913", "Kontrollsiffran stämmer inte"),
        ("19410230-9913", "Datumet i personnumret finns inte"),
        ("1941060399", "Datumet i personnumret finns inte"),
        ("194106039", "Numret har 9 siffror"),
        ("41O6O3-9912", "Numret har 8 siffror"),
    ],
)
def test_a_bad_personnummer_is_a_400_with_a_swedish_message(world, api, number, phrase):  # R1.1
    response = api(world.officer).post(PERSONS, body(personal_number=number), format="json")
    assert response.status_code == 400
    data = response.json()
    assert "personal_number" in data
    assert phrase in data["personal_number"][0]
    assert not Person.objects.exists()


def test_a_client_already_registered_is_refused_whatever_the_form_of_the_number(world, api):  # R1.1
    client = api(world.officer)
    number = make_test_personal_number(date(1941, 6, 3), 991)
    assert client.post(PERSONS, body(personal_number=number.value), format="json").status_code == (
        201
    )
    for written in (number.value, number.formatted(), number.value[2:]):
        response = client.post(PERSONS, body(personal_number=written), format="json")
        assert response.status_code == 400
        assert "redan" in response.json()["personal_number"][0]
    assert Person.objects.count() == 1


def test_the_same_number_may_be_a_client_in_another_municipality(world, api):  # R1.1
    number = make_test_personal_number(date(1941, 6, 3), 991).formatted()
    assert (
        api(world.officer).post(PERSONS, body(personal_number=number), format="json").status_code
        == 201
    )
    other_muni = build.municipality()
    officer = build.user(Role.OFFICER, other_muni, unit=build.unit(other_muni), username="annan")
    response = api(officer).post(PERSONS, body(personal_number=number), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["staff_a", "fee_officer"])
def test_only_officers_register_clients(world, api, who):  # R1.1, Actors
    response = api(getattr(world, who)).post(PERSONS, body(), format="json")
    assert response.status_code == 403
    assert not Person.objects.exists()


def test_an_empty_personnummer_is_a_400_on_personal_number(world, api):  # R1.1
    response = api(world.officer).post(PERSONS, body(personal_number="  "), format="json")
    assert response.status_code == 400
    assert "personal_number" in response.json()


def test_an_area_of_another_municipality_is_a_400_on_area(world, api):  # R1.1
    elsewhere = build.area(build.municipality(), "Fjärran")
    response = api(world.officer).post(PERSONS, body(area=elsewhere.pk), format="json")
    assert response.status_code == 400
    assert "area" in response.json()


def test_a_relative_without_a_name_is_a_400_on_that_relative(world, api):  # R1.1
    response = api(world.officer).post(
        PERSONS, body(relatives=[{"name": "Ok"}, {"name": "  ", "phone": "1"}]), format="json"
    )
    assert response.status_code == 400
    assert "relatives[1].name" in response.json()


def test_missing_names_are_400_on_each_name_field(world, api):  # R1.1
    response = api(world.officer).post(PERSONS, body(first_name="", last_name=""), format="json")
    assert response.status_code == 400
    assert {"first_name", "last_name"} <= set(response.json())


# --- search ----------------------------------------------------------------------------------


def test_search_by_name_finds_the_client(world, api):  # R1.1
    elsa = world.person(first_name="Elsa", last_name="Lindgren")
    world.person(first_name="Karl", last_name="Berg")
    client = api(world.officer)
    for q in ("lindgren", "Elsa", "elsa lind", "LINDGREN Elsa"):
        assert [p["id"] for p in results(client.get(PERSONS, {"q": q}))] == [elsa.pk], q
    assert results(client.get(PERSONS, {"q": "Nilsson"})) == []
    assert len(results(client.get(PERSONS))) == 2


def test_search_by_number_in_any_form_finds_the_client(world, api):  # R1.1
    elsa = world.person()
    other = world.person(first_name="Karl")
    number = elsa.personal_number
    client = api(world.officer)
    for q in (number, f"{number[:8]}-{number[8:]}", number[2:], f"{number[2:8]}-{number[8:]}"):
        found = results(client.get(PERSONS, HTTP_X_SEARCH_QUERY=q))
        assert [p["id"] for p in found] == [elsa.pk], q
        assert found[0]["personal_number"] == elsa.formatted_personal_number
    found = results(client.get(PERSONS, HTTP_X_SEARCH_QUERY=number))
    assert other.pk not in [p["id"] for p in found]


def test_the_list_leaves_relatives_out_and_the_detail_has_them(world, api):  # R1.1
    person = world.person(relatives=[{"name": "Anna"}])
    client = api(world.officer)
    assert "relatives" not in results(client.get(PERSONS))[0]
    detail = client.get(f"{PERSONS}{person.pk}/")
    assert detail.status_code == 200
    assert [r["name"] for r in detail.json()["relatives"]] == ["Anna"]


# --- update ----------------------------------------------------------------------------------


def test_the_officer_updates_name_address_and_contact_data(world, api):  # R1.1
    person = world.person()
    url = f"{PERSONS}{person.pk}/"
    changes = {"last_name": "Nyberg", "city": "Hässelby", "whereabouts": "Sjukhus"}
    # An officer's correction needs a reason (no silent overwrite): refused, nothing changed.
    response = api(world.officer).patch(url, changes, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Person.objects.get(pk=person.pk).last_name == "Testsson"
    response = api(world.officer).patch(
        url, {**changes, "reason": "Gift, flyttat till sjukhus"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.json()["last_name"] == "Nyberg"
    person.refresh_from_db()
    assert (person.last_name, person.city, person.whereabouts) == ("Nyberg", "Hässelby", "Sjukhus")


def test_the_clients_provider_updates_contact_data_but_not_the_name(world, api):  # R1.1
    order = world.order(state="sent")
    url = f"{PERSONS}{order.person_id}/"
    client = api(world.staff_a)
    response = client.patch(url, {"phone": "070-999"}, format="json")
    assert response.status_code == 200, response.data
    assert Person.objects.get(pk=order.person_id).phone == "070-999"
    response = client.patch(url, {"last_name": "Annan"}, format="json")
    assert response.status_code == 400
    assert "last_name" in response.json()
    assert Person.objects.get(pk=order.person_id).last_name == "Testsson"


def test_a_name_cannot_be_emptied(world, api):  # R1.1
    person = world.person()
    response = api(world.officer).patch(f"{PERSONS}{person.pk}/", {"first_name": ""}, format="json")
    assert response.status_code == 400
    assert "first_name" in response.json()
