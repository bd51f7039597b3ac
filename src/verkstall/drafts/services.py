"""Writes of drafts (issue 17 item 1). Each service is one transaction; the scope of the key's
object is checked through the screen's own selectors (selectors.draft_client) before anything
is written, and only the user's own row is ever written or removed."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from verkstall.core import clock
from verkstall.core.errors import ValidationFailed

from . import registry, selectors
from .models import MAX_TEXT, Draft

#: Drafts not touched for this many days are removed by the daily task (drafts/tasks.py).
KEEP_DAYS = 14


def too_long_message() -> str:
    return _("Utkastet kan inte sparas: texten är längre än %(max)s tecken.") % {
        "max": f"{MAX_TEXT:,}".replace(",", "\u00a0")
    }


@transaction.atomic
def store_draft(
    *, user, kind: str, pk: int, field: str, text: str, base_version: int | None = None
) -> Draft | None:
    """Keep `text` as the user's draft of one field; an empty text removes the draft (nothing
    is left to restore). `base_version`: the record's version the form was opened at. Returns
    the draft, or None when it was removed."""
    person_id = selectors.draft_client(user, kind=kind, pk=pk, field=field)
    if len(text) > MAX_TEXT:
        raise ValidationFailed({field: too_long_message()})
    key = registry.key(kind, pk)
    if not text:
        Draft.objects.filter(user=user, key=key, field=field).delete()
        return None
    values = {
        "text": text,
        "person_id": person_id,
        "updated_at": clock.now(),
        "base_version": base_version,
    }
    try:
        with transaction.atomic():
            draft, _created = Draft.objects.update_or_create(
                user=user, key=key, field=field, defaults=values
            )
    except IntegrityError:  # a request of the same user made the row just now: update it
        draft, _created = Draft.objects.update_or_create(
            user=user, key=key, field=field, defaults=values
        )
    return draft


@transaction.atomic
def discard_draft(*, user, kind: str, pk: int, field: str) -> int:
    """The user throws away their draft of one field; returns how many rows went (0 or 1)."""
    selectors.draft_client(user, kind=kind, pk=pk, field=field)
    rows = Draft.objects.filter(user=user, key=registry.key(kind, pk), field=field)
    return rows.delete()[0]


@transaction.atomic
def clear_drafts(*, user, kind: str, pk: int, fields: tuple[str, ...] | None = None) -> int:
    """The real record was saved: remove the user's drafts of the screen's object (of
    `fields` only, when the screen has several forms). Called by the view that saves, inside
    the request's transaction (audit.middleware), so the draft goes exactly when the save
    commits. The caller has read the object through its scoped selectors already."""
    rows = Draft.objects.filter(user=user, key=registry.key(kind, pk))
    if fields is not None:
        rows = rows.filter(field__in=fields)
    return rows.delete()[0]


@transaction.atomic
def purge_old_drafts(*, days: int = KEEP_DAYS) -> int:
    """Remove every draft not touched for `days` days (drafts/tasks.py); the rows removed."""
    return Draft.objects.filter(updated_at__lt=clock.now() - timedelta(days=days)).delete()[0]
