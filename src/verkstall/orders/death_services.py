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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.engine import recompute_decision
from verkstall.decisions.models import GrantedService
from verkstall.journal.case_services import write_case_entry

from .end_services import send_order_message
from .models import EndReason, Order
from .services import cancel_order, end_order
from .states import ISSUED, State

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
    the future): every order ends or is withdrawn and every service ends, in one transaction;
    a refusal (a start registered after the day of death, an order of another unit) changes
    nothing."""
    require_officer_of_unit(actor, person.unit_id, "registrera att klienten har avlidit")
    errors: dict[str, str] = {}
    day = parse_date(died_on, "died_on", errors)
    if day and day > clock.today():
        errors["died_on"] = "Dödsdagen kan inte ligga i framtiden."
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Skriv högst {NOTE_MAX} tecken."
    orders = open_orders_of(person)
    elsewhere = [o for o in orders if o.unit_id != actor.unit_id]
    if elsewhere:
        numbers = ", ".join(f"#{o.pk}" for o in elsewhere)
        raise PermissionDenied(
            f"Klienten har beställningar hos en annan enhet ({numbers}); de avslutas av den "
            "enheten."
        )
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
        if order.state == State.STARTED.value:
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
