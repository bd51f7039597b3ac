"""The payment basis' long work as background jobs (issue 17 item 8, SPEC R9.4, R9.1).

A month of a large municipality has some 50 000 lines (30 000 clients): writing them as an XLSX
file for the finance system, or storing them as paid when the LOV administrator closes the
month, takes longer than a page should. A month of more lines than
VERKSTALL_BACKGROUND_BASIS_LINES (`background_lines`) is therefore done by a task while the
jobs app's page shows how far it has come; a smaller one in the request, as before. Both paths
run the same code (basis_selectors, exports, services.close_month).

- `payment_basis_file`: the basis of a month (and provider) as a CSV or XLSX file, made as the
  user who asked, within what that user may see (selectors.basis_scope); the clients in it
  are written to the access log as exported when the file is downloaded (jobs/views.py).
- `month_close`: the LOV administrator's close of a month (services.close_month), as the
  administrator; its lines are stored in one transaction.

Registered from PaymentsConfig.ready() (the jobs app never imports this one).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from verkstall.access.roles import Role
from verkstall.core import csv_export
from verkstall.core.errors import DomainError
from verkstall.jobs import queue_services, registry
from verkstall.jobs.registry import JobKind, Outcome, Step

from . import basis_selectors, exports, selectors, services
from .basis_types import Period

FILE_KIND, CLOSE_KIND = "payment_basis_file", "month_close"
CONTENT_TYPES = {
    "csv": csv_export.CONTENT_TYPE,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Months of more lines than this are exported and closed by a task (measured at 30 000
#: clients: bench/RESULTS.md "issue 17 item 8").
DEFAULT_BACKGROUND_LINES = 5_000


def background_lines() -> int:
    return int(getattr(settings, "VERKSTALL_BACKGROUND_BASIS_LINES", DEFAULT_BACKGROUND_LINES))


def in_background(basis) -> bool:
    """Whether a month's basis is large enough to be written or closed by a task."""
    return len(basis.lines) > background_lines()


def _basis_query(params: dict) -> str:
    query = f"?period={params.get('period', '')}"
    return query + (f"&provider={params['provider']}" if params.get("provider") else "")


def _back(job) -> str:
    return reverse("payment-basis") + _basis_query(job.params)


# --- the basis as a file -------------------------------------------------------------------


def start_file(user, *, period: Period, scope: selectors.BasisScope, fmt: str):
    """Queue the file of a month's basis for the user, of the scope the screen checked
    (`selectors.basis_scope`: the municipality, or one provider); checked again when it runs
    and whenever the job or its file is read (`may_read_file`)."""
    params = {"period": period.label, "provider": scope.provider_id, "format": fmt}
    return queue_services.start_job(user, kind=FILE_KIND, params=params)


def may_read_file(user, job) -> bool:
    """The starter still sees what the file holds: the same scope asked for again gives the
    same provider (a unit manager moved to another provider, or an administrator who became
    a unit manager, no longer reads the file made before)."""
    provider = job.params.get("provider")
    try:
        return selectors.basis_scope(user, provider).provider_id == provider
    except DomainError:
        return False


def write_file(user, params: dict, progress) -> Outcome:
    period = Period.parse(params["period"])
    fmt = params["format"] if params.get("format") in CONTENT_TYPES else "xlsx"
    progress("computing")
    scope = selectors.basis_scope(user, params.get("provider"))
    basis = basis_selectors.compute_basis(scope, period)
    progress("naming")
    rows = basis.rows
    write = exports.csv_bytes if fmt == "csv" else exports.xlsx_bytes
    content = write(period, rows, lambda done, total: progress("writing", done, total))
    return Outcome(
        result={"period": period.label, "lines": len(rows), "total": str(basis.total)},
        file=content,
        filename=exports.filename(period, fmt, scope.provider_id),
        content_type=CONTENT_TYPES[fmt],
        person_ids=basis.person_ids(),
    )


def _file_result(job) -> dict:
    return {"basis_result": job.result}


# --- the month close -----------------------------------------------------------------------


def start_close(user, *, period: Period, reason: str):
    return queue_services.start_job(
        user, kind=CLOSE_KIND, params={"period": period.label, "reason": reason}
    )


def close(user, params: dict, progress) -> Outcome:
    month_close = services.close_month(
        user, period=params["period"], reason=params.get("reason", ""), progress=progress
    )
    return Outcome(
        result={
            "period": month_close.label,
            "lines": month_close.line_count,
            "total": str(month_close.total),
        }
    )


def _close_result(job) -> dict:
    return {"close_result": job.result}


def register() -> None:
    registry.register(
        JobKind(
            name=FILE_KIND,
            title=_("Ersättningsunderlag som fil"),
            run=write_file,
            may_start=lambda user: user.role_enum in selectors.BASIS_ROLES,
            back=_back,
            steps={
                "computing": Step(_("Underlaget räknas fram.")),
                "naming": Step(_("Utförarnas och klienternas namn hämtas.")),
                "writing": Step(_("Filen skrivs."), _("%(done)s av %(total)s rader skrivna")),
            },
            result_template="payments/_basis_file_job.html",
            result_context=_file_result,
            may_read=may_read_file,
        )
    )
    registry.register(
        JobKind(
            name=CLOSE_KIND,
            title=_("Stängning av månad"),
            run=close,
            may_start=lambda user: user.role_enum == Role.LOV_ADMIN,
            back=_back,
            steps={
                "computing": Step(_("Månadens underlag räknas fram.")),
                "naming": Step(_("Utförarnas och klienternas namn hämtas.")),
                "saving": Step(
                    _("Raderna sparas som betalda."),
                    _("%(done)s av %(total)s rader sparade som betalda"),
                ),
            },
            result_template="payments/_month_close_job.html",
            result_context=_close_result,
        )
    )
