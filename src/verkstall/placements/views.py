"""Screens of the queue (SPEC R8.1, R8.2, R8.3): the placement unit's queue per home and per
day-activity unit, an entry with its offers, and the officer's form and one-step order. Every
read goes through placements.selectors (scoped), every write through placements.services."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from verkstall.core.errors import PermissionDenied
from verkstall.core.views import run_form
from verkstall.people.selectors import get_person

from . import selectors, services
from .forms import AnswerForm, EnqueueForm, OfferForm, WithdrawForm
from .models import OPEN, EntryState
from .selectors import is_placement_unit


@login_required
@require_GET
def queue_page(request):
    user = request.user
    context = {"is_placement_unit": is_placement_unit(user)}
    if is_placement_unit(user):
        context["care_homes"] = selectors.queue_by_home(user, care_homes=True)
        context["day_activities"] = selectors.queue_by_home(user, care_homes=False)
    else:
        entries = list(selectors.entries_for(user))
        context["awaiting_order"] = [e for e in entries if e.state == EntryState.ACCEPTED]
        context["entries"] = entries
    return render(request, "placements/queue.html", context)


def _entry_form(request, person, form=None, status=200):
    services_ = list(selectors.queueable_services(request.user, person))
    homes = selectors.homes_offering(request.user, {s.service_type_id for s in services_})
    form = form or EnqueueForm(services=services_, homes=homes)
    context = {"person": person, "form": form, "has_services": bool(services_)}
    return render(request, "placements/entry_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request, person_pk):
    person = get_person(request.user, person_pk)
    if not request.user.is_officer:
        raise PermissionDenied("Endast handläggare ställer klienter i kö.")
    if request.method == "GET":
        return _entry_form(request, person)
    services_ = list(selectors.queueable_services(request.user, person))
    homes = selectors.homes_offering(request.user, {s.service_type_id for s in services_})
    form = EnqueueForm(request.POST, services=services_, homes=homes)

    def action(data):
        return services.enqueue(
            request.user,
            granted_service=data["granted_service"],
            homes=form.chosen_homes(),
            urgent=data["urgent"],
            current_location=data["current_location"],
            discharge_ready_at=data["discharge_ready_at"],
            notes=data["notes"],
        )

    return run_form(
        request,
        form,
        action,
        success_message="Klienten står i kö. Handläggningsenheten ser köplatsen.",
        redirect_to=lambda entry: redirect("placement-entry", pk=entry.pk),
        render_invalid=lambda: _entry_form(request, person, form, status=400),
    )


def _detail(request, pk, *, offer_form=None, answer_form=None, withdraw_form=None, status=200):
    user = request.user
    entry = selectors.get_entry(user, pk)
    context = {
        "entry": entry,
        "choices": selectors.choices_of(entry),
        "offers": selectors.offers_of(entry),
        "open_offer": selectors.open_offer(entry),
        "location": selectors.shown_location(user, entry),
        "days": selectors.days_waited(entry),
        "is_placement_unit": is_placement_unit(user),
        "is_officer": user.is_officer,
        "offer_form": offer_form or OfferForm(),
        "answer_form": answer_form or AnswerForm(),
        "withdraw_form": withdraw_form or WithdrawForm(),
        # Only an open entry can be withdrawn (services.withdraw).
        "may_withdraw": entry.state in OPEN and (is_placement_unit(user) or user.is_officer),
    }
    return render(request, "placements/entry_detail.html", context, status=status)


@login_required
@require_GET
def entry_detail(request, pk):
    return _detail(request, pk)


@login_required
@require_POST
def entry_offer(request, pk):
    entry = selectors.get_entry(request.user, pk)
    form = OfferForm(request.POST)
    return run_form(
        request,
        form,
        lambda data: services.offer_place(request.user, entry=entry, home=data["home"]),
        success_message="Platsen är erbjuden. Registrera klientens svar när det kommer.",
        redirect_to=lambda _: redirect("placement-entry", pk=entry.pk),
        render_invalid=lambda: _detail(request, pk, offer_form=form, status=400),
        error_message=True,
    )


@login_required
@require_POST
def offer_answer(request, pk, offer_pk):
    entry = selectors.get_entry(request.user, pk)
    offer = selectors.get_offer(request.user, entry, offer_pk)
    form = AnswerForm(request.POST)
    return run_form(
        request,
        form,
        lambda data: services.record_answer(
            request.user,
            offer=offer,
            accepted=data["answer"] == "accepted",
            reason=data["reason"],
        ),
        success_message="Svaret är registrerat och handläggaren har fått besked i journalen.",
        redirect_to=lambda _: redirect("placement-entry", pk=entry.pk),
        render_invalid=lambda: _detail(request, pk, answer_form=form, status=400),
        error_message=True,
    )


@login_required
@require_POST
def entry_order(request, pk):
    entry = selectors.get_entry(request.user, pk)
    form = forms.Form(request.POST)  # no fields: the accepted offer names the home
    return run_form(
        request,
        form,
        lambda _data: services.order_to_home(request.user, entry=entry),
        success_message="Beställningen är skickad till boendet.",
        redirect_to=lambda order: redirect("order-detail", pk=order.pk),
        render_invalid=lambda: _detail(request, pk, status=400),
        error_message=True,
    )


@login_required
@require_POST
def entry_withdraw(request, pk):
    """The officer of the entry's unit or the placement unit removes the client from the queue
    with a reason (R8.1, R8.2)."""
    entry = selectors.get_entry(request.user, pk)
    form = WithdrawForm(request.POST)
    return run_form(
        request,
        form,
        lambda data: services.withdraw(request.user, entry=entry, reason=data["reason"]),
        success_message="Klienten är avförd ur kön.",
        redirect_to=lambda _: redirect("placement-entry", pk=entry.pk),
        render_invalid=lambda: _detail(request, pk, withdraw_form=form, status=400),
        error_message=True,
    )
