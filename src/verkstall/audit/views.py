"""The log reviewer's screens (R10.4): who looked at client X; who looked outside their own
unit or provider; the same as CSV. The reviewer's own reads are left out unless asked for,
and a look at the page is one row of the log, not one per client on it (issue 17 item 6)."""

from __future__ import annotations

from urllib.parse import urlencode

from axes.helpers import get_client_ip_address
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from verkstall.access.roles import ROLE_LABELS, Role
from verkstall.core import csv_views
from verkstall.core.errors import PermissionDenied
from verkstall.core.paging import paginate

from . import selectors, services
from .forms import ClientSearchForm, LogFilterForm


def _require_reviewer(user) -> None:
    if not selectors.may_review(user):
        raise PermissionDenied(_("Endast loggranskaren kan läsa åtkomstloggen."))


def _person_id(request) -> int | None:
    value = request.GET.get("person", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _filter_from(request, form: LogFilterForm) -> selectors.LogFilter:
    if not form.is_valid():
        return selectors.LogFilter(person_id=_person_id(request))
    d = form.cleaned_data
    return selectors.LogFilter(
        person_id=_person_id(request),
        username=(d.get("username") or "").strip(),
        outside_only=bool(d.get("outside")),
        date_from=d.get("date_from"),
        date_to=d.get("date_to"),
        include_own=bool(d.get("own")),
    )


def _role_label(role: str) -> str:
    if role == "system":
        return _("Systemet")
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return role or "–"


def log_review(request):
    user = request.user
    _require_reviewer(user)
    search = ClientSearchForm(request.POST or None)
    if request.method == "POST" and search.is_valid():
        person = selectors.find_client(user, search.cleaned_data["personal_number"])
        if person is None:
            search.add_error("personal_number", _("Ingen klient med det numret finns i kommunen."))
        else:
            return redirect(f"{reverse('log-review')}?{urlencode({'person': person.pk})}")
    form = LogFilterForm(request.GET or None)
    f = _filter_from(request, form)
    # One page of the log, with its total and the reviewer's sort (issue 17 item 5).
    page = paginate(selectors.entries(user, f), request.GET, sorting=selectors.LOG_SORTING)
    rows = page.rows
    labels = selectors.page_labels(user, [r.person_id for r in rows] + [f.person_id or 0])
    services.record_log_review(
        user=user,
        method=request.method,
        path=request.path,
        remote_addr=get_client_ip_address(request),
        log_filter=f,
        rows=rows,
        labels=labels,
    )
    return render(
        request,
        "audit/log_review.html",
        {
            "form": form,
            "search": search,
            "rows": [(r, labels.get(r.person_id), _role_label(r.role)) for r in rows],
            "paging": page,
            "client": labels.get(f.person_id) if f.person_id else None,
            "person_id": f.person_id,
            "outside": [
                {**r, "role_label": _role_label(r["role"])}
                for r in selectors.outside_readers(user, f)
            ],
            # The summary's own window when the filter gives no dates (selectors.OUTSIDE_DAYS).
            "outside_since": (
                None if f.date_from or f.date_to else selectors.outside_window(f).date_from
            ),
            "query": request.GET.urlencode(),
        },
    )


def log_export(request):
    user = request.user
    _require_reviewer(user)
    f = _filter_from(request, LogFilterForm(request.GET or None))
    return csv_views.response(
        "atkomstlogg.csv",
        [
            "Tidpunkt",
            "Användare",
            "Roll",
            "Klient-id",
            "Klient",
            "Åtgärd",
            "Utanför egen enhet/utförare",
            "Metod",
            "Sida",
            "Svar",
            "Från adress",
            "Anteckning",
        ],
        _export_rows(user, selectors.entries(user, f)),
    )


def _export_rows(user, qs):
    """The log's rows as cells, the client labels read a batch at a time."""
    batch: list = []
    for row in qs.iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) >= 2000:
            yield from _cells(user, batch)
            batch = []
    yield from _cells(user, batch)


def _cells(user, batch: list):
    labels = selectors.client_labels(user, [r.person_id for r in batch])
    for r in batch:
        yield (
            timezone.localtime(r.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
            r.username,
            _role_label(r.role),
            "" if r.person_id is None else str(r.person_id),
            _("(ingen klient)") if r.person_id is None else labels.get(r.person_id, _("(gallrad)")),
            r.action_label,
            _("ja") if r.outside_own else _("nej"),
            r.method,
            r.path,
            str(r.status_code or ""),
            r.remote_addr or "",
            r.detail,
        )
