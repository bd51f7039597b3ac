"""Reads of API tokens (issue 11): find the key an Authorization header names."""

from __future__ import annotations

import hashlib
import hmac

from .models import ApiToken

PREFIX_LENGTH = 8

# Compared when no stored key has the prefix, so that a miss costs what a hit costs.
_NO_MATCH = "0" * 64


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_for_key(key: str) -> ApiToken | None:
    """The stored token whose hash matches `key` (in any state: the caller judges expiry and
    revocation), or None. The hashes are compared in constant time, and a key whose prefix
    matches nothing is compared too, so that a miss costs what a hit costs."""
    digest = hash_key(key)
    candidates = list(ApiToken.objects.select_related("user").filter(prefix=key[:PREFIX_LENGTH]))
    found = None
    for token in candidates:
        if hmac.compare_digest(token.key_hash, digest):
            found = token
    if not candidates:
        hmac.compare_digest(_NO_MATCH, digest)
    return found


def tokens_of(username: str) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user__username=username).order_by("-created_at"))
