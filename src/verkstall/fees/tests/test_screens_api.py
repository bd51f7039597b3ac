"""The fee officer's inbox and the provider's own notice, on screen and through the API (SPEC
R9.3): the fee officer sees its municipality's notices newest first and marks one handled (an
access-log row, like every write); other roles get 403, another municipality sees nothing."""

from __future__ import annotations

from verkstall.absences import services as absences
from verkstall.audit.models import AccessLogEntry
from verkstall.core.clock import travel_to
from verkstall.fees.models import FeeNotice

from .conftest import MON_9_MAR, MON_16_MAR, SERVICE_4H, World, api_for, at, client_for


def _two_notices(w):
    """A start (3 March) and an absence (9 March) of one client under the threshold."""
    order = w.started(SERVICE_4H, last_name="Timsson")
    with travel_to(at(MON_9_MAR)):
        absences.register_absence(w.staff, order, reason="hospital", from_date=MON_9_MAR)
    return order


def test_the_fee_officer_sees_the_notices_newest_first_and_handles_one(w):  # R9.3 R10.4
    order = _two_notices(w)
    home = client_for(w.fee_officer).get("/")
    assert home.status_code == 302 and home["Location"] == "/fee-notices/"
    page = client_for(w.fee_officer).get("/fee-notices/")  # collects first
    assert page.status_code == 200
    html = page.content.decode()
    assert "Klient1 Timsson" in html and "Sjukhusvistelse" in html
    assert html.index("Frånvaro:") < html.index("Insatsen verkställd")  # newest first
    assert "4 timmar per månad" in html and "Björkens Hemtjänst" in html
    absence = FeeNotice.objects.get(order=order, kind="absence")
    done = client_for(w.fee_officer).post(
        f"/fee-notices/{absence.pk}/handle/", {"note": "Avgiften reducerad för mars."}
    )
    assert done.status_code == 302 and done["Location"] == "/fee-notices/"
    absence.refresh_from_db()
    assert absence.handled_by == w.fee_officer and absence.handled_note.startswith("Avgiften")
    logged = AccessLogEntry.objects.get(route="fee-notice-handle", person_id=order.person_id)
    assert logged.action == "change" and logged.user_id == w.fee_officer.pk
    html = client_for(w.fee_officer).get("/fee-notices/").content.decode()
    assert "Frånvaro:" not in html and "Insatsen verkställd" in html
    handled = client_for(w.fee_officer).get("/fee-notices/?visa=hanterade").content.decode()
    assert "Avgiften reducerad för mars." in handled
    again = client_for(w.fee_officer).post(f"/fee-notices/{absence.pk}/handle/", {"note": ""})
    assert again.status_code == 302  # refused with a message: handled already
    absence.refresh_from_db()
    assert absence.handled_note == "Avgiften reducerad för mars."


def test_another_municipalitys_notices_are_never_seen(w):  # R9.3 Actors
    _two_notices(w)
    client_for(w.fee_officer).get("/fee-notices/")
    notice = FeeNotice.objects.first()
    other = World(name="Annan kommun", profile="gotland")
    page = client_for(other.fee_officer).get("/fee-notices/")
    assert page.status_code == 200 and "Timsson" not in page.content.decode()
    assert api_for(other.fee_officer).get("/api/fee-notices/").json()["results"] == []
    assert api_for(other.fee_officer).get(f"/api/fee-notices/{notice.pk}/").status_code == 404
    refused = client_for(other.fee_officer).post(f"/fee-notices/{notice.pk}/handle/")
    assert refused.status_code == 404
    api = api_for(other.fee_officer).post(f"/api/fee-notices/{notice.pk}/handle/", {})
    assert api.status_code == 404
    notice.refresh_from_db()
    assert notice.handled_at is None


def test_other_roles_get_403(w):  # R9.3 Actors
    _two_notices(w)
    client_for(w.fee_officer).get("/fee-notices/")
    notice = FeeNotice.objects.first()
    for user in (w.officer, w.staff):
        assert client_for(user).get("/fee-notices/").status_code == 403
        assert client_for(user).post(f"/fee-notices/{notice.pk}/handle/").status_code == 403
        answer = api_for(user).post(f"/api/fee-notices/{notice.pk}/handle/", {"note": "x"})
        assert answer.status_code == 403
    notice.refresh_from_db()
    assert notice.handled_at is None


def test_the_api_lists_shows_and_handles(w):  # R9.3
    order = _two_notices(w)
    api = api_for(w.fee_officer)
    listed = api.get("/api/fee-notices/?handled=false").json()["results"]
    assert [n["kind"] for n in listed] == ["absence", "started"]
    first = listed[0]
    assert first["person"] == order.person_id and first["provider_name"] == "Björkens Hemtjänst"
    assert first["effective_from"] == "2026-03-09" and first["handled"] is False
    detail = api.get(f"/api/fee-notices/{first['id']}/").json()
    assert detail["kind_label"] == "Frånvaro" and detail["reported_by"] == w.staff.pk
    handled = api.post(f"/api/fee-notices/{first['id']}/handle/", {"note": "Klart."}).json()
    assert handled["handled"] is True and handled["handled_by"] == w.fee_officer.pk
    twice = api.post(f"/api/fee-notices/{first['id']}/handle/", {})
    assert twice.status_code == 409
    assert [n["kind"] for n in api.get("/api/fee-notices/?handled=false").json()["results"]] == [
        "started"
    ]
    assert api.get("/api/fee-notices/?handled=kanske").status_code == 400
    assert api.get("/api/fee-notices/?order=abc").status_code == 400
    too_long = api.post(f"/api/fee-notices/{listed[1]['id']}/handle/", {"note": "x" * 2001})
    assert too_long.status_code == 400 and "note" in too_long.json()
    # The provider sees the notices of its own orders; its order's only.
    mine = api_for(w.staff).get(f"/api/fee-notices/?order={order.pk}").json()["results"]
    assert len(mine) == 2
    assert api_for(w.other_staff).get("/api/fee-notices/").json()["results"] == []


def test_the_provider_tells_the_fee_officer_on_the_order_page(w):  # R9.3
    order = w.started(SERVICE_4H)
    page = client_for(w.staff).get(f"/orders/{order.pk}/").content.decode()
    assert "Meddela avgiftshandläggaren" in page
    with travel_to(at(MON_16_MAR)):
        sent = client_for(w.staff).post(
            f"/orders/{order.pk}/fee-notices/",
            {"text": "Klienten avbokade tre besök.", "effective_from": "2026-03-16"},
        )
    assert sent.status_code == 302
    notice = FeeNotice.objects.get(order=order, kind="provider_report")
    assert notice.text == "Klienten avbokade tre besök." and notice.reported_by == w.staff
    assert notice.effective_from == MON_16_MAR and notice.hours_per_month == 4
    bad = client_for(w.staff).post(f"/orders/{order.pk}/fee-notices/", {"text": ""})
    assert bad.status_code == 400
    # The officer does not write for a connected provider; another provider sees nothing.
    officer_page = client_for(w.officer).get(f"/orders/{order.pk}/").content.decode()
    assert "Meddela avgiftshandläggaren" not in officer_page
    refused = client_for(w.officer).post(
        f"/orders/{order.pk}/fee-notices/", {"text": "x", "effective_from": "2026-03-16"}
    )
    assert refused.status_code == 302 and FeeNotice.objects.filter(order=order).count() == 1
    assert client_for(w.other_staff).get(f"/orders/{order.pk}/fee-notices/").status_code == 404
    # The fee officer finds it in the inbox.
    assert "Klienten avbokade tre besök." in (
        client_for(w.fee_officer).get("/fee-notices/").content.decode()
    )
    # The provider reads its notices without the fee officer's note or the client's hours
    # (summed over every provider's orders of the client).
    api_for(w.fee_officer).post(
        f"/api/fee-notices/{notice.pk}/handle/", {"note": "Avgift 0 kr"}, format="json"
    )
    listed = api_for(w.staff).get("/api/fee-notices/", {"order": order.pk}).json()["results"]
    [mine] = [n for n in listed if n["id"] == notice.pk]
    assert mine["handled"] is True
    for field in ("handled_note", "hours_per_month", "uncounted", "handled_by_name"):
        assert field not in mine
    body = api_for(w.staff).get(f"/api/fee-notices/{notice.pk}/").content.decode()
    assert "Avgift 0 kr" not in body
    full = api_for(w.fee_officer).get(f"/api/fee-notices/{notice.pk}/").json()
    assert full["handled_note"] == "Avgift 0 kr" and full["hours_per_month"] == "4.00"


def test_the_officer_registers_a_notice_for_a_provider_not_connected(w):  # R9.3 R3.3
    order = w.started(SERVICE_4H, provider=w.angen)
    api = api_for(w.officer)
    body = {"order": order.pk, "text": "Avbokade besök enligt fax.", "effective_from": "2026-03-09"}
    missing = api.post("/api/fee-notices/", body)
    assert missing.status_code == 400 and "channel" in missing.json()
    with travel_to(at(MON_16_MAR)):
        made = api.post("/api/fee-notices/", {**body, "channel": "fax"})
    assert made.status_code == 201
    assert made.json()["on_behalf_of_name"] == "Ängens Omsorg" and made.json()["channel"] == "fax"
    unknown = api_for(w.other_staff).post("/api/fee-notices/", {**body, "channel": "fax"})
    assert unknown.status_code == 400 and "order" in unknown.json()
    # The connected provider's own order: only its staff write.
    connected = w.started(SERVICE_4H)
    refused = api.post("/api/fee-notices/", {**body, "order": connected.pk, "channel": "fax"})
    assert refused.status_code == 403


def _documented_answer(user, path: str, code: str) -> set[str]:
    schema = api_for(user).get("/api/schema/", {"format": "json"}).json()
    ref = schema["paths"][path]["post"]["responses"][code]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    return set(component["properties"])


def test_the_answer_to_a_create_or_handle_is_documented_as_the_role_reads_it(w):  # R9.3 R10.4
    # A provider's system generated from the schema expects no fee office fields in the answer
    # to its own notice; the fee officer's answer to a handle has them.
    for path, code in (("/api/fee-notices/", "201"), ("/api/fee-notices/{id}/handle/", "200")):
        provider = _documented_answer(w.staff, path, code)
        fee_office = _documented_answer(w.fee_officer, path, code)
        assert "handled_by" not in provider and "hours_per_month" not in provider
        assert {"handled_by", "handled_note", "hours_per_month"} <= fee_office
