"""The on-time statistics screen and its CSV (SPEC R9.4 "statistics", issue 15 item 7): the
filter, a bar chart drawn on the server as inline SVG (no script, no style attribute: the CSP
allows neither; classes in static/verkstall/site.css), and the data table beside it, which
the CSV repeats cell for cell (a name that a spreadsheet would run as a formula gets an
apostrophe in front in the CSV only, core/csv_export.py). Who sees what: selectors.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from verkstall.core import csv_views
from verkstall.core.errors import ValidationFailed

from . import figures, selectors
from .forms import FilterForm

HEADER = (
    "Utförare",
    "Frist",
    "Månad",
    "Antal",
    "Klara i tid",
    "Klara för sent",
    "Öppna efter fristen",
    "Ej förfallna",
    "Andel i tid, %",
    "Försening median, dagar",
    "Försening 90:e percentil, dagar",
    "Ledtid median, dagar",
)
#: The columns of names (provider, rule), guarded against formulas in the CSV; the others are
#: a month and numbers.
TEXT_COLUMNS = frozenset({0, 1})


def _number(value) -> str:
    return "" if value is None else str(value)


def table_rows(report: selectors.Report) -> list[list[str]]:
    """The data table's cells, as the page shows them and the CSV writes them."""
    out = []
    for row in report.rows:
        f = row.figures
        out.append(
            [
                row.provider,
                row.rule,
                f"{row.month:%Y-%m}",
                str(f.volume),
                str(f.on_time),
                str(f.late),
                str(f.overdue),
                str(f.pending),
                _number(f.percent_on_time),
                _number(f.late_median),
                _number(f.late_p90),
                _number(f.lead_median),
            ]
        )
    return out


def _report(request):
    form = FilterForm(request.GET or None, user=request.user)
    try:
        filters = form.filters() if request.GET else selectors.Filters.default()
    except ValidationFailed as error:
        for field, messages in error.errors.items():
            if field in form.fields and field not in form.errors:
                for message in messages:
                    form.add_error(field, message)
        return form, None
    return form, selectors.statistics(request.user, filters)


@login_required
@require_GET
def ontime_page(request):
    form, report = _report(request)
    context = {"form": form, "report": report}
    if report is not None:
        bars, height = figures.chart_bars(
            [(row.label, row.figures.percent_on_time) for row in report.rows]
        )
        context |= {
            "header": HEADER,
            "cells": list(zip(report.rows, table_rows(report), strict=True)),
            "bars": bars,
            "chart_width": figures.CHART_WIDTH,
            "chart_height": height,
            "bar_left": figures.LABEL_WIDTH,
            "export_query": request.GET.urlencode(),
        }
    return render(request, "ontime/page.html", context, status=200 if report else 400)


@login_required
@require_GET
def ontime_csv(request):
    _form, report = _report(request)
    if report is None:
        return HttpResponse(
            "Ogiltigt filter.", status=400, content_type="text/plain; charset=utf-8"
        )
    name = f"frister-i-tid-{report.filters.first:%Y-%m}-{report.filters.last:%Y-%m}.csv"
    return csv_views.response(name, HEADER, table_rows(report), columns=TEXT_COLUMNS)
