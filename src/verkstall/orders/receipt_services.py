"""When an order reached its provider (SPEC R11.4 "klockor från mottagandet", issue 13).

A rule may count from the order's receipt ("order.received") instead of its sending. An
order sent in the system or by e-mail is with the provider the moment it is sent: the deadline
engine derives its receipt from the sending (deadlines/facts.py), nothing is registered. An
order that went by post or fax arrives later: the officer registers the arrival date here,
once per sending, and the clocks that count from the receipt move in the same transaction
(`services.record_event`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.dates import parse_date
from verkstall.core.errors import DomainError, ValidationFailed
from verkstall.deadlines.facts import RECEIVED_ON_SENDING

from .models import EventKind, Order, OrderEvent
from .services import lock_order, record_event
from .states import ISSUED


class ReceiptNotRegistered(DomainError):
    """A receipt that is not the officer's to register: the order was received when it was
    sent, or its arrival is registered already (409)."""

    status_code = 409
    code = "receipt_not_registered"


def needs_receipt(order: Order) -> bool:
    """Whether the order went by post or fax: its arrival date is registered by hand."""
    return order.provider.channel not in RECEIVED_ON_SENDING


def _last_sending(order: Order) -> OrderEvent | None:
    return order.events.filter(kind=EventKind.SENT).order_by("-seq").first()


def registered_receipt(order: Order) -> OrderEvent | None:
    """The receipt registered for the order's latest sending, if any."""
    sent = _last_sending(order)
    if sent is None:
        return None
    return order.events.filter(kind=EventKind.RECEIVED, seq__gt=sent.seq).order_by("seq").first()


def may_register_receipt(user, order: Order) -> bool:
    """Whether the order page offers the arrival date to this user: the officer of the
    client's unit, for an order sent by post or fax that has no registered arrival yet."""
    return (
        user.is_officer
        and user.unit_id == order.unit_id
        and order.state in ISSUED
        and needs_receipt(order)
        and registered_receipt(order) is None
    )


@transaction.atomic
def register_receipt(actor, order: Order, *, received_on) -> OrderEvent:
    """The officer registers the date an order sent by post or fax reached the provider
    (R11.4). Not before the day it was sent, not in the future; once per sending. The event
    happened at the start of that day, by the provider's channel; the clocks that start or
    stop on "order.received" move with it."""
    order = lock_order(order)
    require_officer_of_unit(actor, order.unit_id, "registrera när beställningen kom fram")
    channel = order.provider.channel
    if not needs_receipt(order):
        raise ReceiptNotRegistered(
            f"Beställningen gick till {order.provider.name} "
            f"({order.provider.get_channel_display().lower()}) och räknas som mottagen när den "
            "skickades; ingen ankomstdag registreras."
        )
    sent = _last_sending(order)
    already = registered_receipt(order)
    if already is not None:
        day = timezone.localdate(already.occurred_at)
        raise ReceiptNotRegistered(f"Ankomstdagen är redan registrerad: {day:%Y-%m-%d}.")
    errors: dict[str, str] = {}
    received = parse_date(received_on, "received_on", errors)
    if sent is None and not errors:
        errors["received_on"] = "Beställningen är inte skickad; den kan inte ha kommit fram."
    elif received:
        sent_on = timezone.localdate(sent.occurred_at)
        if received > clock.today():
            errors["received_on"] = "Ankomstdagen kan inte ligga i framtiden."
        elif received < sent_on:
            errors["received_on"] = (
                f"Ankomstdagen kan inte ligga före dagen beställningen skickades "
                f"({sent_on:%Y-%m-%d})."
            )
    if errors:
        raise ValidationFailed(errors)
    return record_event(
        actor,
        order,
        kind=EventKind.RECEIVED,
        occurred_at=clock.start_of_day(received),
        channel=channel,
        data={
            "received_on": received.isoformat(),
            "text": f"Kom fram till {order.provider.name} {received:%Y-%m-%d} "
            f"({order.provider.get_channel_display().lower()}).",
        },
        allowed_states=ISSUED,
    )
