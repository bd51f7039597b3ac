"""The transfer at an age (SPEC R1.4, seed 003 "Pågående ärende från Socialpsykiatri"): the
officer of the unit that hands over (socialpsykiatri) moves the client to the receiving unit
(elderly care), which makes a new assessment and decision.

What a transfer changes, and what it leaves (decided here, written down in
docs/transfers.md):

- the client's unit (people.unit_services.move_to_unit): from now on the receiving unit's
  officers see the client, the case journal and the client's history, register decisions and
  orders for it; the handing-over unit's officers no longer open the client;
- nothing of the orders and decisions: the ongoing orders keep their unit, officer, provider
  and state, so the support goes on (and the old unit's officer keeps their clocks and ends
  them) until the new decision's order takes over; the old unit still sees its own orders
  and decisions by the ordinary scoping (a client's name on its own orders);
- a `Transfer` row (who, when, from and to, the birthday, the orders left running, whether the
  support worker is asked to the meeting), a case-journal entry saying the same, and a message
  to the provider of each running order (the new assessment is coming; with the invitation
  of the support worker to the meeting when the client wishes it);
- the move in the client's change history (people.PersonChange: who, when, old unit → new
  unit, "Överlämning vid 65 år"), written by people.unit_services.move_to_unit;
- an order event TRANSFERRED (`from_unit`, `to_unit`) on each of the client's orders that is
  not ended or withdrawn, so each order's history shows the hand-over; the event changes
  neither the order's state nor its clocks (no rule names it, core/event_kinds.py).

One transaction: everything, or nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.errors import ValidationFailed
from verkstall.journal.case_services import write_case_entry
from verkstall.journal.services import send_message
from verkstall.orders.models import EventKind
from verkstall.orders.services import record_event
from verkstall.orders.states import OPEN
from verkstall.people.models import Person
from verkstall.people.unit_services import move_to_unit

from .models import Transfer
from .selectors import transfer_preview

NOTE_MAX = 2000
JOURNAL_TITLE = "Överlämning till annan enhet"


@transaction.atomic
def transfer_client(
    actor, person, *, support_worker_invited: bool = False, meeting_note: str = ""
) -> Transfer:
    """Hand the client over to the unit of the route out of the client's unit (R1.4). The
    client must reach the route's age within its notice days (or have reached it) and have an
    ongoing order of a kind that moves."""
    require_officer_of_unit(actor, person.unit_id, "överlämna klienten")
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    require_officer_of_unit(actor, person.unit_id, "överlämna klienten")
    preview = transfer_preview(actor, person)
    if preview is None:
        raise ValidationFailed(
            {"person": "Enheten har ingen överlämning till en annan enhet i kommunens uppgifter."}
        )
    route = preview.route
    errors: dict[str, str] = {}
    if not preview.in_window:
        earliest = preview.turns_on - timedelta(days=route.notice_days)
        errors["person"] = (
            f"Klienten fyller {route.at_age} år först {preview.turns_on:%Y-%m-%d}; "
            f"överlämningen görs tidigast {earliest:%Y-%m-%d}."
        )
    elif not preview.orders:
        errors["person"] = (
            "Klienten har ingen pågående insats från enheten som övergår vid "
            f"{route.at_age} år (beställd, kvitterad eller verkställd)."
        )
    note = (meeting_note or "").strip()
    if len(note) > NOTE_MAX:
        errors["meeting_note"] = f"Högst {NOTE_MAX} tecken."
    if errors:
        raise ValidationFailed(errors)
    invited = bool(support_worker_invited)
    for order in preview.orders:
        subject, body = provider_message(order, route, preview.turns_on, invited, note)
        send_message(actor, person=person, order=order, subject=subject, body=body)
    from_unit = person.unit
    person = move_to_unit(
        actor, person, unit=route.to_unit, reason=f"Överlämning vid {route.at_age} år"
    )
    transfer = Transfer.objects.create(
        municipality_id=person.municipality_id,
        person=person,
        route=route,
        from_unit=from_unit,
        to_unit=route.to_unit,
        turns_age_on=preview.turns_on,
        support_worker_invited=invited,
        meeting_note=note,
        transferred_by=actor,
        transferred_at=clock.now(),
    )
    transfer.orders.set(preview.orders)
    record_transferred(actor, person, from_unit=from_unit, to_unit=route.to_unit)
    write_case_entry(
        actor,
        person=person,
        title=JOURNAL_TITLE,
        text=journal_text(transfer, preview.orders, actor),
    )
    return transfer


def record_transferred(actor, person, *, from_unit, to_unit) -> list:
    """The order event TRANSFERRED on each of the client's orders that is not ended or
    withdrawn (R1.4), through orders.services.record_event (any open state, a draft too):
    `from_unit` and `to_unit` ids and a line for the order's history. Returns the events."""
    text = f"Klienten överlämnad från {from_unit.name} till {to_unit.name}."
    orders = person.orders.filter(  # orders.Order
        municipality_id=person.municipality_id, state__in=OPEN
    ).order_by("pk")
    return [
        record_event(
            actor,
            order,
            kind=EventKind.TRANSFERRED,
            data={"from_unit": from_unit.pk, "to_unit": to_unit.pk, "text": text},
            allowed_states=OPEN,
        )
        for order in orders
    ]


def _services_text(order) -> str:
    return ", ".join(s.service_type.name for s in order.services.all()) or "–"


def provider_message(order, route, turns_on, invited: bool, note: str) -> tuple[str, str]:
    """What the provider of a running order is told (subject, body): no personnummer."""
    subject = f"Överlämning till {route.to_unit.name}, beställning #{order.pk}"
    lines = [
        f"Klienten fyller {route.at_age} år {turns_on:%Y-%m-%d} och ansvaret för insatsen "
        f"övergår till {route.to_unit.name}. Handläggaren där gör en ny utredning och fattar "
        "ett nytt beslut.",
        f"Beställning #{order.pk} ({_services_text(order)}) fortsätter som i dag tills det nya "
        "beslutets beställning ersätter den.",
    ]
    if invited:
        lines.append(
            "Den enskilde önskar att boendestödjaren deltar vid mötet med den nya "
            "handläggaren, för att överlämningen ska bli så bra som möjligt."
        )
    if note:
        lines.append(note)
    return subject, "\n\n".join(lines)


def journal_text(transfer: Transfer, orders, actor) -> str:
    """The case-journal entry of a transfer: who, when, from and to, what keeps running."""
    who = actor.get_full_name() or actor.username
    lines = [
        f"Klienten fyller {transfer.route.at_age if transfer.route else ''} år "
        f"{transfer.turns_age_on:%Y-%m-%d}. Ansvaret överlämnas från {transfer.from_unit.name} "
        f"till {transfer.to_unit.name} av {who}, {transfer.transferred_at:%Y-%m-%d}.",
        "Ny utredning och nytt beslut görs av den nya enheten.",
        "Pågående beställningar fortsätter till det nya beslutet:",
    ]
    lines += [
        f"- #{o.pk} {o.provider.name}: {_services_text(o)} ({o.get_state_display().lower()})"
        for o in orders
    ]
    if transfer.support_worker_invited:
        lines.append("Boendestödjaren bjuds in till mötet, som den enskilde önskar.")
    if transfer.meeting_note:
        lines.append(transfer.meeting_note)
    return "\n".join(lines)
