"""Screens for the safety alarm and meal delivery (SPEC R4.1, R2.6, R3.6): the aids centre's
inbox, an order's alarm page (the provider orders the alarm, the aids centre installs it), the
confirmation of a contact move, and an order's meal page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from verkstall.access.policies import provider_side, registers_on_behalf
from verkstall.access.roles import Role
from verkstall.core.errors import DomainError
from verkstall.core.views import reply_form, run_form
from verkstall.orders.states import WITH_PROVIDER
from verkstall.people.selectors import listed_person, shown_person

from . import meal_services, selectors, services
from .forms import AlarmInstalledForm, AlarmOrderedForm, MealOrderedForm


def _posted(request):
    """The form's data on a POST (an empty POST is a bound form too: every field may be
    left out), None on a GET."""
    return request.POST if request.method == "POST" else None


def _is_aids_centre(user) -> bool:
    return user.role_enum == Role.AIDS_CENTRE


@login_required
def alarm_inbox(request):
    """The aids centre's work (R4.1, R2.6): alarms ordered and not installed, oldest first,
    and contact moves after a provider switch to confirm. Name, address and phone only."""
    user = request.user
    if not _is_aids_centre(user):
        raise Http404
    awaiting = [
        (order, listed_person(order.person)) for order in selectors.awaiting_installation(user)
    ]
    moves = [
        (move, listed_person(move.order.person)) for move in selectors.open_contact_moves(user)
    ]
    return render(request, "alarms/inbox.html", {"awaiting": awaiting, "moves": moves})


@login_required
def order_alarm(request, pk):
    """An order's safety alarm. The provider (the officer for one not connected) records that
    it ordered the alarm from the aids centre; the aids centre sees what an installer needs
    and records the installation (R4.1)."""
    user = request.user
    order = selectors.get_alarm_order(user, pk)
    aids = _is_aids_centre(user)
    move = selectors.contact_move_of(order)
    on_behalf = False
    if aids:
        may = (
            order.alarm_ordered_at is not None
            and order.alarm_installed_at is None
            and move is None
            and order.state in WITH_PROVIDER
        )
        form = AlarmInstalledForm(_posted(request))
        step = lambda data: services.register_alarm_installed(user, order=order, **data)  # noqa: E731
        done_message = "Larmet är registrerat som installerat."
    else:
        may = (
            provider_side(user, order.provider)[0]
            and order.alarm_ordered_at is None
            and order.state in WITH_PROVIDER
        )
        on_behalf = registers_on_behalf(user, order.provider)
        form = reply_form(AlarmOrderedForm, on_behalf, _posted(request))
        step = lambda data: services.register_alarm_ordered(user, order=order, **data)  # noqa: E731
        done_message = "Larmet är registrerat som beställt från hjälpmedelscentralen."
    if request.method == "POST":
        result = run_form(
            request,
            form,
            step,
            success_message=done_message,
            redirect_to="alarm-inbox" if aids else lambda _: redirect("order-alarm", pk=order.pk),
            forbidden_page=True,
        )
        if result:
            return result
        may = True  # show the refused form with its errors
    return render(
        request,
        "alarms/order_alarm.html",
        {
            "order": order,
            "person": shown_person(user, order.person),
            "aids_centre": aids,
            "events": selectors.alarm_events(order),
            "move": move,
            "form": form if may else None,
            "on_behalf": on_behalf,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def confirm_contact_move(request, pk):
    """The aids centre confirms "Larmets kontaktuppgifter flyttade" (R2.6)."""
    move = selectors.get_contact_move(request.user, pk)
    try:
        services.confirm_contact_move(request.user, move=move)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Larmets kontaktuppgifter är registrerade som flyttade.")
    return redirect("alarm-inbox")


@login_required
def order_meal(request, pk):
    """An order's meal delivery: the provider (the officer for one not connected) records that
    it ordered the meals (R3.6, seed 002: within 3 weekdays)."""
    user = request.user
    order = selectors.get_meal_order(user, pk)
    on_behalf = registers_on_behalf(user, order.provider)
    form = reply_form(MealOrderedForm, on_behalf, _posted(request))
    may = (
        provider_side(user, order.provider)[0]
        and order.meal_ordered_at is None
        and order.state in WITH_PROVIDER
    )
    if request.method == "POST":
        result = run_form(
            request,
            form,
            lambda data: meal_services.register_meal_ordered(user, order=order, **data),
            success_message="Matdistributionen är registrerad som beställd.",
            redirect_to=lambda _: redirect("order-meal", pk=order.pk),
            forbidden_page=True,
        )
        if result:
            return result
        may = True
    return render(
        request,
        "alarms/order_meal.html",
        {"order": order, "form": form if may else None, "on_behalf": on_behalf},
        status=400 if form.errors else 200,
    )
