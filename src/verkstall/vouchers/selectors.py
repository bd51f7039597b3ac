"""Reading vouchers and report-form reports (SPEC R4.2). Every read goes through the order's
scope (`orders.selectors.get_order`): another unit's or provider's order is a 404 here too."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.core.errors import NotFound
from verkstall.decisions.catalogue import ServiceKind
from verkstall.orders.models import Order
from verkstall.orders.selectors import get_order, orders_for

from .models import Voucher, VoucherReport

#: The services routine 004 hands out on voucher and reports on the report form.
VOUCHER_SERVICE_KINDS = frozenset({ServiceKind.CLEANING.value, ServiceKind.SERVICE.value})


def voucher_services(order: Order) -> list:
    """The order's granted services of cleaning or service, in the order they were granted."""
    return [s for s in order.services.all() if s.service_type.kind in VOUCHER_SERVICE_KINDS]


def is_voucher_order(order: Order) -> bool:
    return bool(voucher_services(order))


def get_voucher_order(user, pk) -> Order:
    """An order of cleaning or service the user may see; anything else a 404."""
    order = get_order(user, pk)
    if not is_voucher_order(order):
        raise NotFound("Beställningen gäller inte städ eller service.")
    return order


def vouchers_of(order: Order) -> QuerySet[Voucher]:
    return order.vouchers.select_related("issued_by").order_by("-issued_at", "-id")


def reports_of(order: Order) -> QuerySet[VoucherReport]:
    return order.voucher_reports.select_related("reported_by", "on_behalf_of").order_by(
        "-registered_at", "-id"
    )


def get_voucher(user, pk) -> Voucher:
    """A voucher of an order the user may see."""
    try:
        return (
            Voucher.objects.select_related("order", "issued_by")
            .filter(order__in=orders_for(user).values("pk"))
            .get(pk=pk)
        )
    except (Voucher.DoesNotExist, ValueError, TypeError):
        raise NotFound("Värdeintyget finns inte eller så saknar du behörighet.") from None


def vouchers_for(user) -> QuerySet[Voucher]:
    """The vouchers of every order the user may see (the API's list, R4.2)."""
    return (
        Voucher.objects.filter(order__in=orders_for(user).values("pk"))
        .select_related("order__person", "issued_by")
        .order_by("-issued_at", "-id")
    )


def reports_for(user) -> QuerySet[VoucherReport]:
    """The report-form reports of every order the user may see (R4.2)."""
    return (
        VoucherReport.objects.filter(order__in=orders_for(user).values("pk"))
        .select_related("order__person", "reported_by", "on_behalf_of")
        .order_by("-registered_at", "-id")
    )


def get_report(user, pk) -> VoucherReport:
    """A report of an order the user may see."""
    try:
        return reports_for(user).get(pk=pk)
    except (VoucherReport.DoesNotExist, ValueError, TypeError):
        raise NotFound("Redovisningen finns inte eller så saknar du behörighet.") from None
