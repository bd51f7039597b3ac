"""The voucher letter and the report form as PDF (SPEC R4.2, routine 004), laid out by the
project's one PDF writer (decisions.documents.html_to_pdf).

The client is read through `listed_person`: a letter leaves the screen, so a protected
client's address is the placeholder whoever prints it (R10.5). File names carry numbers only,
never a personnummer.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from verkstall.core import clock
from verkstall.decisions.documents import html_to_pdf
from verkstall.people.models import Protection
from verkstall.people.selectors import listed_person

from .models import VoucherReport
from .selectors import voucher_services


def voucher_filename(voucher) -> str:
    return f"vardeintyg-{voucher.pk}.pdf"


def report_form_filename(order) -> str:
    return f"redovisningsblankett-{order.pk}.pdf"


def _common(order) -> dict:
    person = order.person
    return {
        "order": order,
        "person": listed_person(person),
        "forwarded_by_tax_agency": person.protection == Protection.PROTECTED_REGISTRATION,
        "municipality": order.municipality,
        "unit": order.unit,
        "officer": order.officer,
        "provider": order.provider,
        "services": voucher_services(order),
    }


def render_voucher_pdf(voucher) -> bytes:
    """The letter to the client: which voucher, the extent granted, what to do with it."""
    context = _common(voucher.order) | {"voucher": voucher}
    with translation.override("sv"):
        html = render_to_string("vouchers/voucher_pdf.html", context)
    return html_to_pdf(html)


def render_report_form_pdf(order) -> bytes:
    """The report form for a provider not connected, filled in with the order and client; the
    provider ticks what it reports and sends it back by post, fax or e-mail."""
    context = _common(order) | {"kinds": VoucherReport.Kind.choices, "today": clock.today()}
    with translation.override("sv"):
        html = render_to_string("vouchers/report_form_pdf.html", context)
    return html_to_pdf(html)
