"""Screens for cleaning and service on voucher (SPEC R4.2, routine 004): an order's voucher
page (vouchers issued, the report form's reports, the forms to issue and to report), the
voucher letter and the blank report form as PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from verkstall.access.policies import provider_side, registers_on_behalf
from verkstall.core.views import reply_form, run_form
from verkstall.decisions.documents import pdf_response
from verkstall.orders.states import CLOSED

from . import document_services as documents
from . import selectors, services
from .forms import ReportForm, VoucherForm


def _may_issue(user, order) -> bool:
    return user.is_officer and user.unit_id == order.unit_id and order.state not in CLOSED


def _page(request, order, *, voucher_form=None, report_form=None, status=200):
    user = request.user
    on_behalf = registers_on_behalf(user, order.provider)
    may_report = provider_side(user, order.provider)[0] and order.state not in CLOSED
    if report_form is None and may_report:
        report_form = reply_form(ReportForm, on_behalf)
    if voucher_form is None and _may_issue(user, order):
        voucher_form = VoucherForm()
    return render(
        request,
        "vouchers/order_vouchers.html",
        {
            "order": order,
            "services": selectors.voucher_services(order),
            "vouchers": selectors.vouchers_of(order),
            "reports": selectors.reports_of(order),
            "voucher_form": voucher_form,
            "report_form": report_form,
            "on_behalf": on_behalf,
            "is_officer_side": not user.is_provider_user,
            "connected": order.provider.is_connected,
        },
        status=status,
    )


@login_required
@require_GET
def order_vouchers(request, pk):
    order = selectors.get_voucher_order(request.user, pk)
    return _page(request, order)


@login_required
@require_POST
def voucher_issue(request, pk):
    """The officer issues a voucher (R4.2)."""
    order = selectors.get_voucher_order(request.user, pk)
    form = VoucherForm(request.POST)
    result = run_form(
        request,
        form,
        lambda data: services.issue_voucher(request.user, order=order, kind=data["kind"]),
        success_message="Värdeintyget är utfärdat. Skriv ut det och skicka det till brukaren.",
        redirect_to=lambda _: redirect("order-vouchers", pk=order.pk),
        forbidden_page=True,
    )
    return result or _page(request, order, voucher_form=form, status=400)


@login_required
@require_POST
def report_create(request, pk):
    """A report of the report form: by a connected provider, or on behalf of one that is not
    (R4.2, R3.3)."""
    user = request.user
    order = selectors.get_voucher_order(user, pk)
    form = reply_form(ReportForm, registers_on_behalf(user, order.provider), request.POST)
    result = run_form(
        request,
        form,
        lambda data: services.register_report(user, order=order, **data),
        success_message="Redovisningen är registrerad.",
        redirect_to=lambda _: redirect("order-vouchers", pk=order.pk),
        forbidden_page=True,
    )
    return result or _page(request, order, report_form=form, status=400)


@login_required
@require_GET
def voucher_pdf(request, pk):
    """The voucher letter to the client, for the officer to print or send (R4.2)."""
    if request.user.is_provider_user:
        raise Http404
    voucher = selectors.get_voucher(request.user, pk)
    return pdf_response(documents.render_voucher_pdf(voucher), documents.voucher_filename(voucher))


@login_required
@require_GET
def report_form_pdf(request, pk):
    """The report form, filled in with the order, for a provider not connected (R4.2)."""
    order = selectors.get_voucher_order(request.user, pk)
    return pdf_response(
        documents.render_report_form_pdf(order), documents.report_form_filename(order)
    )
