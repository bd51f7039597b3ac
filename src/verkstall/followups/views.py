"""Screens for the follow-ups of one order (SPEC R6), for the officer and the provider. Every
view reads the order through orders.selectors.get_order, so an order the user may not see is a
404 here too."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from verkstall.core.errors import DomainError
from verkstall.core.views import run_form
from verkstall.decisions.iub_services import IUB_CHANNELS
from verkstall.drafts import services as text_drafts
from verkstall.drafts.forms import keep_drafts
from verkstall.orders.selectors import get_order

from . import selectors, services
from .draft_text_selectors import FOLLOWUP
from .forms import AnswerForm, RecordForm, RequestForm
from .models import GoalAssessment


@login_required
@require_GET
def followup_page(request, pk):
    return _page(request, pk)


def _page(request, pk, *, request_form=None, answer_form=None, record_form=None, status=200):
    order = get_order(request.user, pk)
    goals = selectors.order_goals(order)
    posted = {o["goal"]: o for o in selectors.posted_goal_outcomes(request.POST, goals)}
    context = {
        # How each goal of the decision was met (seed 002), with what was sent back.
        "goal_rows": [(g, posted.get(g.pk, {})) for g in goals],
        "goal_choices": GoalAssessment.choices,
        "order": order,
        "followups": selectors.order_followups(request.user, order),
        "open": selectors.open_followup(request.user, order),
        "may_follow_up": selectors.may_follow_up(request.user, order),
        "may_answer": selectors.may_answer(request.user, order),
        # The text typed and not saved, kept (issue 17 item 1).
        **{
            name: keep_drafts(form, user=request.user, kind=FOLLOWUP, pk=order.pk)
            for name, form in (
                ("request_form", request_form or RequestForm()),
                ("answer_form", answer_form or AnswerForm()),
                ("record_form", record_form or RecordForm()),
            )
        },
        "iub_channels": IUB_CHANNELS,  # how a new IUB request came (R1.3)
    }
    return render(request, "followups/followup_page.html", context, status=status)


def _saved(request, order, field: str, result):
    """After the service saved: the field's draft is no longer kept (issue 17 item 1)."""
    text_drafts.clear_drafts(user=request.user, kind=FOLLOWUP, pk=order.pk, fields=(field,))
    return result


def _done(request, order, message):
    messages.success(request, message)
    return redirect("followup-page", pk=order.pk)


@login_required
@require_POST
def followup_request(request, pk):
    order = get_order(request.user, pk)
    form = RequestForm(request.POST)
    return run_form(
        request,
        form,
        lambda data: _saved(
            request,
            order,
            "question",
            services.request_status(request.user, order, data["question"]),
        ),
        success_message="Frågan är skickad till utföraren.",
        redirect_to=lambda _: redirect("followup-page", pk=order.pk),
        render_invalid=lambda: _page(request, pk, request_form=form, status=400),
    )


@login_required
@require_POST
def followup_answer(request, pk, followup_pk):
    order = get_order(request.user, pk)
    followup = selectors.get_followup(request.user, order, followup_pk)
    form = AnswerForm(request.POST)
    return run_form(
        request,
        form,
        lambda data: _saved(
            request, order, "answer", services.answer_status(request.user, followup, data["answer"])
        ),
        success_message="Ert svar är skickat till handläggaren.",
        redirect_to=lambda _: redirect("followup-page", pk=order.pk),
        render_invalid=lambda: _page(request, pk, answer_form=form, status=400),
    )


@login_required
@require_POST
def followup_record(request, pk):
    order = get_order(request.user, pk)
    form = RecordForm(request.POST)
    return run_form(
        request,
        form,
        # Given the order, the service finds the open follow-up itself, under the lock.
        lambda data: _saved(
            request,
            order,
            "notes",
            services.record_followup(
                request.user,
                order,
                data["outcome"],
                data["notes"],
                goal_outcomes=selectors.posted_goal_outcomes(
                    request.POST, selectors.order_goals(order)
                ),
            ),
        ),
        success_message="Uppföljningen är registrerad och utföraren har fått besked.",
        redirect_to=lambda _: redirect("followup-page", pk=order.pk),
        render_invalid=lambda: _page(request, pk, record_form=form, status=400),
    )


@login_required
@require_POST
def iub_request(request, pk):
    order = get_order(request.user, pk)
    try:
        services.record_iub_request(
            request.user,
            order,
            request.POST.get("note", ""),
            asked_by=request.POST.get("asked_by", ""),
            asked_on=request.POST.get("asked_on") or None,
            channel=request.POST.get("channel", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("followup-page", pk=order.pk)
    return _done(request, order, "Ny förfrågan om IUB är registrerad.")
