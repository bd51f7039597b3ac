"""Reads of prices, performed time, month closes and the payment basis (SPEC R9.2, R9.4).

Who sees what:
- prices: the municipality's LOV administrator (who sets them) and fee officer;
- the payment basis and the closed months: the LOV administrator and the fee officer see every
  provider of their municipality, a provider's unit manager only their own provider's
  (`basis_scope`); anyone else is refused;
- performed time: through the order's scope (`orders.selectors.orders_for`), like every
  other thing that hangs on an order.

The basis itself is read by basis_selectors.py, in a fixed, small number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from verkstall.access.roles import Role
from verkstall.core.errors import NotFound, PermissionDenied
from verkstall.deadlines.threshold_selectors import payment_rules_for
from verkstall.decisions.catalogue import ServiceKind
from verkstall.decisions.models import ServiceType
from verkstall.orders.models import Order
from verkstall.orders.selectors import get_order, orders_for
from verkstall.providers.models import Provider

from .basis_types import (
    Period,
)
from .models import MonthClose, PerformedTime, Price

#: The service kinds whose performed time the provider registers (R9.2, seed 002).
PERFORMED_TIME_KINDS = frozenset(
    {ServiceKind.RESPITE.value, ServiceKind.ESCORT.value, ServiceKind.SPECIAL_CARE.value}
)
BASIS_ROLES = frozenset({Role.LOV_ADMIN, Role.FEE_OFFICER, Role.PROVIDER_MANAGER})
PRICE_ROLES = frozenset({Role.LOV_ADMIN, Role.FEE_OFFICER})


# --- Prices --------------------------------------------------------------------------------


def require_price_reader(user) -> None:
    if user.role_enum not in PRICE_ROLES or user.municipality_id is None:
        raise PermissionDenied(
            "Endast kommunens LOV-administratör och avgiftshandläggare ser priserna."
        )


def prices_for(user) -> QuerySet[Price]:
    """The municipality's prices, by service type and date (R9.4)."""
    require_price_reader(user)
    return (
        Price.objects.filter(municipality_id=user.municipality_id)
        .select_related("service_type", "created_by", "ended_by")
        .order_by("service_type__name", "valid_from", "id")
    )


def get_price(user, pk) -> Price:
    try:
        return prices_for(user).get(pk=pk)
    except (Price.DoesNotExist, ValueError, TypeError):
        raise NotFound("Priset finns inte eller så saknar du behörighet.") from None


def priced_service_types() -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(active=True).order_by("name")


def price_rows(municipality_id: int, service_type_ids=None) -> list[Price]:
    """The municipality's prices (for the overlap check), optionally of some service types."""
    rows = Price.objects.filter(municipality_id=municipality_id)
    if service_type_ids is not None:
        rows = rows.filter(service_type_id__in=list(service_type_ids))
    return list(rows.select_related("service_type").order_by("service_type_id", "valid_from"))


def service_type_lookup() -> dict[str, ServiceType]:
    """Service types by code and by name (casefolded), for the price import."""
    table: dict[str, ServiceType] = {}
    for st in ServiceType.objects.all():
        table[st.code.casefold()] = st
        table.setdefault(st.name.casefold(), st)
    return table


# --- Performed time ------------------------------------------------------------------------


def performed_services(order: Order) -> list:
    """The order's granted services whose performed time is registered (R9.2)."""
    return [s for s in order.services.all() if s.service_type.kind in PERFORMED_TIME_KINDS]


def takes_exceeded_time(order: Order) -> bool:
    """An order that an acute oral order came before (R3.2): its exceeded time is paid."""
    return order.acute_oral_at is not None


def acute_period(order: Order) -> tuple[date, date] | None:
    """The acute period of an order given orally first (R3.2, seed 001 "den aktuella
    perioden"): from the day of the oral order to the end of that month."""
    if order.acute_oral_at is None:
        return None
    day = timezone.localdate(order.acute_oral_at)
    return day, Period.of(day).last


def performed_time_for(user) -> QuerySet[PerformedTime]:
    """Performed time of every order the user may see."""
    return (
        PerformedTime.objects.filter(order__in=orders_for(user).values("pk"))
        .select_related(
            "order__person",
            "order__provider",
            "granted_service__service_type",
            "registered_by",
            "changed_by",
            "on_behalf_of",
        )
        .order_by("-day", "-id")
    )


def performed_time_of(order: Order) -> QuerySet[PerformedTime]:
    return order.performed_time.select_related(
        "granted_service__service_type", "registered_by", "changed_by", "on_behalf_of"
    ).order_by("-day", "-id")


def get_performed_time(user, pk) -> PerformedTime:
    try:
        return performed_time_for(user).get(pk=pk)
    except (PerformedTime.DoesNotExist, ValueError, TypeError):
        raise NotFound("Tidsposten finns inte eller så saknar du behörighet.") from None


def get_time_order(user, pk) -> Order:
    return get_order(user, pk)


def closed_periods(municipality_id: int) -> set[date]:
    return set(
        MonthClose.objects.filter(municipality_id=municipality_id).values_list("period", flat=True)
    )


def registration_day(municipality_id: int) -> int:
    """The day of the next month by which a month's data is registered (R9.1, the profile's
    `month_registration_day`)."""
    return int(payment_rules_for(municipality_id)["month_registration_day"])


def is_closed(municipality_id: int, day: date) -> bool:
    first = day.replace(day=1)
    return MonthClose.objects.filter(municipality_id=municipality_id, period=first).exists()


# --- Who sees the basis --------------------------------------------------------------------


@dataclass(frozen=True)
class BasisScope:
    municipality_id: int
    provider_id: int | None  # a provider's own basis only; None: every provider


def basis_scope(user, provider=None) -> BasisScope:
    """The basis the user may see (R9.4): the municipality's LOV administrator and fee officer
    every provider (or the one asked for, `provider`: an id); a provider's unit manager only
    their own provider, whatever is asked for. Anyone else: PermissionDenied."""
    role = user.role_enum
    if role not in BASIS_ROLES or user.municipality_id is None:
        raise PermissionDenied(
            "Endast kommunens LOV-administratör och avgiftshandläggare samt utförarens "
            "enhetschef ser ersättningsunderlaget."
        )
    if role == Role.PROVIDER_MANAGER:
        if user.provider_id is None:
            raise PermissionDenied("Ditt konto hör inte till någon utförare.")
        if provider not in (None, "", user.provider_id, str(user.provider_id)):
            raise NotFound("Utföraren finns inte eller så saknar du behörighet.")
        return BasisScope(user.municipality_id, user.provider_id)
    if provider in (None, ""):
        return BasisScope(user.municipality_id, None)
    try:
        provider_id = int(provider)
    except (TypeError, ValueError):
        raise NotFound("Utföraren finns inte eller så saknar du behörighet.") from None
    if not Provider.objects.filter(pk=provider_id, municipality_id=user.municipality_id).exists():
        raise NotFound("Utföraren finns inte eller så saknar du behörighet.")
    return BasisScope(user.municipality_id, provider_id)


def providers_for(scope: BasisScope) -> QuerySet[Provider]:
    rows = Provider.objects.filter(municipality_id=scope.municipality_id)
    if scope.provider_id is not None:
        rows = rows.filter(pk=scope.provider_id)
    return rows.order_by("name", "id")


def closes_for(scope: BasisScope) -> QuerySet[MonthClose]:
    return (
        MonthClose.objects.filter(municipality_id=scope.municipality_id)
        .select_related("closed_by")
        .order_by("-period")
    )
