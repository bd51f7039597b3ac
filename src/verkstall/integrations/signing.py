"""Webhook signatures (issue 20 item 2): pure Python, no Django, shared by the sender and the
example receiver (docs/examples/webhook_receiver.py shows the same steps without importing it).

The header is `Verkstall-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
`<t>.<body>` with the endpoint's secret. A receiver recomputes it, compares in constant time,
and refuses a timestamp older than the tolerance (a replayed request) and an event id it has
already taken (the same event delivered again after a lost answer).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Verkstall-Signature"
EVENT_HEADER = "Verkstall-Event-Id"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS):
    """True when `header` signs `body` with `secret` and is at most `tolerance` seconds old."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
