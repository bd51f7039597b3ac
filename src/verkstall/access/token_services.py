"""Writes of API tokens (issue 11): issue one, note its use, revoke.

A key is 43 random URL-safe characters (256 bits). Only its SHA-256 is stored, with the first
`PREFIX_LENGTH` characters as a non-secret handle; a fast hash is enough for a random key of
this length (nothing to guess from a dictionary).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from verkstall.core import clock
from verkstall.core.errors import ValidationFailed

from .models import ApiToken, User
from .token_selectors import PREFIX_LENGTH, hash_key

# last_used_at is written at most this often per key, so that reads stay reads.
USE_RECORDED_EVERY = timedelta(minutes=1)


def default_days() -> int:
    return int(getattr(settings, "VERKSTALL_API_TOKEN_DAYS", 90))


@transaction.atomic
def issue_token(*, user: User, days: int | None = None, revoke_others: bool = False):
    """A new key for `user`, valid for `days` (default VERKSTALL_API_TOKEN_DAYS). Returns the
    stored token and the key; the key is never stored and cannot be shown again."""
    days = default_days() if days is None else days
    if not 1 <= days <= 366:
        raise ValidationFailed({"days": "Giltighetstiden ska vara 1–366 dagar."})
    if not user.is_active:
        raise ValidationFailed({"user": "Användaren är inte aktiv."})
    now = clock.now()
    if revoke_others:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    key = new_key()
    token = ApiToken.objects.create(
        user=user,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, key


def new_key() -> str:
    """43 URL-safe random characters that never start with "-", so that the prefix can be
    given to `create_api_token --revoke PREFIX` without being read as an option."""
    while True:
        key = secrets.token_urlsafe(32)
        if not key.startswith("-"):
            return key


@transaction.atomic
def revoke_token(*, prefix: str, username: str | None = None) -> int:
    """Revoke every unrevoked key that starts with `prefix` (of `username`, if given); returns
    how many."""
    if len(prefix) < PREFIX_LENGTH:
        raise ValidationFailed({"prefix": f"Ange nyckelns första {PREFIX_LENGTH} tecken."})
    tokens = ApiToken.objects.filter(prefix=prefix[:PREFIX_LENGTH], revoked_at__isnull=True)
    if username is not None:
        tokens = tokens.filter(user__username=username)
    return tokens.update(revoked_at=clock.now())


def note_use(token: ApiToken) -> None:
    """Record that the key was used now, unless that was recorded under a minute ago."""
    now = clock.now()
    last = token.last_used_at
    if last is not None and last <= now < last + USE_RECORDED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
