"""Safety alarm (trygghetslarm, SPEC R4.1, R2.6, seed 002 §Utförare av trygghetslarm): every write.

1. ``register_alarm_ordered``: the alarm provider (the order's provider; the officer or fee
   officer on behalf of one not connected, R3.3) records that it ordered the alarm from the
   aids centre (ALARM_ORDERED): gotland's ``larm-bestallt-hmc`` is met and
   ``larm-installerat`` starts, the aids centre's 3 weekdays.
2. ``register_alarm_installed``: the aids centre records the installation (ALARM_INSTALLED);
   ``larm-installerat`` is met.
3. After a provider switch of an order with an alarm (the hook ``switch_completed`` notes it),
   the new provider orders the alarm's move from the aids centre on the new order
   (``register_alarm_ordered``, within its own deadline), which opens an ``AlarmContactMove``;
   the aids centre confirms the move (``confirm_contact_move``), which records ALARM_INSTALLED
   on the new order. The new order's alarm clocks are met the same way as a first alarm's.

Each step is one transaction through `orders.services.record_event`; a step out of turn (installed
before ordered, anything twice) is a 409 (`StepNotAllowed`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date
from verkstall.core.errors import DomainError, PermissionDenied, ValidationFailed
from verkstall.decisions.catalogue import ServiceKind
from verkstall.orders.end_services import has_alarm, service_kinds
from verkstall.orders.models import EventKind, Order, OrderEvent
from verkstall.orders.services import lock_order, provider_acting, record_event, reply_channel
from verkstall.orders.states import WITH_PROVIDER

from .models import AlarmContactMove


class StepNotAllowed(DomainError):
    """A step of the alarm or meal routine out of turn (409, like a transition not allowed)."""

    status_code = 409
    code = "step_not_allowed"


def last_event(order: Order, kind: str, after_seq: int = 0) -> OrderEvent | None:
    """The order's latest event of `kind` after sequence number `after_seq`."""
    return order.events.filter(kind=kind, seq__gt=after_seq).order_by("-seq").first()


def require_kind(order: Order, kind: str, message: str) -> None:
    if kind not in service_kinds(order):
        raise ValidationFailed({"order": message})


def require_with_provider(order: Order, what: str) -> None:
    """The order has reached its provider and is not closed (sent, acknowledged, started)."""
    if order.state not in WITH_PROVIDER:
        raise StepNotAllowed(
            f"Beställningen är {order.get_state_display().lower()}; det går inte att "
            f"registrera {what} nu."
        )


def require_aids_centre(actor, order: Order, what: str) -> None:
    """Only the aids centre of the order's municipality does this (R4.1)."""
    if actor.role_enum != Role.AIDS_CENTRE or actor.municipality_id != order.municipality_id:
        raise PermissionDenied(f"Endast hjälpmedelscentralen kan {what}.")


def day_moment(
    value, field: str, *, not_before: datetime | None, errors: dict, what: str
) -> datetime | None:
    """The moment of a step given as a day (today if empty): now for today, else the start of
    that day; never before `not_before` (the step it follows), never in the future. Errors go
    into `errors` under `field`, in Swedish."""
    today = clock.today()
    day = parse_date(value, field, errors, required=False) or today
    if field in errors:
        return None
    earliest = timezone.localdate(not_before) if not_before else None
    if day > today:
        errors[field] = f"Dagen {what} kan inte ligga i framtiden."
        return None
    if earliest and day < earliest:
        errors[field] = f"Dagen {what} kan inte ligga före {day_text(earliest)}."
        return None
    moment = clock.now() if day == today else clock.start_of_day(day)
    return max(moment, not_before) if not_before else moment


@transaction.atomic
def register_alarm_ordered(
    actor, *, order: Order, ordered_on=None, channel: str = ""
) -> OrderEvent:
    """The alarm provider has ordered the alarm from the aids centre (R4.1, seed 002: "inom 3
    vardagar"). Once per order; not before the order was sent, not in the future."""
    order = lock_order(order)
    on_behalf = provider_acting(actor, order, "registrera att larmet beställts")
    require_kind(order, ServiceKind.SAFETY_ALARM.value, "Beställningen har inget trygghetslarm.")
    require_with_provider(order, "att larmet beställts")
    done = last_event(order, EventKind.ALARM_ORDERED)
    if done is not None:
        raise StepNotAllowed(
            "Larmet är redan beställt från hjälpmedelscentralen "
            f"{day_text(timezone.localdate(done.occurred_at))}."
        )
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    when = day_moment(
        ordered_on, "ordered_on", not_before=order.sent_at, errors=errors, what="larmet beställdes"
    )
    if errors:
        raise ValidationFailed(errors)
    day = timezone.localdate(when)
    move = _open_move_for_switch(order)
    what = "flytten av larmet" if move else "larmet"
    return record_event(
        actor,
        order,
        kind=EventKind.ALARM_ORDERED,
        occurred_at=when,
        on_behalf_of=on_behalf,
        channel=channel,
        data={
            "ordered_on": day.isoformat(),
            "contact_move": move.pk if move else None,
            "text": f"{order.provider.name} beställde {what} från hjälpmedelscentralen "
            f"{day_text(day)}.",
        },
        allowed_states=WITH_PROVIDER,
    )


def open_move(order: Order) -> AlarmContactMove | None:
    return AlarmContactMove.objects.filter(order=order, confirmed_at__isnull=True).first()


@transaction.atomic
def register_alarm_installed(actor, *, order: Order, installed_on=None) -> OrderEvent:
    """The aids centre has installed the alarm (R4.1: "inom 3 vardagar från beställning av
    utförare"). Only after the provider's order, once; not in the future."""
    order = lock_order(order)
    require_aids_centre(actor, order, "registrera att larmet installerats")
    ordered = last_event(order, EventKind.ALARM_ORDERED)
    if ordered is None:
        raise StepNotAllowed(
            "Larmet är inte beställt från hjälpmedelscentralen ännu; det kan inte registreras "
            "som installerat."
        )
    if open_move(order) is not None:
        raise StepNotAllowed(
            "Larmet följer ett byte av utförare: bekräfta att larmets kontaktuppgifter flyttats "
            "i stället."
        )
    installed = last_event(order, EventKind.ALARM_INSTALLED, after_seq=ordered.seq)
    if installed is not None:
        raise StepNotAllowed(
            f"Larmet är redan registrerat som installerat "
            f"{day_text(timezone.localdate(installed.occurred_at))}."
        )
    require_with_provider(order, "att larmet installerats")
    errors: dict[str, str] = {}
    when = day_moment(
        installed_on,
        "installed_on",
        not_before=ordered.occurred_at,
        errors=errors,
        what="larmet installerades",
    )
    if errors:
        raise ValidationFailed(errors)
    day = timezone.localdate(when)
    return record_event(
        actor,
        order,
        kind=EventKind.ALARM_INSTALLED,
        occurred_at=when,
        data={"installed_on": day.isoformat(), "text": f"Larmet installerat {day_text(day)}."},
        allowed_states=WITH_PROVIDER,
    )


def on_switch_completed(*, actor, switch, old_order: Order, new_order: Order) -> str:
    """The hook `switch_completed` (orders.switch_services.complete_switch, in its
    transaction): for an order with a safety alarm, the note for the switch's history and case
    journal ("" without an alarm). The new provider then orders the alarm's move from the aids
    centre (`register_alarm_ordered` on the new order, its own clock `larm-bestallt-hmc`), which
    opens the aids centre's contact move (R2.6: "ny utförare ska kontakta HMC ... HMC ändrar
    så att trygghetslarmet blir kopplat till ny aktuell utförare från överenskommet
    verkställighetsdatum")."""
    if not has_alarm(new_order):
        return ""
    return (
        f"Trygghetslarm: {new_order.provider.name} beställer flytten av larmet från "
        f"hjälpmedelscentralen, som kopplar larmet till {new_order.provider.name} från och med "
        f"{day_text(switch.agreed_date)}."
    )


def _open_move_for_switch(order: Order) -> AlarmContactMove | None:
    """An order made by a provider switch: its alarm is the old provider's, moved (R2.6). The
    aids centre gets the move to confirm from the agreed date."""
    switch = order.switched_to.select_related("old_order__provider").first()
    if switch is None:
        return None
    return AlarmContactMove.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        old_provider=switch.old_order.provider,
        new_provider=order.provider,
        from_date=switch.agreed_date or timezone.localdate(switch.completed_at),
    )


@transaction.atomic
def confirm_contact_move(actor, *, move: AlarmContactMove) -> AlarmContactMove:
    """The aids centre confirms that the alarm is connected to the new provider ("Larmets
    kontaktuppgifter flyttade", R2.6); the new order's alarm counts as installed."""
    order = lock_order(move.order)
    move = AlarmContactMove.objects.select_for_update().get(pk=move.pk)
    require_aids_centre(actor, order, "bekräfta att larmets kontaktuppgifter flyttats")
    if move.confirmed_at is not None:
        raise StepNotAllowed(
            f"Flytten bekräftades redan {day_text(timezone.localdate(move.confirmed_at))}."
        )
    move.confirmed_at = clock.now()
    move.confirmed_by = actor
    move.save(update_fields=["confirmed_at", "confirmed_by"])
    record_event(
        actor,
        order,
        kind=EventKind.ALARM_INSTALLED,
        data={
            "contact_move": move.pk,
            "text": f"Larmets kontaktuppgifter flyttade till {move.new_provider.name} från och "
            f"med {day_text(move.from_date)}.",
        },
        allowed_states=None,
    )
    return move
