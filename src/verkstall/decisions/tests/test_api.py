"""The decisions API: a decision grants one or more services with scope and validity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from verkstall.decisions.models import Decision, GrantedService
from verkstall.people.services import register_person
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

DECISIONS = "/api/decisions/"


def service(**changes) -> dict:
    values = {
        "service_type": "hemtjanst-omvardnad",
        "scope_amount": "12.5",
        "scope_unit": "hours_per_month",
        "frequency": "morgon och kväll",
    }
    values.update(changes)
    return values


def body(person, services=None, **changes) -> dict:
    values = {
        "person": person.pk,
        "decided_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "assessment_summary": "Behöver hjälp med personlig omvårdnad morgon och kväll.",
        "services": services if services is not None else [service()],
    }
    values.update(changes)
    return values


def test_an_officer_records_a_decision_granting_several_services(world, api):  # R1.2
    person = world.person()
    decided = timezone.localdate() - timedelta(days=2)
    response = api(world.officer).post(
        DECISIONS,
        body(
            person,
            [
                service(),
                service(
                    service_type="trygghetslarm",
                    scope_amount="1",
                    scope_unit="place",
                    valid_from=decided.isoformat(),
                    valid_to=(decided + timedelta(days=365)).isoformat(),
                ),
            ],
        ),
        format="json",
    )
    assert response.status_code == 201, response.data
    data = response.json()
    assert data["person"] == person.pk
    assert data["unit"] == world.unit.pk
    assert data["officer"] == world.officer.pk
    assert data["decided_on"] == decided.isoformat()
    assert [s["service_type"] for s in data["services"]] == ["hemtjanst-omvardnad", "trygghetslarm"]
    first, alarm = data["services"]
    assert first["scope_amount"] == "12.50"
    assert first["scope_unit"] == "hours_per_month"
    assert first["valid_from"] == decided.isoformat()  # defaults to the decision date
    assert first["valid_to"] is None
    assert alarm["valid_to"] == (decided + timedelta(days=365)).isoformat()
    decision = Decision.objects.get(pk=data["id"])
    assert decision.municipality_id == world.muni.pk
    assert GrantedService.objects.filter(decision=decision).count() == 2


@pytest.mark.parametrize(
    ("bad", "key"),
    [
        ({"service_type": "hemtjanst-lyx"}, "services[0].service_type"),
        ({"scope_amount": "0"}, "services[0].scope_amount"),
        ({"scope_amount": "-3"}, "services[0].scope_amount"),
        ({"scope_unit": "parsecs"}, "services[0].scope_unit"),
        ({"valid_from": "2025-05-10", "valid_to": "2025-05-09"}, "services[0].valid_to"),
    ],
)
def test_a_bad_granted_service_is_a_400_keyed_by_its_index_and_field(world, api, bad, key):  # R1.2
    person = world.person()
    response = api(world.officer).post(DECISIONS, body(person, [service(**bad)]), format="json")
    assert response.status_code == 400
    assert key in response.json()
    assert not Decision.objects.exists()


def test_the_index_in_the_error_key_points_at_the_bad_service(world, api):  # R1.2
    person = world.person()
    services = [service(), service(scope_amount="0"), service(service_type="okänd")]
    response = api(world.officer).post(DECISIONS, body(person, services), format="json")
    assert response.status_code == 400
    data = response.json()
    assert "services[1].scope_amount" in data
    assert "services[2].service_type" in data
    assert not any(k.startswith("services[0]") for k in data)


def test_a_decision_must_grant_at_least_one_service(world, api):  # R1.2
    response = api(world.officer).post(DECISIONS, body(world.person(), []), format="json")
    assert response.status_code == 400
    assert "services" in response.json()


def test_a_decision_cannot_be_dated_in_the_future(world, api):  # R1.2
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api(world.officer).post(
        DECISIONS, body(world.person(), decided_on=tomorrow), format="json"
    )
    assert response.status_code == 400
    assert "decided_on" in response.json()


def test_a_decision_for_a_client_of_another_unit_is_a_400_on_person(world, api):  # Actors
    other = register_person(
        world.other_officer,
        personal_number=build.test_number(),
        first_name="Östen",
        last_name="Östlund",
    )
    response = api(world.officer).post(DECISIONS, body(other), format="json")
    assert response.status_code == 400
    assert "person" in response.json()
    assert not Decision.objects.filter(person=other).exists()


def test_a_decision_for_an_unknown_client_is_a_400_on_person(world, api):  # R1.2
    response = api(world.officer).post(
        DECISIONS, {**body(world.person()), "person": 999999}, format="json"
    )
    assert response.status_code == 400
    assert "person" in response.json()


def test_provider_staff_cannot_record_decisions_even_for_their_client(world, api):  # Actors
    order = world.order(state="sent")
    response = api(world.staff_a).post(DECISIONS, body(order.person), format="json")
    assert response.status_code == 403
    assert Decision.objects.count() == 1


def test_the_list_can_be_narrowed_to_one_client(world, api):  # R1.2
    first = world.decision()
    second = world.decision()
    client = api(world.officer)
    all_ids = {d["id"] for d in client.get(DECISIONS).json()["results"]}
    assert all_ids == {first.pk, second.pk}
    only = client.get(DECISIONS, {"person": first.person_id}).json()["results"]
    assert [d["id"] for d in only] == [first.pk]
