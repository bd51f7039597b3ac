"""Reads of drafts: always the user's own (issue 17 item 1)."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.core.errors import NotFound

from . import registry
from .models import Draft


def own_drafts(user, *, kind: str, pk: int) -> QuerySet[Draft]:
    """The user's drafts of one screen's object; nobody else's, whoever asks."""
    if not getattr(user, "is_authenticated", False):
        return Draft.objects.none()
    return Draft.objects.filter(user=user, key=registry.key(kind, pk))


def draft_client(user, *, kind: str, pk: int, field: str) -> int | None:
    """The client of the object a draft's key names, read through the screen's own selectors
    (drafts/registry.py): NotFound for an unknown kind or field, and whatever the screen's
    selectors raise for an object outside the user's scope (a 404; nothing is stored)."""
    entry = registry.kind_of(kind)
    if entry is None or field not in entry.fields or not getattr(user, "is_authenticated", False):
        raise NotFound()
    return entry.resolve(user, pk)
