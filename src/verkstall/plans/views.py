"""Screens for the implementation plan of one order (SPEC R5). Every view reads the order
through orders.selectors.get_order, so an order the user may not see is a 404 here too."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from verkstall.core.concurrency import with_version
from verkstall.core.concurrency_services import versioned_action
from verkstall.core.errors import DomainError
from verkstall.core.views import run_form
from verkstall.drafts import services as text_drafts
from verkstall.drafts.forms import keep_drafts
from verkstall.orders.selectors import get_order

from . import goal_selectors, goal_services, selectors, services, sharing_selectors
from .draft_text_selectors import PLAN
from .forms import PlanForm, ReviewForm, ShareForm
from .sharing_services import share_plan
from .version_selectors import PLAN_VERSIONING

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
TEXTS = ("what", "how", "when", "by_whom", "participation", "revision_reason")


@login_required
def plan_page(request, pk, form=None, status=200, share_form=None):
    order = get_order(request.user, pk)
    draft = selectors.draft_plan(request.user, order)
    may_write = selectors.may_write(request.user, order)
    if form is None and draft is not None and may_write:
        form = PlanForm(initial={f: getattr(draft, f) for f in TEXTS})
        with_version(form, draft.lock_version)  # issue 18: a stale submit is told what changed
    if form is not None and may_write:  # the text typed and not saved, kept (issue 17 item 1)
        keep_drafts(form, user=request.user, kind=PLAN, pk=order.pk)
    current = selectors.current_plan(request.user, order)
    goals = goal_selectors.order_goals(order)  # the decision's goals (seed 002)
    posted = goal_selectors.posted_goal_entries(request.POST, goals)  # a form sent back
    context = {
        "order": order,
        "plans": selectors.order_plans(request.user, order),
        "current": current,
        "draft": draft,
        "form": form,
        "may_write": may_write,
        "may_confirm": selectors.may_confirm(request.user, order),
        "review_form": ReviewForm(),
        "current_goals": goal_selectors.goal_rows(current, goals) if current else [],
        "draft_goals": goal_selectors.goal_rows(draft, goals, posted) if draft else [],
    }
    # R5.2: each version's latest registration of being shared with the person, or why not.
    sharings = sharing_selectors.order_sharings(order)
    context["current_sharing"] = sharings.get(current.pk) if current else None
    context["plan_rows"] = [(p, sharings.get(p.pk)) for p in context["plans"]]
    context["share_form"] = (share_form or ShareForm()) if current and may_write else None
    return render(request, "plans/plan_page.html", context, status=status)


def _done(request, order, message):
    messages.success(request, message)
    return redirect("plan-page", pk=order.pk)


def _refused(request, order, exc: DomainError):
    messages.error(request, exc.message)
    return redirect("plan-page", pk=order.pk)


@login_required
@require_POST
def plan_start(request, pk):
    order = get_order(request.user, pk)
    try:
        services.start_plan(request.user, order)
    except DomainError as exc:
        return _refused(request, order, exc)
    return _done(request, order, "Genomförandeplanen är påbörjad.")


@login_required
@require_POST
def plan_save(request, pk, plan_pk):
    """Save the draft and, if the user presses "Skicka", send it in the same step."""
    order = get_order(request.user, pk)
    plan = selectors.get_plan(request.user, order, plan_pk)
    form = with_version(PlanForm(request.POST, request.FILES), plan.lock_version)

    def save(data) -> bool:
        entries = goal_selectors.posted_goal_entries(
            request.POST, goal_selectors.order_goals(order)
        )
        if entries:  # how the plan addresses each goal of the decision (seed 002), first
            goal_services.save_goal_entries(request.user, plan, entries=entries)
        saved = services.save_draft(request.user, plan, **{f: data[f] for f in TEXTS})
        text_drafts.clear_drafts(user=request.user, kind=PLAN, pk=order.pk)  # saved: not kept
        if data["document"]:
            saved = services.upload_document(request.user, saved, upload=data["document"])
        sent = request.POST.get("do") == "send"
        if sent:
            services.send_plan(request.user, saved)
        return sent

    return run_form(
        request,
        form,
        versioned_action(form, PLAN_VERSIONING, plan.pk, save),
        success_message=lambda sent: (
            "Genomförandeplanen är skickad till handläggaren." if sent else "Utkastet är sparat."
        ),
        redirect_to=lambda _: redirect("plan-page", pk=order.pk),
        render_invalid=lambda: plan_page(request, pk, form=form, status=400),
    )


@login_required
@require_POST
def plan_confirm(request, pk, plan_pk):
    order = get_order(request.user, pk)
    plan = selectors.get_plan(request.user, order, plan_pk)
    try:
        services.confirm_plan(request.user, plan)
    except DomainError as exc:
        return _refused(request, order, exc)
    return _done(request, order, "Du har bekräftat att genomförandeplanen mottagits.")


@login_required
@require_POST
def plan_review(request, pk, plan_pk):
    order = get_order(request.user, pk)
    plan = selectors.get_plan(request.user, order, plan_pk)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.review_plan(request.user, plan, note=note)
    except DomainError as exc:
        return _refused(request, order, exc)
    return _done(request, order, "Uppföljningen av genomförandeplanen är registrerad.")


@login_required
@require_GET
def plan_document(request, pk, plan_pk):
    """The plan's document, only for those who may see the order; always as an attachment
    named by order and version, never by the person."""
    order = get_order(request.user, pk)
    plan = selectors.get_plan(request.user, order, plan_pk)
    if not plan.document:
        raise Http404
    response = FileResponse(
        plan.document.open("rb"),
        as_attachment=True,
        filename=plan.download_name,
        content_type=CONTENT_TYPES.get(plan.document_kind, "application/octet-stream"),
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def plan_share(request, pk, plan_pk):
    """The provider registers that the plan was shared with the person, or why not (R5.2)."""
    order = get_order(request.user, pk)
    plan = selectors.get_plan(request.user, order, plan_pk)
    form = ShareForm(request.POST)
    return run_form(
        request,
        form,
        lambda data: share_plan(request.user, plan, **data),
        success_message="Det är registrerat om genomförandeplanen delgivits den enskilde.",
        redirect_to=lambda _: redirect("plan-page", pk=order.pk),
        error_message=True,
        forbidden_page=True,
        render_invalid=lambda: plan_page(request, pk, status=400, share_form=form),
    )
