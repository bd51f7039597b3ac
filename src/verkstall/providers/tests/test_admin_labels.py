"""The LOV administrator's admin pages name every column, filter and field in Swedish (issue 17
item 9): the relations whose model fields carry no Swedish name are labelled in the admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.providers import services
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"\b(Provider|Service types?|Area)\b")


@pytest.fixture
def lov_admin(world):
    user = build.user(Role.LOV_ADMIN, world.muni, username="lovadmin")
    user.is_staff = True
    user.save()
    return user


def test_the_admin_pages_of_units_and_contracts_are_swedish(world, lov_admin, client):
    unit = build.provider_unit(world.provider_a)
    for provider in (world.provider_a, world.provider_b):  # two: the filters show
        services.create_contract(
            lov_admin,
            provider=provider,
            service_type="hemtjanst-omvardnad",
            area=world.area,
            valid_from=clock.today() - timedelta(days=30),
        )
    client.force_login(lov_admin)
    pages = {
        "units": reverse("admin:providers_providerunit_changelist"),
        "unit": reverse("admin:providers_providerunit_change", args=[unit.pk]),
        "contracts": reverse("admin:providers_contract_changelist"),
        "new contract": reverse("admin:providers_contract_add"),
    }
    html = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
        assert not ENGLISH.findall(html[name]), (name, ENGLISH.findall(html[name]))
    for column, heading in (
        ("provider_column", "Utförare"),
        ("service_type_column", "Insatstyp"),
        ("area_column", "Område"),
    ):
        th = re.search(rf"column-{column}[^>]*>(.*?)</th>", html["contracts"], re.S).group(1)
        assert f">{heading}</a>" in th
    assert 'data-filter-title="utförare"' in html["contracts"]  # the filter's title
    assert re.search(
        r'<label[^>]*for="id_service_type"[^>]*>Insatstyp:</label>', html["new contract"]
    )
    assert re.search(r'<label[^>]*for="id_area"[^>]*>Område:</label>', html["new contract"])
    assert re.search(r"<label[^>]*>Insatstyper:</label>", html["unit"])
