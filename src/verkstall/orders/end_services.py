"""The end of an order (SPEC R3.9, seed 002 §Bistånd som avslutas eller upphör), below the
order services: `services.end_order` calls `end_note` and `after_order_ended` inside its
transaction. Kept apart from change_services (which calls the order services) so that no two
modules of the app import each other.
"""

from __future__ import annotations

from datetime import date, timedelta

from verkstall.access.roles import PROVIDER_ROLES
from verkstall.core import clock, hooks
from verkstall.core.dates import day_text
from verkstall.decisions.catalogue import ServiceKind

from .models import EndReason, Order

END_REASON_ERROR = "Välj orsak till avslut: flyttat, avliden, avböjt, ändrat behov eller annat."
#: A superseded order (R3.10) ends because the needs changed.
NEEDS_CHANGED = EndReason.NEEDS_CHANGED.value

ALARM_END_NOTE = "Verkställighet på trygghetslarm avslutas i samband med uppsägning."


def checked_end_reason(value, errors: dict) -> str:
    """Why an order ended or was withdrawn (models.EndReason; seed 004 "brukaren flyttar eller
    avlider"), "" when not given; an unknown one is an error in `errors`."""
    value = str(value or "")
    if value and value not in EndReason.values:
        errors["end_reason"] = END_REASON_ERROR
    return value


def check_end_date(order: Order, end: date | None, errors: dict) -> None:
    """An end date is neither in the future nor before the order's start (R3.9); the fault
    goes into `errors`. services.end_order checks it, and the screen before it asks to
    confirm an end (orders/confirm_views.py)."""
    if end is None:
        return
    if end > clock.today():
        errors["end_date"] = "Slutdatum kan inte ligga i framtiden."
    elif order.start_date and end < order.start_date:
        errors["end_date"] = (
            f"Slutdatum kan inte ligga före startdatum ({order.start_date:%Y-%m-%d})."
        )


def with_end_reason(data: dict, end_reason: str) -> dict:
    """The event's data, with the end reason when there is one."""
    return data | ({"end_reason": end_reason} if end_reason else {})


def superseded_end(old: Order, new_start: date) -> date:
    """The end of an order superseded by a new version (R3.10): the day before the new one
    starts, never before the old order's own start."""
    return max(new_start - timedelta(days=1), old.start_date or new_start)


def send_order_message(sender, **message):
    """A message to the other side (journal.services.send_message: the journal's messages sit
    above orders, so through the hook it registers; core/hooks.py)."""
    return hooks.call(hooks.ORDER_MESSAGE, sender=sender, **message)


def service_kinds(order: Order) -> set[str]:
    """The kinds of the order's granted services, in one query."""
    return {str(k) for k in order.services.values_list("service_type__kind", flat=True)}


def is_alarm_only(order: Order) -> bool:
    kinds = service_kinds(order)
    return bool(kinds) and kinds == {ServiceKind.SAFETY_ALARM.value}


def has_alarm(order: Order) -> bool:
    return ServiceKind.SAFETY_ALARM.value in service_kinds(order)


def end_note(order: Order, note: str) -> str:
    """For a safety alarm the end note says the alarm ends with its notice (seed 002)."""
    return note_for_end(note, alarm=has_alarm(order))


def note_for_end(note: str, *, alarm: bool) -> str:
    note = (note or "").strip()
    if alarm and ALARM_END_NOTE not in note:
        note = f"{note} {ALARM_END_NOTE}".strip()
    return note


def end_is_told(actor, *, by_officer: bool) -> bool:
    """Is the other side sent a message about the end (or about a corrected date,
    correction_services)? Not when the municipality registers it for a provider not
    connected: the unit already knows."""
    return by_officer or actor.role_enum in PROVIDER_ROLES


def end_message(order: Order, end: date, note: str) -> tuple[str, str]:
    """Subject and body of the message that tells the other side of an end (R3.9)."""
    body = (
        f"Beställning #{order.pk} ({order.provider.name}) avslutad med slutdatum {day_text(end)}."
    )
    if order.end_reason:  # seed 004 "brukaren flyttar eller avlider"
        body += f"\nOrsak: {order.get_end_reason_display()}."
    if note:
        body += f"\n{note}"
    return f"Insatsen avslutas {day_text(end)}", body


def after_order_ended(
    actor, order: Order, end: date, *, by_officer: bool, note: str, in_decision: bool
) -> None:
    """Called by services.end_order inside its transaction (R3.9): both sides are told at once
    (not when the municipality registers the end for a provider not connected: the unit
    already knows), and the officer registers the end date in the decision (`in_decision`:
    the officer of the unit, also when registering a provider's end on its behalf)."""
    if end_is_told(actor, by_officer=by_officer):
        subject, body = end_message(order, end, note)
        send_order_message(actor, person=order.person, subject=subject, body=body, order=order)
    if in_decision:  # the screen, the API, a switch
        register_end_in_decision(order, end)


def register_end_in_decision(order: Order, end: date) -> None:
    """Set valid_to of the order's granted services, except those that continue on another
    order (a provider switch or a new order version moves them on)."""
    if order.switches_from.filter(completed_at__isnull=True).exists():
        return  # ended by a provider switch: the services go on with the new provider
    continuing = set(
        Order.objects.filter(services__in=order.services.all())
        .exclude(pk=order.pk)
        .open()
        .values_list("services", flat=True)
    )
    for service in order.services.all():
        if service.pk in continuing or end < service.valid_from:
            continue
        if service.valid_to is None or service.valid_to > end:
            service.valid_to = end
            service.save(update_fields=["valid_to"])
