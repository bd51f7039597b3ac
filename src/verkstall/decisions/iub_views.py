"""Screens for the requests for a service without needs assessment (IUB, SPEC R1.3): the first
case officer registers one from the client page, and the unit's open requests are listed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from verkstall.core.errors import PermissionDenied
from verkstall.core.views import run_form
from verkstall.people.selectors import get_person

from . import iub_selectors, iub_services
from .iub_forms import IubRequestForm


@login_required
def iub_request_create(request, person_pk):
    """Register a request (who asked, when, how), with the client's phone and a relative."""
    person = get_person(request.user, person_pk)
    if not (request.user.is_officer and request.user.unit_id == person.unit_id):
        raise PermissionDenied(_("Endast handläggare på klientens enhet kan registrera förfrågan."))
    form = IubRequestForm(request.POST or None, person=person)
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda _data: iub_services.register_iub_request(
                request.user, person=person, **form.service_arguments()
            ),
            success_message=_("Förfrågan om IUB är registrerad."),
            redirect_to=lambda _request: redirect("person-detail", pk=person.pk),
            on_error=_relative_errors,
        )
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "decisions/iub_request_form.html",
        {"form": form, "person": person},
        status=status,
    )


def _relative_errors(exc) -> None:
    """The form has one relative: its name error belongs on that field."""
    errors = getattr(exc, "errors", None)
    if errors and "relatives[0].name" in errors:
        errors["relative_name"] = errors.pop("relatives[0].name")


@login_required
@require_GET
def iub_request_list(request):
    """The unit's requests that have not led to a decision yet (a list never shows who asked
    for a protected client, R10.5)."""
    rows = [
        iub_selectors.shown_request(request.user, r, listed=True)
        for r in iub_selectors.open_iub_requests(request.user)[:500]
    ]
    return render(request, "decisions/iub_request_list.html", {"requests": rows})
