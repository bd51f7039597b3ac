"""The national individual statistics screen (SPEC R9.6): the month's counts per service kind,
the errors per person (internal id and initials, never the personnummer), and the two files
(bilaga 1 and 2), refused while there are errors. Every export is written to the access log
(declared as an export in access/declarations.py; the clients in it through core.hooks)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse

from verkstall.core import clock
from verkstall.payments.basis_types import Period

from . import record_format as fmt
from . import selectors

BAD_PERIOD = "Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-03."
BLOCKED = (
    "Filen kan inte exporteras: %(n)s personer har fel som måste rättas först. Se listan nedan."
)


def _period(request) -> Period | None:
    """The month asked for (`?period=ÅÅÅÅ-MM`; last month when none is); None: not a month."""
    return Period.asked(request.GET.get("period"), clock.today())


def _page(request, month, *, status=200, refused=""):
    export = reverse("national-statistics-export") + f"?period={month.period}&file="
    return render(
        request,
        "national_statistics/month.html",
        {
            "month": month,
            "period": month.period,
            "previous": month.period.previous(),
            "next": month.period.next(),
            "counts": month.counts(),
            "problems": month.problems,
            "not_filled": fmt.NOT_FILLED,
            "refused": refused,
            "files": [
                (kind.value, fmt.FILE_LABELS[kind], f"{export}{kind}") for kind in fmt.FileKind
            ],
        },
        status=status,
    )


@login_required
def statistics_page(request):
    period = _period(request)
    if period is None:
        return HttpResponseBadRequest(BAD_PERIOD)
    return _page(request, selectors.statistics_for(request.user, period))


@login_required
def statistics_export(request):
    """One of the month's two files, as the format has it (digits and semicolons, CRLF);
    refused (409) while any record has an error. `?file=1` or `2`: bilaga 1 or 2."""
    try:
        kind = fmt.FileKind(request.GET.get("file", ""))
    except ValueError:
        raise Http404 from None
    period = _period(request)
    if period is None:
        return HttpResponseBadRequest(BAD_PERIOD)
    month = selectors.statistics_for(request.user, period)
    if month.blocked:
        return _page(request, month, status=409, refused=BLOCKED % {"n": len(month.problems)})
    body = fmt.file_bytes(month.records, kind)
    response = HttpResponse(body, content_type="text/plain; charset=us-ascii")
    name = fmt.filename(month.municipality_code, period.year, period.month, kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
