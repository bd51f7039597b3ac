"""The alarm and meal screens and API (SPEC R4.1, R2.6, R3.6): the provider, the officer for
a provider not connected, the aids centre of the municipality, and another municipality's
aids centre (404). The aids centre sees what an installer needs and nothing more."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from verkstall.alarms import services
from verkstall.alarms.models import AlarmContactMove
from verkstall.core.clock import travel_to
from verkstall.orders.models import OrderEvent

from .conftest import MEAL, TUE_3_MAR, WED_4_MAR, at


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ordered(g):
    order = g.order(instructions="Nyckel hos grannen, Strandgatan 6.")
    with travel_to(at(TUE_3_MAR, 11)):
        services.register_alarm_ordered(g.staff, order=order)
    return order


def test_the_provider_orders_the_alarm_on_the_order_page(g):  # R4.1
    order = g.order()
    staff = client_for(g.staff)
    with travel_to(at(TUE_3_MAR, 11)):
        assert f"/orders/{order.pk}/alarm/" in staff.get(f"/orders/{order.pk}/").content.decode()
        page = staff.get(f"/orders/{order.pk}/alarm/").content.decode()
        assert "Larm beställt från hjälpmedelscentralen" in page and "channel" not in page
        done = staff.post(f"/orders/{order.pk}/alarm/", {"ordered_on": ""})
        again = staff.post(f"/orders/{order.pk}/alarm/", {"ordered_on": ""})
    assert done.status_code == 302
    assert OrderEvent.objects.filter(order=order, kind="alarm_ordered").count() == 1
    assert again.status_code == 400 and "redan beställt" in again.content.decode()


def test_the_officer_registers_for_a_provider_not_connected_only(g):  # R4.1 R3.3
    connected, offline = g.order(), g.order(provider=g.faro)
    officer = client_for(g.officer)
    with travel_to(at(TUE_3_MAR, 11)):
        assert (
            'name="ordered_on"'
            not in officer.get(f"/orders/{connected.pk}/alarm/").content.decode()
        )
        refused = officer.post(f"/orders/{connected.pk}/alarm/", {})
        page = officer.get(f"/orders/{offline.pk}/alarm/").content.decode()
        missing = officer.post(f"/orders/{offline.pk}/alarm/", {})
        done = officer.post(f"/orders/{offline.pk}/alarm/", {"channel": "fax"})
    assert refused.status_code == 403
    assert 'name="channel"' in page and "för utförarens räkning" in page
    assert (
        missing.status_code == 400 and "Ange hur utförarens svar kom in" in missing.content.decode()
    )
    assert done.status_code == 302
    assert OrderEvent.objects.get(order=offline, kind="alarm_ordered").channel == "fax"


def test_the_aids_centre_inbox_shows_what_an_installer_needs(g, ordered):  # R4.1
    waiting = g.order()  # not ordered from the aids centre yet: not the aids centre's
    hmc = client_for(g.hmc)
    with travel_to(at(WED_4_MAR, 8)):
        assert hmc.get("/").url == "/alarms/"
        inbox = hmc.get("/alarms/").content.decode()
        page = hmc.get(f"/orders/{ordered.pk}/alarm/").content.decode()
        statuses = {
            url: hmc.get(url).status_code
            for url in (
                f"/orders/{waiting.pk}/alarm/",
                f"/orders/{ordered.pk}/",
                f"/clients/{ordered.person_id}/",
                f"/orders/{ordered.pk}/meal/",
                "/orders/",
            )
        }
    assert "Bengt Gotlander" in inbox and "Strandgatan 4" in inbox and "0498-12 34 56" in inbox
    assert "2026-03-03" in inbox and "Björkens Hemtjänst" in inbox
    assert f"/orders/{waiting.pk}/alarm/" not in inbox
    assert "Nyckel hos grannen, Strandgatan 6." in page and "Larm installerat" in page
    assert "personnummer" not in page.lower() and ordered.person.personal_number not in page
    assert statuses == {
        f"/orders/{waiting.pk}/alarm/": 404,
        f"/orders/{ordered.pk}/": 403,
        f"/clients/{ordered.person_id}/": 403,
        f"/orders/{ordered.pk}/meal/": 403,
        "/orders/": 403,
    }


def test_the_aids_centre_installs_from_its_inbox(g, ordered):  # R4.1
    hmc = client_for(g.hmc)
    with travel_to(at(WED_4_MAR, 13)):
        done = hmc.post(f"/orders/{ordered.pk}/alarm/", {"installed_on": "2026-03-04"})
        inbox = hmc.get("/alarms/").content.decode()
        again = hmc.post(f"/orders/{ordered.pk}/alarm/", {"installed_on": ""})
    assert done.status_code == 302 and done.url == "/alarms/"
    assert "Inga larm väntar på installation." in inbox
    assert (
        again.status_code == 400 and "redan registrerat som installerat" in again.content.decode()
    )


def test_another_municipalitys_aids_centre_finds_nothing(g, ordered):  # R4.1 Actors
    other = client_for(g.other_hmc)
    with travel_to(at(WED_4_MAR, 13)):
        assert "Bengt" not in other.get("/alarms/").content.decode()
        assert other.get(f"/orders/{ordered.pk}/alarm/").status_code == 404
        assert other.post(f"/orders/{ordered.pk}/alarm/", {}).status_code == 404
    assert not OrderEvent.objects.filter(order=ordered, kind="alarm_installed").exists()


def test_the_watchlist_of_the_aids_centre_shows_the_installation(g, ordered, api):  # R4.1
    with travel_to(at(WED_4_MAR, 8)):
        rows = api(g.hmc).get("/api/due-items/").json()["results"]
        other = api(g.other_hmc).get("/api/due-items/").json()["results"]
    assert [(r["rule"], r["order"]) for r in rows] == [("larm-installerat", ordered.pk)]
    assert other == []


def test_the_contact_move_on_screen(g, ordered):  # R2.6
    move = AlarmContactMove.objects.create(
        municipality=g.muni, order=ordered, old_provider=g.angens, new_provider=g.bjorkens,
        from_date=date(2026, 3, 4),
    )  # fmt: skip
    hmc = client_for(g.hmc)
    with travel_to(at(WED_4_MAR, 13)):
        inbox = hmc.get("/alarms/").content.decode()
        assert client_for(g.other_hmc).post(f"/alarms/moves/{move.pk}/confirm/").status_code == 404
        assert client_for(g.staff).post(f"/alarms/moves/{move.pk}/confirm/").status_code == 403
        done = hmc.post(f"/alarms/moves/{move.pk}/confirm/")
    assert "Larmets kontaktuppgifter flyttade" in inbox and "Ängens Omsorg" in inbox
    assert done.status_code == 302
    move.refresh_from_db()
    assert move.confirmed_by == g.hmc


def test_the_api_walks_ordered_then_installed(g, api):  # R4.1
    order = g.order()
    url = f"/api/alarm-orders/{order.pk}/"
    with travel_to(at(TUE_3_MAR, 11)):
        assert api(g.hmc).get(url).status_code == 404
        early = api(g.hmc).post(f"{url}installed/", {}, format="json")
        ordered = api(g.staff).post(f"{url}ordered/", {}, format="json")
        twice = api(g.staff).post(f"{url}ordered/", {}, format="json")
        inbox = api(g.hmc).get("/api/alarm-orders/?awaiting=installation").json()["results"]
        bad = api(g.hmc).post(f"{url}installed/", {"installed_on": "2026-03-02"}, format="json")
        refused = api(g.staff).post(f"{url}installed/", {}, format="json")
        other = api(g.other_hmc).post(f"{url}installed/", {}, format="json")
        installed = api(g.hmc).post(f"{url}installed/", {}, format="json")
    assert early.status_code == 404  # not ordered: not the aids centre's yet
    assert ordered.status_code == 200 and ordered.json()["alarm_ordered_at"]
    assert twice.status_code == 409 and twice.json()["code"] == "step_not_allowed"
    (row,) = inbox
    assert row["person"] == {
        "id": order.person_id,
        "name": "Bengt Gotlander",
        "street_address": "Strandgatan 4",
        "postal_code": "62155",
        "city": "Visby",
        "phone": "0498-12 34 56",
    }
    assert row["instructions"] == "Nyckel hos grannen." and "decision" not in row
    assert bad.status_code == 400 and "installed_on" in bad.json()
    assert refused.status_code == 403 and other.status_code == 404
    assert installed.status_code == 200 and installed.json()["alarm_installed_at"]


def test_the_api_meal_order_and_contact_moves(g, api, ordered):  # R3.6 R2.6
    meal = g.order(services=(MEAL,))
    with travel_to(at(TUE_3_MAR, 12)):
        done = api(g.staff).post(f"/api/meal-orders/{meal.pk}/ordered/", {}, format="json")
        twice = api(g.staff).post(f"/api/meal-orders/{meal.pk}/ordered/", {}, format="json")
        other = api(g.staff_angens).post(f"/api/meal-orders/{meal.pk}/ordered/", {}, format="json")
    assert done.status_code == 200 and done.json()["meal_ordered_at"]
    assert twice.status_code == 409 and other.status_code == 404
    move = AlarmContactMove.objects.create(
        municipality=g.muni, order=ordered, old_provider=g.angens, new_provider=g.bjorkens,
        from_date=date(2026, 3, 4),
    )  # fmt: skip
    with travel_to(at(WED_4_MAR, 9)):
        (row,) = api(g.hmc).get("/api/alarm-contact-moves/?open=true").json()["results"]
        assert api(g.other_hmc).get(f"/api/alarm-contact-moves/{move.pk}/").status_code == 404
        confirmed = api(g.hmc).post(f"/api/alarm-contact-moves/{move.pk}/confirm/")
    assert row["new_provider_name"] == "Björkens Hemtjänst"
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"]


def test_the_meal_screen(g):  # R3.6
    meal = g.order(services=(MEAL,))
    staff = client_for(g.staff)
    with travel_to(at(TUE_3_MAR, 12)):
        assert f"/orders/{meal.pk}/meal/" in staff.get(f"/orders/{meal.pk}/").content.decode()
        done = staff.post(f"/orders/{meal.pk}/meal/", {"ordered_on": "2026-03-03"})
        page = staff.get(f"/orders/{meal.pk}/meal/").content.decode()
    assert done.status_code == 302
    assert "Matdistribution beställd: 2026-03-03" in page
