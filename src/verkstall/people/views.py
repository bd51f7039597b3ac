"""Screens that correct a client's data and relatives, and the client's change history (SPEC
R1.1; seed 002 "Person- och anhöriguppgifter uppdateras kontinuerligt av handläggare och
utförare, ansvaret är gemensamt").

The officer of the client's unit corrects name, address, area, position, phone and
whereabouts, with a reason; the provider that holds an order for the client now updates the
contact data (phone, whereabouts) and the relatives. Every change is kept in the client's
history with who, when, what and why. A reader who may not see a protected client's data
(R10.5) gets no form for it and sees the placeholder in the history. The client page itself
is orders/person_views.py (it composes several apps); these screens need only people."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core.concurrency import with_version
from verkstall.core.concurrency_services import versioned_action
from verkstall.core.errors import PermissionDenied
from verkstall.core.views import run_form

from . import selectors, services
from .forms import PersonEditForm, RelativeForm, RemoveRelativeForm
from .presentation import PROTECTED_FIELDS
from .version_selectors import PERSON_VERSIONING

OFFICER_FORM_FIELDS = (
    "first_name",
    "last_name",
    "street_address",
    "postal_code",
    "city",
    "area",
    "latitude",
    "longitude",
    "phone",
    "whereabouts",
)
PROVIDER_FORM_FIELDS = ("phone", "whereabouts")


def _edit_fields(user, person) -> tuple[str, ...]:
    """The fields this user may correct on this client (services.update_person says the
    same): none of the protected ones for a reader who may not see them (R10.5)."""
    if user.role_enum == Role.OFFICER and user.unit_id == person.unit_id:
        fields = OFFICER_FORM_FIELDS
    elif user.role_enum in PROVIDER_ROLES and selectors.holds_order_now(user, person):
        fields = PROVIDER_FORM_FIELDS
    else:
        raise PermissionDenied(_("Du kan inte ändra klientens uppgifter."))
    if not selectors.may_see_protected(user, person):
        fields = tuple(f for f in fields if f not in PROTECTED_FIELDS)
    return fields


def _is_officer(user, person) -> bool:
    return user.role_enum == Role.OFFICER and user.unit_id == person.unit_id


def _changed_message(person) -> str:
    if person.recorded_changes:
        return _("Uppgifterna är ändrade och ändringen finns i historiken.")
    return _("Inga uppgifter ändrades.")


@login_required
def person_edit(request, pk):
    """Correct the client's data (R1.1): the officer every field, with a reason; the provider
    phone and whereabouts."""
    person = selectors.get_person(request.user, pk)
    fields = _edit_fields(request.user, person)
    if not fields:
        raise PermissionDenied(services.PROTECTED_FIELD_MESSAGE)
    officer = _is_officer(request.user, person)
    initial = {f: getattr(person, f) for f in fields if f != "area"}
    if "area" in fields:
        initial["area"] = person.area_id or ""
    form = PersonEditForm(
        request.POST or None,
        fields=fields,
        areas=selectors.area_choices(person) if "area" in fields else (),
        reason_required=officer,
        initial=initial,
    )
    with_version(form, person.lock_version)  # issue 18: a stale submit is told what changed
    if request.method == "POST":
        done = run_form(
            request,
            form,
            versioned_action(
                form,
                PERSON_VERSIONING,
                person.pk,
                lambda data: services.update_person(request.user, person, **data),
            ),
            success_message=_changed_message,
            redirect_to=lambda _: redirect("person-detail", pk=person.pk),
        )
        if done:
            return done
    return render(
        request,
        "people/person_edit.html",
        {"person": person, "form": form, "officer": officer},
        status=400 if request.method == "POST" else 200,
    )


def _require_relatives_editable(user, person) -> bool:
    """Who may add, change and remove relatives: the client's officer or provider, and only
    one who may see the relatives (R10.5). Returns whether the reason is required (the
    officer's correction)."""
    _edit_fields(user, person)  # the same people as for the client's data
    if not selectors.may_see_protected(user, person):
        raise PermissionDenied(services.PROTECTED_FIELD_MESSAGE)
    return _is_officer(user, person)


@login_required
def relative_add(request, pk):
    person = selectors.get_person(request.user, pk)
    _require_relatives_editable(request.user, person)
    form = RelativeForm(request.POST or None)
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.add_relative(request.user, person, **data),
            success_message=_("Den anhörige är tillagd."),
            redirect_to=lambda _: redirect("person-detail", pk=person.pk),
        )
        if done:
            return done
    return render(
        request,
        "people/relative_form.html",
        {"person": person, "form": form, "relative": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def relative_edit(request, pk, relative_pk, remove_form=None):
    person = selectors.get_person(request.user, pk)
    officer = _require_relatives_editable(request.user, person)
    relative = selectors.get_relative(person, relative_pk)
    posted = request.method == "POST" and remove_form is None
    form = RelativeForm(
        request.POST if posted else None,
        reason_required=officer,
        initial={f: getattr(relative, f) for f in ("name", "relation", "phone", "email")},
    )
    if posted:
        done = run_form(
            request,
            form,
            lambda data: services.change_relative(
                request.user, person, relative=relative.pk, **data
            ),
            success_message=_("Den anhöriges uppgifter är ändrade."),
            redirect_to=lambda _: redirect("person-detail", pk=person.pk),
        )
        if done:
            return done
    return render(
        request,
        "people/relative_form.html",
        {
            "person": person,
            "form": form,
            "relative": relative,
            "remove_form": remove_form or RemoveRelativeForm(prefix="remove"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def relative_remove(request, pk, relative_pk):
    person = selectors.get_person(request.user, pk)
    _require_relatives_editable(request.user, person)
    relative = selectors.get_relative(person, relative_pk)
    form = RemoveRelativeForm(request.POST, prefix="remove")
    return run_form(
        request,
        form,
        lambda data: services.remove_relative(
            request.user, person, relative=relative.pk, reason=data["reason"]
        ),
        success_message=_("Den anhörige är borttagen. Historiken visar vem det var."),
        redirect_to=lambda _: redirect("person-detail", pk=person.pk),
        render_invalid=lambda: relative_edit(request, pk, relative_pk, remove_form=form),
    )


@login_required
def person_history(request, pk):
    """Every change of the client's data, newest first (R1.1), as the reader may see it
    (R10.5)."""
    person = selectors.get_person(request.user, pk)
    changes = selectors.shown_changes(
        request.user, person, selectors.person_changes(request.user, person)
    )
    return render(request, "people/person_history.html", {"person": person, "changes": changes})
