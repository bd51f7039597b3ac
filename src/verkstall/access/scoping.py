"""What each organisation may see: the one place where row-level scoping is defined.

Selectors in every app filter with these; views and the API have no other path to data.
A user whose role has no rule here sees nothing (deny by default).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from .roles import PROVIDER_ROLES, Role

NOTHING = Q(pk__in=[])


def order_scope(user, prefix: str = "") -> Q:
    """Orders the user may see. `prefix` lets other models filter through their order FK."""
    if not user.is_authenticated or user.municipality_id is None:
        return NOTHING
    p = prefix
    base = Q(**{f"{p}municipality_id": user.municipality_id})
    role = user.role_enum
    if role == Role.OFFICER:
        return base & Q(**{f"{p}unit_id": user.unit_id})
    if role == Role.FEE_OFFICER:
        return base
    if role in PROVIDER_ROLES:
        # A provider sees what it holds now or held, never a draft that was not sent to it.
        return base & Q(**{f"{p}provider_id": user.provider_id, f"{p}sent_at__isnull": False})
    return NOTHING


def _through_orders(user, order_field: str) -> Q:
    """Rows of the user's municipality that belong to the officer's unit (or, for the fee
    officer, the whole municipality), or that a provider holds or held an order for."""
    if not user.is_authenticated or user.municipality_id is None:
        return NOTHING
    base = Q(municipality_id=user.municipality_id)
    role = user.role_enum
    if role == Role.OFFICER:
        return base & Q(unit_id=user.unit_id)
    if role == Role.FEE_OFFICER:
        return base
    if role in PROVIDER_ROLES:
        from verkstall.orders.models import Order

        held = Order.objects.filter(order_scope(user), **{order_field: OuterRef("pk")})
        return base & Q(Exists(held))
    return NOTHING


def person_scope(user) -> Q:
    """Clients the user may see."""
    return _through_orders(user, "person_id")


def decision_scope(user) -> Q:
    """Decisions the user may see: the officer's unit; a provider only those it got orders for."""
    return _through_orders(user, "decision_id")
