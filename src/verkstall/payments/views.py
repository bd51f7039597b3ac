"""Screens of the payments app (SPEC R9.2, R9.4, R9.1):

- the municipality's prices: list, add, end (the LOV administrator; the fee officer reads);
- an order's time: performed time of respite, escort and special care and the exceeded time of
  an acute oral order, registered, changed and removed until the month is closed (the
  provider, or the municipality on behalf of one not connected);
- the payment basis of a month: per provider and service type, the lines, the closes, the CSV
  and XLSX export for the finance system (every export is logged in the access log with each
  client in it), and the LOV administrator's month close.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from verkstall.access.policies import provider_side, registers_on_behalf
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import DomainError, PermissionDenied
from verkstall.core.views import reply_form, run_form
from verkstall.jobs.models import Job

from . import basis_selectors, exports, job_kinds, selectors, services
from .basis_types import PerformedKind, Period, registration_deadline
from .forms import CloseForm, EndPriceForm, PriceForm, TimeChangeForm, TimeForm

LINES_ON_SCREEN = 500


# --- Prices --------------------------------------------------------------------------------


def _price_page(request, *, form=None, status=200):
    user = request.user
    prices = selectors.prices_for(user)
    may_edit = user.role_enum == Role.LOV_ADMIN
    if form is None and may_edit:
        form = PriceForm(service_types=selectors.priced_service_types())
    return render(
        request,
        "payments/prices.html",
        {
            "prices": prices,
            "form": form,
            "may_edit": may_edit,
            "end_form": EndPriceForm() if may_edit else None,
        },
        status=status,
    )


@login_required
@require_GET
def price_list(request):
    return _price_page(request)


@login_required
@require_POST
def price_add(request):
    selectors.require_price_reader(request.user)
    form = PriceForm(request.POST, service_types=selectors.priced_service_types())
    result = run_form(
        request,
        form,
        lambda data: services.add_price(request.user, **data),
        success_message="Priset är registrerat.",
        redirect_to="payment-prices",
        forbidden_page=True,
    )
    return result or _price_page(request, form=form, status=400)


@login_required
@require_POST
def price_end(request, pk):
    price = selectors.get_price(request.user, pk)
    form = EndPriceForm(request.POST)
    result = run_form(
        request,
        form,
        lambda data: services.end_price(request.user, price, valid_to=data["valid_to"]),
        success_message="Priset är avslutat.",
        redirect_to="payment-prices",
        error_message=True,
        forbidden_page=True,
    )
    return result or redirect("payment-prices")


# --- An order's time -----------------------------------------------------------------------


def _kinds(order) -> list[str]:
    kinds = []
    if selectors.performed_services(order):
        kinds.append(PerformedKind.PERFORMED.value)
    if selectors.takes_exceeded_time(order):
        kinds.append(PerformedKind.EXCEEDED.value)
    return kinds


def _time_services(order, kinds) -> list:
    if PerformedKind.EXCEEDED.value in kinds:
        return list(order.services.all())
    return selectors.performed_services(order)


def _time_page(request, order, *, form=None, status=200):
    user = request.user
    kinds = _kinds(order)
    may_register = provider_side(user, order.provider)[0] and bool(kinds)
    on_behalf = registers_on_behalf(user, order.provider)
    if form is None and may_register:
        form = TimeForm(services=_time_services(order, kinds), kinds=kinds)
        if not on_behalf:
            form.fields.pop("channel")
    return render(
        request,
        "payments/order_time.html",
        {
            "order": order,
            "entries": selectors.performed_time_of(order),
            "kinds": kinds,
            "acute_period": selectors.acute_period(order),
            "form": form if may_register else None,
            "may_change": provider_side(user, order.provider)[0],
            "on_behalf": on_behalf,
            "closed": {f"{d:%Y-%m}" for d in selectors.closed_periods(order.municipality_id)},
        },
        status=status,
    )


@login_required
@require_GET
def order_time(request, pk):
    order = selectors.get_time_order(request.user, pk)
    return _time_page(request, order)


@login_required
@require_POST
def time_add(request, pk):
    user = request.user
    order = selectors.get_time_order(user, pk)
    kinds = _kinds(order)
    form = TimeForm(request.POST, services=_time_services(order, kinds), kinds=kinds)
    if not registers_on_behalf(user, order.provider):
        form.fields.pop("channel")
    result = run_form(
        request,
        form,
        lambda data: services.register_performed_time(user, order=order, **data),
        success_message="Tiden är registrerad.",
        redirect_to=lambda _: redirect("payment-order-time", pk=order.pk),
        forbidden_page=True,
    )
    return result or _time_page(request, order, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def time_change(request, pk):
    user = request.user
    entry = selectors.get_performed_time(user, pk)
    on_behalf = registers_on_behalf(user, entry.order.provider)
    if request.method == "POST":
        form = reply_form(TimeChangeForm, on_behalf, request.POST)
        result = run_form(
            request,
            form,
            lambda data: services.change_performed_time(user, entry, **data),
            success_message="Tiden är ändrad.",
            redirect_to=lambda _: redirect("payment-order-time", pk=entry.order_id),
            forbidden_page=True,
        )
        if result:
            return result
        status = 400
    else:
        form = reply_form(TimeChangeForm, on_behalf)
        form.initial = {"day": entry.day, "hours": entry.hours, "note": entry.note}
        status = 200
    return render(
        request,
        "payments/time_change.html",
        {"entry": entry, "order": entry.order, "form": form, "on_behalf": on_behalf},
        status=status,
    )


@login_required
@require_POST
def time_remove(request, pk):
    entry = selectors.get_performed_time(request.user, pk)
    try:
        services.remove_performed_time(request.user, entry)
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "Tiden är borttagen.")
    return redirect("payment-order-time", pk=entry.order_id)


# --- The basis -----------------------------------------------------------------------------


BAD_PERIOD = "Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-03."
BAD_FORMAT = "Välj filformat: csv eller xlsx."


def _period(request) -> Period | None:
    """The month asked for (`?period=ÅÅÅÅ-MM`; last month when none is); None: not a month."""
    return Period.asked(request.GET.get("period"), clock.today())


def _query(period: Period, provider_id) -> str:
    return f"?period={period.label}" + (f"&provider={provider_id}" if provider_id else "")


@login_required
@require_GET
def basis_page(request):
    user = request.user
    period = _period(request)
    if period is None:
        return HttpResponseBadRequest(BAD_PERIOD)
    scope = selectors.basis_scope(user, request.GET.get("provider"))
    basis = basis_selectors.compute_basis(scope, period)
    shown = basis.rows_of(basis.lines[:LINES_ON_SCREEN])
    basis_selectors.report_read({row.line.person_id for row in shown})
    registration_day = selectors.registration_day(scope.municipality_id)
    deadline = registration_deadline(period, registration_day)
    is_admin = user.role_enum == Role.LOV_ADMIN
    closes = list(selectors.closes_for(scope))
    query = _query(period, scope.provider_id if user.role_enum != Role.PROVIDER_MANAGER else None)
    return render(
        request,
        "payments/basis.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "basis": basis,
            "rows": shown,
            "more": len(basis.lines) - len(shown),
            "summary": basis_selectors.summary(basis),
            "providers": selectors.providers_for(scope)
            if user.role_enum != Role.PROVIDER_MANAGER
            else None,
            "provider_id": scope.provider_id,
            "closes": closes,
            "deadline": deadline,
            "early": clock.today() <= deadline,
            "close_form": CloseForm(
                initial={"period": period.label}, registration_day=registration_day
            )
            if is_admin and basis.close is None and clock.today() > period.last
            else None,
            "export_csv": reverse("payment-basis-export", args=["csv"]) + query,
            "export_xlsx": reverse("payment-basis-export", args=["xlsx"]) + query,
            "export_in_background": job_kinds.in_background(basis),
        },
    )


@login_required
@require_GET
def basis_export(request, fmt):
    """The basis as CSV or XLSX for the finance system (R9.4); the same bytes from the same
    data. Every client in it is written to the access log as exported (R10.4). A month of
    more lines than `job_kinds.background_lines()` is written by a background job, started
    from the basis page's button (a POST, `basis_export_job`): here the user is sent there."""
    if fmt not in job_kinds.CONTENT_TYPES:
        raise Http404
    period = _period(request)
    if period is None:
        return HttpResponseBadRequest(BAD_PERIOD)
    scope = selectors.basis_scope(request.user, request.GET.get("provider"))
    basis = basis_selectors.compute_basis(scope, period)
    if job_kinds.in_background(basis):
        flash.info(request, LARGE_EXPORT % {"lines": len(basis.lines)})
        return redirect(reverse("payment-basis") + _query(period, scope.provider_id))
    basis_selectors.report_read(basis.person_ids())
    name = exports.filename(period, fmt, basis.scope.provider_id)
    write = exports.csv_bytes if fmt == "csv" else exports.xlsx_bytes
    response = HttpResponse(write(period, basis.rows), content_type=job_kinds.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


LARGE_EXPORT = _l(
    "Underlaget har %(lines)s rader: filen skapas i bakgrunden. Välj format med knapparna "
    "under Exportera."
)


@login_required
@require_POST
def basis_export_job(request):
    """Start the background job that writes a large month's basis as a file (issue 17 item
    8); its page shows how far it has come and offers the file."""
    period = Period.asked(request.POST.get("period"), clock.today())
    fmt = request.POST.get("format")
    if period is None or fmt not in job_kinds.CONTENT_TYPES:
        return HttpResponseBadRequest(BAD_PERIOD if period is None else BAD_FORMAT)
    scope = selectors.basis_scope(request.user, request.POST.get("provider"))
    job = job_kinds.start_file(request.user, period=period, scope=scope, fmt=fmt)
    return redirect("job", pk=job.pk)


def _close(user, data):
    """Close the month in the request, or queue its close as a job when it is large."""
    period = services.check_close(user, period=data["period"], reason=data["reason"])
    basis = basis_selectors.compute_basis(selectors.BasisScope(user.municipality_id, None), period)
    if job_kinds.in_background(basis):
        return job_kinds.start_close(user, period=period, reason=data["reason"])
    return services.close_month(user, period=period, reason=data["reason"])


def _closed_message(result):
    if isinstance(result, Job):
        return _("Månaden stängs i bakgrunden; sidan visar hur långt det har kommit.")
    return (
        f"Månaden {result.label} är stängd: {result.line_count} rader, "
        f"{result.total} kr. Senare rättelser blir justeringar i nästa månad."
    )


def _after_close(result):
    if isinstance(result, Job):
        return redirect("job", pk=result.pk)
    return redirect(reverse("payment-basis") + f"?period={result.label}")


@login_required
@require_POST
def month_close(request):
    """The LOV administrator closes a month for payment (R9.1, R9.4)."""
    form = CloseForm(request.POST)
    try:
        back = reverse("payment-basis") + f"?period={Period.parse(request.POST.get('period'))}"
    except ValueError:
        back = reverse("payment-basis")
    result = run_form(
        request,
        form,
        lambda data: _close(request.user, data),
        success_message=_closed_message,
        redirect_to=_after_close,
        error_message=True,
        forbidden_page=True,
    )
    return result or redirect(back)
