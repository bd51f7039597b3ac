"""Screens for orders (SPEC R3): the officer's start page, create and send an order, the
provider's inbox, one order with its history and the actions the user may take now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verkstall.access.policies import provider_side, registers_on_behalf
from verkstall.access.roles import Role
from verkstall.core.confirm_views import confirm_first
from verkstall.core.errors import DomainError
from verkstall.core.paging import paginate
from verkstall.core.views import form_errors_from, reply_form, run_form
from verkstall.deadlines.routine_selectors import mapping_period, needs_booked_staff
from verkstall.deadlines.rules import STATUS_LABELS, Status
from verkstall.deadlines.selectors import compact_watchlist, current_status, due_items_for_order
from verkstall.deadlines.threshold_selectors import payment_rules_for
from verkstall.decisions.selectors import get_decision
from verkstall.drafts import services as text_drafts
from verkstall.drafts.forms import keep_drafts

from . import (
    casework_selectors,
    casework_services,
    confirm_views,
    correction_services,
    order_form_views,
    receipt_services,
    selectors,
    services,
)
from .draft_text_selectors import ORDER_NEW
from .forms import (
    AcknowledgeForm,
    CancelForm,
    CorrectDateForm,
    EndForm,
    NewClientToldForm,
    NotStartedForm,
    ReceiptForm,
    RouteForm,
    SendForm,
    StartForm,
    SupportNotReceivedForm,
)
from .states import ACTION_LABELS, REPLY_PENDING, Action, State

# Each action's form and the service that does it, named in `services` and found there when
# called, as the API's actions do: the screen and the API reach the same function, for every
# role. Ending is services.end_order on both, which alone decides what an officer's end does
# to the decision too (R3.9).
ACTIONS = {
    Action.SEND: (SendForm, "send_order", gettext_lazy("Beställningen är skickad.")),
    Action.ACKNOWLEDGE: (
        AcknowledgeForm,
        "acknowledge_order",
        gettext_lazy("Beställningen är kvitterad."),
    ),
    Action.START: (StartForm, "register_start", gettext_lazy("Startdatum är registrerat.")),
    Action.END: (EndForm, "end_order", gettext_lazy("Insatsen är avslutad.")),
    Action.CANCEL: (CancelForm, "cancel_order", gettext_lazy("Beställningen är makulerad.")),
}


def officer_start(request):
    """The officer's start page: what waits on the unit now."""
    orders = selectors.orders_for(request.user)
    return render(
        request,
        "orders/officer_start.html",
        {
            "awaiting_written": orders.filter(state=State.DRAFT, acute_oral_at__isnull=False),
            "drafts": orders.filter(state=State.DRAFT, acute_oral_at__isnull=True),
            "unacknowledged": orders.filter(state=State.SENT),
            "not_started": orders.filter(state=State.ACKNOWLEDGED),
            "watchlist": compact_watchlist(request.user),
            # What the providers reported (R3.7 not started, R7.2 support not received).
            "reports": casework_selectors.recent_reports(request.user)[:50],
            # Orders to providers not connected, waiting for a reply registered for them.
            "awaiting_on_behalf": casework_selectors.awaiting_on_behalf(request.user)[:50],
        },
    )


# The inbox's lists and the prefix of each one's paging parameters (issue 17 item 5).
INBOX_PREFIXES = {
    "new_orders": "new-",
    "to_start": "start-",
    "unrouted": "route-",
    "my_unit": "unit-",
}


@login_required
def provider_inbox(request):
    if not request.user.is_provider_user:
        raise Http404
    inbox = selectors.provider_inbox(request.user)
    # Each list pages on its own (`new-page`, ...), in the inbox's order: acute first (R3.2).
    lists = {
        "new_orders": inbox.filter(state=State.SENT),
        "to_start": inbox.filter(state=State.ACKNOWLEDGED),
        # Seed 002 "Utföraren fördelar": orders to route, and those of the user's unit.
        "unrouted": casework_selectors.unrouted(request.user),
        "my_unit": casework_selectors.of_my_unit(request.user),
    }
    context = {
        name: paginate(rows, request.GET, prefix=INBOX_PREFIXES[name])
        for name, rows in lists.items()
    }
    context["watchlist"] = compact_watchlist(request.user)
    return render(request, "orders/provider_inbox.html", context)


@login_required
def order_list(request):
    orders = selectors.orders_for(request.user)
    state = request.GET.get("state")
    if state in State._value2member_map_:
        orders = orders.filter(state=state)
    page = paginate(orders, request.GET, sorting=selectors.ORDER_SORTING)  # issue 17 item 5
    return render(
        request,
        "orders/order_list.html",
        {"orders": page, "paging": page, "states": list(State), "current": state},
    )


@login_required
def order_create(request, decision_pk):
    decision = get_decision(request.user, decision_pk)
    # The chosen provider first, its units only, caps marked (issue 17 item 4).
    form = order_form_views.order_form(request, decision)
    if units := order_form_views.unit_list(request, form):
        return units
    keep_drafts(form, user=request.user, kind=ORDER_NEW, pk=decision.pk)  # issue 17 item 1
    if form.is_bound:  # a POST, not the no-JS "show units" one
        done = run_form(
            request,
            form,
            lambda data: services.create_order(
                request.user,
                decision=decision,
                provider=data["provider"],
                provider_unit=data["provider_unit"] or None,
                services=data["services"],
                instructions=data["instructions"],
                acute_oral_at=data["acute_oral_at"],
            ),
            success_message=_("Beställningen är skapad som utkast."),
            redirect_to=lambda order: redirect("order-detail", pk=order.pk),
        )
        if done:  # created, in this request's transaction: the typed text is no longer kept
            text_drafts.clear_drafts(user=request.user, kind=ORDER_NEW, pk=decision.pk)
            return done
    return render(request, "orders/order_form.html", {"form": form, "decision": decision})


def _action_form(action: Action, on_behalf: bool, data=None, order=None):
    form = reply_form(ACTIONS[action][0], on_behalf, data)
    if action == Action.START and order is not None and not needs_booked_staff(order):
        form.fields.pop("booked_staff", None)  # R3.6: only where the routine names the staff
    return form


def _correct_form(user, order, data=None):
    """The form to correct a registered date (R9.1), for the dates this user may correct; the
    channel only when the municipality registers a provider's correction on its behalf."""
    which = correction_services.may_correct(user, order)
    if not which:
        return None
    return reply_form(
        lambda d: CorrectDateForm(d, which=which), registers_on_behalf(user, order.provider), data
    )


def casework_forms(user, order, bound: dict | None = None) -> dict:
    """The forms of the steps beside the transitions (casework_services) this user may take on
    this order now, each the `bound` one (with its errors) when it was just refused."""
    bound = bound or {}
    forms = {}
    officer_here = user.role_enum == Role.OFFICER and user.unit_id == order.unit_id
    provider_ok, on_behalf = provider_side(user, order.provider)
    if (
        officer_here
        and order.state in casework_services.BEFORE_START
        and selectors.is_new_client(order)
        and casework_services.new_client_told(order) is None
    ):
        forms["new_client"] = bound.get("new_client") or NewClientToldForm()
    if provider_ok and order.state in REPLY_PENDING:
        forms["not_started"] = bound.get("not_started") or reply_form(
            NotStartedForm, on_behalf is not None
        )
    if provider_ok and order.state == State.STARTED:
        forms["support"] = bound.get("support") or reply_form(
            SupportNotReceivedForm, on_behalf is not None
        )
    if casework_services.may_route(user, order):
        units = list(order.provider.units.exclude(pk=order.provider_unit_id or 0))
        if units:
            forms["route"] = bound.get("route") or RouteForm(units=units)
    return forms


@login_required
def order_detail(request, pk, forms=None, receipt_form=None, correct_form=None, casework=None):
    order = selectors.get_order(request.user, pk)
    actions = selectors.actions_for(request.user, order)
    forms = forms or {}
    if receipt_form is None and receipt_services.may_register_receipt(request.user, order):
        receipt_form = ReceiptForm()
    if correct_form is None:
        correct_form = _correct_form(request.user, order)
    on_behalf = registers_on_behalf(request.user, order.provider)
    action_forms = [
        (
            action,
            ACTION_LABELS[action],
            forms.get(action) or _action_form(action, on_behalf, order=order),
        )
        for action in actions
    ]
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "events": selectors.order_events(order),
            "action_forms": action_forms,
            "receipt_form": receipt_form,
            "correct_form": correct_form,
            # The day of the next month by which a date is corrected (R9.1, the profile's).
            "registration_day": (
                payment_rules_for(order.municipality_id)["month_registration_day"]
                if correct_form
                else None
            ),
            "on_behalf": on_behalf,
            # Issue 16: the provider's reports, the new-client step, routing to a unit.
            "reports": casework_selectors.order_reports(order),
            "new_client": selectors.is_new_client(order),
            "new_client_told": casework_services.new_client_told(order),
            # R5.1, seed 003: a new client's mapping period, when the routine has one.
            "mapping_period": mapping_period(order),
            "casework": casework_forms(request.user, order, casework),
            "due_items": [
                (item, STATUS_LABELS[Status(current_status(item))])
                for item in due_items_for_order(request.user, order)
            ],
        },
    )


@login_required
@require_POST
def order_action(request, pk, action):
    if action not in Action._value2member_map_:
        raise Http404
    action = Action(action)
    order = selectors.get_order(request.user, pk)
    _, service_name, done = ACTIONS[action]
    service = getattr(services, service_name)
    form = _action_form(
        action, registers_on_behalf(request.user, order.provider), request.POST, order=order
    )

    def refused():
        response = order_detail(request, pk, forms={action: form})
        response.status_code = 400
        return response

    if action in confirm_views.CONFIRMED_ACTIONS:  # issue 17 item 3: asked first, then done
        first = confirm_first(
            request,
            confirmation=lambda: _confirmation(request, order, action, form, refused),
            back=lambda: order_detail(request, pk, forms={action: form}),
        )
        if first is not None:
            return first
    return run_form(
        request,
        form,
        lambda data: service(request.user, order, **data),
        success_message=done,
        redirect_to=lambda _: redirect("order-detail", pk=order.pk),
        error_message=True,
        render_invalid=refused,
    )


def _confirmation(request, order, action: Action, form, refused):
    """What a send, end or cancel is confirmed with (orders/confirm_views.py), or its refusal
    with the form's errors: nothing that would be refused is put up for confirmation."""
    if not form.is_valid():
        return refused()
    try:
        confirm_views.precheck(request.user, order, action, form.cleaned_data)
    except DomainError as exc:
        form_errors_from(form, exc)
        messages.error(request, exc.message)
        return refused()
    return confirm_views.order_confirmation(request.user, order, action, form.cleaned_data)


@login_required
@require_POST
def order_receipt(request, pk):
    """The officer registers the day an order sent by post or fax reached the provider
    (R11.4): the clocks that count from the receipt start from that day."""
    order = selectors.get_order(request.user, pk)
    form = ReceiptForm(request.POST)

    def refused():
        response = order_detail(request, pk, receipt_form=form)
        response.status_code = 400
        return response

    return run_form(
        request,
        form,
        lambda data: receipt_services.register_receipt(request.user, order, **data),
        success_message=_("Ankomstdagen är registrerad."),
        redirect_to=lambda _: redirect("order-detail", pk=order.pk),
        error_message=True,
        forbidden_page=True,
        render_invalid=refused,
    )


@login_required
@require_POST
def order_correct_date(request, pk):
    """Correct a registered start or end date with a reason (R9.1): the history keeps both
    dates and the deadlines follow the new one."""
    order = selectors.get_order(request.user, pk)
    form = _correct_form(request.user, order, request.POST) or CorrectDateForm(request.POST)

    def refused():
        response = order_detail(request, pk, correct_form=form)
        response.status_code = 400
        return response

    return run_form(
        request,
        form,
        lambda data: correction_services.correct_date(request.user, order, **data),
        success_message=_("Datumet är korrigerat. Historiken visar både det gamla och det nya."),
        redirect_to=lambda _: redirect("order-detail", pk=order.pk),
        error_message=True,
        forbidden_page=True,
        render_invalid=refused,
    )


def _casework_step(request, pk, key: str, form_for, service, done):
    """One step beside the transitions from the order's page (casework_services): the form,
    the service, back to the page (with the form's errors and 400 when refused)."""
    order = selectors.get_order(request.user, pk)
    form = form_for(order, request.POST)

    def refused():
        response = order_detail(request, pk, casework={key: form})
        response.status_code = 400
        return response

    return run_form(
        request,
        form,
        lambda data: service(request.user, order, **data),
        success_message=done,
        redirect_to=lambda _: redirect("order-detail", pk=order.pk),
        error_message=True,
        forbidden_page=True,
        render_invalid=refused,
    )


@login_required
@require_POST
def order_not_started(request, pk):
    """The provider documents that the service has not started, and why (R3.7)."""
    return _casework_step(
        request,
        pk,
        "not_started",
        lambda order, data: reply_form(
            NotStartedForm, registers_on_behalf(request.user, order.provider), data
        ),
        casework_services.report_not_started,
        _("Rapporten är registrerad och handläggaren har fått besked."),
    )


@login_required
@require_POST
def order_support_not_received(request, pk):
    """The provider reports that the support is not received as ordered (R7.2)."""
    return _casework_step(
        request,
        pk,
        "support",
        lambda order, data: reply_form(
            SupportNotReceivedForm, registers_on_behalf(request.user, order.provider), data
        ),
        casework_services.report_support_not_received,
        _("Rapporten är registrerad och handläggaren har fått besked."),
    )


@login_required
@require_POST
def order_new_client_told(request, pk):
    """The officer registers that the provider was told of a new client (R3.4)."""
    return _casework_step(
        request,
        pk,
        "new_client",
        lambda order, data: NewClientToldForm(data),
        casework_services.register_new_client_told,
        _("Det är registrerat att utföraren informerats om den nya brukaren."),
    )


@login_required
@require_POST
def order_route(request, pk):
    """The provider routes the order to one of its own units (seed 002)."""
    return _casework_step(
        request,
        pk,
        "route",
        lambda order, data: RouteForm(data, units=order.provider.units.all()),
        casework_services.route_to_unit,
        _("Beställningen är fördelad till enheten."),
    )


@login_required
def on_behalf_list(request):
    """Orders sent to providers that are not connected and not yet started: the fee officer
    (seed 001) or the officer registers the provider's acknowledgement and start for it."""
    return render(
        request,
        "orders/on_behalf_list.html",
        {"orders": casework_selectors.awaiting_on_behalf(request.user)[:200]},
    )
