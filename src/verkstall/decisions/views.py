"""Screens for decisions (SPEC R1.2)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from verkstall.core.errors import DomainError, ValidationFailed
from verkstall.core.views import run_form
from verkstall.people.selectors import get_person

from . import services
from .forms import DecisionForm, GrantedServiceFormSet


@login_required
def decision_create(request, person_pk):
    person = get_person(request.user, person_pk)
    form = DecisionForm(request.POST or None)
    rows = GrantedServiceFormSet(request.POST or None, prefix="services")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        granted = [
            r.cleaned_data for r in rows if r.cleaned_data and r.cleaned_data.get("service_type")
        ]
        done = run_form(
            request,
            form,
            lambda data: services.record_decision(
                request.user, person=person, services=granted, **data
            ),
            success_message=_("Beslutet är registrerat."),
            redirect_to=lambda decision: redirect("person-detail", pk=decision.person_id),
            on_error=lambda exc: _row_errors(rows, exc),
        )
        if done:
            return done
    return render(
        request, "decisions/decision_form.html", {"form": form, "rows": rows, "person": person}
    )


def _row_errors(rows, exc: DomainError) -> None:
    """Move `services[i].field` errors from the service onto row i of the formset."""
    if not isinstance(exc, ValidationFailed):
        return
    filled = [r for r in rows if r.cleaned_data and r.cleaned_data.get("service_type")]
    for key in list(exc.errors):
        if key.startswith("services[") and "]." in key:
            index, field = key[len("services[") :].split("].", 1)
            if index.isdigit() and int(index) < len(filled):
                for message in exc.errors.pop(key):
                    filled[int(index)].add_error(field, message)
