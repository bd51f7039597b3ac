"""The hospital-notice API, the provider's notice list and the absence screens (SPEC R7)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.test import Client

from verkstall.absences import services
from verkstall.absences.models import Absence, NoticeReceipt
from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.tooling import testing as build

MON_2_MAR = datetime(2026, 3, 2, 9)


@pytest.fixture
def two_providers(world):
    with travel_to(MON_2_MAR):
        person = world.person()
        a = world.order(decision=world.decision(person=person), state="started")
        b = world.order(
            decision=world.decision(person=person), provider=world.provider_b, state="started"
        )
    return person, a, b


def post_notice(api, user, **body):
    values = {"kind": "admission", "occurred_at": "2026-03-20T08:00:00+01:00", "text": "Avd 3"}
    values.update(body)
    return api(user).post("/api/hospital-notices/", values, format="json")


def test_api_notice_by_personal_number_reaches_both_providers(world, api, two_providers):  # R7.3
    person, a, b = two_providers
    with travel_to(datetime(2026, 3, 20, 10)):
        response = post_notice(api, world.officer, personal_number=person.personal_number)
    assert response.status_code == 201, response.content
    assert response.json()["receipts"] == 2
    (ra,) = api(world.staff_a).get("/api/notice-receipts/?acknowledged=false").json()["results"]
    (rb,) = api(world.staff_b).get("/api/notice-receipts/").json()["results"]
    assert ra["order"] == a.pk and rb["order"] == b.pk

    third = build.provider(world.muni, "Omsorg C AB")
    staff_c = build.user(Role.PROVIDER_STAFF, world.muni, provider=third, username="staff_c")
    assert api(staff_c).get("/api/notice-receipts/").json()["results"] == []
    url = f"/api/notice-receipts/{ra['id']}/"
    assert api(staff_c).get(url).status_code == 404
    assert api(staff_c).post(f"{url}acknowledge/").status_code == 404
    assert api(world.staff_b).post(f"{url}acknowledge/").status_code == 404

    with travel_to(datetime(2026, 3, 20, 11)):
        done = api(world.staff_a).post(f"/api/notice-receipts/{ra['id']}/acknowledge/")
        again = api(world.staff_a).post(f"/api/notice-receipts/{ra['id']}/acknowledge/")
    assert done.status_code == 200 and done.json()["acknowledged_at"]
    assert again.status_code == 400 and "receipt" in again.json()


def test_api_notice_validation_and_unknown_person(world, api, two_providers):  # R7.3
    person, _, _ = two_providers
    bad = post_notice(api, world.officer, personal_number=person.personal_number, kind="x")
    assert bad.status_code == 400 and "kind" in bad.json()
    missing = api(world.officer).post("/api/hospital-notices/", {}, format="json")
    assert missing.status_code == 400
    assert {"personal_number", "kind", "occurred_at"} <= set(missing.json())
    unknown = post_notice(api, world.officer, personal_number=build.test_number())
    assert unknown.status_code == 400 and unknown.json() == {
        "personal_number": ["Okänt personnummer."]
    }
    invalid = post_notice(api, world.officer, personal_number="19121212-1213")
    assert invalid.json() == {"personal_number": ["Okänt personnummer."]}
    other_unit = post_notice(api, world.other_officer, personal_number=person.personal_number)
    assert other_unit.status_code == 400  # not this officer's client: told nothing more
    assert (
        post_notice(api, world.staff_a, personal_number=person.personal_number).status_code == 403
    )
    assert not NoticeReceipt.objects.exists()


def test_provider_sees_and_acknowledges_notices_on_screen(world, two_providers):  # R7.3
    person, a, _ = two_providers
    with travel_to(datetime(2026, 3, 20, 10)):
        services.receive_notice(
            world.officer, person, kind="discharge", occurred_at=datetime(2026, 3, 20, 9)
        )
    client = Client()
    client.force_login(world.staff_a)
    page = client.get("/notices/")
    assert page.status_code == 200 and "Utskrivning" in page.content.decode()
    receipt = NoticeReceipt.objects.get(order=a)
    response = client.post(f"/notices/{receipt.pk}/acknowledge/")
    assert response.status_code == 302
    assert "Inga meddelanden" in client.get("/notices/").content.decode()
    other = NoticeReceipt.objects.exclude(order=a).get()
    assert client.post(f"/notices/{other.pk}/acknowledge/").status_code == 404


def test_absence_screen_registers_and_refuses_overlap(world, two_providers):  # R7.1
    _, a, _ = two_providers
    client = Client()
    client.force_login(world.staff_a)
    with travel_to(datetime(2026, 3, 20, 10)):
        detail = client.get(f"/orders/{a.pk}/")
        assert f"/orders/{a.pk}/absences/" in detail.content.decode()
        ok = client.post(
            f"/orders/{a.pk}/absences/", {"reason": "hospital", "from_date": "2026-03-10"}
        )
        assert ok.status_code == 302, ok.content.decode()[-1500:]
        clash = client.post(
            f"/orders/{a.pk}/absences/", {"reason": "other", "from_date": "2026-03-12"}
        )
    assert clash.status_code == 400
    assert "2026-03-10 – pågående" in clash.content.decode()
    assert Absence.objects.filter(order=a).count() == 1
    staff_b = Client()
    staff_b.force_login(world.staff_b)
    assert staff_b.get(f"/orders/{a.pk}/absences/").status_code == 404


def test_officer_short_term_stay_screen(world, two_providers):  # R7.1 [002]
    person, a, b = two_providers
    client = Client()
    client.force_login(world.officer)
    with travel_to(datetime(2026, 3, 20, 10)):
        response = client.post(
            f"/absences/short-term-stay/{person.pk}/",
            {"from_date": "2026-03-23", "to_date": "2026-03-30"},
        )
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert set(Absence.objects.values_list("order_id", flat=True)) == {a.pk, b.pk}


def test_daily_command_flags_long_absences(world, two_providers, capsys):  # R7.2 [003]
    _, a, _ = two_providers
    with travel_to(datetime(2026, 3, 3, 10)):
        services.register_absence(world.staff_a, a, reason="other", from_date=date(2026, 3, 3))
    with travel_to(datetime(2026, 4, 5, 6)):
        call_command("flag_long_absences")
        call_command("flag_long_absences")
    out = capsys.readouterr().out
    assert "1 frånvaro" in out and "0 frånvaro" in out
