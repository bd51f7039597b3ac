"""When to try a failed delivery again: pure Python, no Django (issue 18 item 1).

The outbox (outbox/delivery_services.py) waits 1, 2, 4, 8 ... minutes after each failure in a
row, never more than an hour; the webhooks (integrations) use it with their own first wait.
`seconds_until_attempt` says how long a row is retried before it is given up, so the give-up
setting can be stated in time (settings VERKSTALL_OUTBOX_MAX_ATTEMPTS: 54 attempts, about two
days).
"""

from __future__ import annotations

FIRST_SECONDS = 60
CAP_SECONDS = 3600


def retry_delay_seconds(
    failures: int, *, first: int = FIRST_SECONDS, cap: int = CAP_SECONDS
) -> int:
    """The wait after `failures` failed attempts in a row: first, 2 x first, 4 x first ...
    capped at `cap`; 0 before any failure."""
    if failures < 1:
        return 0
    return min(cap, first * 2 ** min(failures - 1, 32))


def seconds_until_attempt(
    attempt: int, *, first: int = FIRST_SECONDS, cap: int = CAP_SECONDS
) -> int:
    """How long after the first attempt the `attempt`-th one (1-based) is made, when every
    attempt before it failed: the sum of the waits between them."""
    return sum(retry_delay_seconds(n, first=first, cap=cap) for n in range(1, attempt))
