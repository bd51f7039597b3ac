"""LOV contract lines and capacity (SPEC R2.1, "Actors": the LOV administrator keeps
providers, areas, contracts and capacity): the services, the admin and the screens."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.decisions.models import ServiceType
from verkstall.providers import selectors, services
from verkstall.providers.models import Area, Contract, Provider, ProviderUnit
from verkstall.tooling import testing as build

# A cap far ahead, but inside the window of entered dates (core.dates: ten years ahead).
LATER = date(clock.today().year + 5, 12, 31)

pytestmark = pytest.mark.django_db

CARE = "hemtjanst-omvardnad"


@pytest.fixture
def lov_admin(world):
    user = build.user(Role.LOV_ADMIN, world.muni, username="lovadmin")
    user.is_staff = True
    user.save()
    return user


def line(world, admin, **values):
    data = {
        "provider": world.provider_a,
        "service_type": CARE,
        "area": world.area,
        "valid_from": clock.today() - timedelta(days=30),
    }
    data.update(values)
    return services.create_contract(admin, **data)


# --- Services ----------------------------------------------------------------------------


def test_only_the_lov_administrator_may_write_contract_lines(world, lov_admin):  # Actors, R2.1
    contract = line(world, lov_admin)
    assert contract.municipality_id == world.muni.pk
    other_muni = build.municipality()
    stranger = build.user(Role.LOV_ADMIN, other_muni, username="lovadmin2")
    for actor in (world.officer, world.staff_a, world.fee_officer, stranger):
        with pytest.raises(PermissionDenied):
            services.update_contract(actor, contract, valid_to=clock.today())
        with pytest.raises(PermissionDenied):
            services.set_capacity(actor, contract, accepts_new_clients=False, capacity_reason="x")
    for actor in (world.officer, world.staff_a):
        with pytest.raises(PermissionDenied):
            line(world, actor, area=build.area(world.muni))
        with pytest.raises(PermissionDenied):
            services.create_area(actor, name="Nytt område")
        with pytest.raises(PermissionDenied):
            services.create_provider(actor, name="X AB", is_connected=True, channel="system")


def test_a_line_is_in_force_from_its_first_to_its_last_day(world, lov_admin):  # R2.1
    first, last = date(2026, 3, 2), date(2026, 3, 31)
    line(world, lov_admin, valid_from=first, valid_to=last)

    def contracted(day):
        return [
            c.provider.name
            for c in selectors.contracted_lines(
                municipality_id=world.muni.pk,
                service_type_id=ServiceType.objects.get(code=CARE).pk,
                area_id=world.area.pk,
                day=day,
            )
        ]

    assert contracted(first - timedelta(days=1)) == []
    assert contracted(first) == ["Omsorg A AB"]
    assert contracted(last) == ["Omsorg A AB"]
    assert contracted(last + timedelta(days=1)) == []
    contract = Contract.objects.get()
    assert selectors.contract_status(contract, first - timedelta(days=1)) == "upcoming"
    assert selectors.contract_status(contract, last) == "valid"
    assert selectors.contract_status(contract, last + timedelta(days=1)) == "ended"


def test_a_line_cannot_end_before_it_starts_nor_overlap_another(world, lov_admin):  # R2.1
    with pytest.raises(ValidationFailed) as exc:
        line(world, lov_admin, valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 30))
    assert "valid_to" in exc.value.errors
    line(world, lov_admin, valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30))
    with pytest.raises(ValidationFailed) as exc:
        line(world, lov_admin, valid_from=date(2026, 6, 30))
    assert "2026-01-01 – 2026-06-30" in exc.value.errors["valid_from"][0]
    # The next period may start the day after; another area is another line.
    line(world, lov_admin, valid_from=date(2026, 7, 1))
    line(world, lov_admin, valid_from=date(2026, 6, 1), area=build.area(world.muni, "Östra"))
    assert Contract.objects.count() == 3


def test_a_service_outside_lov_or_another_municipality_cannot_be_contracted(
    world, lov_admin
):  # R2.1
    with pytest.raises(ValidationFailed) as exc:
        line(world, lov_admin, service_type="matdistribution")
    assert "LOV" in exc.value.errors["service_type"][0]
    other = build.municipality()
    with pytest.raises(ValidationFailed) as exc:
        line(world, lov_admin, provider=build.provider(other), area=build.area(other))
    assert set(exc.value.errors) == {"provider", "area"}


def test_closing_to_new_clients_needs_a_reason_and_opening_clears_it(world, lov_admin):  # R2.1
    contract = line(world, lov_admin)
    with pytest.raises(ValidationFailed) as exc:
        services.set_capacity(lov_admin, contract, accepts_new_clients=False)
    assert "capacity_reason" in exc.value.errors
    with pytest.raises(ValidationFailed):
        services.set_capacity(
            lov_admin,
            contract,
            accepts_new_clients=False,
            capacity_reason="Kapacitetstak nått",
            capacity_until=clock.today() - timedelta(days=1),
        )
    until = clock.today() + timedelta(days=60)
    capped = services.set_capacity(
        lov_admin,
        contract,
        accepts_new_clients=False,
        capacity_reason="Kapacitetstak nått",
        capacity_until=until,
    )
    assert (capped.accepts_new_clients, capped.capacity_reason, capped.capacity_until) == (
        False,
        "Kapacitetstak nått",
        until,
    )
    opened = services.set_capacity(lov_admin, contract, accepts_new_clients=True)
    assert (opened.accepts_new_clients, opened.capacity_reason, opened.capacity_until) == (
        True,
        "",
        None,
    )


def test_the_capacity_cap_lapses_after_its_last_day(world, lov_admin):  # R2.1, R2.4
    until = clock.today() + timedelta(days=10)
    contract = line(
        world, lov_admin, accepts_new_clients=False, capacity_reason="Fullt", capacity_until=until
    )
    assert selectors.cap_in_force(contract, until)
    assert not selectors.cap_in_force(contract, until + timedelta(days=1))
    forever = line(
        world,
        lov_admin,
        provider=world.provider_b,
        accepts_new_clients=False,
        capacity_reason="Fullt",
    )
    assert selectors.cap_in_force(forever, date(2099, 1, 1))


def test_areas_providers_and_units_are_kept_by_the_lov_administrator(world, lov_admin):  # R2.5
    area = services.create_area(lov_admin, name="Norra området")
    assert services.update_area(lov_admin, area, name="Norr").name == "Norr"
    with pytest.raises(ValidationFailed):
        services.create_area(lov_admin, name="Västra området")  # the world's area
    provider = services.create_provider(
        lov_admin, name="Nya Omsorgen AB", is_connected=False, channel="email", email="a@b.se"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.update_provider(lov_admin, provider, channel="system")
    assert "channel" in exc.value.errors
    unit = services.create_provider_unit(
        lov_admin,
        provider=provider,
        name="Korttids Norr",
        latitude=59.4,
        longitude=17.9,
        service_types=["korttidsboende"],
    )
    assert [t.code for t in unit.service_types.all()] == ["korttidsboende"]
    with pytest.raises(ValidationFailed) as exc:
        services.update_provider_unit(lov_admin, unit, latitude=None)
    assert "latitude" in exc.value.errors
    unit = services.update_provider_unit(lov_admin, unit, service_types=["profilboende"])
    assert [t.code for t in unit.service_types.all()] == ["profilboende"]


# --- The admin ----------------------------------------------------------------------------


def _contract_post(world, **overrides) -> dict:
    data = {
        "provider": str(world.provider_a.pk),
        "service_type": str(ServiceType.objects.get(code=CARE).pk),
        "area": str(world.area.pk),
        "valid_from": "2026-01-01",
        "valid_to": "",
        "in_no_choice": "on",
        "accepts_new_clients": "on",
        "capacity_reason": "",
        "capacity_until": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_lov_administrator_adds_and_changes_lines_in_the_admin(
    client, world, lov_admin
):  # R2.1, Actors
    client.force_login(lov_admin)
    assert client.get("/admin/providers/contract/add/").status_code == 200
    response = client.post("/admin/providers/contract/add/", _contract_post(world))
    assert response.status_code == 302, response.context["adminform"].form.errors
    contract = Contract.objects.get()
    assert contract.municipality_id == world.muni.pk

    # A capacity cap without a reason is refused on the field; with one it is saved.
    url = f"/admin/providers/contract/{contract.pk}/change/"
    response = client.post(url, _contract_post(world, accepts_new_clients=None))
    assert response.status_code == 200
    assert "capacity_reason" in response.context["adminform"].form.errors
    response = client.post(
        url,
        _contract_post(
            world,
            accepts_new_clients=None,
            capacity_reason="Kapacitetstak nått",
            capacity_until=LATER.replace(month=6, day=30).isoformat(),
        ),
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.accepts_new_clients, contract.capacity_until) == (
        False,
        LATER.replace(month=6, day=30),
    )

    # An overlapping line is shown as an error, not saved.
    response = client.post("/admin/providers/contract/add/", _contract_post(world))
    assert response.status_code == 200
    assert "valid_from" in response.context["adminform"].form.errors
    assert Contract.objects.count() == 1
    # Nothing is deleted: a line ends by its end date.
    assert client.post(f"/admin/providers/contract/{contract.pk}/delete/").status_code == 403


def test_the_admin_shows_only_the_administrators_municipality(client, world, lov_admin):  # R2.1
    mine = line(world, lov_admin)
    other_muni = build.municipality()
    other_admin = build.user(Role.LOV_ADMIN, other_muni, username="lovadmin2")
    theirs = services.create_contract(
        other_admin,
        provider=build.provider(other_muni, "Annan Omsorg AB"),
        service_type=CARE,
        area=build.area(other_muni),
        valid_from=date(2026, 1, 1),
    )
    client.force_login(lov_admin)
    page = client.get("/admin/providers/contract/").content.decode()
    assert "Omsorg A AB" in page and "Annan Omsorg AB" not in page
    assert client.get(f"/admin/providers/contract/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/providers/contract/{theirs.pk}/change/").status_code == 302
    # The add form offers only the municipality's providers and areas.
    form = client.get("/admin/providers/contract/add/").context["adminform"].form
    providers = set(Provider.objects.filter(municipality=world.muni))
    assert set(form.fields["provider"].queryset) == providers
    assert set(form.fields["area"].queryset) == set(Area.objects.filter(municipality=world.muni))
    assert all(t.lov for t in form.fields["service_type"].queryset)


def test_the_admin_saves_units_with_position_and_offered_homes(client, world, lov_admin):  # R2.5
    client.force_login(lov_admin)
    korttid = ServiceType.objects.get(code="korttidsboende")
    response = client.post(
        "/admin/providers/providerunit/add/",
        {
            "provider": str(world.provider_a.pk),
            "name": "Korttidsboendet",
            "manager_name": "Chef",
            "phone": "",
            "latitude": "59.361700",
            "longitude": "17.872200",
            "service_types": [str(korttid.pk)],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit = ProviderUnit.objects.get(name="Korttidsboendet")
    assert unit.municipality_id == world.muni.pk
    assert list(unit.service_types.all()) == [korttid]
    response = client.post(
        "/admin/providers/area/add/", {"name": "västra området"}
    )  # case-insensitive duplicate
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors


def test_other_staff_do_not_reach_the_provider_admin(client, world):  # Actors
    staff = world.officer
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    for page in ("contract", "provider", "area", "providerunit"):
        assert client.get(f"/admin/providers/{page}/").status_code == 403
    client.force_login(world.staff_a)  # a role without the admin site: refused outright
    assert client.get("/admin/providers/contract/").status_code == 403


# --- Screens and API ----------------------------------------------------------------------


def test_the_contract_list_shows_validity_and_who_takes_no_new_clients(
    client, world, lov_admin
):  # R2.1
    line(world, lov_admin)
    line(
        world,
        lov_admin,
        provider=world.provider_b,
        accepts_new_clients=False,
        capacity_reason="Kapacitetstak nått",
        capacity_until=LATER,
    )
    line(world, lov_admin, provider=world.offline, valid_to=clock.today() - timedelta(days=1))
    client.force_login(lov_admin)
    page = client.get("/lov/contracts/").content.decode()
    assert "Kapacitetstak nått" in page and f"t.o.m. {LATER:%Y-%m-%d}" in page
    assert "upphört" in page
    for user in (world.officer, world.staff_a):
        client.force_login(user)
        assert client.get("/lov/contracts/").status_code == 403


def test_the_capacity_screen_closes_a_line_to_new_clients(client, world, lov_admin):  # R2.1
    contract = line(world, lov_admin)
    client.force_login(lov_admin)
    url = f"/lov/contracts/{contract.pk}/capacity/"
    response = client.post(url, {"capacity_reason": ""})
    assert response.status_code == 200
    assert "Ange skälet" in response.content.decode()
    response = client.post(url, {"capacity_reason": "Personalbrist", "capacity_until": ""})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.accepts_new_clients, contract.capacity_reason) == (False, "Personalbrist")
    client.force_login(world.officer)
    assert client.post(url, {"accepts_new_clients": "on"}).status_code == 403


def test_the_api_lists_contract_lines_a_provider_only_its_own(api, world, lov_admin):  # R2.1
    line(world, lov_admin)
    line(world, lov_admin, provider=world.provider_b)
    everyone = api(world.officer).get("/api/providers/contracts/").json()
    assert {c["provider_name"] for c in everyone} == {"Omsorg A AB", "Omsorg B AB"}
    own = api(world.staff_a).get("/api/providers/contracts/").json()
    assert [c["provider_name"] for c in own] == ["Omsorg A AB"]
    ended = api(world.officer).get("/api/providers/contracts/", {"valid_on": "2000-01-01"})
    assert ended.json() == []


def test_the_admin_changes_a_provider_through_the_service(client, world, lov_admin):  # R3.3
    unit = build.provider_unit(world.provider_a, "Enhet Väst")
    client.force_login(lov_admin)
    url = f"/admin/providers/provider/{world.provider_a.pk}/change/"
    assert client.get(url).status_code == 200
    data = {
        "name": "Omsorg A AB",
        "organisation_number": "",
        "channel": "fax",
        "email": "",
        "fax": "08-123 456",
        "phone": "08-555 55",
        "postal_address": "",
        "units-TOTAL_FORMS": "1",
        "units-INITIAL_FORMS": "1",
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "0",
        "units-0-id": str(unit.pk),
        "units-0-provider": str(world.provider_a.pk),
    }
    # Not connected, so the channel must not be the system (the model's own constraint).
    response = client.post(url, {**data, "channel": "system"})
    assert response.status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.provider_a.refresh_from_db()
    assert (world.provider_a.is_connected, world.provider_a.channel) == (False, "fax")
    assert world.provider_a.phone == "08-555 55"
    response = client.post(
        "/admin/providers/provider/add/",
        {
            **{k: v for k, v in data.items() if not k.startswith("units-0")},
            "name": "omsorg b ab",  # taken, whatever the case
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
