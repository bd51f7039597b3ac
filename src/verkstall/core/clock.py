"""The one clock that services read. Normally the real time; `travel_to` moves it for a block,
so demo data, generated data and scenario tests are written exactly as the services would
have written them on that day (the rules about "today" still hold relative to it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time

from django.utils import timezone

_offset: ContextVar = ContextVar("verkstall_clock_offset", default=None)


def now() -> datetime:
    offset = _offset.get()
    real = timezone.now()
    return real if offset is None else real + offset


def today() -> date:
    return timezone.localdate(now())


@contextmanager
def travel_to(moment: datetime) -> Iterator[None]:
    """Run the block as if the time were `moment` (aware, or naive Swedish local time)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _offset.set(moment - timezone.now())
    try:
        yield
    finally:
        _offset.reset(token)


def start_of_day(day: date) -> datetime:
    """The first moment of a Swedish local day: how whole-day events (a start date, an end
    date, a decision date) are placed on the time line."""
    return timezone.make_aware(datetime.combine(day, time.min))
