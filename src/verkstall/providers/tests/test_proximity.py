"""The proximity rule for short-term and profile homes (SPEC R2.5, seed 001 §Korttidsboende):
the officer picks a unit, nearest suitable first, by great-circle distance from the client's
stored coordinates."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.access.roles import Role
from verkstall.core.errors import ValidationFailed
from verkstall.people.services import update_person
from verkstall.providers import selectors, services
from verkstall.tooling import testing as build

LAT = st.floats(min_value=-90, max_value=90, allow_nan=False)
LON = st.floats(min_value=-180, max_value=180, allow_nan=False)

# Vällingby centrum, and places around it (WGS 84).
HOME = (59.3633, 17.8720)


# --- Pure ---------------------------------------------------------------------------------


def test_haversine_gives_known_distances():  # R2.5
    stockholm, gothenburg = (59.3293, 18.0686), (57.7089, 11.9746)
    assert selectors.haversine_km(*stockholm, *gothenburg) == pytest.approx(398, abs=2)
    assert selectors.haversine_km(*HOME, *HOME) == 0
    # One degree of latitude is about 111.2 km everywhere.
    assert selectors.haversine_km(59, 18, 60, 18) == pytest.approx(111.2, abs=0.1)
    # Antipodes: half the circumference.
    assert selectors.haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088, rel=1e-9)


@given(LAT, LON, LAT, LON)
def test_haversine_is_a_distance(lat1, lon1, lat2, lon2):  # R2.5
    d = selectors.haversine_km(lat1, lon1, lat2, lon2)
    assert 0 <= d <= math.pi * selectors.EARTH_RADIUS_KM + 1e-6
    assert d == pytest.approx(selectors.haversine_km(lat2, lon2, lat1, lon1), abs=1e-6)


@given(LAT, LON, LAT, LON, LAT, LON)
def test_haversine_obeys_the_triangle_inequality(a, b, c, d, e, f):  # R2.5
    ab = selectors.haversine_km(a, b, c, d)
    bc = selectors.haversine_km(c, d, e, f)
    ac = selectors.haversine_km(a, b, e, f)
    assert ac <= ab + bc + 1e-6


def test_by_distance_puts_the_nearest_first_and_the_unknown_last():  # R2.5
    places = {
        "Långt bort": (59.60, 17.90),
        "Okänd": None,
        "Nära": (59.365, 17.875),
        "Mitt emellan": (59.40, 17.88),
    }
    ranked = selectors.by_distance(
        HOME, list(places), position=lambda n: places[n], name=lambda n: n
    )
    assert [n for n, _ in ranked] == ["Nära", "Mitt emellan", "Långt bort", "Okänd"]
    assert ranked[0][1] < 1 and ranked[-1][1] is None
    unknown = selectors.by_distance(None, list(places), position=places.get, name=lambda n: n)
    assert [n for n, _ in unknown] == sorted(places) and {d for _, d in unknown} == {None}


# --- With the database ----------------------------------------------------------------------


class Homes:
    """Short-term homes at known distances from the client's home, a profile home, a unit of
    another municipality, and a unit with no position."""

    def __init__(self, world):
        self.world = world
        muni = world.muni

        def unit(provider, name, position, codes):
            u = build.provider_unit(provider, name)
            lat, lon = position if position else (None, None)
            return services.ensure_unit_offers(
                unit=u, latitude=lat, longitude=lon, service_types=codes
            )

        self.far = unit(world.provider_a, "Korttids Långt", (59.60, 17.90), ["korttidsboende"])
        self.near = unit(world.provider_b, "Korttids Nära", (59.365, 17.875), ["korttidsboende"])
        self.mid = unit(world.provider_a, "Korttids Mitt", (59.40, 17.88), ["korttidsboende"])
        self.nowhere = unit(world.offline, "Korttids Okänd", None, ["korttidsboende"])
        self.profile = unit(world.provider_b, "Profilboendet", (59.364, 17.873), ["profilboende"])
        other = build.municipality()
        unit(build.provider(other), "Annan kommun", (59.3634, 17.8721), ["korttidsboende"])
        self.muni = muni

    def stay(self, person=None, code="korttidsboende"):
        decision = self.world.decision(
            person,
            services=[{"service_type": code, "scope_amount": "1", "scope_unit": "place"}],
        )
        return decision.services.get()


@pytest.fixture
def homes(world):
    return Homes(world)


def url(granted) -> str:
    return f"/clients/{granted.decision.person_id}/services/{granted.pk}/proximity/"


@pytest.mark.django_db
def test_units_are_listed_nearest_first_with_the_distance(homes, world):  # R2.5
    person = world.person(latitude=str(HOME[0]), longitude=str(HOME[1]))
    ranked = selectors.nearest_units(world.officer, homes.stay(person))
    assert [n.unit.name for n in ranked] == [
        "Korttids Nära",
        "Korttids Mitt",
        "Korttids Långt",
        "Korttids Okänd",
    ]
    assert ranked[0].distance_km == pytest.approx(0.25, abs=0.05)
    assert ranked[2].distance_km == pytest.approx(26.37, abs=0.01)
    assert ranked[3].distance_km is None
    profile = selectors.nearest_units(world.officer, homes.stay(person, "profilboende"))
    assert [n.unit.name for n in profile] == ["Profilboendet"]


@pytest.mark.django_db
def test_the_screen_shows_units_by_distance_in_km(client, homes, world):  # R2.5
    person = world.person(latitude="59.3633", longitude="17.872")
    granted = homes.stay(person)
    client.force_login(world.officer)
    response = client.get(url(granted))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Korttids Nära") < page.index("Korttids Mitt") < page.index("Korttids Långt")
    assert "26,4 km" in page  # Swedish decimal comma
    assert "Annan kommun" not in page and "Profilboendet" not in page
    order = f"/decisions/{granted.decision_id}/orders/new/?provider={homes.near.provider_id}"
    assert f"{order}&amp;provider_unit={homes.near.pk}" in page
    assert 'id="no-position"' not in page
    # The client page links the service to this screen.
    assert url(granted) in client.get(f"/clients/{person.pk}/").content.decode()


@pytest.mark.django_db
def test_a_client_without_coordinates_gets_a_clear_message(client, homes, world):  # R2.5
    granted = homes.stay()
    client.force_login(world.officer)
    page = client.get(url(granted)).content.decode()
    assert 'id="no-position"' in page and "saknar koordinater" in page
    assert [n.distance_km for n in selectors.nearest_units(world.officer, granted)] == [None] * 4


@pytest.mark.django_db
def test_the_rule_is_only_for_short_term_and_profile_homes(client, api, homes, world):  # R2.5
    decision = world.decision()  # personal care: LOV, not proximity
    granted = decision.services.get()
    client.force_login(world.officer)
    page = client.get(url(granted)).content.decode()
    assert "Närhetsprincipen gäller korttidsboende och profilboende." in page
    response = api(world.officer).get(
        "/api/providers/nearest-units/", {"granted_service": granted.pk}
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_api_lists_nearest_units(api, homes, world):  # R2.5
    person = world.person(latitude="59.3633", longitude="17.872")
    granted = homes.stay(person)
    rows = api(world.officer).get("/api/providers/nearest-units/", {"granted_service": granted.pk})
    assert rows.status_code == 200
    assert [r["unit_name"] for r in rows.json()][:2] == ["Korttids Nära", "Korttids Mitt"]


@pytest.mark.django_db
def test_the_api_gives_no_distance_to_a_protected_home(api, homes, world):  # R2.5, R10.5
    """Issue 11: three exact distances give a protected client's home by trilateration. A
    reader without access gets the units in name order without distances, as on the screen;
    a named staff member with access gets the distances."""
    from verkstall.people.models import ProtectedDataAccess
    from verkstall.people.protection_services import set_protection

    person = world.person(latitude="59.3633", longitude="17.872")
    set_protection(world.officer, person, protection="protected_registration")
    granted = homes.stay(person)
    colleague = build.user(Role.OFFICER, world.muni, unit=world.unit, username="kollega")
    rows = api(colleague).get("/api/providers/nearest-units/", {"granted_service": granted.pk})
    assert rows.status_code == 200
    assert [r["distance_km"] for r in rows.json()] == [None] * 4
    unknown_home = selectors.nearest_units(world.officer, homes.stay())
    # Name order, as for a home without coordinates: the ranking would give the home away too.
    assert [r["unit_name"] for r in rows.json()] == [n.unit.name for n in unknown_home]
    assert ProtectedDataAccess.objects.filter(person=person, user=world.officer).exists()
    rows = api(world.officer).get("/api/providers/nearest-units/", {"granted_service": granted.pk})
    assert rows.json()[0]["distance_km"] == pytest.approx(0.25, abs=0.05)


@pytest.mark.django_db
def test_others_do_not_reach_the_proximity_screen(client, api, homes, world):  # Actors
    granted = homes.stay()
    world.order(decision=granted.decision, state="sent")
    client.force_login(world.staff_a)
    assert client.get(url(granted)).status_code == 403
    response = api(world.staff_a).get(
        "/api/providers/nearest-units/", {"granted_service": granted.pk}
    )
    assert response.status_code == 403
    client.force_login(world.other_officer)
    assert client.get(url(granted)).status_code == 404
    lov = build.user(Role.LOV_ADMIN, world.muni, username="lovadmin")
    client.force_login(lov)
    assert client.get(url(granted)).status_code == 403


@pytest.mark.django_db
def test_the_officer_enters_the_clients_coordinates(client, world):  # R2.5, R1.1
    person = world.person(latitude="59,3633", longitude="17.8720")
    assert (str(person.latitude), str(person.longitude)) == ("59.363300", "17.872000")
    with pytest.raises(ValidationFailed) as exc:
        world.person(latitude="59.36")
    assert "longitude" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        world.person(latitude="91", longitude="17")
    assert "latitude" in exc.value.errors
    moved = update_person(
        world.officer, person, latitude="59.40", longitude="17.90", reason="Flyttat"
    )
    assert str(moved.latitude) == "59.400000"
    cleared = update_person(world.officer, person, latitude="", longitude="", reason="Fel")
    assert cleared.latitude is None and cleared.longitude is None
    # The registration form has the fields.
    client.force_login(world.officer)
    response = client.post(
        "/clients/new/",
        {
            "personal_number": build.test_number(),
            "first_name": "Greta",
            "last_name": "Geo",
            "latitude": "59.3617",
            "longitude": "17.8722",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert str(page.context["person"].latitude) == "59.361700"
