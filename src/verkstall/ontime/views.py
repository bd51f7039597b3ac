"""The on-time statistics screen and its CSV (SPEC R9.4 "statistics", issue 15 item 7): the
filter, a bar chart drawn on the server as inline SVG (no script, no style attribute: the CSP
allows neither; classes in static/verkstall/site.css), and the data table beside it, which
the CSV repeats cell for cell (a name that a spreadsheet would run as a formula gets an
apostrophe in front in the CSV only, core/csv_export.py). Who sees what: selectors.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from verkstall.core import csv_views
from verkstall.core.errors import ValidationFailed

from . import job_kinds, presentation, selectors
from .forms import FilterForm


def _filters(request):
    """The filter form and the filters it asks for (None when they are invalid)."""
    form = FilterForm(request.GET or None, user=request.user)
    try:
        filters = form.filters() if request.GET else selectors.Filters.default()
    except ValidationFailed as error:
        for field, messages in error.errors.items():
            if field in form.fields and field not in form.errors:
                for message in messages:
                    form.add_error(field, message)
        return form, None
    return form, filters


@login_required
@require_GET
def ontime_page(request):
    """The report; or, when it would count more items than a page should, the filter and a
    button that counts it as a background job (issue 17 item 8), whose page shows the same
    report when it is done."""
    form, filters = _filters(request)
    context = {"form": form, "report": None, "view": selectors.view_of(request.user)}
    if filters is None:
        return render(request, "ontime/page.html", context, status=400)
    items = selectors.item_count(request.user, filters)
    if items > job_kinds.background_items():
        context |= {"items": items, "job_filters": job_kinds.params_of(filters)}
        return render(request, "ontime/page.html", context)
    report = selectors.statistics(request.user, filters)
    context |= {
        "report": report,
        "header": presentation.HEADER,
        "cells": list(zip(report.rows, presentation.table_rows(report), strict=True)),
        "export_query": request.GET.urlencode(),
    }
    context |= presentation.chart_context(
        [(row.label, row.figures.percent_on_time) for row in report.rows]
    )
    return render(request, "ontime/page.html", context)


@login_required
@require_GET
def ontime_csv(request):
    _form, filters = _filters(request)
    if filters is None:
        return HttpResponse(
            "Ogiltigt filter.", status=400, content_type="text/plain; charset=utf-8"
        )
    if job_kinds.in_background(request.user, filters):  # the page offers the job
        return redirect(reverse("ontime-page") + "?" + request.GET.urlencode())
    report = selectors.statistics(request.user, filters)
    return csv_views.response(
        job_kinds.file_name(filters),
        presentation.HEADER,
        presentation.table_rows(report),
        columns=presentation.TEXT_COLUMNS,
    )


@login_required
@require_POST
def ontime_job(request):
    """Count a large report as a background job: the filter as the page's form sends it."""
    form = FilterForm(request.POST, user=request.user)
    try:
        filters = form.filters()
    except ValidationFailed as error:
        return HttpResponse(
            " ".join(m for messages in error.errors.values() for m in messages),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return redirect("job", pk=job_kinds.start(request.user, filters).pk)
