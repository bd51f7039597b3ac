"""Screens for clients (SPEC R1.1): search, register, see one client with decisions and orders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from verkstall.core.errors import DomainError
from verkstall.core.views import form_errors_from
from verkstall.decisions.selectors import decisions_for
from verkstall.orders.selectors import person_orders
from verkstall.providers.selectors import areas_for

from . import selectors, services
from .forms import PersonForm


@login_required
def person_list(request):
    query = request.GET.get("q", "")
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


@login_required
def person_detail(request, pk):
    person = selectors.get_person(request.user, pk)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "decisions": decisions_for(request.user).filter(person=person),
            "orders": person_orders(request.user, person),
        },
    )
