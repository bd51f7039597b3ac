"""Screens for absence and hospital notices (SPEC R7): an order's absences, the officer's
short-term stay screen, and the provider's list of notices to acknowledge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from verkstall.access.policies import registers_on_behalf
from verkstall.core.errors import DomainError
from verkstall.core.views import reply_form, run_form
from verkstall.deadlines.threshold_selectors import thresholds_for
from verkstall.orders.selectors import get_order
from verkstall.people.selectors import get_person

from . import selectors, services
from .forms import AbsenceForm, EndAbsenceForm, ShortTermStayForm


@login_required
def order_absences(request, pk):
    order = get_order(request.user, pk)
    on_behalf = registers_on_behalf(request.user, order.provider)
    form = reply_form(AbsenceForm, on_behalf, request.POST or None)
    # R7.1: when absence is registered, in the municipality's routine's words (R11.4).
    limits = thresholds_for(order.municipality_id)
    form.explain_thresholds(
        register_days=limits["absence_register_days"], long_days=limits["long_absence_days"]
    )
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.register_absence(request.user, order, **data),
            success_message="Frånvaron är registrerad.",
            redirect_to=lambda _: redirect("order-absences", pk=order.pk),
        )
        if done:
            return done
    return render(
        request,
        "absences/order_absences.html",
        {
            "order": order,
            "form": form,
            "end_form": EndAbsenceForm(),
            "absences": selectors.order_absences(request.user, order),
            "long_days": limits["long_absence_days"],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def end_absence(request, pk):
    absence = selectors.get_absence(request.user, pk)
    form = EndAbsenceForm(request.POST)
    if form.is_valid():
        try:
            services.end_absence(request.user, absence, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Frånvarons slutdatum är registrerat.")
    else:
        messages.error(request, "Ange ett giltigt slutdatum.")
    return redirect("order-absences", pk=absence.order_id)


@login_required
@require_POST
def report_absence(request, pk):
    absence = selectors.get_absence(request.user, pk)
    try:
        services.report_absence_to_officer(
            request.user, absence, channel=request.POST.get("channel", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Frånvaron är rapporterad till handläggaren.")
    return redirect("order-absences", pk=absence.order_id)


@login_required
def short_term_stay(request, person_pk):
    if not request.user.is_officer:
        raise Http404
    person = get_person(request.user, person_pk)
    form = ShortTermStayForm(request.POST or None)
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.absences_for_short_term_stay(request.user, person, **data),
            success_message=lambda created: (
                f"Frånvaro är registrerad på {len(created)} påbörjade insatser."
            ),
            redirect_to=lambda _: redirect("person-detail", pk=person.pk),
        )
        if done:
            return done
    return render(
        request,
        "absences/short_term_stay.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def notice_list(request):
    if not request.user.is_provider_user:
        raise Http404
    return render(
        request,
        "absences/notice_list.html",
        {"receipts": selectors.unacknowledged_receipts(request.user)},
    )


@login_required
@require_POST
def acknowledge_notice(request, pk):
    receipt = selectors.get_receipt(request.user, pk)
    try:
        services.acknowledge_notice(request.user, receipt)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Meddelandet är kvitterat.")
    return redirect("notice-list")
