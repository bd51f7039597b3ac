"""Who sees what ("Actors" in SPEC): through the API and at the selector level.

A provider sees only the clients and orders it holds now or held, never a draft; an officer
sees the clients of their unit; a fee officer the municipality's; another municipality nothing.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from verkstall.access.roles import Role
from verkstall.decisions.selectors import decisions_for
from verkstall.orders import services
from verkstall.orders.models import Order
from verkstall.orders.selectors import orders_for
from verkstall.people.models import Person
from verkstall.people.selectors import persons_for, search_persons
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db


class Scene:
    """Provider A holds one sent order; B holds another; a draft is addressed to A."""

    def __init__(self, world):
        self.world = world
        self.pa = world.person(first_name="Alva", last_name="Aronsson")
        self.pb = world.person(first_name="Bertil", last_name="Bengtsson")
        self.pd = world.person(first_name="Dora", last_name="Dahl")
        self.order_a = world.order(decision=world.decision(self.pa), state="sent")
        self.order_b = world.order(
            decision=world.decision(self.pb), provider=world.provider_b, state="sent"
        )
        self.draft_a = world.order(decision=world.decision(self.pd))


@pytest.fixture
def scene(world):
    return Scene(world)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.json()["results"]}


def search(client, query: str):
    """The client search; a personnummer goes in the header, never in the address."""
    return client.get("/api/persons/", HTTP_X_SEARCH_QUERY=query)


def order_ids(user) -> set[int]:
    return set(orders_for(user).values_list("pk", flat=True))


def person_ids(user) -> set[int]:
    return set(persons_for(user).values_list("pk", flat=True))


def decision_ids(user) -> set[int]:
    return set(decisions_for(user).values_list("pk", flat=True))


# --- provider A against provider B -----------------------------------------------------------


def test_provider_a_lists_only_its_own_orders_clients_and_decisions(scene, api):  # Actors
    client = api(scene.world.staff_a)
    assert ids(client.get("/api/orders/")) == {scene.order_a.pk}
    assert ids(client.get("/api/persons/")) == {scene.pa.pk}
    assert ids(client.get("/api/decisions/")) == {scene.order_a.decision_id}


def test_provider_b_likewise_sees_only_its_own(scene, api):  # Actors
    client = api(scene.world.staff_b)
    assert ids(client.get("/api/orders/")) == {scene.order_b.pk}
    assert ids(client.get("/api/persons/")) == {scene.pb.pk}
    assert ids(client.get("/api/decisions/")) == {scene.order_b.decision_id}


def test_provider_a_gets_404_for_provider_bs_order_client_and_decision(scene, api):  # Actors
    client = api(scene.world.staff_a)
    for url in (
        f"/api/orders/{scene.order_b.pk}/",
        f"/api/persons/{scene.pb.pk}/",
        f"/api/decisions/{scene.order_b.decision_id}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    # The same URLs answer for B, so the 404 is scoping, not a wrong URL.
    assert api(scene.world.staff_b).get(f"/api/orders/{scene.order_b.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("send", {}),
        ("acknowledge", {}),
        ("start", {"start_date": "2026-01-01"}),
        ("end", {"end_date": "2026-01-01"}),
        ("cancel", {"reason": "x"}),
    ],
)
def test_provider_a_cannot_act_on_provider_bs_order(scene, api, action, data):  # Actors
    response = api(scene.world.staff_a).post(
        f"/api/orders/{scene.order_b.pk}/{action}/", data, format="json"
    )
    # Sending and cancelling are not a provider role's actions at all (403, before any row is
    # looked up); the others are, but the order is not A's (404).
    assert response.status_code == (403 if action in ("send", "cancel") else 404)
    assert Order.objects.get(pk=scene.order_b.pk).state == "sent"


def test_provider_a_searching_for_bs_client_finds_nothing(scene, api):  # Actors
    client = api(scene.world.staff_a)
    number = scene.pb.personal_number
    for q in (number, scene.pb.formatted_personal_number, number[2:], number[-4:], "Bengtsson"):
        assert ids(search(client, q)) == set(), q
    # The search works: A finds its own client by the same kinds of query.
    assert ids(search(client, scene.pa.personal_number)) == {scene.pa.pk}
    assert ids(search(client, "Aronsson")) == {scene.pa.pk}


def test_provider_a_cannot_change_bs_client(scene, api):  # Actors
    response = api(scene.world.staff_a).patch(
        f"/api/persons/{scene.pb.pk}/", {"phone": "070-000"}, format="json"
    )
    assert response.status_code == 404
    assert Person.objects.get(pk=scene.pb.pk).phone == "08-123 45"


def test_a_client_with_orders_at_both_providers_shows_each_only_its_own_order(scene, api):  # Actors
    world = scene.world
    shared = world.order(decision=world.decision(scene.pa), provider=world.provider_b, state="sent")
    client = api(world.staff_b)
    assert ids(client.get("/api/orders/")) == {scene.order_b.pk, shared.pk}
    assert scene.pa.pk in ids(client.get("/api/persons/"))
    assert ids(client.get("/api/decisions/")) == {scene.order_b.decision_id, shared.decision_id}
    assert client.get(f"/api/orders/{scene.order_a.pk}/").status_code == 404
    assert client.get(f"/api/decisions/{scene.order_a.decision_id}/").status_code == 404


def test_a_provider_manager_is_scoped_like_the_providers_staff(scene, api):  # Actors
    manager = build.user(Role.PROVIDER_MANAGER, scene.world.muni, provider=scene.world.provider_b)
    assert order_ids(manager) == {scene.order_b.pk}
    assert person_ids(manager) == {scene.pb.pk}
    assert api(manager).get(f"/api/orders/{scene.order_a.pk}/").status_code == 404


# --- drafts ----------------------------------------------------------------------------------


def test_a_provider_never_sees_a_draft_addressed_to_it(scene, api):  # Actors, R3.1
    world = scene.world
    client = api(world.staff_a)
    assert scene.draft_a.pk not in ids(client.get("/api/orders/"))
    assert client.get(f"/api/orders/{scene.draft_a.pk}/").status_code == 404
    assert scene.pd.pk not in ids(client.get("/api/persons/"))
    assert client.get(f"/api/persons/{scene.pd.pk}/").status_code == 404
    assert client.get(f"/api/decisions/{scene.draft_a.decision_id}/").status_code == 404
    assert scene.draft_a.pk not in order_ids(world.staff_a)

    services.send_order(world.officer, scene.draft_a)
    assert scene.draft_a.pk in ids(client.get("/api/orders/"))
    assert scene.pd.pk in ids(client.get("/api/persons/"))


def test_a_draft_cancelled_before_sending_stays_invisible_to_the_provider(scene):  # Actors
    services.cancel_order(scene.world.officer, scene.draft_a, reason="Fel utförare")
    assert scene.draft_a.pk not in order_ids(scene.world.staff_a)
    assert scene.pd.pk not in person_ids(scene.world.staff_a)


def test_a_provider_still_sees_an_order_it_held_after_it_ended(scene):  # Actors
    world = scene.world
    services.acknowledge_order(world.staff_a, scene.order_a)
    services.register_start(world.staff_a, scene.order_a, start_date=timezone.localdate())
    services.end_order(world.officer, scene.order_a, end_date=timezone.localdate())
    assert order_ids(world.staff_a) == {scene.order_a.pk}
    assert person_ids(world.staff_a) == {scene.pa.pk}


# --- the municipality's side -----------------------------------------------------------------


def test_an_officer_of_another_unit_sees_nothing_of_this_units_work(scene, api):  # Actors
    world = scene.world
    client = api(world.other_officer)
    assert ids(client.get("/api/orders/")) == set()
    assert ids(client.get("/api/persons/")) == set()
    assert ids(client.get("/api/decisions/")) == set()
    assert ids(search(client, scene.pa.personal_number)) == set()
    for url in (
        f"/api/orders/{scene.order_a.pk}/",
        f"/api/orders/{scene.draft_a.pk}/",
        f"/api/persons/{scene.pa.pk}/",
        f"/api/decisions/{scene.order_a.decision_id}/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/api/orders/{scene.draft_a.pk}/send/", {}, format="json")
    assert response.status_code == 404
    assert order_ids(world.other_officer) == set()
    assert person_ids(world.other_officer) == set()
    assert decision_ids(world.other_officer) == set()


def test_the_officer_of_the_unit_sees_all_of_the_units_work(scene, api):  # Actors
    world = scene.world
    every_order = {scene.order_a.pk, scene.order_b.pk, scene.draft_a.pk}
    assert ids(api(world.officer).get("/api/orders/")) == every_order
    assert order_ids(world.officer) == every_order
    assert person_ids(world.officer) == {scene.pa.pk, scene.pb.pk, scene.pd.pk}


def test_a_fee_officer_sees_the_municipalitys_orders_and_clients(scene, api):  # Actors, R3.3
    world = scene.world
    other_units_client = build.test_number()
    from verkstall.people.services import register_person

    east = register_person(
        world.other_officer, personal_number=other_units_client, first_name="Ö", last_name="Ö"
    )
    client = api(world.fee_officer)
    assert ids(client.get("/api/orders/")) == {
        scene.order_a.pk,
        scene.order_b.pk,
        scene.draft_a.pk,
    }
    assert {scene.pa.pk, scene.pb.pk, scene.pd.pk, east.pk} == ids(client.get("/api/persons/"))
    assert order_ids(world.fee_officer) == {scene.order_a.pk, scene.order_b.pk, scene.draft_a.pk}
    assert client.get(f"/api/orders/{scene.order_b.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICER, Role.FEE_OFFICER, Role.PROVIDER_STAFF])
def test_a_user_of_another_municipality_sees_nothing(scene, api, role):  # Actors, tenancy
    muni = build.municipality()
    kw = {}
    if role == Role.OFFICER:
        kw["unit"] = build.unit(muni)
    if role == Role.PROVIDER_STAFF:
        kw["provider"] = build.provider(muni, "Annan kommuns omsorg AB")
    stranger = build.user(role, muni, **kw)
    client = api(stranger)
    assert ids(client.get("/api/orders/")) == set()
    assert ids(client.get("/api/persons/")) == set()
    assert ids(client.get("/api/decisions/")) == set()
    assert ids(search(client, scene.pa.personal_number)) == set()
    assert client.get(f"/api/orders/{scene.order_a.pk}/").status_code == 404
    assert client.get(f"/api/persons/{scene.pa.pk}/").status_code == 404
    assert order_ids(stranger) == set()
    assert person_ids(stranger) == set()
    assert decision_ids(stranger) == set()


def test_an_officer_moved_to_another_municipality_keeping_the_unit_id_sees_nothing(
    scene,
):  # tenancy, Actors
    """The municipality filter comes first: a unit id alone never opens another tenant."""
    world = scene.world
    other = build.municipality()
    world.officer.municipality = other
    assert order_ids(world.officer) == set()
    assert person_ids(world.officer) == set()
    assert decision_ids(world.officer) == set()


@pytest.mark.parametrize(
    "role", [Role.PLACEMENT_UNIT, Role.LOV_ADMIN, Role.AIDS_CENTRE, Role.LOG_REVIEWER]
)
def test_a_role_without_a_scoping_rule_sees_nothing(scene, role):  # Actors: deny by default
    user = build.user(role, scene.world.muni)
    assert order_ids(user) == set()
    assert person_ids(user) == set()
    assert decision_ids(user) == set()


# --- selectors -------------------------------------------------------------------------------


def test_selectors_scope_provider_staff_to_their_own_provider(scene):  # Actors
    world = scene.world
    assert order_ids(world.staff_a) == {scene.order_a.pk}
    assert order_ids(world.staff_b) == {scene.order_b.pk}
    assert person_ids(world.staff_a) == {scene.pa.pk}
    assert person_ids(world.staff_b) == {scene.pb.pk}
    assert decision_ids(world.staff_a) == {scene.order_a.decision_id}
    assert decision_ids(world.staff_b) == {scene.order_b.decision_id}
    assert list(search_persons(world.staff_a, scene.pb.personal_number)) == []
    assert list(search_persons(world.staff_b, scene.pb.personal_number)) == [scene.pb]


def test_selectors_give_an_anonymous_user_nothing(scene):  # Actors
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert order_ids(anonymous) == set()
    assert person_ids(anonymous) == set()
    assert decision_ids(anonymous) == set()
