"""What a rule's conditions look at about one order or decision, and the clock events derived
from its stored events (SPEC R11.4). Pure: no Django import; the engine and the benchmark's
data generator (tooling/generator_rows.py) both build their facts and events here, so the two
paths cannot drift.

- `facts_of`: the service kinds and types, whether a service is given every day, the channel
  and whether the order is the client's first (`rules.Facts`).
- `clock_rows`: an order's clock rows with the receipt derived from the sending where the
  order reached the provider the moment it was sent (in the system or by e-mail); for post
  and fax the officer registers the arrival date (orders.receipt_services), a stored event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from .rules import Facts

#: Scope units (decisions.models.ScopeUnit) of a service given every day: visits per day, or
#: days per week with at least 7 days. Hours or visits per week or month say nothing about
#: the days, so they do not count as daily ("insatser som ges dagligen", R11.4).
VISITS_PER_DAY = "visits_per_day"
DAYS_PER_WEEK = "days_per_week"
DAYS_IN_A_WEEK = Decimal(7)

#: Channels (providers.models.Channel) by which an order is with the provider the moment it
#: is sent: its receipt is the sending. By post or fax it is the registered arrival date.
RECEIVED_ON_SENDING = frozenset({"system", "email"})
SENT = "sent"
RECEIVED = "received"


def is_daily(granted) -> bool:
    """Whether a granted service (scope_unit, scope_amount) is given every day."""
    if granted.scope_unit == VISITS_PER_DAY:
        return True
    return granted.scope_unit == DAYS_PER_WEEK and Decimal(granted.scope_amount) >= DAYS_IN_A_WEEK


def facts_of(granted_services, *, channel: str = "", first_order: bool | None = None):
    """(Facts, the first service's type) of a subject's granted services (with service_type):
    the kinds and type codes, daily or not, and the order's channel and first-order status as
    given ("" and None for a decision)."""
    kinds, types, first, daily = set(), set(), None, False
    for g in granted_services:
        kinds.add(g.service_type.kind)
        types.add(g.service_type.code)
        first = first or g.service_type
        daily = daily or is_daily(g)
    facts = Facts(
        kinds=frozenset(kinds),
        types=frozenset(types),
        first_order=first_order,
        daily=daily,
        channel=channel or "",
    )
    return facts, first


#: A correction of a registered date (orders.correction_services, R9.1) -> the event whose
#: date it corrects. Stored with the corrected day as its moment.
CORRECTS = {"start_corrected": "started", "end_corrected": "ended"}


def corrected_rows(rows: Iterable[tuple]) -> list[tuple]:
    """An order's clock rows (code, occurred_at, recorded_at) in recorded order with each date
    correction applied: the latest earlier row of the corrected kind takes the corrected day
    and keeps when it was registered; the correction row itself drives no clock. So the clocks
    that run from the start (a plan within three weeks of it) follow a corrected start, and a
    start registered late stays judged by when it was first registered (R9.1)."""
    result: list[tuple] = []
    for row in rows:
        target = CORRECTS.get(row[0])
        if target is None:
            result.append(row)
            continue
        for index in range(len(result) - 1, -1, -1):
            if result[index][0] == target:
                result[index] = (target, row[1], result[index][2])
                break
    return result


def clock_rows(rows: Iterable[tuple], channel: str) -> Iterator[tuple]:
    """An order's stored clock rows (code, occurred_at, recorded_at), in recorded order, each
    sending followed by its receipt when `channel` delivers at once: the derived row has the
    sending's moments (no row is stored for it, so the order's history is unchanged). Date
    corrections are applied first (`corrected_rows`)."""
    at_once = channel in RECEIVED_ON_SENDING
    for row in corrected_rows(rows):
        yield row
        if at_once and row[0] == SENT:
            yield (RECEIVED, row[1], row[2])


def clock_rows_by_channel(rows: Iterable[tuple]) -> Iterator[tuple]:
    """As `clock_rows`, for rows of several orders that each carry their provider's channel:
    (code, occurred_at, recorded_at, channel) -> the clock rows (a decision's orders)."""
    for code, occurred_at, recorded_at, channel in rows:
        yield from clock_rows([(code, occurred_at, recorded_at)], channel)
