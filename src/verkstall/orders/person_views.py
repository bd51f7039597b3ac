"""Screens for clients (SPEC R1.1): search, register, see one client with decisions and orders.

A page that composes several apps (people, decisions, providers, orders) lives in the highest
app it needs (docs/architecture.md), so it sits here in orders; the client's own logic stays
in people (selectors, services, forms). URL names are unchanged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verkstall.core.errors import DomainError
from verkstall.core.middleware import form_page
from verkstall.core.paging import paginate
from verkstall.core.personal_number import has_digits
from verkstall.core.views import run_form
from verkstall.decisions.selectors import decisions_for
from verkstall.people import client_session, protection_services, selectors, services
from verkstall.people.forms import GrantAccessForm, OralBriefingForm, PersonForm, ProtectionForm
from verkstall.people.models import ProtectionRequest
from verkstall.providers.selectors import areas_for

from .selectors import get_order, person_orders
from .views import order_detail


@login_required
def person_list(request):
    # The search is posted, so a personnummer typed into it never lands in an address, the
    # browser's history or a server log (issue 6). A name in `?q=` still works for links.
    # A `?q=` with digits may be a personnummer that has already reached the address: it is
    # refused (400), not searched, and the page says how to search instead (issue 11).
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    template = "people/_results.html" if request.htmx else "people/person_list.html"
    if request.method != "POST" and has_digits(query):
        message = _(
            "Sökfältet q i adressen får inte innehålla siffror: ett personnummer ska inte stå "
            "i adressen, där det hamnar i webbläsarens historik och serverns loggar. Skriv "
            "namnet eller numret i sökrutan och tryck på Sök."
        )
        context = {"persons": [], "query": "", "query_error": message}
        return render(request, template, context, status=400)
    params, path = request.GET, ""
    if request.method == "POST":
        # A posted search is the user's current search: its further pages and sorts are
        # the search page's, which reads it from the session (orders/client_search_views.py).
        query = client_session.remember_search(request.session, query)
        params, path = None, reverse("client-search") if query else ""
    page = paginate(
        selectors.search_persons(request.user, query),
        params,
        sorting=selectors.PERSON_SORTING,
        path=path,
        wrap=selectors.listed_person,  # a list never shows protected data (R10.5)
    )
    return render(request, template, {"persons": page, "paging": page, "query": query})


@login_required
def person_create(request):
    form = PersonForm(request.POST or None, areas=areas_for(request.user))
    existing = None  # the own unit's client with the number, to link to

    def register(cleaned):
        data = dict(cleaned)
        relative = {
            "name": data.pop("relative_name"),
            "relation": data.pop("relative_relation"),
            "phone": data.pop("relative_phone"),
        }
        return services.register_person(
            request.user, relatives=[relative] if relative["name"] else [], **data
        )

    def already_registered(exc):
        nonlocal existing
        existing = getattr(exc, "person_id", None)

    if request.method == "POST":
        done = run_form(
            request,
            form,
            register,
            success_message=_("Klienten är registrerad."),
            redirect_to=lambda person: redirect("person-detail", pk=person.pk),
            on_error=already_registered,
        )
        if done:
            return done
    return render(request, "people/person_form.html", {"form": form, "existing": existing})


def _is_unit_officer(user, person) -> bool:
    return user.is_officer and user.unit_id == person.unit_id


@login_required
def person_detail(request, pk, protection_form=None, grant_form=None, status=200):
    """One client. Address, whereabouts, phone and relatives through `shown_person`: the
    placeholder for a protected client's readers without access (R10.5). The client's
    officer sets the protection and names the staff who may see the data (R10.1)."""
    person = selectors.get_person(request.user, pk)
    client_session.remember_opened(request.session, person.pk)  # the header's recent list
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
        context["protection_requests"] = list(selectors.protection_requests(request.user, person))
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
    return run_form(
        request,
        form,
        lambda data: protection_services.set_protection(
            request.user, person, protection=data["protection"]
        ),
        success_message=_protection_set,
        redirect_to=lambda _: redirect("person-detail", pk=person.pk),
        error_message=True,
        render_invalid=lambda: person_detail(request, pk, protection_form=form, status=400),
    )


def _protection_set(result) -> str:
    if isinstance(result, ProtectionRequest):
        return _("Ändringen väntar på godkännande av en annan handläggare på enheten.")
    if result.is_protected:
        return _(
            "Klienten är markerad med skyddade personuppgifter. Du har behörighet "
            "till uppgifterna; ge fler behörighet nedan."
        )
    return _("Markeringen för skyddade personuppgifter är borttagen.")


@login_required
@require_POST
def protected_access_grant(request, pk):
    """Name a staff member who may see the protected data (R10.5)."""
    person = selectors.get_person(request.user, pk)
    users = selectors.grantable_users(request.user, person) if person.is_protected else []
    form = GrantAccessForm(request.POST, users=users)
    return run_form(
        request,
        form,
        lambda data: protection_services.request_protected_access(request.user, person, **data),
        success_message=_("Begäran om behörighet väntar på godkännande av en annan handläggare."),
        redirect_to=lambda _: redirect("person-detail", pk=person.pk),
        error_message=True,
        render_invalid=lambda: person_detail(request, pk, grant_form=form, status=400),
    )


@login_required
@require_POST
def protected_access_revoke(request, pk, grant_pk):
    person = selectors.get_person(request.user, pk)
    try:
        protection_services.revoke_protected_access(request.user, person, grant=grant_pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Behörigheten är återkallad."))
    return redirect("person-detail", pk=person.pk)


@login_required
@require_POST
def protection_request_decide(request, pk, request_pk):
    """Another officer of the unit approves or rejects a pending request (four eyes)."""
    person = selectors.get_person(request.user, pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Välj godkänn eller avslå."))
        return redirect("person-detail", pk=person.pk)
    try:
        protection_services.decide_protection_request(
            request.user, person, request=request_pk, approve=decision == "approve"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = _("Begäran är godkänd.") if decision == "approve" else _("Begäran är avslagen.")
        messages.success(request, done)
    return redirect("person-detail", pk=person.pk)


@form_page("order-detail", pk="order_pk")  # its form is on the order page (issue 17)
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
    if not form.is_valid():
        messages.error(request, _("Underrättelsen kunde inte registreras; se felen nedan."))
    done = run_form(
        request,
        form,
        lambda data: protection_services.record_oral_briefing(request.user, order, **data),
        success_message=_("Den muntliga underrättelsen är registrerad."),
        redirect_to=lambda _: redirect("order-detail", pk=order.pk),
        error_message=True,
    )
    if done:
        return done
    request.briefing_form = form
    response = order_detail(request, order.pk)
    response.status_code = 400
    return response
