"""A client who died (seed 004 "brukaren flyttar eller avlider"; SPEC R3.9): every order of
the client comes to an end in one step, in one transaction.

- An order that has started is ended on the day of death, with the end reason "died"; the
  provider is told, as at every end by the officer (end_services.after_order_ended).
- An order that never started (a draft, or one sent or acknowledged) is withdrawn
  (makulerad), not ended: nothing was given. A provider that had received it is told.
- Every granted service of the client's decisions that runs past the day of death ends on it
  (the officer registers the end in the decision, seed 002 §Bistånd som avslutas), so the
  decisions' clocks close with the orders' (deadlines.engine.decision_ended) and no follow-up
  or IVO clock runs on for someone who died.
- The case journal records the death, and what was ended and withdrawn.

The officer of the client's current unit registers it, also after a transfer to another unit
(R1.4) while an order the old unit took still runs: every open order of the client ends or is
withdrawn in the same step, whichever unit took it; its event names who registered it. An
order of the actor's own unit goes through the ordinary end and withdrawal services
(services.end_order, services.cancel_order), which tell its provider. Those services admit
only an officer of the order's unit, so one of another unit is closed here
(`_close_for_client_unit`) through the one writer of transitions (services.transition: the
state table, the event with its sequence number and place in the feed, the clocks moved), in
the same transaction. Its provider sees the end or withdrawal on
the order, in its event feed and webhooks, but gets no message: a message about an order is
between the order's unit and its provider (journal.services.send_message).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date
from verkstall.core.errors import ValidationFailed
from verkstall.deadlines.engine import recompute_decision
from verkstall.decisions.models import GrantedService
from verkstall.journal.case_services import write_case_entry

from .end_services import end_note, register_end_in_decision, send_order_message, with_end_reason
from .models import EndReason, EventKind, Order, ReplyChannel
from .services import cancel_order, end_order, lock_order, transition
from .states import ISSUED, Action, State

DEATH_TITLE = "Klienten har avlidit"
NOTE_MAX = 2000


@dataclass
class DeathRegistered:
    """What the registration of a death did: the orders ended and withdrawn, and the granted
    services whose validity now ends on the day of death."""

    died_on: object
    ended: list[Order] = field(default_factory=list)
    cancelled: list[Order] = field(default_factory=list)
    services_ended: list[GrantedService] = field(default_factory=list)


def open_orders_of(person) -> list[Order]:
    """The client's orders that are not closed, oldest first."""
    return list(
        person.orders.filter(municipality_id=person.municipality_id)
        .open()
        .select_related("provider", "unit", "person", "decision")
        .order_by("created_at", "pk")
    )


@transaction.atomic
def register_death(actor, person, *, died_on, note: str = "") -> DeathRegistered:
    """The officer of the client's unit registers that the client died on `died_on` (not in
    the future): every open order of the client, whichever unit took it (R1.4), ends or is
    withdrawn and every service ends, in one transaction; a refusal (a start registered after
    the day of death) changes nothing."""
    require_officer_of_unit(actor, person.unit_id, "registrera att klienten har avlidit")
    errors: dict[str, str] = {}
    day = parse_date(died_on, "died_on", errors)
    if day and day > clock.today():
        errors["died_on"] = "Dödsdagen kan inte ligga i framtiden."
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Skriv högst {NOTE_MAX} tecken."
    orders = open_orders_of(person)
    if day and "died_on" not in errors:
        later = [o for o in orders if o.start_date and o.start_date > day]
        if later:
            o = later[0]
            errors["died_on"] = (
                f"Beställning #{o.pk} har startdatum {day_text(o.start_date)}, efter dödsdagen. "
                "Korrigera startdatumet först."
            )
    if errors:
        raise ValidationFailed(errors)
    text = f"Klienten avled {day_text(day)}." + (f" {note}" if note else "")
    result = DeathRegistered(died_on=day)
    # The services end first, so that the decisions' clocks close as the orders close.
    result.services_ended = _end_services(person, day)
    for order in orders:
        if order.unit_id != actor.unit_id:  # taken by the unit before a transfer (R1.4)
            ended = _close_for_client_unit(actor, order, day, text)
            (result.ended if ended else result.cancelled).append(order)
        elif order.state == State.STARTED.value:
            end_order(actor, order, end_date=day, note=text, end_reason=EndReason.DIED.value)
            result.ended.append(order)
        else:
            was_issued = order.state in ISSUED
            cancel_order(actor, order, reason=text, end_reason=EndReason.DIED.value)
            result.cancelled.append(order)
            if was_issued:  # the provider had it: it is told the order is withdrawn
                send_order_message(
                    actor,
                    person=person,
                    order=order,
                    subject=f"Beställning #{order.pk} makulerad",
                    body=f"Beställning #{order.pk} ({order.provider.name}) är makulerad. {text}",
                )
    for decision in person.decisions.filter(municipality_id=person.municipality_id):
        recompute_decision(decision)
    write_case_entry(actor, person=person, title=DEATH_TITLE, text=_journal_text(text, result))
    return result


def _close_for_client_unit(actor, order: Order, day, text: str) -> bool:
    """End (started) or withdraw (not started) an order another unit took, for the officer of
    the client's current unit (R1.4): the transition, its event and the clocks as
    services.end_order and services.cancel_order write them, the end date in the decision;
    no message to the provider (see the module's docstring). True when it was ended."""
    order = lock_order(order)
    died = EndReason.DIED.value
    if order.state == State.STARTED.value:
        note = end_note(order, text)
        transition(
            order,
            Action.END,
            actor=actor,
            kind=EventKind.ENDED,
            occurred_at=clock.start_of_day(day),
            updates={"end_date": day, "end_reason": died},
            data=with_end_reason({"end_date": day.isoformat(), "note": note}, died),
            channel=ReplyChannel.SYSTEM.value,
        )
        register_end_in_decision(order, day)
        return True
    transition(
        order,
        Action.CANCEL,
        actor=actor,
        kind=EventKind.CANCELLED,
        occurred_at=clock.now(),
        updates={"end_reason": died},
        data=with_end_reason({"reason": text}, died),
    )
    return False


def _end_services(person, day) -> list[GrantedService]:
    """End on the day of death every granted service of the client that runs past it (one
    that begins after it lapses on its first day: the validity cannot end before it begins)."""
    ended = []
    services = GrantedService.objects.filter(
        decision__person=person, decision__municipality_id=person.municipality_id
    ).select_for_update(of=("self",))
    for service in services:
        last = max(day, service.valid_from)
        if service.valid_to is None or service.valid_to > last:
            service.valid_to = last
            service.save(update_fields=["valid_to"])
            ended.append(service)
    return ended


def _journal_text(text: str, result: DeathRegistered) -> str:
    lines = [text]
    if result.ended:
        lines.append("Avslutade beställningar: " + ", ".join(f"#{o.pk}" for o in result.ended))
    if result.cancelled:
        lines.append("Makulerade beställningar: " + ", ".join(f"#{o.pk}" for o in result.cancelled))
    if result.services_ended:
        lines.append(f"Beviljade insatser som upphör: {len(result.services_ended)}.")
    return "\n".join(lines)
