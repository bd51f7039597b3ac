"""Steps in an order's own flow that are registered beside the transitions (issue 16):

- `report_not_started` (R3.7; seed 002 "Om insatsen ej verkställs dokumenteras och kontaktar
  utföraren handläggaren", seed 004 "Start av insats"): the provider documents that the
  service has not started, and why; the officer is told.
- `register_new_client_told` (R3.4; seed 003 "Vid ny kund kontaktas utföraren och
  informeras om att beställningen är på väg, via mail eller telefonsamtal"): the officer
  registers that the provider was told, how and when.
- `report_support_not_received` (R7.2; seed 003 "Utföraren informerar handläggaren ... om
  stödet ej tas emot enligt beställning eller utifrån genomförandeplan"): the provider reports
  to the officer, with the dates and the reason.
- `route_to_unit` (seed 002 "Utföraren fördelar och verkställer"): the provider routes the
  order to one of its own units; that unit's staff and manager then find it on their lists
  and answer for its clocks.

Each is one transaction that writes its order event through `services.record_event` (which
moves the clocks) and, where the officer is to be told, the message or note in the same
transaction (notify_services.tell_officer). Every event is seen by those who see the order.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from verkstall.access.policies import require_officer_of_unit
from verkstall.access.roles import PROVIDER_ROLES
from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date, parse_moment
from verkstall.core.errors import (
    DomainError,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from verkstall.providers.models import ProviderUnit

from .models import EventKind, Order, OrderEvent, ReplyChannel
from .notify_services import tell_officer
from .selectors import is_new_client
from .services import lock_order, provider_acting, record_event, reply_channel
from .states import REPLY_PENDING, WITH_PROVIDER, State

#: The longest reason or report text kept (a report, not a journal).
TEXT_MAX = 2000

#: How the officer told the provider of a new client (seed 003: "via mail eller telefonsamtal").
TOLD_HOW = {ReplyChannel.EMAIL.value: "e-post", ReplyChannel.PHONE.value: "telefon"}

#: Before the start: the order is on its way or waiting to start (R3.4).
BEFORE_START = (State.DRAFT.value, *REPLY_PENDING)


class AlreadyRegistered(DomainError):
    """A step registered once per order that is registered already (409)."""

    status_code = 409
    code = "already_registered"


def require_state(order: Order, kind: str, states: tuple[str, ...]) -> None:
    """409 before the input is read: the order's state does not allow this step."""
    if order.state in states:
        return
    raise TransitionNotAllowed(
        f"Beställningen är {order.get_state_display().lower()}; det går inte att registrera "
        f"”{EventKind(kind).label.lower()}” nu.",
        state=order.state,
        action=kind,
        allowed=list(states),
    )


def _text(value, field: str, errors: dict, missing: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        errors[field] = missing
    elif len(text) > TEXT_MAX:
        errors[field] = f"Skriv högst {TEXT_MAX} tecken."
    return text


@transaction.atomic
def report_not_started(actor, order: Order, *, reason, channel: str = "") -> OrderEvent:
    """The provider documents that the service has not started, and why (R3.7): while the
    order is sent or acknowledged. For a provider not connected, the officer or fee officer
    registers what it reported, saying how it came in. The officer is told (a message, or a
    case journal note when a fee officer registered it) and sees it on the order's page and
    on the start page."""
    order = lock_order(order)
    on_behalf = provider_acting(actor, order, "rapportera att insatsen inte har påbörjats")
    require_state(order, EventKind.NOT_STARTED, REPLY_PENDING)
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    reason = _text(reason, "reason", errors, "Ange varför insatsen inte har påbörjats.")
    if errors:
        raise ValidationFailed(errors)
    text = f"Insatsen har inte påbörjats. Orsak: {reason}"
    event = record_event(
        actor,
        order,
        kind=EventKind.NOT_STARTED,
        data={"reason": reason, "text": text},
        on_behalf_of=on_behalf,
        channel=channel,
        allowed_states=REPLY_PENDING,
    )
    tell_officer(
        actor,
        order,
        subject=f"Beställning #{order.pk}: insatsen har inte påbörjats",
        body=f"{order.provider.name} rapporterar att insatsen i beställning #{order.pk} inte "
        f"har påbörjats.\nOrsak: {reason}",
    )
    return event


def new_client_told(order: Order) -> OrderEvent | None:
    """The registered step "the provider was told of a new client", if any (R3.4)."""
    return order.events.filter(kind=EventKind.NEW_CLIENT_NOTIFIED).order_by("seq").first()


@transaction.atomic
def register_new_client_told(actor, order: Order, *, how, told_at=None) -> OrderEvent:
    """The officer of the client's unit registers that the provider was told, by e-mail or
    phone, that an order for a new client is on its way (R3.4, seed 003): before the start,
    once per order. `told_at` defaults to now; never in the future, never before the order."""
    order = lock_order(order)
    require_officer_of_unit(actor, order.unit_id, "registrera att utföraren informerats")
    require_state(order, EventKind.NEW_CLIENT_NOTIFIED, BEFORE_START)
    already = new_client_told(order)
    if already is not None:
        raise AlreadyRegistered(
            "Det är redan registrerat att utföraren informerats om den nya brukaren "
            f"({timezone.localtime(already.occurred_at):%Y-%m-%d %H:%M})."
        )
    errors: dict[str, str] = {}
    if how not in TOLD_HOW:
        errors["how"] = "Ange hur utföraren informerades: e-post eller telefon."
    now = clock.now()
    when = parse_moment(told_at, "told_at", errors) or now
    if "told_at" not in errors:
        if when > now:
            errors["told_at"] = "Tidpunkten kan inte ligga i framtiden."
        elif when < order.created_at:
            errors["told_at"] = "Tidpunkten kan inte ligga före beställningen skapades."
    if errors:
        raise ValidationFailed(errors)
    new = is_new_client(order)
    text = (
        f"{order.provider.name} informerades per {TOLD_HOW[how]} om att beställningen gäller "
        "en ny brukare och är på väg."
    )
    return record_event(
        actor,
        order,
        kind=EventKind.NEW_CLIENT_NOTIFIED,
        occurred_at=when,
        data={"how": how, "new_client": new, "text": text},
        allowed_states=BEFORE_START,
    )


@transaction.atomic
def report_support_not_received(
    actor, order: Order, *, from_date, reason, to_date=None, channel: str = ""
) -> OrderEvent:
    """The provider reports to the officer that the support is not received as ordered (R7.2,
    seed 003): from when (and until when, if it is over), and why. While the service runs.
    The officer is told and sees it on the order's page."""
    order = lock_order(order)
    on_behalf = provider_acting(actor, order, "rapportera att stödet inte ges enligt beställningen")
    require_state(order, EventKind.SUPPORT_NOT_RECEIVED, (State.STARTED.value,))
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    start = parse_date(from_date, "from_date", errors)
    end = parse_date(to_date, "to_date", errors, required=False)
    today = clock.today()
    if start:
        if start > today:
            errors["from_date"] = "Datumet kan inte ligga i framtiden."
        elif order.start_date and start < order.start_date:
            errors["from_date"] = (
                f"Datumet kan inte ligga före startdatum ({day_text(order.start_date)})."
            )
    if end:
        if end > today:
            errors["to_date"] = "Datumet kan inte ligga i framtiden; lämna det tomt om det pågår."
        elif start and end < start:
            errors["to_date"] = "Till och med kan inte ligga före från och med."
    reason = _text(reason, "reason", errors, "Ange varför stödet inte ges enligt beställningen.")
    if errors:
        raise ValidationFailed(errors)
    period = f"från och med {day_text(start)}"
    if end:
        period += f" till och med {day_text(end)}"
    text = f"Stödet har inte tagits emot enligt beställningen {period}. Orsak: {reason}"
    event = record_event(
        actor,
        order,
        kind=EventKind.SUPPORT_NOT_RECEIVED,
        data={
            "from_date": start.isoformat(),
            "to_date": end.isoformat() if end else None,
            "reason": reason,
            "text": text,
        },
        on_behalf_of=on_behalf,
        channel=channel,
        allowed_states=(State.STARTED.value,),
    )
    tell_officer(
        actor,
        order,
        subject=f"Beställning #{order.pk}: stödet ges inte enligt beställningen",
        body=f"{order.provider.name} rapporterar för beställning #{order.pk}: {text}",
    )
    return event


def may_route(user, order: Order) -> bool:
    """Whether the user may route the order to a unit now: the provider's own user, while the
    order is with the provider; a user of one unit only an order not yet routed or in their
    own unit (they pass it on)."""
    return (
        user.role_enum in PROVIDER_ROLES
        and user.provider_id == order.provider_id
        and order.state in WITH_PROVIDER
        and (
            user.provider_unit_id is None
            or order.provider_unit_id is None
            or order.provider_unit_id == user.provider_unit_id
        )
    )


@transaction.atomic
def route_to_unit(actor, order: Order, *, provider_unit) -> OrderEvent:
    """The provider routes the order to one of its own units (seed 002 "Utföraren fördelar"):
    only its own users, only its own units, while the order is with it. The order's unit
    changes with the event (from and to), and the order's clocks move to that unit's lists in
    the same transaction."""
    order = lock_order(order)
    if actor.role_enum not in PROVIDER_ROLES or actor.provider_id != order.provider_id:
        raise PermissionDenied("Endast utföraren fördelar beställningen till en av sina enheter.")
    require_state(order, EventKind.ROUTED_TO_UNIT, WITH_PROVIDER)
    current = order.provider_unit
    if not may_route(actor, order):
        raise PermissionDenied(
            f"Beställningen är fördelad till {current.name}; den enheten fördelar om den."
        )
    unit_id = getattr(provider_unit, "pk", provider_unit)
    unit = None
    if str(unit_id or "").isdigit():
        unit = ProviderUnit.objects.filter(pk=int(unit_id), provider_id=order.provider_id).first()
    if unit is None:
        raise ValidationFailed({"provider_unit": "Välj en av utförarens egna enheter."})
    if current is not None and current.pk == unit.pk:
        raise ValidationFailed(
            {"provider_unit": f"Beställningen är redan fördelad till {unit.name}."}
        )
    order.provider_unit = unit
    order.save(update_fields=["provider_unit", "updated_at"])
    text = f"Fördelad till {unit.name}" + (f" (från {current.name})." if current else ".")
    return record_event(
        actor,
        order,
        kind=EventKind.ROUTED_TO_UNIT,
        data={
            "from_unit": current.pk if current else None,
            "to_unit": unit.pk,
            "text": text,
        },
        allowed_states=WITH_PROVIDER,
    )
