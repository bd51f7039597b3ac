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


def through_orders(user, rows) -> Q:
    """Rows of the user's municipality that belong to the officer's unit (or, for the fee
    officer, the whole municipality), or that a provider holds or held an order for.

    `rows` is a queryset of the model being scoped (a client, a decision), whose reverse
    relation `orders` leads to its orders: orders sit above access, so they are reached by
    that relation, never imported. people/scoping.py and decisions/scoping.py use this."""
    if not user.is_authenticated or user.municipality_id is None:
        return NOTHING
    base = Q(municipality_id=user.municipality_id)
    role = user.role_enum
    if role == Role.OFFICER:
        return base & Q(unit_id=user.unit_id)
    if role == Role.FEE_OFFICER:
        return base
    if role in PROVIDER_ROLES:
        # One filter() call: every condition is on the same order of the row.
        held = rows.filter(Q(pk=OuterRef("pk")) & order_scope(user, prefix="orders__"))
        return base & Q(Exists(held))
    return NOTHING
