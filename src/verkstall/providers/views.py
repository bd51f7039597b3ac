"""Screens for provider choice, proximity, contracts and capacity (SPEC R2.1, R2.2, R2.3, R2.5).

The choice and proximity screens are the case officer's, for one granted service of one
client; contracts, capacity and the import are the LOV administrator's. Anyone else gets 403,
and a client or service outside the officer's unit is 404 (selectors decide).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from verkstall.core import clock
from verkstall.core.errors import DomainError, PermissionDenied
from verkstall.core.views import form_errors_from, run_form
from verkstall.people.selectors import area_name_for, shown_person

from . import choice_services, import_queue_services, selectors, services
from .forms import CapacityForm, ChoiceForm, ContractImportForm


def _require_officer(user) -> None:
    if not user.is_officer:
        raise PermissionDenied(_("Endast handläggare kan välja utförare för en klient."))


def _require_lov_admin(user) -> None:
    if not services.may_administer_lov(user):
        raise PermissionDenied(_("Endast LOV-administratören kan hantera avtal och kapacitet."))


def _order_url(decision_id: int, provider_id: int, unit_id: int | None = None) -> str:
    """The order screen for the decision, with the provider (and unit) to preselect."""
    url = reverse("order-create", args=[decision_id]) + f"?provider={provider_id}"
    return url + (f"&provider_unit={unit_id}" if unit_id else "")


@login_required
def choice(request, person_pk, granted_service_pk):
    """Show every contracted provider for the service in the client's area, those at their
    capacity cap marked (R2.1), and register the client's active choice (R2.2)."""
    _require_officer(request.user)
    granted = selectors.granted_service_for(request.user, person_pk, granted_service_pk)
    person = granted.decision.person
    today = clock.today()
    lov = granted.service_type.lov
    options = selectors.choice_options(granted, day=today) if lov else []
    registered = list(selectors.choices_of(granted))
    form = ChoiceForm(
        request.POST or None,
        options=options,
        has_choice=bool(registered),
    )
    if request.method == "POST" and lov:
        done = run_form(
            request,
            form,
            lambda data: choice_services.register_choice(
                request.user,
                granted_service=granted,
                provider=data["provider"],
                kind=data["kind"],
                form_received_on=data["form_received_on"],
                returning_from_temporary_stay=data["returning_from_temporary_stay"],
            ),
            success_message=lambda made: (
                _("%(kind)s registrerat: %(provider)s.")
                % {"kind": made.get_kind_display(), "provider": made.provider.name}
            ),
            redirect_to=request.path,
        )
        if done:
            return done
    latest = registered[0] if registered else None
    return render(
        request,
        "providers/choice.html",
        {
            "person": person,
            "area_name": area_name_for(request.user, person, person.area),
            "granted": granted,
            "options": options,
            "lov": lov,
            "proximity": granted.service_type.kind in selectors.PROXIMITY_KINDS,
            "form": form,
            "registered": registered,
            "latest": latest,
            "order_url": _order_url(granted.decision_id, latest.provider_id) if latest else "",
            "today": today,
        },
    )


@login_required
def proximity(request, person_pk, granted_service_pk):
    """Short-term and profile homes (outside LOV): the municipality's units that offer the
    service, nearest to the client's home first (proximity rule, R2.5)."""
    _require_officer(request.user)
    granted = selectors.granted_service_for(request.user, person_pk, granted_service_pk)
    person = granted.decision.person
    applies = granted.service_type.kind in selectors.PROXIMITY_KINDS
    shown = shown_person(request.user, person)
    units = selectors.nearest_units(request.user, granted) if applies else []
    rows = [
        {
            "unit": n.unit,
            "distance_km": n.distance_km,
            "order_url": _order_url(granted.decision_id, n.unit.provider_id, n.unit.pk),
        }
        for n in units
    ]
    return render(
        request,
        "providers/proximity.html",
        {
            "person": person,
            "granted": granted,
            "applies": applies,
            "rows": rows,
            "has_position": shown.latitude is not None and shown.longitude is not None,
            "position_protected": shown.hidden,
        },
    )


@login_required
def contract_list(request):
    """The municipality's contract lines with their capacity (R2.1), for the LOV admin."""
    _require_lov_admin(request.user)
    today = clock.today()
    rows = [
        {
            "contract": c,
            "status": selectors.contract_status(c, today),
            "at_capacity": selectors.cap_in_force(c, today),
        }
        for c in selectors.contracts_for(request.user)
    ]
    return render(request, "providers/contract_list.html", {"rows": rows, "today": today})


@login_required
def contract_capacity(request, pk):
    """Set whether a contract line takes new clients, why not, and until when (R2.1)."""
    _require_lov_admin(request.user)
    contract = selectors.get_contract(request.user, pk)
    form = CapacityForm(
        request.POST or None,
        initial={
            "accepts_new_clients": contract.accepts_new_clients,
            "capacity_reason": contract.capacity_reason,
            "capacity_until": contract.capacity_until,
        },
    )
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.set_capacity(request.user, contract, **data),
            success_message=_("Kapaciteten är sparad."),
            redirect_to="contract-list",
        )
        if done:
            return done
    return render(request, "providers/contract_capacity.html", {"form": form, "contract": contract})


@login_required
def contract_import(request):
    """Upload the contract spreadsheet (CSV or XLSX): all rows or none (R2.1). A large file is
    checked and imported by a background task, its progress on its own page (issue 17 item 8;
    import_views.py); a small one here and now."""
    _require_lov_admin(request.user)
    form = ContractImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            started = import_queue_services.start_import(
                request.user,
                filename=upload.name,
                content=upload.read(),
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            if started.job is not None:
                return redirect("contract-import-job", started.job.pk)
            report = started.report
            if report.ok and not report.dry_run:
                messages.success(
                    request,
                    _("Importen är klar: %(c)d nya, %(u)d ändrade, %(n)d oförändrade avtalsrader.")
                    % {"c": report.created, "u": report.updated, "n": report.unchanged},
                )
                return redirect("contract-list")
    return render(request, "providers/import_contracts.html", {"form": form, "report": report})
