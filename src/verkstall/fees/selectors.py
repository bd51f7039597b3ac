"""Reading fee notices (SPEC R9.3). Scoped through the order (access.scoping.order_scope): the fee
officer sees every notice of its own municipality, an officer those of its unit's orders, a
provider those of the orders it holds or held; nobody another municipality's."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.scoping import order_scope
from verkstall.core.errors import NotFound

from .models import FeeNotice

RELATED = ("order__provider", "person", "reported_by", "on_behalf_of", "handled_by")


def notices_for(user) -> QuerySet[FeeNotice]:
    """Every notice the user may see, newest change first."""
    return (
        FeeNotice.objects.filter(order_scope(user, prefix="order__"))
        .select_related(*RELATED)
        .order_by("-changed_at", "-id")
    )


def inbox(user, *, handled: bool = False) -> QuerySet[FeeNotice]:
    """The fee officer's inbox: the notices not yet handled (or, `handled`, those handled),
    newest first."""
    return notices_for(user).filter(handled_at__isnull=not handled)


def get_notice(user, pk) -> FeeNotice:
    try:
        return notices_for(user).get(pk=pk)
    except (FeeNotice.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("Avgiftsmeddelandet finns inte eller så saknar du behörighet.") from None


def notices_of_order(user, order) -> QuerySet[FeeNotice]:
    """An order's notices, for its fee page (`order` fetched through orders.selectors)."""
    return notices_for(user).filter(order_id=order.pk)
