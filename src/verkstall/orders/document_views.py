"""The order as a document (SPEC R3.1, R3.3): PDF, print view, and how it reached a provider
outside the system.

Every view reads the order through `selectors.get_order`, so another provider's order (or
another unit's) is a 404 here exactly as on the order's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from verkstall.core.errors import DomainError
from verkstall.decisions.documents import pdf_response

from . import document_services, documents, selectors


@login_required
@require_GET
def order_pdf(request, pk):
    order = selectors.get_order(request.user, pk)
    pdf = documents.render_order_pdf(order)
    return pdf_response(pdf, documents.order_pdf_filename(order))


@login_required
@require_GET
def order_print(request, pk):
    """The same document as the PDF, as a page to print for fax or post."""
    order = selectors.get_order(request.user, pk)
    html = documents.render_order_html(order, print_view=True, request=request)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_GET
def order_delivery(request, pk):
    """How the order reaches a provider that is not connected: the e-mail's outcome, or the
    print for fax and post. For the municipality's side only (it registers on the provider's
    behalf, R3.3); loaded into the order's page by htmx, or shown as a page of its own."""
    order = selectors.get_order(request.user, pk)
    if request.user.is_provider_user:
        raise Http404
    context = {"order": order, "delivery": document_services.delivery_status(request.user, order)}
    template = "orders/email/_delivery_panel.html" if request.htmx else "orders/email/delivery.html"
    return render(request, template, context)


@login_required
@require_POST
def order_email_again(request, pk):
    """Queue the order's e-mail again, e.g. after the outbox gave up: the outbox's worker
    sends it shortly, never this request (issue 19)."""
    order = selectors.get_order(request.user, pk)
    if request.user.is_provider_user:
        raise Http404
    try:
        result = document_services.email_order(request.user, order)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if result.queued:
            messages.success(request, result.message)
        else:
            messages.error(request, result.message)
    return redirect("order-detail", pk=order.pk)
