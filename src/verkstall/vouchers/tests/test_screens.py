"""The voucher screens (SPEC R4.2): the officer issues and downloads the letter, with an
access-log row; the connected provider reports on the order's page; the officer registers a
returned form for a provider not connected; another provider gets a 404."""

from __future__ import annotations

from django.test import Client

from verkstall.audit.models import AccessLogEntry
from verkstall.core.clock import travel_to
from verkstall.vouchers.models import Voucher, VoucherReport

from .conftest import CARE, WED_4_MAR, at


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_officer_issues_and_downloads_the_voucher_letter(w):  # R4.2 R10.4
    order = w.order()
    officer = client_for(w.officer)
    page = officer.get(f"/vouchers/orders/{order.pk}/")
    assert page.status_code == 200 and "Utfärda värdeintyg" in page.content.decode()
    with travel_to(at(WED_4_MAR)):
        done = officer.post(f"/vouchers/orders/{order.pk}/issue/", {"kind": "cleaning"})
    assert done.status_code == 302
    voucher = Voucher.objects.get(order=order)
    pdf = officer.get(f"/vouchers/{voucher.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    logged = AccessLogEntry.objects.filter(route="voucher-pdf", person_id=order.person_id)
    assert logged.get().action == "export" and logged.get().user_id == w.officer.pk
    assert client_for(w.staff).get(f"/vouchers/{voucher.pk}.pdf").status_code in (403, 404)
    bad = officer.post(f"/vouchers/orders/{order.pk}/issue/", {"kind": "x"})
    assert bad.status_code == 400


def test_the_connected_provider_reports_on_screen(w):  # R4.2
    order = w.order()
    staff = client_for(w.staff)
    page = staff.get(f"/vouchers/orders/{order.pk}/")
    assert page.status_code == 200 and "Hur kom blanketten in" not in page.content.decode()
    with travel_to(at(WED_4_MAR)):
        done = staff.post(
            f"/vouchers/orders/{order.pk}/report/", {"kind": "start", "occurred_on": "2026-03-04"}
        )
        again = staff.post(
            f"/vouchers/orders/{order.pk}/report/", {"kind": "start", "occurred_on": "2026-03-04"}
        )
    assert done.status_code == 302
    assert again.status_code in (400, 409)
    assert VoucherReport.objects.get(order=order).kind == "start"
    assert client_for(w.other_staff).get(f"/vouchers/orders/{order.pk}/").status_code == 404


def test_the_officer_registers_the_returned_form_on_behalf(w):  # R4.2 R3.3
    order = w.order(provider=w.puts)
    officer = client_for(w.officer)
    page = officer.get(f"/vouchers/orders/{order.pk}/").content.decode()
    assert "Hur kom blanketten in" in page and "report-form.pdf" in page
    form = officer.get(f"/vouchers/orders/{order.pk}/report-form.pdf")
    assert form.status_code == 200 and form.content.startswith(b"%PDF")
    with travel_to(at(WED_4_MAR)):
        missing = officer.post(
            f"/vouchers/orders/{order.pk}/report/", {"kind": "start", "occurred_on": "2026-03-04"}
        )
        assert missing.status_code == 400 and "Ange hur utförarens svar kom in" in (
            missing.content.decode()
        )
        done = officer.post(
            f"/vouchers/orders/{order.pk}/report/",
            {"kind": "start", "occurred_on": "2026-03-04", "channel": "post"},
        )
    assert done.status_code == 302
    assert VoucherReport.objects.get(order=order).on_behalf_of == w.puts


def test_an_order_without_cleaning_or_service_has_no_voucher_page(w):  # R4.2
    order = w.order(services=(CARE,))
    assert client_for(w.officer).get(f"/vouchers/orders/{order.pk}/").status_code == 404


def test_the_order_page_links_to_the_voucher_page_once(w):  # R4.2
    order = w.order()
    page = client_for(w.officer).get(f"/orders/{order.pk}/").content.decode()
    assert page.count('id="voucher-link"') == 1 and f"/vouchers/orders/{order.pk}/" in page
