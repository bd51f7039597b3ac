"""Which clients a user may see (access.scoping's rule, applied to the client model)."""

from __future__ import annotations

from django.db.models import Q

from verkstall.access.scoping import through_orders

from .models import Person


def person_scope(user) -> Q:
    """Clients the user may see: the officer's unit; a provider only those it holds or held
    an order for."""
    return through_orders(user, Person.objects.all())
