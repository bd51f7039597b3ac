"""Screens of the provider switch (SPEC R2.6): the officer's request on a started order, the
switch page with its steps, dates and the next action for the current user, and a list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verkstall.access.policies import registers_on_behalf
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied
from verkstall.core.views import reply_form, run_form
from verkstall.deadlines.due_item_selectors import current_status
from verkstall.deadlines.rules import STATUS_LABELS, Status
from verkstall.providers.offer_selectors import caps_for_order

from . import selectors as order_selectors
from . import switch_selectors as selectors
from . import switch_services as services
from .switch_forms import AgreedDateForm, CompleteForm, InformForm, SwitchRequestForm

STEPS = {
    selectors.INFORM: (
        InformForm,
        services.inform_new_provider,
        gettext_lazy("Det är registrerat att den nya utföraren har informerats."),
    ),
    selectors.AGREE: (
        AgreedDateForm,
        services.register_agreed_date,
        gettext_lazy("Datum för bytet är registrerat."),
    ),
    selectors.COMPLETE: (
        CompleteForm,
        services.complete_switch,
        gettext_lazy("Bytet är genomfört: den nya beställningen är skickad."),
    ),
}


def _on_behalf(user, switch) -> bool:
    """The municipality reports the date for a new provider that is not connected (R3.3)."""
    return registers_on_behalf(user, switch.new_provider)


def _step_form(step: str, on_behalf: bool, data=None):
    return reply_form(STEPS[step][0], on_behalf, data)


@login_required
def switch_list(request):
    switches = selectors.switches_for(request.user)[:200]
    return render(
        request,
        "orders/switch_list.html",
        {"rows": [(s, selectors.status_label(s)) for s in switches]},
    )


@login_required
def switch_request(request, order_pk):
    order = order_selectors.get_order(request.user, order_pk)
    if not selectors.can_request_switch(request.user, order):
        raise PermissionDenied(
            _(
                "Endast handläggare på klientens enhet kan begära byte av utförare, och bara "
                "för en beställning som utföraren har tagit emot och som inget byte pågår för."
            )
        )
    form = SwitchRequestForm(
        request.POST or None,
        providers=selectors.switch_candidates(request.user, order),
        caps=caps_for_order(order),  # marked before the request is sent (issue 17 item 4)
    )
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.request_switch(request.user, order=order, **data),
            success_message=_("Bytet är registrerat och nuvarande utförare informerad."),
            redirect_to=lambda switch: redirect("switch-detail", pk=switch.pk),
        )
        if done:
            return done
    # The notice as the municipality's routine counts it from a request made today (R2.6).
    today = clock.today()
    notice_ends = services.notice_ends_on(order.municipality, today)
    return render(
        request,
        "orders/switch_form.html",
        {
            "form": form,
            "order": order,
            "notice_days": (notice_ends - today).days,
            "notice_ends": notice_ends,
        },
    )


@login_required
def switch_detail(request, pk, forms=None):
    switch = selectors.get_switch(request.user, pk)
    forms = forms or {}
    on_behalf = _on_behalf(request.user, switch)
    step_forms = [
        (step, selectors.STEP_LABELS[step], forms.get(step) or _step_form(step, on_behalf))
        for step in selectors.actions_for(request.user, switch)
    ]
    visible = selectors.visible_orders(request.user, switch)
    return render(
        request,
        "orders/switch_detail.html",
        {
            "switch": switch,
            "status": selectors.status_label(switch),
            "steps": selectors.steps(switch),
            "step_forms": step_forms,
            "waiting": selectors.waiting_text(request.user, switch),
            "on_behalf": on_behalf,
            "old_order_visible": switch.old_order_id in visible,
            "new_order_visible": switch.new_order_id in visible,
            "due_items": [
                (item, STATUS_LABELS[Status(current_status(item))])
                for item in selectors.due_items_for_switch(switch)
            ],
        },
    )


@login_required
@require_POST
def switch_action(request, pk, step):
    if step not in STEPS:
        raise Http404
    switch = selectors.get_switch(request.user, pk)
    _, service, done = STEPS[step]
    form = _step_form(step, _on_behalf(request.user, switch), request.POST)

    def refused():
        response = switch_detail(request, pk, forms={step: form})
        response.status_code = 400
        return response

    return run_form(
        request,
        form,
        lambda data: service(request.user, switch=switch, **data),
        success_message=done,
        redirect_to=lambda _: redirect("switch-detail", pk=switch.pk),
        error_message=True,
        forbidden_page=True,
        render_invalid=refused,
    )
