"""Claiming an `Idempotency-Key` and keeping the first answer (audit/idempotency.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from verkstall.core import clock

from . import capture
from .models import IdempotentResponse
from .services import client_ids

#: Answers that say the caller may not do this, or not yet see the object: nothing happened,
#: nothing is kept.
NOT_KEPT = frozenset({401, 403, 404, 429})


def purge_expired() -> int:
    """Remove the kept answers older than VERKSTALL_IDEMPOTENCY_HOURS (they may name clients):
    done when a key is claimed, and by the daily task `purge_idempotent_responses`."""
    hours = getattr(settings, "VERKSTALL_IDEMPOTENCY_HOURS", 24)
    removed, _ = IdempotentResponse.objects.filter(
        created_at__lt=clock.now() - timedelta(hours=hours)
    ).delete()
    return removed


def claim(user, key: str, fingerprint: str) -> tuple[IdempotentResponse, bool]:
    now = clock.now()
    purge_expired()
    try:
        with transaction.atomic():
            kept = IdempotentResponse.objects.create(
                user=user, key=key, fingerprint=fingerprint, created_at=now
            )
            return kept, True
    except IntegrityError:
        return IdempotentResponse.objects.get(user=user, key=key), False


def keep(kept: IdempotentResponse, response) -> None:
    if response.streaming or response.status_code in NOT_KEPT:
        kept.delete()
        return
    cap = capture.current()
    kept.status_code = response.status_code
    kept.content_type = response.get("Content-Type", "")[:200]
    kept.location = response.get("Location", "")[:500]
    kept.body = response.content
    kept.persons = sorted(client_ids(cap)) if cap else []
    kept.save(update_fields=["status_code", "content_type", "location", "body", "persons"])
