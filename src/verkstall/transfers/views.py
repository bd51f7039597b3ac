"""Screens of the transfer at an age (SPEC R1.4): the unit's flagged list, and the transfer of
one client."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from verkstall.core.errors import PermissionDenied
from verkstall.core.views import run_form
from verkstall.people.selectors import listed_person

from . import selectors, services
from .forms import TransferForm


@login_required
@require_GET
def transfer_list(request):
    """Clients of the unit who reach the route's age soon (or did) with ongoing support that
    moves; clients handed over to the unit awaiting a new assessment; clients the unit handed
    over whose orders still run."""
    user = request.user
    route, due = selectors.due_for_transfer(user)
    context = {
        "route": route,
        "due": [(c, listed_person(c.person)) for c in due],
        "awaiting": list(selectors.awaiting_assessment(user)),
        "handed_over": list(selectors.handed_over(user)),
    }
    return render(request, "transfers/transfer_list.html", context)


@login_required
def transfer_person(request, pk):
    """Hand one client over to the route's unit (a new assessment is needed there)."""
    person = selectors.get_person_for_transfer(request.user, pk)
    preview = selectors.transfer_preview(request.user, person)
    if preview is None and request.method == "POST":
        raise PermissionDenied(_("Klientens enhet har ingen överlämning till en annan enhet."))
    form = TransferForm(request.POST or None)
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.transfer_client(request.user, person, **data),
            success_message=lambda t: (
                _("%(name)s är överlämnad till %(unit)s.")
                % {"name": person.full_name, "unit": t.to_unit.name}
            ),
            redirect_to="transfer-list",
        )
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    context = {"person": person, "preview": preview, "form": form}
    return render(request, "transfers/transfer_form.html", context, status=status)
