"""Vouchers and the report form (SPEC R4.2, routine 004 "Städ"): each report moves the order
through the order services; out of turn is a 409, bad input names its field in Swedish."""

from __future__ import annotations

import pytest

from verkstall.core.clock import travel_to
from verkstall.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders.models import OrderEvent
from verkstall.vouchers import document_services as documents
from verkstall.vouchers import selectors, services
from verkstall.vouchers.models import Voucher, VoucherReport

from .conftest import CARE, MON_9_MAR, MON_16_MAR, WED_4_MAR, at


def test_the_officer_issues_a_voucher_stating_the_extent(w):  # R4.2
    order = w.order()
    with travel_to(at(WED_4_MAR)):
        voucher = services.issue_voucher(w.officer, order=order, kind="cleaning_fbh")
    assert voucher.get_kind_display() == "Värdeintyg städ FBH"
    assert "Hemtjänst – städ: 2 timmar per månad, varannan vecka" in voucher.extent
    entry = CaseJournalEntry.objects.get(person=order.person, title="Värdeintyg städ FBH utfärdat")
    assert entry.kind == CaseJournalEntry.Kind.DOCUMENT and entry.author == w.officer
    pdf = documents.render_voucher_pdf(voucher)
    assert pdf.startswith(b"%PDF")


def test_a_voucher_is_refused_with_swedish_field_errors(w):  # R4.2
    order = w.order()
    with pytest.raises(ValidationFailed) as bad:
        services.issue_voucher(w.officer, order=order, kind="gold")
    assert "kind" in bad.value.errors
    care = w.order(services=(CARE,))
    with pytest.raises(ValidationFailed) as not_cleaning:
        services.issue_voucher(w.officer, order=care, kind="cleaning")
    assert "order" in not_cleaning.value.errors
    with pytest.raises(NotFound):
        selectors.get_voucher_order(w.officer, care.pk)
    with pytest.raises(PermissionDenied):
        services.issue_voucher(w.other_officer, order=order, kind="cleaning")
    with pytest.raises(PermissionDenied):
        services.issue_voucher(w.staff, order=order, kind="cleaning")


def test_the_connected_provider_reports_start_change_and_end(w):  # R4.2 R3.7 R3.9
    order = w.order()
    with travel_to(at(WED_4_MAR)):
        start = services.register_report(
            w.staff, order=order, kind="start", occurred_on="2026-03-04"
        )
    order.refresh_from_db()
    assert order.state == "started" and order.start_date.isoformat() == "2026-03-04"
    assert start.event.kind == "started" and start.channel == "system"
    # The form was the only reply: the order was acknowledged by it (routine 004); the officer
    # is told of the start by a message (R3.7, R10.3).
    assert list(order.events.values_list("kind", flat=True))[-3:] == [
        "acknowledged",
        "started",
        "message_sent",
    ]

    with travel_to(at(MON_9_MAR)):
        more = services.register_report(
            w.staff, order=order, kind="increase", occurred_on="2026-03-09", note="3 tim/mån"
        )
    assert more.event.kind == "change_reported" and more.event.data["change"] == "increase"
    assert CaseJournalEntry.objects.filter(person=order.person, title__endswith=": ökning").exists()

    with travel_to(at(MON_16_MAR)):
        end = services.register_report(w.staff, order=order, kind="death", occurred_on="2026-03-15")
    order.refresh_from_db()
    assert order.state == "ended" and order.end_date.isoformat() == "2026-03-15"
    assert end.event.kind == "ended" and "avlidit" in end.event.data["note"]
    assert VoucherReport.objects.filter(order=order).count() == 3


def test_reports_out_of_turn_are_409_and_bad_input_names_the_field(w):  # R4.2
    order = w.order()
    with travel_to(at(WED_4_MAR)):
        with pytest.raises(TransitionNotAllowed) as early:
            services.register_report(w.staff, order=order, kind="end", occurred_on="2026-03-04")
        assert early.value.status_code == 409
        with pytest.raises(TransitionNotAllowed):
            services.register_report(
                w.staff, order=order, kind="decrease", occurred_on="2026-03-04"
            )
        with pytest.raises(ValidationFailed) as bad:
            services.register_report(w.staff, order=order, kind="start", occurred_on="2026-04-01")
        assert "occurred_on" in bad.value.errors
        with pytest.raises(ValidationFailed) as kind:
            services.register_report(w.staff, order=order, kind="party", occurred_on="2026-03-04")
        assert "kind" in kind.value.errors
        with pytest.raises(PermissionDenied):
            services.register_report(
                w.other_staff, order=order, kind="start", occurred_on="2026-03-04"
            )
        with pytest.raises(PermissionDenied):  # connected: the provider reports itself
            services.register_report(w.officer, order=order, kind="start", occurred_on="2026-03-04")
    assert not VoucherReport.objects.exists()
    assert order.events.count() == OrderEvent.objects.filter(order=order).count()


def test_the_officer_registers_a_returned_form_on_behalf(w):  # R4.2 R3.3
    order = w.order(provider=w.puts)
    with travel_to(at(WED_4_MAR)):
        with pytest.raises(ValidationFailed) as no_channel:
            services.register_report(w.officer, order=order, kind="start", occurred_on="2026-03-04")
        assert "channel" in no_channel.value.errors
        report = services.register_report(
            w.officer, order=order, kind="start", occurred_on="2026-03-03", channel="fax"
        )
    assert report.on_behalf_of == w.puts and report.channel == "fax"
    assert report.event.on_behalf_of == w.puts and report.event.channel == "fax"
    with travel_to(at(MON_9_MAR)):
        moved = services.register_report(
            w.fee_officer, order=order, kind="move", occurred_on="2026-03-08", channel="email"
        )
    assert moved.event is None
    assert CaseJournalEntry.objects.filter(person=order.person, title__endswith=": flytt").exists()
    order.refresh_from_db()
    assert order.state == "started"
    assert documents.render_report_form_pdf(order).startswith(b"%PDF")
    # The death on the returned form is the provider's end, by post, not the officer's own:
    # the provider is not sent a message about its own report, the decision's end is set.
    with travel_to(at(MON_9_MAR)):
        died = services.register_report(
            w.officer, order=order, kind="death", occurred_on="2026-03-08", channel="post"
        )
    assert died.event.kind == "ended"
    assert died.event.on_behalf_of == w.puts and died.event.channel == "post"
    order.refresh_from_db()
    assert order.state == "ended" and order.end_date.isoformat() == "2026-03-08"
    assert all(s.valid_to == order.end_date for s in order.services.all())


def test_vouchers_kinds_are_the_two_of_the_routine():  # R4.2
    assert Voucher.Kind.labels == ["Värdeintyg städ", "Värdeintyg städ FBH"]
