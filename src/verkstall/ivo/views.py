"""Screens of the IVO report (SPEC R9.5): the quarter page (the cases of the quarter, those not
yet in its report, the reason form per case), the reporter's steps (make, bring up to date,
mark as sent) and the exports (CSV for IVO's e-service, PDF to file). Who may do what:
selectors.py's docstring. The quarter travels as `?quarter=2026Q3`, never as an object id."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from verkstall.core import clock, csv_views
from verkstall.core.errors import PermissionDenied
from verkstall.core.views import run_form
from verkstall.decisions.documents import html_to_pdf, pdf_response

from . import export, selectors, services
from .forms import QuarterForm, ReasonForm
from .identity import ivo_number
from .quarters import InvalidQuarter, Quarter


def _quarter(value) -> Quarter:
    """The quarter asked for (this one when none); an unknown or future one is not found."""
    if not value:
        return Quarter.of(clock.today())
    try:
        quarter = Quarter.parse(value)
    except InvalidQuarter:
        raise Http404 from None
    if quarter.first_day > clock.today():
        raise Http404
    return quarter


def _near(quarter: Quarter) -> tuple[Quarter | None, Quarter | None]:
    try:
        previous = quarter.previous()
    except InvalidQuarter:
        previous = None
    following = quarter.next() if quarter.last_day < clock.today() else None
    return previous, following


def _page_url(quarter: Quarter) -> str:
    return f"{reverse('ivo-quarter')}?quarter={quarter.code}"


def _reason_form(case, data=None) -> ReasonForm:
    return ReasonForm(data, prefix=f"case-{case.pk}", initial={"reason": case.reason})


def _page(request, quarter: Quarter, *, bound=None, status=200):
    user = request.user
    report = selectors.report_of_quarter(user, quarter)
    cases = list(selectors.cases_of(user, report)) if report else []
    editable = report is not None and not report.is_submitted
    rows = []
    for case in cases:
        form = None
        if editable:
            form = bound if bound is not None and bound.prefix == f"case-{case.pk}" else None
            form = form or _reason_form(case)
        rows.append((case, form, ivo_number(case.person.personal_number, case.serial)))
    previous, following = _near(quarter)
    return render(
        request,
        "ivo/quarter.html",
        {
            "quarter": quarter,
            "previous": previous,
            "following": following,
            "report": report,
            "rows": rows,
            "missing_reasons": sum(1 for case in cases if not case.reason.strip()),
            "waiting": selectors.pending(user, quarter, report),
            "is_reporter": selectors.is_reporter(user),
            "show_names": user.is_officer,
            "quarter_ended": quarter.last_day < clock.today(),
            "reports": selectors.reports_for(user)[:8],
            "no_rule": selectors.ivo_rule(user.municipality) is None,
            "not_filled": export.NOT_FILLED,
        },
        status=status,
    )


@login_required
@require_GET
def quarter_page(request):
    return _page(request, _quarter(request.GET.get("quarter")))


def _step(request, action, success_message):
    """A reporter's step on the quarter's report; a refusal is shown on the quarter page."""
    form = QuarterForm(request.POST)
    quarter = _quarter(request.POST.get("quarter"))
    back = redirect(_page_url(quarter))
    return run_form(
        request,
        form,
        lambda data: action(quarter),
        success_message=success_message,
        redirect_to=lambda _: back,
        error_message=True,
        render_invalid=lambda: back,
        forbidden_page=True,
    )


def _report(request, quarter: Quarter):
    report = selectors.report_of_quarter(request.user, quarter)
    if report is None:
        raise Http404
    return report


@login_required
@require_POST
def report_create(request):
    """The reporter makes the quarter's report (R9.5)."""
    return _step(
        request,
        lambda quarter: services.create_report(request.user, quarter=quarter),
        "Rapporten är skapad. Handläggarna anger skälet till dröjsmålet i varje ärende.",
    )


@login_required
@require_POST
def report_refresh(request):
    """The reporter brings the draft up to date with what has happened since."""
    return _step(
        request,
        lambda quarter: services.refresh_report(request.user, _report(request, quarter)),
        "Rapporten är uppdaterad.",
    )


@login_required
@require_POST
def report_submit(request):
    """The reporter marks the report as sent to IVO; after that it never changes."""
    return _step(
        request,
        lambda quarter: services.submit_report(request.user, _report(request, quarter)),
        "Rapporten är markerad som inskickad till IVO.",
    )


@login_required
@require_POST
def case_reason(request, pk):
    """The reason for the delay, by the client's officer or the reporter."""
    case = selectors.get_case(request.user, pk)
    quarter = case.report.period
    form = _reason_form(case, request.POST)
    result = run_form(
        request,
        form,
        lambda data: services.record_reason(request.user, case, reason=data["reason"]),
        success_message="Skälet är sparat.",
        redirect_to=lambda _: redirect(f"{_page_url(quarter)}#case-{case.pk}"),
        error_message=True,
        forbidden_page=True,
    )
    return result or _page(request, quarter, bound=form, status=400)


def _exported(request):
    """The quarter's report and its cases, for the reporter only (the whole municipality)."""
    user = request.user
    if not selectors.is_reporter(user):
        raise PermissionDenied("Endast kommunens LOV-administratör kan ta ut IVO-rapporten.")
    quarter = _quarter(request.GET.get("quarter"))
    report = _report(request, quarter)
    return quarter, report, list(selectors.cases_of(user, report))


def _file_name(quarter: Quarter, suffix: str) -> str:
    return f"ivo-ej-verkstallda-beslut-{quarter.code}.{suffix}"


@login_required
@require_GET
def report_csv(request):
    """The report as CSV, one row per case, in the fields of IVO's individual report."""
    quarter, _report_row, cases = _exported(request)
    response = csv_views.response(
        _file_name(quarter, "csv"),
        export.COLUMNS,
        (export.case_row(case, quarter.code, protected=case.person.is_protected) for case in cases),
    )
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_GET
def report_pdf(request):
    """The report as a PDF to file with the municipality's records (the letter layout)."""
    quarter, report, cases = _exported(request)
    rows = [
        export.case_row(case, quarter.code, protected=case.person.is_protected) for case in cases
    ]
    context = {
        "report": report,
        "quarter": quarter,
        "municipality": request.user.municipality,
        "columns": export.COLUMNS[1:-2],  # the quarter is in the title; unit and id below
        "rows": [(row[1:-2], row[-2], row[-1]) for row in rows],
        "not_filled": export.NOT_FILLED,
        "today": clock.today(),
    }
    with translation.override("sv"):
        html = render_to_string("ivo/report_pdf.html", context)
    return pdf_response(html_to_pdf(html), _file_name(quarter, "pdf"))
