"""Corrections of a registered start or end date (SPEC R9.1, seed 002).

"Utföraren korrigerar datum snarast i verksamhetssystemet senast den 5:e i nästkommande
månad" (§Verkställighet); payment, statistics and fees for the month depend on the dates
(§Verkställighetsdatum/ersättning). A correction never rewrites history: the order's
`start_date` or `end_date` takes the new date and a new event (START_CORRECTED or
END_CORRECTED) records the old and the new date, the reason and who corrected it, so the
history keeps both. The clocks that run from the corrected event move with it in the same
transaction (`services.record_event` -> the deadline engine; deadlines/facts.py applies the
correction to the clock rows).

Who corrects: the provider (or the municipality on behalf of a provider that is not
connected, R3.3: the officer who gives the channel the provider reported by, or the fee
officer), or the officer of the client's unit in their own name.

A month already closed for payment does not refuse a correction: it is recorded like any
other, and the payment basis of a later month turns it into an adjustment (the payments app
reads these events; the months screen says so). This module cannot know of the close: the
payments app sits above orders.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext_noop

from verkstall.access.policies import provider_side
from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date
from verkstall.core.errors import TransitionNotAllowed, ValidationFailed

from .end_services import end_is_told, send_order_message
from .models import EventKind, Order, OrderEvent, ReplyChannel
from .services import (
    acting,
    earliest_start,
    lock_order,
    officer_of_unit,
    record_event,
    superseded_end,
)
from .states import ISSUED, State

START, END = "start", "end"
WHICH = (START, END)
#: What a correction of each date is called in the state conflict's `action`, its event, the
#: order's field and the date's name in Swedish (also the `which` choices of the order page's
#: form and the API, orders.forms and orders.api).
ACTION = {START: "correct_start", END: "correct_end"}
KIND = {START: EventKind.START_CORRECTED, END: EventKind.END_CORRECTED}
FIELD = {START: "start_date", END: "end_date"}
LABEL = {START: gettext_noop("Startdatum"), END: gettext_noop("Slutdatum")}


def correctable(order: Order) -> list[str]:
    """The dates of the order that are registered and so may be corrected: the start of a
    started or ended order, the end of an ended one (only the start and end services set
    them, R3.7, R3.9)."""
    result = []
    if order.start_date is not None and order.state in ISSUED:
        result.append(START)
    if order.end_date is not None and order.state == State.ENDED.value:
        result.append(END)
    return result


def may_correct(user, order: Order) -> list[str]:
    """The dates this user may correct on this order now (the order page offers its form
    only then): the officer of the client's unit, or whoever acts for the provider."""
    if not (officer_of_unit(user, order) or provider_side(user, order.provider)[0]):
        return []
    return correctable(order)


def _earliest_start(order: Order) -> tuple[date | None, str]:
    """The first day a start may be, and why: not before the order (its acute oral order or
    its sending, as when it is registered, R3.2, R3.7), and, without an acute oral order, not
    before the decision's services are valid."""
    earliest = earliest_start(order)
    why = "beställningen"
    if order.acute_oral_at is None:
        valid_from = order.services.aggregate(first=Min("valid_from"))["first"]
        if valid_from and (earliest is None or valid_from > earliest):
            earliest, why = valid_from, "beslutets giltighet"
    return earliest, why


def _last_valid_day(order: Order) -> date | None:
    """The last day any of the order's granted services is valid; None if one is open."""
    ends = list(order.services.values_list("valid_to", flat=True))
    return None if not ends or None in ends else max(ends)


def _check_start(order: Order, new: date, errors: dict) -> None:
    earliest, why = _earliest_start(order)
    if new > clock.today():
        errors["date"] = "Startdatum kan inte ligga i framtiden."
    elif earliest and new < earliest:
        errors["date"] = f"Startdatum kan inte ligga före {why} ({day_text(earliest)})."
    elif (last := _last_valid_day(order)) and new > last:
        errors["date"] = f"Startdatum kan inte ligga efter beslutets giltighet ({day_text(last)})."
    elif order.end_date and new > order.end_date:
        errors["date"] = (
            f"Startdatum kan inte ligga efter slutdatum ({day_text(order.end_date)}); korrigera "
            "slutdatum först."
        )
    elif new == order.start_date:
        errors["date"] = f"Startdatum är redan {day_text(new)}; ange det rätta datumet."


def _successor_start(order: Order) -> date | None:
    """The start of the order that took over from this one: a new order version (R3.10) or
    the new provider's order of a switch (R2.6); None when none has started."""
    starts = [
        *Order.objects.filter(supersedes=order).values_list("start_date", flat=True),
        *order.switches_from.values_list("new_order__start_date", flat=True),
    ]
    return min((d for d in starts if d is not None), default=None)


def _check_end(order: Order, new: date, errors: dict) -> None:
    successor = _successor_start(order)
    if new > clock.today():
        errors["date"] = "Slutdatum kan inte ligga i framtiden."
    elif order.start_date and new < order.start_date:
        errors["date"] = f"Slutdatum kan inte ligga före startdatum ({day_text(order.start_date)})."
    elif successor and new >= successor:
        errors["date"] = (
            f"Slutdatum kan inte ligga på eller efter den dag då nästa beställning startade "
            f"({day_text(successor)}); korrigera den beställningens startdatum i stället."
        )
    elif new == order.end_date:
        errors["date"] = f"Slutdatum är redan {day_text(new)}; ange det rätta datumet."


@transaction.atomic
def correct_date(actor, order: Order, *, which: str, date, reason: str, channel: str = ""):
    """Correct the order's registered start (`which` "start") or end ("end") date to `date`,
    with a required `reason` (R9.1). Returns the correction event."""
    order = lock_order(order)
    errors: dict[str, str] = {}
    # The officer of the unit corrects in their own name unless they give the channel a
    # provider not connected reported by: then it is the provider's correction, on its
    # behalf, as for an end (R3.3).
    on_behalf, channel, by_officer = acting(actor, order, channel, errors, "korrigera datum")
    if which not in WHICH:
        errors["which"] = "Ange om startdatum eller slutdatum ska korrigeras."
        raise ValidationFailed(errors)
    if which not in correctable(order):
        raise TransitionNotAllowed(
            f"Beställningen är {order.get_state_display().lower()} och har inget registrerat "
            f"{LABEL[which].lower()} att korrigera.",
            state=order.state,
            action=ACTION[which],
            allowed=[ACTION[w] for w in correctable(order)],
        )
    new = parse_date(date, "date", errors)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Ange varför datumet korrigeras."
    if new is not None and "date" not in errors:
        (_check_start if which == START else _check_end)(order, new, errors)
    if errors:
        raise ValidationFailed(errors)
    old = getattr(order, FIELD[which])
    event = _record(actor, order, which, new, reason, on_behalf=on_behalf, channel=channel)
    if which == START and order.supersedes_id:
        _follow_superseded(actor, order, new)
    if which == END and by_officer:
        _move_end_in_decision(order, old, new)
    if end_is_told(actor, by_officer=by_officer):  # on behalf: the unit already knows
        _tell_other_side(actor, order, event)
    return event


def _record(actor, order: Order, which: str, new: date, reason: str, *, on_behalf, channel):
    """Set the date on the locked order and append the correction event (which moves the
    clocks), in the caller's transaction."""
    field = FIELD[which]
    old = getattr(order, field)
    setattr(order, field, new)
    order.save(update_fields=[field, "updated_at"])
    text = f"{LABEL[which]} korrigerat från {day_text(old)} till {day_text(new)}: {reason}"
    return record_event(
        actor,
        order,
        kind=KIND[which],
        occurred_at=clock.start_of_day(new),
        data={
            "which": which,
            "old_date": old.isoformat(),
            "new_date": new.isoformat(),
            "reason": reason,
            "text": text,
        },
        on_behalf_of=on_behalf,
        channel=channel,
        allowed_states=ISSUED,
    )


def _follow_superseded(actor, order: Order, new_start: date) -> None:
    """A new order version ends the one it supersedes the day before it starts (R3.10): when
    its start is corrected, that end follows (never before the old order's own start)."""
    old = lock_order(order.supersedes)
    if old.state != State.ENDED.value or old.end_date is None or old.start_date is None:
        return
    end = superseded_end(old, new_start)
    if end == old.end_date:
        return
    reason = f"Ersatt av ändrad beställning #{order.pk}, vars startdatum korrigerades."
    _record(actor, old, END, end, reason, on_behalf=None, channel=ReplyChannel.SYSTEM.value)


def _move_end_in_decision(order: Order, old_end: date, new_end: date) -> None:
    """The officer's end is registered in the decision (R3.9, end_services): the granted
    services that ended with the order's old end date end on the new one."""
    for service in order.services.filter(valid_to=old_end):
        if new_end >= service.valid_from:
            service.valid_to = new_end
            service.save(update_fields=["valid_to"])


def _tell_other_side(actor, order: Order, event: OrderEvent) -> None:
    """The other side gets a message with the correction (R3.7: the officer is told the start
    date; R3.9: both sides tell each other of the end)."""
    subject = f"{LABEL[event.data['which']]} korrigerat för beställning #{order.pk}"
    body = f"Beställning #{order.pk} ({order.provider.name}): {event.data['text']}"
    send_order_message(actor, person=order.person, subject=subject, body=body, order=order)
