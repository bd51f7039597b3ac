"""The screen where the officer registers that a client died (seed 004 "brukaren flyttar
eller avlider"): what will happen to each order, and the one step that does it
(orders.death_services)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from verkstall.access.policies import require_officer_of_unit
from verkstall.core.views import run_form
from verkstall.people.selectors import get_person

from .death_services import open_orders_of, register_death
from .forms import DeathForm


@login_required
def client_death(request, pk):
    """GET: the client's open orders and what the death does to each; POST: register it."""
    person = get_person(request.user, pk)
    require_officer_of_unit(request.user, person.unit_id, "registrera att klienten har avlidit")
    form = DeathForm(request.POST or None, initial={"died_on": timezone.localdate()})
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: register_death(request.user, person, **data),
            success_message=lambda result: (
                _(
                    "Dödsfallet är registrerat: %(ended)d beställningar avslutade, %(cancelled)d "
                    "makulerade."
                )
                % {"ended": len(result.ended), "cancelled": len(result.cancelled)}
            ),
            redirect_to=lambda _result: redirect("person-detail", pk=person.pk),
            error_message=True,
            forbidden_page=True,
        )
        if done:
            return done
    response = render(
        request,
        "orders/client_death.html",
        {"person": person, "form": form, "orders": open_orders_of(person)},
    )
    if request.method == "POST":
        response.status_code = 400
    return response
