"""Changed needs, new order versions and ending (SPEC R3.8, R3.9, R3.10, seed 002).

- ``report_temporary_change`` (R3.8, §Förändrat behov): the provider documents when and why a
  temporary increase or decrease happens (CHANGE_REPORTED). Up to the profile's
  `temporary_change_days` (5 in seed 002) fit inside the current payment, except for a client
  whose order holds only a safety alarm; a longer change (or any change for an alarm-only
  client) needs a reassessment: the case journal gets "Förändrat behov – omprövning behövs"
  and the officer a message. The number is the municipality's (R11.4,
  deadlines.threshold_selectors).
- ``reissue_order`` (R3.10, §Uppföljning, §Ny prövning): after a reassessment or new decision,
  a new order (same provider, the decision's services) that supersedes the old one is created
  and sent in one transaction; the provider is told what the change concerns. When the new
  order's start is registered (services.register_start calls ``end_superseded``), the old order
  ends the day before.
- ``after_order_ended`` (R3.9, §Bistånd som avslutas eller upphör): services.end_order calls it;
  officer and provider tell each other, and an officer's end is registered in the decision
  (the granted services' ``valid_to``).
"""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.access.roles import PROVIDER_ROLES
from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date
from verkstall.core.errors import TransitionNotAllowed, ValidationFailed
from verkstall.deadlines.threshold_selectors import threshold
from verkstall.journal.case_services import write_case_entry

from . import services as order_services
from .end_services import is_alarm_only, send_order_message
from .models import EventKind, Order, TemporaryChange
from .services import provider_acting, reply_channel
from .states import ACTIVE

#: R3.8: "Vid tillfälliga förändringar upp till 5 dagar rymms det utökade uppdraget i befintlig
#: ersättningen (undantag brukare med endast larm)": the number is the profile's.
DAYS_IN_PAYMENT = "temporary_change_days"
REASSESSMENT_TITLE = "Förändrat behov – omprövning behövs"


def days_in_payment(municipality) -> int:
    """How many days of a temporary change fit in the current payment under the
    municipality's routine (R3.8; its profile's `temporary_change_days`)."""
    return threshold(municipality, DAYS_IN_PAYMENT)


def needs_reassessment(days: int, *, alarm_only: bool, max_days: int) -> bool:
    """R3.8: up to `max_days` days fit in the current payment, never for an alarm-only
    client."""
    return alarm_only or days > max_days


# --- R3.8 ---------------------------------------------------------------------------------


@transaction.atomic
def report_temporary_change(
    actor,
    order: Order,
    *,
    kind: str,
    from_date,
    to_date,
    reason: str,
    channel: str = "",
) -> TemporaryChange:
    """The provider (or the municipality for one not connected) reports a temporary change.
    Returns the stored change; ``needs_reassessment`` says whether the officer must reassess."""
    on_behalf = provider_acting(actor, order, "rapportera förändrat behov")
    if order.state not in ACTIVE:
        raise TransitionNotAllowed(
            f"Beställningen är {order.get_state_display().lower()}; förändrat behov kan bara "
            "rapporteras för en pågående beställning.",
            state=order.state,
            action=EventKind.CHANGE_REPORTED.value,
            allowed=list(ACTIVE),
        )
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    if kind not in TemporaryChange.Kind.values:
        errors["kind"] = "Ange om det är en ökning eller en minskning."
    start = parse_date(from_date, "from_date", errors)
    end = parse_date(to_date, "to_date", errors)
    if start and end and end < start:
        errors["to_date"] = "Slutdatum kan inte ligga före startdatum."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Ange orsaken till förändringen."
    if errors:
        raise ValidationFailed(errors)
    days = (end - start).days + 1
    alarm_only = is_alarm_only(order)
    max_days = days_in_payment(order.municipality_id)
    reassess = needs_reassessment(days, alarm_only=alarm_only, max_days=max_days)
    label = TemporaryChange.Kind(kind).label.lower()
    text = f"Tillfällig {label} {day_text(start)}–{day_text(end)} ({days} dagar): {reason}"
    if reassess:
        why = (
            "klienten har endast trygghetslarm"
            if alarm_only
            else f"förändringen är längre än {max_days} dagar"
        )
        text += f" Omprövning behövs ({why})."
    else:
        text += " Ryms i befintlig ersättning."
    now = clock.now()
    event = order_services.record_event(
        actor,
        order,
        kind=EventKind.CHANGE_REPORTED,
        occurred_at=min(clock.start_of_day(start), now),
        data={
            "change": kind,
            "from_date": start.isoformat(),
            "to_date": end.isoformat(),
            "days": days,
            "reason": reason,
            "alarm_only": alarm_only,
            "needs_reassessment": reassess,
            "text": text,
        },
        on_behalf_of=on_behalf,
        channel=channel,
    )
    change = TemporaryChange.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        kind=kind,
        from_date=start,
        to_date=end,
        days=days,
        reason=reason,
        needs_reassessment=reassess,
        event=event,
        reported_by=actor,
    )
    if reassess:
        body = f"Beställning #{order.pk} ({order.provider.name}): {text}"
        write_case_entry(actor, person=order.person, title=REASSESSMENT_TITLE, text=body)
        if actor.role_enum in PROVIDER_ROLES:  # registered on behalf: the unit already knows
            send_order_message(actor, person=order.person, subject=REASSESSMENT_TITLE, body=body,
                         order=order)  # fmt: skip
    return change


# --- R3.10 --------------------------------------------------------------------------------


@transaction.atomic
def reissue_order(actor, order: Order, *, decision, change_summary: str) -> Order:
    """Send a new version of the order after a reassessment or new decision (R3.10)."""
    require_officer_of_unit(actor, order.unit_id, "skicka en ändrad beställning")
    order = order_services.lock_order(order)
    if order.state not in ACTIVE:
        raise TransitionNotAllowed(
            f"Beställningen är {order.get_state_display().lower()}; bara en pågående "
            "beställning kan ersättas av en ändrad.",
            state=order.state,
            action="reissue",
            allowed=list(ACTIVE),
        )
    errors: dict[str, str] = {}
    summary = (change_summary or "").strip()
    if not summary:
        errors["change_summary"] = "Ange vad ändringen gäller; utföraren ska få veta det."
    if decision is None or decision.person_id != order.person_id:
        errors["decision"] = "Beslutet måste gälla samma klient."
    elif decision.municipality_id != order.municipality_id:
        errors["decision"] = "Okänt beslut."
    if order.superseded_by.open().exists():
        errors["change_summary"] = "Det finns redan en ändrad beställning som ersätter denna."
    if errors:
        raise ValidationFailed(errors)
    new = order_services.create_order(
        actor,
        decision=decision,
        provider=order.provider,
        provider_unit=order.provider_unit,
        instructions=order.instructions,
    )
    new.supersedes = order
    new.change_summary = summary
    new.save(update_fields=["supersedes", "change_summary", "updated_at"])
    order_services.send_order(actor, new)
    send_order_message(
        actor,
        person=order.person,
        subject=f"Ändrad beställning #{new.pk}",
        body=f"Ändrad beställning: {summary}\nErsätter beställning #{order.pk} när den nya "
        "beställningen har verkställts.",
        order=new,
    )
    return Order.objects.get(pk=new.pk)


# --- R3.9 ---------------------------------------------------------------------------------


@transaction.atomic
def officer_end_order(actor, order: Order, *, end_date, note: str = ""):
    """The officer ends the order and registers the end date in the decision (R3.9): the
    provider is messaged (end_order) and the granted services get ``valid_to``."""
    require_officer_of_unit(actor, order.unit_id, "avsluta insatsen i beslutet")
    return order_services.end_order(actor, order, end_date=end_date, note=note)
