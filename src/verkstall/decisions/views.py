"""Screens for decisions (SPEC R1.2)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from verkstall.core.concurrency import with_version
from verkstall.core.concurrency_services import versioned_action
from verkstall.core.errors import DomainError, PermissionDenied, ValidationFailed
from verkstall.core.views import run_form
from verkstall.drafts import services as text_drafts
from verkstall.drafts.forms import keep_drafts
from verkstall.people.selectors import get_person

from . import correction_services, selectors, services
from .draft_text_selectors import DECISION_CORRECT, DECISION_NEW
from .forms import CorrectionForm, DecisionForm, GrantedServiceFormSet, ServiceCorrectionFormSet
from .version_selectors import DECISION_VERSIONING


@login_required
def decision_create(request, person_pk):
    person = get_person(request.user, person_pk)
    form = DecisionForm(request.POST or None)
    keep_drafts(form, user=request.user, kind=DECISION_NEW, pk=person.pk)  # issue 17 item 1
    rows = GrantedServiceFormSet(request.POST or None, prefix="services")
    # The request for a service without needs assessment this decision grants (R1.3).
    iub_request = request.POST.get("iub_request") or request.GET.get("iub_request") or None
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        granted = [
            r.cleaned_data for r in rows if r.cleaned_data and r.cleaned_data.get("service_type")
        ]
        done = run_form(
            request,
            form,
            lambda data: _drafts_cleared(
                request,
                DECISION_NEW,
                person.pk,
                services.record_decision(
                    request.user, person=person, services=granted, iub_request=iub_request, **data
                ),
            ),
            success_message=_("Beslutet är registrerat."),
            redirect_to=lambda decision: redirect("person-detail", pk=decision.person_id),
            on_error=lambda exc: _row_errors(rows, exc),
        )
        if done:
            return done
    context = {"form": form, "rows": rows, "person": person, "iub_request": iub_request}
    return render(request, "decisions/decision_form.html", context)


def _drafts_cleared(request, kind: str, pk: int, result):
    """After the service saved: the text typed into the form is no longer kept as a draft."""
    text_drafts.clear_drafts(user=request.user, kind=kind, pk=pk)
    return result


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


@login_required
@require_GET
def decision_detail(request, pk):
    """The decision: its services, goals and assessment (seed 002), and, for the officers of
    its unit, its corrections with who, when and why (R1.1)."""
    decision = selectors.get_decision(request.user, pk)
    context = {
        "decision": decision,
        "services": list(decision.services.all()),
        "goals": list(decision.goals.all()),
        "may_correct": selectors.may_correct(request.user, decision),
        "history": selectors.correction_history(request.user, decision),
    }
    return render(request, "decisions/decision_detail.html", context)


@login_required
def decision_correct(request, pk):
    """Correct a registered decision (R1.1): its date, assessment, goals and each granted
    service's scope, frequency and validity, with a reason."""
    decision = selectors.get_decision(request.user, pk)
    if not selectors.may_correct(request.user, decision):
        raise PermissionDenied("Endast handläggare på beslutets enhet kan rätta beslutet.")
    granted = list(decision.services.all())
    initial = {
        "decided_on": decision.decided_on,
        "assessment_summary": decision.assessment_summary,
        "goals": "\n".join(g.text for g in decision.goals.all()),
    }
    rows_initial = [
        {"id": s.pk, **{f: getattr(s, f) for f in correction_services.SERVICE_FIELDS}}
        for s in granted
    ]
    data = request.POST if request.method == "POST" else None
    form = CorrectionForm(data, initial=initial)
    with_version(form, decision.lock_version)  # issue 18: a stale submit is told what changed
    keep_drafts(form, user=request.user, kind=DECISION_CORRECT, pk=decision.pk)  # issue 17 item 1
    rows = ServiceCorrectionFormSet(data, initial=rows_initial, prefix="services")
    names = {s.pk: s.service_type.name for s in granted}
    if data is not None and form.is_valid() and rows.is_valid():
        corrected = [r.cleaned_data for r in rows if r.cleaned_data]
        done = run_form(
            request,
            form,
            versioned_action(
                form,
                DECISION_VERSIONING,
                decision.pk,
                lambda values: _drafts_cleared(
                    request,
                    DECISION_CORRECT,
                    decision.pk,
                    correction_services.correct_decision(
                        request.user, decision, services=corrected, **values
                    ),
                ),
            ),
            success_message=_("Beslutet är rättat. Rättelsen finns i beslutets historik."),
            redirect_to=lambda correction: redirect("decision-detail", pk=decision.pk),
            on_error=lambda exc: _correction_row_errors(rows, exc),
        )
        if done:
            return done
    context = {
        "decision": decision,
        "form": form,
        "rows": [(names.get(_row_id(r)), r) for r in rows],
        "formset": rows,
    }
    status = 400 if data is not None else 200
    return render(request, "decisions/decision_correct.html", context, status=status)


def _row_id(row) -> int | None:
    value = row["id"].value()
    return int(value) if str(value).isdigit() else None


def _correction_row_errors(rows, exc: DomainError) -> None:
    """Move `services[i].field` errors of a correction onto row i."""
    if not isinstance(exc, ValidationFailed):
        return
    forms = [r for r in rows if r.cleaned_data]
    for key in list(exc.errors):
        if key.startswith("services[") and "]." in key:
            index, field = key[len("services[") :].split("].", 1)
            if index.isdigit() and int(index) < len(forms):
                target = field if field in forms[int(index)].fields else None
                for message in exc.errors.pop(key):
                    forms[int(index)].add_error(target, message)
