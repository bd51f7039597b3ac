"""Every place a personnummer enters takes it in one form (issue 11, SPEC R1.1, R10).

- A number in fullwidth digits is the same number as in ASCII: registered once (API and
  screen), found by the searches and by the access-log reviewer's lookup; digits of other
  scripts are refused, never stored.
- A search that may hold a personnummer never travels in an address: `q` with digits in
  `GET /api/persons/` and `GET /clients/` is a 400 that says how to search instead (the
  `X-Search-Query` header, the posted search field); a name in `q` still works.
- The duplicate-number answer tells the officer of the client's own unit that the client is
  there, and tells an officer of another unit nothing: one neutral message whether the client
  has protected personal data or not.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core.personal_number import make_test_personal_number
from verkstall.people.models import Person, Protection
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

PERSONS = "/api/persons/"
NUMBER = make_test_personal_number(date(1950, 1, 1), 982).value  # 195001019826, test range
FULLWIDTH, ARABIC_INDIC = 0xFF10, 0x0660


def in_digits(text: str, zero: int) -> str:
    return text.translate({ord(d): chr(zero + int(d)) for d in "0123456789"})


def body(number: str) -> dict:
    return {"personal_number": number, "first_name": "Vera", "last_name": "Bredd"}


def result_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- one number, one form ---------------------------------------------------------------------


def test_a_fullwidth_number_is_stored_as_ascii_and_the_ascii_one_is_the_same_client(
    world, api
):  # R1.1, issue 11 (the finding: １９５００１０１９８２６ then 195001019826 made two clients)
    client = api(world.officer)
    response = client.post(PERSONS, body(in_digits(NUMBER, FULLWIDTH)), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["personal_number"] == "19500101-9826"
    assert Person.objects.get().personal_number == NUMBER
    for again in (NUMBER, "19500101-9826", in_digits(NUMBER, FULLWIDTH)):
        response = client.post(PERSONS, body(again), format="json")
        assert response.status_code == 400, again
        assert "personal_number" in response.json()
    assert Person.objects.count() == 1


def test_the_registration_screen_normalises_the_number_too(world, client):  # R1.1, issue 11
    client.force_login(world.officer)
    response = client.post(reverse("person-create"), body(in_digits(NUMBER, FULLWIDTH)))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Person.objects.get().personal_number == NUMBER


@pytest.mark.parametrize("zero", [ARABIC_INDIC, 0x0966])
def test_digits_of_another_script_are_refused_and_nothing_is_stored(
    world, api, zero
):  # issue 11, R1.1
    response = api(world.officer).post(PERSONS, body(in_digits(NUMBER, zero)), format="json")
    assert response.status_code == 400
    assert "0–9" in response.json()["personal_number"][0]
    assert not Person.objects.exists()


def test_the_searches_find_the_client_by_a_fullwidth_number(world, api, client):  # issue 11, R1.1
    person = world.person(personal_number=NUMBER, first_name="Fullbredd")
    for written in (in_digits(NUMBER, FULLWIDTH), in_digits(NUMBER[2:], FULLWIDTH)):
        found = api(world.officer).get(PERSONS, headers={"X-Search-Query": written})
        assert result_ids(found) == [person.pk], written
        client.force_login(world.officer)
        page = client.post(reverse("person-list"), {"q": written}).content.decode()
        assert "Fullbredd" in page, written


def test_the_access_log_reviewer_finds_the_client_by_a_fullwidth_number(world, client):
    # R10.4, issue 11: the reviewer's lookup goes through the same normalisation.
    person = world.person(personal_number=NUMBER)
    client.force_login(build.user(Role.LOG_REVIEWER, world.muni, username="granskare"))
    response = client.post(reverse("log-review"), {"personal_number": in_digits(NUMBER, FULLWIDTH)})
    assert response.status_code == 302
    assert response["Location"].endswith(f"person={person.pk}")


# --- no personnummer in an address ----------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [NUMBER, "19500101-9826", "500101-9826", "9826", in_digits(NUMBER, FULLWIDTH), "Vera 1950"],
)
def test_a_number_in_the_api_address_is_refused_naming_q_and_the_header(world, api, q):  # R1.1
    # issue 11: `GET /api/persons/?q=<personnummer>` put the number in every server log.
    world.person(personal_number=NUMBER, first_name="Vera")
    response = api(world.officer).get(PERSONS, {"q": q})
    assert response.status_code == 400
    (message,) = response.json()["q"]
    assert "X-Search-Query" in message
    assert "Vera" not in response.content.decode()


def test_the_api_search_takes_number_and_name_in_the_header_and_a_name_in_q(world, api):
    # R1.1, issue 11
    vera = world.person(personal_number=NUMBER, first_name="Vera", last_name="Öhrn")
    world.person(first_name="Karl", last_name="Berg")
    client = api(world.officer)
    for q in (NUMBER, "19500101-9826", "500101-9826", "Vera", "Öhrn"):
        assert result_ids(client.get(PERSONS, headers={"X-Search-Query": q})) == [vera.pk], q
    # Non-ASCII in the header: percent-encoded UTF-8, or raw UTF-8 bytes (seen as Latin-1).
    assert result_ids(client.get(PERSONS, headers={"X-Search-Query": "%C3%96hrn"})) == [vera.pk]
    raw = "Öhrn".encode().decode("latin-1")
    assert result_ids(client.get(PERSONS, headers={"X-Search-Query": raw})) == [vera.pk]
    assert result_ids(client.get(PERSONS, {"q": "Öhrn"})) == [vera.pk]
    assert len(result_ids(client.get(PERSONS))) == 2


def test_a_number_in_the_screens_address_is_refused_with_a_swedish_message(world, client):  # R1.1
    # issue 11: `GET /clients/?q=<personnummer>`; the search field posts instead.
    world.person(personal_number=NUMBER, first_name="Vera")
    client.force_login(world.officer)
    response = client.get(reverse("person-list"), {"q": "19500101-9826"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "får inte innehålla siffror" in page and "sökrutan" in page
    assert "Vera" not in page and "19500101-9826" not in page
    assert "Vera" in client.get(reverse("person-list"), {"q": "Vera"}).content.decode()
    posted = client.post(reverse("person-list"), {"q": "19500101-9826"})
    assert posted.status_code == 200 and "Vera" in posted.content.decode()


def test_the_schema_documents_the_header_and_the_name_only_q(client, world):  # issue 11, R1.1
    client.force_login(world.officer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = {
        (p["in"], p["name"]): p for p in schema["paths"]["/api/persons/"]["get"]["parameters"]
    }
    assert ("header", "X-Search-Query") in parameters
    assert "digits" in parameters[("query", "q")]["description"]


# --- the duplicate-number answer ------------------------------------------------------------


def test_the_own_units_duplicate_says_so_and_the_screen_links_to_the_client(
    world, api, client
):  # R1.1
    # issue 11: the officer sees the client anyway, so the answer may say where it is.
    person = world.person(personal_number=NUMBER)
    response = api(world.officer).post(PERSONS, body(NUMBER), format="json")
    assert response.status_code == 400
    assert "redan registrerad i din enhet" in response.json()["personal_number"][0]
    client.force_login(world.officer)
    page = client.post(reverse("person-create"), body(NUMBER)).content.decode()
    assert reverse("person-detail", args=[person.pk]) in page


@pytest.mark.parametrize("protection", [Protection.NONE, Protection.PROTECTED_REGISTRATION])
def test_another_units_duplicate_gets_one_neutral_answer_whatever_the_protection(
    world, api, client, protection
):  # issue 11, R10.1: nothing tells the other unit's officer that the client exists
    person = world.person(personal_number=NUMBER)
    Person.objects.filter(pk=person.pk).update(protection=protection)
    response = api(world.other_officer).post(PERSONS, body(NUMBER), format="json")
    assert response.status_code == 400
    (message,) = response.json()["personal_number"]
    assert message.startswith("Numret kan inte registreras här.")
    for telling in ("redan", "finns", "klient", "skydd"):
        assert telling not in message.lower(), telling
    client.force_login(world.other_officer)
    page = client.post(reverse("person-create"), body(NUMBER)).content.decode()
    assert "Numret kan inte registreras här." in page
    assert reverse("person-detail", args=[person.pk]) not in page
    assert Person.objects.count() == 1


def test_another_officer_of_another_municipality_registers_the_number(world, api):  # R1.1
    world.person(personal_number=NUMBER)
    muni = build.municipality()
    officer = build.user(Role.OFFICER, muni, unit=build.unit(muni), username="annan-kommun")
    assert api(officer).post(PERSONS, body(NUMBER), format="json").status_code == 201
