"""Screens for clients (SPEC R1.1): search, register, see one client with decisions and orders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verkstall.core.errors import DomainError
from verkstall.core.views import form_errors_from
from verkstall.decisions.selectors import decisions_for
from verkstall.orders.selectors import get_order, person_orders
from verkstall.providers.selectors import areas_for

from . import selectors, services
from .forms import GrantAccessForm, OralBriefingForm, PersonForm, ProtectionForm


@login_required
def person_list(request):
    # The search is posted, so a personnummer typed into it never lands in an address, the
    # browser's history or a server log (issue 6). A name in `?q=` still works for links.
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    persons = selectors.search_persons(request.user, query)[:100]
    template = "people/_results.html" if request.htmx else "people/person_list.html"
    return render(request, template, {"persons": persons, "query": query})


@login_required
def person_create(request):
    form = PersonForm(request.POST or None, areas=areas_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        relative = {
            "name": data.pop("relative_name"),
            "relation": data.pop("relative_relation"),
            "phone": data.pop("relative_phone"),
        }
        try:
            person = services.register_person(
                request.user, relatives=[relative] if relative["name"] else [], **data
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Klienten är registrerad."))
            return redirect("person-detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form})


def _is_unit_officer(user, person) -> bool:
    return user.is_officer and user.unit_id == person.unit_id


@login_required
def person_detail(request, pk, protection_form=None, grant_form=None, status=200):
    """One client. Address, whereabouts, phone and relatives through `shown_person`: the
    placeholder for a protected client's readers without access (R10.5). The client's
    officer sets the protection and names the staff who may see the data (R10.1)."""
    person = selectors.get_person(request.user, pk)
    context = {
        "person": person,
        "shown": selectors.shown_person(request.user, person),
        "decisions": decisions_for(request.user).filter(person=person),
        "orders": person_orders(request.user, person),
        "manages_protection": _is_unit_officer(request.user, person),
    }
    if context["manages_protection"]:
        context["protection_form"] = protection_form or ProtectionForm(
            initial={"protection": person.protection}
        )
        if person.is_protected:
            context["grants"] = selectors.protected_access_grants(request.user, person)
            context["grant_form"] = grant_form or GrantAccessForm(
                users=selectors.grantable_users(request.user, person)
            )
    return render(request, "people/person_detail.html", context, status=status)


@login_required
@require_POST
def person_protection(request, pk):
    """Set or clear the protection (R10.1)."""
    person = selectors.get_person(request.user, pk)
    form = ProtectionForm(request.POST)
    if form.is_valid():
        try:
            person = services.set_protection(
                request.user, person, protection=form.cleaned_data["protection"]
            )
        except DomainError as exc:
            form_errors_from(form, exc)
            messages.error(request, exc.message)
        else:
            if person.is_protected:
                messages.success(
                    request,
                    _(
                        "Klienten är markerad med skyddade personuppgifter. Du har behörighet "
                        "till uppgifterna; ge fler behörighet nedan."
                    ),
                )
            else:
                cleared = _("Markeringen för skyddade personuppgifter är borttagen.")
                messages.success(request, cleared)
            return redirect("person-detail", pk=person.pk)
    return person_detail(request, pk, protection_form=form, status=400)


@login_required
@require_POST
def protected_access_grant(request, pk):
    """Name a staff member who may see the protected data (R10.5)."""
    person = selectors.get_person(request.user, pk)
    users = selectors.grantable_users(request.user, person) if person.is_protected else []
    form = GrantAccessForm(request.POST, users=users)
    if form.is_valid():
        try:
            services.grant_protected_access(request.user, person, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Behörigheten är given."))
            return redirect("person-detail", pk=person.pk)
    return person_detail(request, pk, grant_form=form, status=400)


@login_required
@require_POST
def protected_access_revoke(request, pk, grant_pk):
    person = selectors.get_person(request.user, pk)
    try:
        services.revoke_protected_access(request.user, person, grant=grant_pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Behörigheten är återkallad."))
    return redirect("person-detail", pk=person.pk)


@login_required
@require_POST
def oral_briefing_create(request, order_pk):
    """The officer records the oral briefing of the provider's unit manager (R10.1)."""
    order = get_order(request.user, order_pk)
    providers = selectors.briefing_providers(order)
    form = OralBriefingForm(
        request.POST,
        providers=providers,
        managers=[m for p in providers for m in selectors.provider_managers(p)],
    )
    if form.is_valid():
        try:
            services.record_oral_briefing(request.user, order, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Den muntliga underrättelsen är registrerad."))
            return redirect("order-detail", pk=order.pk)
    else:
        messages.error(request, _("Underrättelsen kunde inte registreras; se felen nedan."))
    from verkstall.orders.views import order_detail

    request.briefing_form = form
    response = order_detail(request, order.pk)
    response.status_code = 400
    return response
