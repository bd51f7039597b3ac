"""The on-time statistics as a background job (issue 17 item 8, SPEC R9.4 "statistics").

A report over many due items (the LOV administrator's 24 months of a municipality of 30 000
clients counts some 300 000) takes longer than a page should: when the report would count more
items than VERKSTALL_BACKGROUND_ONTIME_ITEMS (`background_items`, one COUNT decides), the page
shows its filter and a button that starts this job (a POST, views.ontime_job). It counts month
by month, telling how many months are done, and keeps the report's table and chart for its
page and the CSV as its file. The user's view (selectors.view_of) and the filter's choices are
checked again when it runs, and whenever the job is read its view must still be the user's
(a provider's user moved to another provider no longer reads the old one's figures).

Registered from OntimeConfig.ready() (the jobs app never imports this one).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from verkstall.core import csv_export
from verkstall.core.errors import ValidationFailed
from verkstall.jobs import queue_services, registry
from verkstall.jobs.registry import JobKind, Outcome, Step

from . import presentation, selectors
from .forms import FilterForm

KIND = "ontime_statistics"
#: Reports of more due items than this run as a job (bench/RESULTS.md "issue 17 item 8").
DEFAULT_BACKGROUND_ITEMS = 100_000


def background_items() -> int:
    return int(getattr(settings, "VERKSTALL_BACKGROUND_ONTIME_ITEMS", DEFAULT_BACKGROUND_ITEMS))


def in_background(user, filters: selectors.Filters) -> bool:
    return selectors.item_count(user, filters) > background_items()


def viewer(user) -> str:
    """Whose figures the user sees: the view and its provider or unit."""
    view = selectors.view_of(user)
    if view == selectors.PROVIDER_VIEW:
        return f"{view}:{user.provider_id}"
    if view == selectors.UNIT_VIEW:
        return f"{view}:{user.unit_id}"
    return str(view)


def params_of(filters: selectors.Filters) -> dict:
    """The filters as the form asks for them (and as a job keeps them)."""
    return {
        "first": f"{filters.first:%Y-%m}",
        "last": f"{filters.last:%Y-%m}",
        "rule": filters.rule_code,
        "provider": "" if filters.provider_id is None else str(filters.provider_id),
    }


def start(user, filters: selectors.Filters):
    params = {**params_of(filters), "viewer": viewer(user)}
    return queue_services.start_job(user, kind=KIND, params=params)


def may_read(user, job) -> bool:
    return job.params.get("viewer") == viewer(user)


def file_name(filters) -> str:
    return f"frister-i-tid-{filters.first:%Y-%m}-{filters.last:%Y-%m}.csv"


def count(user, params: dict, progress) -> Outcome:
    form = FilterForm({k: v for k, v in params.items() if v and k != "viewer"}, user=user)
    try:
        filters = form.filters()
    except ValidationFailed as exc:  # a rule or provider no longer the user's to choose
        raise ValidationFailed({"filter": exc.message}) from None
    report = selectors.statistics(user, filters, progress=progress)
    cells = presentation.table_rows(report)
    rows = [
        [row.is_average, row.label, row.figures.percent_on_time, row_cells]
        for row, row_cells in zip(report.rows, cells, strict=True)
    ]
    return Outcome(
        result={
            "view": report.view,
            "first": params["first"],
            "last": params["last"],
            "chosen": _chosen(form, filters),
            "rows": rows,
        },
        file=csv_export.to_bytes(presentation.HEADER, cells, columns=presentation.TEXT_COLUMNS),
        filename=file_name(filters),
        content_type=csv_export.CONTENT_TYPE,
    )


def _chosen(form, filters: selectors.Filters) -> str:
    """The rule and provider the report was narrowed to, by name (empty: all)."""
    parts = []
    if filters.rule_code:
        parts.append(
            f"{form.fields['rule'].label}: {dict(form.fields['rule'].choices)[filters.rule_code]}"
        )
    if filters.provider_id is not None and "provider" in form.fields:
        name = dict(form.fields["provider"].choices)[str(filters.provider_id)]
        parts.append(f"{form.fields['provider'].label}: {name}")
    return ", ".join(parts)


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def result_context(job) -> dict:
    """The kept report as the page's own partials show it (templates/ontime/_job_result.html)."""
    stored = job.result
    rows = [SimpleNamespace(is_average=a, label=label) for a, label, _p, _c in stored["rows"]]
    report = SimpleNamespace(
        view=stored["view"],
        rows=rows,
        filters=SimpleNamespace(first=_month(stored["first"]), last=_month(stored["last"])),
    )
    return {
        "report": report,
        "chosen": stored.get("chosen", ""),
        "header": presentation.HEADER,
        "cells": [(row, r[3]) for row, r in zip(rows, stored["rows"], strict=True)],
        **presentation.chart_context([(label, p) for _a, label, p, _c in stored["rows"]]),
    }


def _back(job) -> str:
    query = {k: v for k, v in job.params.items() if v and k != "viewer"}
    return reverse("ontime-page") + ("?" + urlencode(query) if query else "")


def register() -> None:
    registry.register(
        JobKind(
            name=KIND,
            title=_("Frister i tid per utförare"),
            run=count,
            may_start=lambda user: selectors.view_of(user) is not None,
            back=_back,
            steps={
                "counting": Step(
                    _("Bevakningarna räknas."), _("%(done)s av %(total)s månader räknade")
                )
            },
            result_template="ontime/_job_result.html",
            result_context=result_context,
            may_read=may_read,
        )
    )
