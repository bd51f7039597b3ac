"""What each organisation may see of safety alarms and meal delivery (SPEC R4.1, R3.6, R2.6).

The aids centre (hjälpmedelscentralen) is no party to the order: it sees an order of its own
municipality only once the alarm provider has ordered the alarm from it (an ALARM_ORDERED
event) or a switch has given it a contact move, and then only what an installer needs (the
client's name, address and phone, the order's instructions; the screens and the API show no
more). Every other role sees the alarm and meal orders of its own order scope
(access.scoping.order_scope). Declared as `Scope.ALARM` in access/declarations.py.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from verkstall.access.roles import Role
from verkstall.access.scoping import NOTHING, order_scope
from verkstall.orders.models import EventKind, Order, OrderEvent

from .models import AlarmContactMove


def alarm_order_scope(user) -> Q:
    """Orders whose alarm the user may see (on Order)."""
    if not getattr(user, "is_authenticated", False) or user.municipality_id is None:
        return NOTHING
    if user.role_enum == Role.AIDS_CENTRE:
        ordered = OrderEvent.objects.filter(order=OuterRef("pk"), kind=EventKind.ALARM_ORDERED)
        moved = AlarmContactMove.objects.filter(order=OuterRef("pk"))
        return Q(municipality_id=user.municipality_id) & (Q(Exists(ordered)) | Q(Exists(moved)))
    return order_scope(user)


def with_service_kind(kind: str) -> Q:
    """Orders holding a granted service of this kind (on Order)."""
    held = Order.services.through.objects.filter(
        order_id=OuterRef("pk"), grantedservice__service_type__kind=kind
    )
    return Q(Exists(held))
