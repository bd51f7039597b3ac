"""Temporary stays of people from another municipality (SPEC R8.4, seed 002 §Beställning av
tillfällig vistelse): the e-service's intake through the API, the placement unit's
registration into a client record scoped to the receiving municipality, and declining."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.core.personal_number import make_test_personal_number
from verkstall.journal.models import CaseJournalEntry
from verkstall.people.models import Person, Protection
from verkstall.people.selectors import get_person
from verkstall.placements import stay_selectors, stay_services
from verkstall.placements.models import IntakeState, StayIntake
from verkstall.placements.stay_services import IntakeStepNotAllowed
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

URL = "/api/stay-intakes/"
NUMBER = make_test_personal_number(date(1938, 4, 12)).value


def payload(**changes):
    today = clock.today()
    data = {
        "external_id": "ET-2026-0042",
        "personal_number": f"{NUMBER[:8]}-{NUMBER[8:]}",
        "first_name": "Greta",
        "last_name": "Sommargäst",
        "home_municipality_name": "Uppsala",
        "home_municipality_code": "0380",
        "stay_from": (today + timedelta(days=10)).isoformat(),
        "stay_to": (today + timedelta(days=40)).isoformat(),
        "street_address": "Strandvägen 3",
        "postal_code": "621 41",
        "city": "Visby",
        "help_requested": "Hemtjänst omvårdnad morgon och kväll, trygghetslarm.",
        "contact_name": "Lena Handläggare",
        "contact_phone": "018-727 00 00",
        "contact_email": "lena@uppsala.example",
    }
    return data | changes


@pytest.fixture
def placement(world):
    return build.user(Role.PLACEMENT_UNIT, world.muni, username="placering")


def test_the_e_service_posts_an_intake_that_lands_in_the_receiving_municipality(
    world, api, placement
):  # R8.4
    response = api(placement).post(URL, payload(), format="json")
    assert response.status_code == 201, response.content
    intake = StayIntake.objects.get(pk=response.json()["id"])
    assert response.json()["created"] is True
    assert intake.municipality == world.muni
    assert intake.personal_number == NUMBER
    assert intake.state == IntakeState.PENDING
    assert intake.home_municipality == "Uppsala (0380)"
    assert list(stay_selectors.pending_intakes(placement)) == [intake]


def test_the_same_intake_posted_twice_is_one_intake(world, api, placement):  # R8.4
    first = api(placement).post(URL, payload(), format="json")
    again = api(placement).post(URL, payload(first_name="Annat"), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert StayIntake.objects.count() == 1
    assert StayIntake.objects.get().first_name == "Greta"


def test_bad_input_is_a_400_naming_each_field_in_swedish(world, api, placement):  # R8.4 R1.1
    bad = payload(
        personal_number="19380412-0000",
        first_name="",
        home_municipality_code="03",
        stay_to=(clock.today() + timedelta(days=5)).isoformat(),
        help_requested="",
        contact_email="inte-en-adress",
    )
    bad.pop("street_address")
    response = api(placement).post(URL, bad, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        "personal_number",
        "first_name",
        "home_municipality_code",
        "stay_to",
        "street_address",
        "help_requested",
        "contact_email",
    }
    assert errors["stay_to"] == ["Vistelsen kan inte sluta före den börjar."]
    assert errors["street_address"] == ["Ange adressen under vistelsen."]
    # The receiving municipality is not the home municipality.
    own = api(placement).post(URL, payload(home_municipality_code=world.muni.code), format="json")
    assert own.status_code == 400 and "home_municipality_code" in own.json()
    assert not StayIntake.objects.exists()


def test_a_provider_or_an_officer_may_not_post_an_intake(world, api):  # R8.4 Actors
    assert api(world.staff_a).post(URL, payload(), format="json").status_code == 403
    assert api(world.officer).post(URL, payload(), format="json").status_code == 403
    assert not StayIntake.objects.exists()


def receive(placement, **changes):
    intake, _ = stay_services.receive_intake(placement, **payload(**changes))
    return intake


def test_registering_creates_the_client_scoped_to_the_receiving_municipality(
    world, placement
):  # R8.4
    intake = receive(placement)
    stay_services.register_intake(placement, intake=intake, unit=world.unit.pk)
    intake.refresh_from_db()
    person = intake.person
    assert intake.state == IntakeState.REGISTERED
    assert (person.municipality, person.unit) == (world.muni, world.unit)
    assert person.personal_number == NUMBER
    assert person.street_address == "Strandvägen 3"
    assert person.whereabouts.startswith("Tillfällig vistelse från Uppsala (0380)")
    # The unit's officer sees the client and the note; the decision is the officer's.
    assert get_person(world.officer, person.pk) == person
    note = CaseJournalEntry.objects.get(person=person)
    assert "Insatser som söks: Hemtjänst omvårdnad" in note.text
    assert "beslut om insatser fattas av handläggare" in note.text
    assert not person.decisions.exists()
    # A second registration of the same intake is refused.
    with pytest.raises(IntakeStepNotAllowed):
        stay_services.register_intake(placement, intake=intake, unit=world.unit.pk)


def test_registering_finds_the_client_already_in_the_municipality(world, placement):  # R8.4
    existing = world.person(personal_number=NUMBER, first_name="Greta")
    intake = receive(placement)
    stay_services.register_intake(placement, intake=intake, unit=world.other_unit.pk)
    intake.refresh_from_db()
    assert intake.person == existing
    assert Person.objects.filter(personal_number=NUMBER).count() == 1
    text = CaseJournalEntry.objects.get(person=existing).text
    assert "fanns redan registrerad" in text
    assert "Adress under vistelsen: Strandvägen 3 621 41 Visby" in text


def test_a_protected_clients_stay_address_stays_out_of_the_case_journal(
    world, placement
):  # R8.4 R10.5
    existing = world.person(personal_number=NUMBER, first_name="Greta")
    Person.objects.filter(pk=existing.pk).update(protection=Protection.PROTECTED_REGISTRATION)
    intake = receive(placement)
    stay_services.register_intake(placement, intake=intake, unit=world.unit.pk)
    text = CaseJournalEntry.objects.get(person=existing).text
    assert "Strandvägen" not in text and "Visby" not in text
    assert (
        "Adress under vistelsen: se ärendet hos handläggningsenheten (skyddade uppgifter)" in text
    )
    # The intake keeps the address for the placement unit.
    assert stay_selectors.get_intake(placement, intake.pk).street_address == "Strandvägen 3"


def test_the_same_person_in_another_municipality_is_another_client(world, placement):  # R8.4
    other_muni = build.municipality()
    build_person = world.person(personal_number=NUMBER)
    other_placement = build.user(Role.PLACEMENT_UNIT, other_muni)
    intake, _ = stay_services.receive_intake(other_placement, **payload())
    unit = build.unit(other_muni, "Mottagande enhet")
    stay_services.register_intake(other_placement, intake=intake, unit=unit.pk)
    intake.refresh_from_db()
    assert intake.person != build_person
    assert intake.person.municipality == other_muni
    # A unit of another municipality cannot receive the client.
    second = receive(placement, external_id="ET-2")
    with pytest.raises(ValidationFailed) as exc:
        stay_services.register_intake(placement, intake=second, unit=unit.pk)
    assert "unit" in exc.value.errors


def test_declining_needs_a_reason_and_makes_no_client(world, placement):  # R8.4
    intake = receive(placement)
    with pytest.raises(ValidationFailed) as exc:
        stay_services.decline_intake(placement, intake=intake, reason=" ")
    assert exc.value.errors["reason"] == ["Ange skäl till att ärendet avböjs."]
    stay_services.decline_intake(placement, intake=intake, reason="Ingen plats i hemtjänsten.")
    intake.refresh_from_db()
    assert intake.state == IntakeState.DECLINED
    assert intake.person is None and not Person.objects.exists()
    with pytest.raises(IntakeStepNotAllowed):
        stay_services.decline_intake(placement, intake=intake, reason="Igen")


def test_only_the_municipalitys_placement_unit_registers(world, placement):  # R8.4 Actors
    intake = receive(placement)
    with pytest.raises(PermissionDenied):
        stay_services.register_intake(world.officer, intake=intake, unit=world.unit.pk)
    other = build.user(Role.PLACEMENT_UNIT, build.municipality())
    with pytest.raises(PermissionDenied):
        stay_services.decline_intake(other, intake=intake, reason="Nej")


def test_the_screens_register_an_intake(world, client, placement):  # R8.4
    intake = receive(placement)
    client.force_login(placement)
    listing = client.get(reverse("placement-stays"))
    assert listing.status_code == 200
    assert "Greta Sommargäst" in listing.content.decode()
    detail = client.get(reverse("placement-stay", args=[intake.pk]))
    assert "Uppsala (0380)" in detail.content.decode()
    bad = client.post(reverse("placement-stay-register", args=[intake.pk]), {"unit": ""})
    assert bad.status_code == 400
    done = client.post(
        reverse("placement-stay-register", args=[intake.pk]), {"unit": world.unit.pk}
    )
    assert done.status_code == 302
    intake.refresh_from_db()
    assert intake.state == IntakeState.REGISTERED


def test_another_municipalitys_placement_unit_gets_404_a_provider_403(
    world, client, placement
):  # R8.4 Actors
    intake = receive(placement)
    other = build.user(Role.PLACEMENT_UNIT, build.municipality())
    client.force_login(other)
    assert client.get(reverse("placement-stay", args=[intake.pk])).status_code == 404
    post = client.post(reverse("placement-stay-register", args=[intake.pk]), {"unit": 1})
    assert post.status_code == 404
    assert "Greta" not in client.get(reverse("placement-stays")).content.decode()
    client.force_login(world.staff_a)
    assert client.get(reverse("placement-stay", args=[intake.pk])).status_code == 403
    assert client.get(reverse("placement-stays")).status_code == 403
    intake.refresh_from_db()
    assert intake.state == IntakeState.PENDING
