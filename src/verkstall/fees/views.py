"""Screens of the fee notices (SPEC R9.3): the fee officer's inbox, where a notice is marked
handled, and an order's fee page, where the provider (the officer or fee officer for one not
connected, R3.3) tells the fee officer of a change the system cannot see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from verkstall.access.policies import provider_side, registers_on_behalf
from verkstall.core.errors import DomainError
from verkstall.core.views import reply_form, run_form
from verkstall.orders.selectors import get_order
from verkstall.orders.states import ISSUED

from . import selectors, services
from .forms import FeeNoticeForm, HandleForm

#: How many handled notices the inbox shows when asked for them.
HANDLED_SHOWN = 100


@login_required
def inbox(request):
    """The fee officer's notices, newest first: what changed for which client, from when and
    by whom (R9.3). The changes recorded since the last visit are collected first."""
    user = request.user
    if user.municipality_id is not None:
        services.collect_fee_notices(municipality=user.municipality)
    handled = request.GET.get("visa") == "hanterade"
    notices = selectors.inbox(user, handled=handled)
    if handled:
        notices = notices.order_by("-handled_at", "-id")[:HANDLED_SHOWN]
    return render(
        request,
        "fees/inbox.html",
        {"notices": list(notices), "handled": handled},
    )


@login_required
@require_POST
def handle(request, pk):
    """The fee officer marks a notice handled, with an optional note (R9.3)."""
    notice = selectors.get_notice(request.user, pk)
    form = HandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Anteckningen är för lång."))
        return redirect("fee-notice-inbox")
    try:
        services.handle_fee_notice(request.user, notice=notice, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("Meddelandet om %(name)s är hanterat.") % {"name": notice.person.full_name},
        )
    return redirect("fee-notice-inbox")


def may_report(user, order) -> bool:
    """The provider's side of the order (R3.3), once the order has reached the provider."""
    return provider_side(user, order.provider)[0] and order.state in ISSUED


@login_required
def order_fee_notices(request, pk):
    """An order's fee notices, and the provider's form to send one (R9.3)."""
    user = request.user
    order = get_order(user, pk)
    on_behalf = registers_on_behalf(user, order.provider)
    posted = request.POST if request.method == "POST" else None
    form = reply_form(FeeNoticeForm, on_behalf, posted) if may_report(user, order) else None
    if posted is not None and form is not None:
        result = run_form(
            request,
            form,
            lambda data: services.report_fee_notice(user, order=order, **data),
            success_message=gettext("Avgiftshandläggaren har fått meddelandet."),
            redirect_to=lambda _: redirect("order-fee-notices", pk=order.pk),
            forbidden_page=True,
        )
        if result:
            return result
    elif posted is not None:
        messages.error(request, gettext("Du kan inte skicka avgiftsmeddelanden för beställningen."))
        return redirect("order-fee-notices", pk=order.pk)
    return render(
        request,
        "fees/order_fee_notices.html",
        {
            "order": order,
            "notices": list(selectors.notices_of_order(user, order)),
            "form": form,
            "on_behalf": on_behalf,
        },
        status=400 if form is not None and form.errors else 200,
    )
