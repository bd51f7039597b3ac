"""The API of cleaning and service on voucher (SPEC R4.2, routine 004): the officer issues a
voucher, the provider reports on the report form (or the officer on behalf of a provider not
connected), each report moving the order; every read through the order's scope."""

from __future__ import annotations

from verkstall.core.clock import travel_to
from verkstall.orders.models import Order
from verkstall.vouchers.models import Voucher, VoucherReport

from .conftest import CARE, MON_9_MAR, MON_16_MAR, WED_4_MAR, at

VOUCHERS = "/api/vouchers/"
REPORTS = "/api/voucher-reports/"


def test_the_officer_issues_a_voucher_through_the_api(w, api):  # R4.2
    order = w.order()
    officer = api(w.officer)
    with travel_to(at(WED_4_MAR)):
        response = officer.post(VOUCHERS, {"order": order.pk, "kind": "cleaning"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "cleaning" and body["kind_label"] == "Värdeintyg städ"
    assert "Hemtjänst – städ: 2 timmar per månad, varannan vecka" in body["extent"]
    assert body["order"] == order.pk and body["person"] == order.person_id
    voucher = Voucher.objects.get(pk=body["id"])
    assert voucher.issued_by == w.officer
    # The officer and the order's provider read it; the list filters by order.
    assert officer.get(f"{VOUCHERS}{voucher.pk}/").json()["extent"] == voucher.extent
    staff = api(w.staff)
    assert [v["id"] for v in staff.get(VOUCHERS, {"order": order.pk}).json()["results"]] == [
        voucher.pk
    ]
    assert staff.get(VOUCHERS, {"order": order.pk + 1000}).json()["results"] == []
    assert "order" in staff.get(VOUCHERS, {"order": "abc"}).json()


def test_a_voucher_is_refused_with_field_names_roles_and_scope(w, api):  # R4.2
    order = w.order()
    officer = api(w.officer)
    bad_kind = officer.post(VOUCHERS, {"order": order.pk, "kind": "gold"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    missing = officer.post(VOUCHERS, {}, format="json")
    assert missing.status_code == 400 and {"order", "kind"} <= set(missing.json())
    care = w.order(services=(CARE,))
    not_cleaning = officer.post(VOUCHERS, {"order": care.pk, "kind": "cleaning"}, format="json")
    assert not_cleaning.status_code == 400 and "order" in not_cleaning.json()
    # Another unit's officer does not know the order; a provider may not issue at all.
    other = api(w.other_officer).post(
        VOUCHERS, {"order": order.pk, "kind": "cleaning"}, format="json"
    )
    assert other.status_code == 400 and "order" in other.json()
    staff = api(w.staff).post(VOUCHERS, {"order": order.pk, "kind": "cleaning"}, format="json")
    assert staff.status_code == 403
    assert not Voucher.objects.exists()
    voucher = officer.post(VOUCHERS, {"order": order.pk, "kind": "cleaning"}, format="json")
    pk = voucher.json()["id"]
    assert api(w.other_staff).get(f"{VOUCHERS}{pk}/").status_code == 404
    assert api(w.other_staff).get(VOUCHERS).json()["results"] == []
    assert api(w.other_officer).get(f"{VOUCHERS}{pk}/").status_code == 404


def test_the_connected_provider_reports_start_and_change_through_the_api(w, api):  # R4.2
    order = w.order()
    staff = api(w.staff)
    with travel_to(at(WED_4_MAR)):
        early_end = staff.post(
            REPORTS, {"order": order.pk, "kind": "end", "occurred_on": "2026-03-04"}
        )
        assert early_end.status_code == 409
        start = staff.post(
            REPORTS,
            {"order": order.pk, "kind": "start", "occurred_on": "2026-03-04", "note": "Första"},
            format="json",
        )
    assert start.status_code == 201, start.content
    assert start.json()["kind"] == "start" and start.json()["channel"] == "system"
    assert start.json()["on_behalf_of"] is None and start.json()["event"]
    order = Order.objects.get(pk=order.pk)
    assert order.state == "started" and order.start_date.isoformat() == "2026-03-04"
    with travel_to(at(MON_9_MAR)):
        future = staff.post(
            REPORTS, {"order": order.pk, "kind": "increase", "occurred_on": "2026-03-20"}
        )
        assert future.status_code == 400 and "occurred_on" in future.json()
        more = staff.post(
            REPORTS,
            {"order": order.pk, "kind": "increase", "occurred_on": "2026-03-09"},
            format="json",
        )
    assert more.status_code == 201
    with travel_to(at(MON_16_MAR)):
        end = staff.post(REPORTS, {"order": order.pk, "kind": "death", "occurred_on": "2026-03-15"})
    assert end.status_code == 201
    assert Order.objects.get(pk=order.pk).state == "ended"
    rows = staff.get(REPORTS, {"order": order.pk}).json()["results"]
    assert [r["kind"] for r in rows] == ["death", "increase", "start"]
    detail = api(w.officer).get(f"{REPORTS}{start.json()['id']}/")
    assert detail.status_code == 200 and detail.json()["note"] == "Första"
    # Another provider and another unit's officer see none of it.
    assert api(w.other_staff).get(f"{REPORTS}{start.json()['id']}/").status_code == 404
    assert api(w.other_staff).get(REPORTS).json()["results"] == []
    assert api(w.other_officer).get(REPORTS).json()["results"] == []


def test_the_officer_registers_a_form_for_a_provider_not_connected(w, api):  # R4.2 R3.3
    order = w.order(provider=w.puts)
    officer = api(w.officer)
    values = {"order": order.pk, "kind": "start", "occurred_on": "2026-03-04"}
    with travel_to(at(WED_4_MAR)):
        no_channel = officer.post(REPORTS, values, format="json")
        assert no_channel.status_code == 400 and "channel" in no_channel.json()
        bad_channel = officer.post(REPORTS, {**values, "channel": "pigeon"}, format="json")
        assert bad_channel.status_code == 400 and "channel" in bad_channel.json()
        response = officer.post(REPORTS, {**values, "channel": "post"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "post" and body["on_behalf_of"] == w.puts.pk
    assert body["on_behalf_of_name"] == "Puts & Service HB"
    assert Order.objects.get(pk=order.pk).state == "started"
    # A connected provider's form is its own to report: the officer is refused.
    connected = w.order()
    refused = officer.post(
        REPORTS,
        {"order": connected.pk, "kind": "start", "occurred_on": "2026-03-04", "channel": "post"},
        format="json",
    )
    assert refused.status_code == 403
    assert VoucherReport.objects.filter(order=connected).count() == 0
    # A provider's staff cannot report on another provider's order.
    other = api(w.other_staff).post(
        REPORTS, {"order": order.pk, "kind": "start", "occurred_on": "2026-03-04"}
    )
    assert other.status_code == 400 and "order" in other.json()
