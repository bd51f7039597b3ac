"""Which decisions a user may see (access.scoping's rule, applied to the decision model)."""

from __future__ import annotations

from django.db.models import Q

from verkstall.access.scoping import through_orders

from .models import Decision


def decision_scope(user) -> Q:
    """Decisions the user may see: the officer's unit; a provider only those it got orders
    for."""
    return through_orders(user, Decision.objects.all())
