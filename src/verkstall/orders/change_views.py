"""Screens for changed needs (R3.8) and a new order version (R3.10)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from verkstall.access.policies import provider_side, require_officer_of_unit
from verkstall.core.errors import PermissionDenied
from verkstall.core.views import reply_form, run_form
from verkstall.decisions import selectors as decision_selectors

from . import change_services as services
from . import selectors as order_selectors
from .change_forms import ReissueForm, TemporaryChangeForm


@login_required
def change_report(request, pk):
    order = order_selectors.get_order(request.user, pk)
    allowed, on_behalf = provider_side(request.user, order.provider)
    if not allowed:
        raise PermissionDenied(_("Endast utföraren kan rapportera förändrat behov."))
    form = reply_form(TemporaryChangeForm, on_behalf is not None, request.POST or None)
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.report_temporary_change(request.user, order, **data),
            success_message=_change_reported,
            redirect_to=lambda _: redirect("order-detail", pk=order.pk),
            forbidden_page=True,
        )
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "orders/change_report.html",
        {"form": form, "order": order, "days": services.days_in_payment(order.municipality_id)},
        status=status,
    )


def _change_reported(change):
    if change.needs_reassessment:
        return messages.WARNING, _("Förändringen är registrerad; handläggaren ombeds ompröva.")
    return _("Förändringen är registrerad och ryms i befintlig ersättning.")


@login_required
def change_reissue(request, pk):
    order = order_selectors.get_order(request.user, pk)
    require_officer_of_unit(request.user, order.unit_id, "skicka en ändrad beställning")
    decisions = list(
        decision_selectors.decisions_for(request.user).filter(person_id=order.person_id)
    )
    form = ReissueForm(request.POST or None, decisions=decisions)
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.reissue_order(
                request.user,
                order,
                decision=next(d for d in decisions if str(d.pk) == data["decision"]),
                change_summary=data["change_summary"],
            ),
            success_message=_("Den ändrade beställningen är skickad till utföraren."),
            redirect_to=lambda new: redirect("order-detail", pk=new.pk),
            forbidden_page=True,
        )
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    return render(
        request, "orders/change_reissue.html", {"form": form, "order": order}, status=status
    )
