"""Reads of clients, scoped to what the user may see (verkstall.access.scoping)."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from verkstall.access.scoping import person_scope
from verkstall.core.errors import NotFound

from .models import Person


def persons_for(user) -> QuerySet[Person]:
    return (
        Person.objects.filter(person_scope(user))
        .select_related("area", "unit")
        .order_by("last_name", "first_name", "id")
    )


def search_persons(user, query: str) -> QuerySet[Person]:
    """Search by name or by (part of) personnummer, within the user's scope."""
    qs = persons_for(user)
    query = (query or "").strip()
    if not query:
        return qs
    digits = re.sub(r"\D", "", query)
    if digits and len(digits) >= 4 and not re.search(r"[^\d\s+-]", query):
        if len(digits) == 10:
            return qs.filter(personal_number__endswith=digits)
        return qs.filter(personal_number__contains=digits)
    condition = Q()
    for word in query.split():
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return qs.filter(condition)


def get_person(user, pk) -> Person:
    try:
        return persons_for(user).prefetch_related("relatives").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound("Klienten finns inte eller så saknar du behörighet.") from None


def person_number_registered(municipality_id: int, personal_number: str) -> bool:
    """Set-up code (demo data, imports) asks whether a number is already registered."""
    return Person.objects.filter(
        municipality_id=municipality_id, personal_number=personal_number
    ).exists()
