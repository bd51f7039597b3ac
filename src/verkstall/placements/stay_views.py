"""Screens of the temporary stays from another municipality (SPEC R8.4): the placement unit's
list of intakes from the e-service, one intake, and registering or declining it. Reads go
through placements.stay_selectors (scoped), writes through placements.stay_services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from verkstall.core.views import run_form

from . import stay_selectors, stay_services
from .forms import DeclineStayForm, RegisterStayForm


@login_required
@require_GET
def stay_list(request):
    user = request.user
    context = {
        "pending": list(stay_selectors.pending_intakes(user)),
        "handled": stay_selectors.handled_intakes(user),
    }
    return render(request, "placements/stay_list.html", context)


def _detail(request, pk, *, register_form=None, decline_form=None, status=200):
    user = request.user
    intake = stay_selectors.get_intake(user, pk)
    units = stay_selectors.receiving_units(user)
    context = {
        "intake": intake,
        "register_form": register_form or RegisterStayForm(units=units),
        "decline_form": decline_form or DeclineStayForm(),
    }
    return render(request, "placements/stay_detail.html", context, status=status)


@login_required
@require_GET
def stay_detail(request, pk):
    return _detail(request, pk)


@login_required
@require_POST
def stay_register(request, pk):
    intake = stay_selectors.get_intake(request.user, pk)
    form = RegisterStayForm(request.POST, units=stay_selectors.receiving_units(request.user))
    return run_form_for(
        request,
        form,
        lambda data: stay_services.register_intake(request.user, intake=intake, unit=data["unit"]),
        "Vistelsen är registrerad. Klienten finns i kommunen och enhetens handläggare ser "
        "anteckningen i journalen.",
        lambda: _detail(request, pk, register_form=form, status=400),
        pk,
    )


@login_required
@require_POST
def stay_decline(request, pk):
    intake = stay_selectors.get_intake(request.user, pk)
    form = DeclineStayForm(request.POST)
    return run_form_for(
        request,
        form,
        lambda data: stay_services.decline_intake(
            request.user, intake=intake, reason=data["reason"]
        ),
        "Ärendet är avböjt.",
        lambda: _detail(request, pk, decline_form=form, status=400),
        pk,
    )


def run_form_for(request, form, action, message, invalid, pk):
    return run_form(
        request,
        form,
        action,
        success_message=message,
        redirect_to=lambda _: redirect("placement-stay", pk=pk),
        render_invalid=invalid,
        error_message=True,
    )
