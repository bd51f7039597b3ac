"""What a rule's conditions look at about one order or decision, and the clock events derived
from its stored events (SPEC R11.4). Pure: no Django import; the engine and the benchmark's
data generator (tooling/generator_rows.py) both build their facts and events here, so the two
paths cannot drift.

- `facts_of`: the service kinds and types, how often the services are given
  (`frequency_of`), the channel, whether the order is the client's first in the municipality
  and whether it is its first with its provider (`is_new_client`) (`rules.Facts`).
- `clock_rows`: an order's clock rows with the receipt derived from the sending where the
  order reached the provider the moment it was sent (in the system or by e-mail); for post
  and fax the officer registers the arrival date (orders.receipt_services), a stored event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from verkstall.core.order_states import CLOSED, State

from .rules import FREQUENCY_LABELS, Facts

#: Scope units (decisions.models.ScopeUnit) of a service given every day: visits per day, or
#: days per week with at least 7 days. Hours or visits per week or month say nothing about
#: the days, so they do not count as daily ("insatser som ges dagligen", R11.4).
VISITS_PER_DAY = "visits_per_day"
DAYS_PER_WEEK = "days_per_week"
VISITS_PER_WEEK = "visits_per_week"
VISITS_PER_MONTH = "visits_per_month"
DAYS_IN_A_WEEK = Decimal(7)

#: How often a service is given (rules.FREQUENCY_LABELS), from the most frequent to the least.
DAILY, WEEKLY, EVERY_OTHER_WEEK, MONTHLY, UNSPECIFIED = FREQUENCY_LABELS
FREQUENCY_ORDER = tuple(FREQUENCY_LABELS)

_DAY_NAMES = r"(måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)(ar|en)?"
#: What a decision's frequency text says (decisions.GrantedService.frequency, free text such
#: as "morgon och kväll" or "två gånger i veckan"), tried in this order: the first that
#: matches says how often. "Twice a day" is daily (R3.6: "dagliga insatser"); "vardagar" (five
#: days a week) and "varannan dag" are weekly: daily means every day.
FREQUENCY_WORDS: tuple[tuple[str, re.Pattern], ...] = (
    (
        DAILY,
        re.compile(
            r"\bdaglig|\bvarje dag\b|\balla dagar\b|\bdygnet runt\b|\bvarje morgon\b"
            r"|(\bper|\bom|/)\s*dag(en)?\b|\bmorgon\b.*\bkväll"
            r"|\b(7|sju) dagar (i|per|om) veckan\b"
        ),
    ),
    (
        EVERY_OTHER_WEEK,
        re.compile(rf"\bvar ?annan (vecka|{_DAY_NAMES})\b|\bvar (14:e|fjortonde) dag"),
    ),
    (WEEKLY, re.compile(rf"\bveck|\bvardagar\b|\b{_DAY_NAMES}\b|/\s*v\b|\bvar ?annan dag\b")),
    (MONTHLY, re.compile(r"\bmånad")),
)
#: A scope unit that says how often when the text does not: so many per week or per month.
#: Hours per month (and a place) say nothing about how often the service is given.
SCOPE_PERIOD = {DAYS_PER_WEEK: WEEKLY, VISITS_PER_WEEK: WEEKLY, VISITS_PER_MONTH: MONTHLY}

#: Channels (providers.models.Channel) by which an order is with the provider the moment it
#: is sent: its receipt is the sending (an order handed over by personal contact, seed 004, is
#: received as it is handed over). By post or fax it is the registered arrival date.
RECEIVED_ON_SENDING = frozenset({"system", "email", "personal"})
# Stored order event codes (core/event_kinds.py) the clock rows look at.
SENT = "sent"
RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
STARTED = "started"


def frequency_of(granted) -> str:
    """How often a granted service (scope_unit, scope_amount, frequency) is given
    (FREQUENCY_LABELS): daily for visits per day or at least 7 days a week; else what its
    frequency text says (FREQUENCY_WORDS); else the period of its scope unit (so many per week:
    weekly; per month: monthly); else unspecified (R3.6: "övriga insatser verkställs inom
    aktuell frekvens")."""
    unit = granted.scope_unit
    if unit == VISITS_PER_DAY:
        return DAILY
    if unit == DAYS_PER_WEEK and Decimal(granted.scope_amount) >= DAYS_IN_A_WEEK:
        return DAILY
    text = (getattr(granted, "frequency", "") or "").lower()
    for frequency, words in FREQUENCY_WORDS:
        if words.search(text):
            return frequency
    return SCOPE_PERIOD.get(unit, UNSPECIFIED)


def most_frequent(frequencies: Iterable[str]) -> str:
    """The most frequent of some services' frequencies ("" for none): an order is started
    once, so its most frequent service says how soon (a daily and a weekly service: daily)."""
    found = set(frequencies)
    return next((f for f in FREQUENCY_ORDER if f in found), "")


def is_daily(granted) -> bool:
    """Whether a granted service is given every day (`frequency_of`)."""
    return frequency_of(granted) == DAILY


class ClientOrder(NamedTuple):
    """Another order of the same client in the municipality, as `is_first_order` and
    `is_new_client` judge it."""

    pk: int
    provider_id: int
    state: str
    created_at: datetime
    sent_at: datetime | None


def is_first_order(pk, created_at: datetime, others: Iterable[ClientOrder]) -> bool:
    """Whether the order (`pk`, made at `created_at`) is the client's first in the
    municipality (R11.4, "ny brukares första beställning"): none of the client's other orders
    was created before it, cancelled ones not counted."""
    return not any(
        (o.created_at, o.pk) < (created_at, pk) and o.state != State.CANCELLED for o in others
    )


def is_new_client(provider_id, sent_at: datetime | None, others: Iterable[ClientOrder]) -> bool:
    """Whether an order to `provider_id`, sent at `sent_at` (None: not yet), is the client's
    first with that provider (R3.4, R5.1, seed 003 "vid ny kund"): none of the client's other
    orders to it was sent before it (before now, while it is not sent). An earlier order
    that was sent counts whatever became of it: the provider has had the client. A switch
    makes the client new to the provider taking over; a new version of an order (R3.10) to
    the same provider does not."""
    return not any(
        o.provider_id == provider_id
        and o.sent_at is not None
        and (sent_at is None or o.sent_at < sent_at)
        for o in others
    )


def facts_of(
    granted_services,
    *,
    channel: str = "",
    first_order: bool | None = None,
    new_client: bool | None = None,
):
    """(Facts, the first service's type) of a subject's granted services (with service_type):
    the kinds and type codes, how often they are given, and the order's channel, first-order
    and new-client status as given ("" and None for a decision)."""
    kinds, types, first, frequencies = set(), set(), None, []
    for g in granted_services:
        kinds.add(g.service_type.kind)
        types.add(g.service_type.code)
        first = first or g.service_type
        frequencies.append(frequency_of(g))
    frequency = most_frequent(frequencies)
    facts = Facts(
        kinds=frozenset(kinds),
        types=frozenset(types),
        first_order=first_order,
        daily=frequency == DAILY,
        channel=channel or "",
        frequency=frequency,
        new_client=new_client,
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


#: Rows that show the order had reached the provider: a sending by post or fax whose arrival
#: nobody registered was received at the latest when the provider acknowledged or started it.
SHOWS_RECEIPT = frozenset({ACKNOWLEDGED, STARTED})


def clock_rows(rows: Iterable[tuple], channel: str) -> Iterator[tuple]:
    """An order's stored clock rows (code, occurred_at, recorded_at), in recorded order, each
    sending followed by its receipt when `channel` delivers at once: the derived row has the
    sending's moments (no row is stored for it, so the order's history is unchanged). By post
    or fax a sending's receipt is the registered arrival; without one, the first
    acknowledgement or start after the sending stands for it (R3.5: the clocks counted from
    receipt start then at the latest, and the reminder to register the arrival stops). Date
    corrections are applied first (`corrected_rows`)."""
    at_once = channel in RECEIVED_ON_SENDING
    rows = corrected_rows(rows)
    registered = _sendings_with_receipt(rows)
    owed = False  # a sending by post or fax whose receipt is neither registered nor shown
    for index, row in enumerate(rows):
        code = row[0]
        if code in SHOWS_RECEIPT and owed:
            yield (RECEIVED, row[1], row[2])
            owed = False
        yield row
        if code == SENT:
            if at_once:
                yield (RECEIVED, row[1], row[2])
            owed = not at_once and index not in registered


def _sendings_with_receipt(rows: list[tuple]) -> set[int]:
    """The places of the sendings that have a registered receipt before the next sending."""
    found, sending = set(), None
    for index, row in enumerate(rows):
        if row[0] == SENT:
            sending = index
        elif row[0] == RECEIVED and sending is not None:
            found.add(sending)
    return found


def clock_rows_by_channel(rows: Iterable[tuple]) -> Iterator[tuple]:
    """As `clock_rows`, for rows of several orders that each carry their provider's channel:
    (code, occurred_at, recorded_at, channel) -> the clock rows (a decision's orders)."""
    for code, occurred_at, recorded_at, channel in rows:
        yield from clock_rows([(code, occurred_at, recorded_at)], channel)


def decision_ended(valid_tos, order_states, today) -> bool:
    """A decision whose every granted service ended by `today` (their `valid_tos`) and whose
    orders are all closed (or that has none): nothing of it is given or still to be given, so
    its open clocks close too (engine.recompute_decision). So a dead client's clocks close at
    once: the death ends every service on the day of death and closes every order
    (orders.death_services, seed 004 "brukaren flyttar eller avlider")."""
    return (
        bool(valid_tos)
        and all(v is not None and v <= today for v in valid_tos)
        and all(str(s) in CLOSED for s in order_states)
    )
