"""The screen that corrects a draft order (SPEC R1.1; orders/draft_correction_services.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from verkstall.core.concurrency import with_version
from verkstall.core.concurrency_services import versioned_action
from verkstall.core.errors import PermissionDenied
from verkstall.core.views import run_form
from verkstall.providers.selectors import providers_for

from . import draft_correction_services, selectors
from .draft_forms import DraftCorrectionForm
from .states import State
from .version_selectors import ORDER_VERSIONING


@login_required
def draft_edit(request, pk):
    """Correct the draft's provider, unit, services and information, with a reason; the
    order's history keeps the old and the new."""
    order = selectors.get_order(request.user, pk)
    if not draft_correction_services.may_correct_draft(request.user, order):
        if order.state != State.DRAFT.value:
            messages.error(request, _("Bara ett utkast kan ändras."))
            return redirect("order-detail", pk=order.pk)
        raise PermissionDenied(_("Endast handläggare på klientens enhet kan ändra beställningen."))
    form = DraftCorrectionForm(
        request.POST or None, providers=providers_for(request.user), order=order
    )
    with_version(form, order.last_event_seq)  # issue 18: a stale submit is told what changed
    if request.method == "POST":
        done = run_form(
            request,
            form,
            versioned_action(
                form,
                ORDER_VERSIONING,
                order.pk,
                lambda data: draft_correction_services.correct_draft(
                    request.user,
                    order,
                    reason=data["reason"],
                    provider=data["provider"],
                    provider_unit=data["provider_unit"],
                    services=data["services"],
                    instructions=data["instructions"],
                ),
            ),
            success_message=_("Utkastet är ändrat. Historiken visar ändringen."),
            redirect_to=lambda _: redirect("order-detail", pk=order.pk),
        )
        if done:
            return done
    return render(
        request,
        "orders/draft_form.html",
        {"order": order, "form": form},
        status=400 if request.method == "POST" else 200,
    )
