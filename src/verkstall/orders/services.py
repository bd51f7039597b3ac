"""Every write to an order: one business action, one transaction, one event (SPEC R3).

Each transition locks the order row, checks the state table (states.py) and the actor's right
to act, then writes the event and the new state together. An event records when the thing
happened (`occurred_at`) and when it was recorded (`recorded_at`), so a start date reported
late is judged by when it happened while the record shows both.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from verkstall.access.policies import provider_side, require_officer_of_unit
from verkstall.access.roles import Role
from verkstall.core import clock, metrics
from verkstall.core.dates import parse_date, parse_moment
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.core.event_kinds import HISTORY_NOTES
from verkstall.deadlines.engine import recompute_after_order_event
from verkstall.people.protection_services import require_oral_briefing
from verkstall.providers.models import Provider, ProviderUnit

from . import end_services as ends  # seed 004: why an order ended
from .document_services import queue_order_email
from .end_services import after_order_ended, end_note, superseded_end  # R3.9, R3.10
from .feed_selectors import feed_position_after
from .models import EventKind, Order, OrderEvent, ReplyChannel
from .notify_services import notify_after_send, tell_started
from .start_services import booked_staff_named
from .states import ACTIVE, REPLY_PENDING, Action, IllegalTransition, State, next_state

#: The refusal of a makulering without a reason (issue 17 item 3).
CANCEL_REASON_MISSING = "Ange varför beställningen makuleras."
#: How a reply registered for a provider not connected came in: phone, e-mail, fax or post.
ON_BEHALF_CHANNELS = tuple(c for c in ReplyChannel.values if c != ReplyChannel.SYSTEM)


def lock_order(order: Order) -> Order:
    """The order's row, locked for this transaction (call inside one). Every write to an order
    starts here. The decision is read too: the deadline engine reads it after every event."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("provider", "decision")
        .get(pk=order.pk)
    )


def _append_event(
    order: Order,
    *,
    kind: str,
    actor,
    occurred_at: datetime,
    from_state: str = "",
    to_state: str = "",
    on_behalf_of: Provider | None = None,
    channel: str = "",
    data: dict | None = None,
) -> OrderEvent:
    """Write the next event of a locked order. The caller saves the order in the same
    transaction; `last_event_seq` and the unique (order, seq) constraint keep the sequence."""
    order.last_event_seq += 1
    return OrderEvent.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        seq=order.last_event_seq,
        txid=feed_position_after(order.pk, order.last_event_seq - 1),
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        actor_organisation=actor.organisation_name[:200],
        on_behalf_of=on_behalf_of,
        channel=channel,
        occurred_at=occurred_at,
        recorded_at=clock.now(),
        data=data or {},
    )


def transition(
    order: Order,
    action: Action,
    *,
    kind: str,
    actor,
    occurred_at: datetime,
    updates: dict,
    data: dict | None = None,
    on_behalf_of: Provider | None = None,
    channel: str = "",
) -> OrderEvent:
    """A locked order's transition (the state table decides, else 409) with its event, saved,
    its clocks moved. The caller has checked that `actor` may do it (send_order ... here;
    death_services for an order another unit took)."""
    new_state = check_state(order, action)
    from_state = order.state
    for field, value in updates.items():
        setattr(order, field, value)
    order.state = new_state.value
    event = _append_event(
        order,
        kind=kind,
        actor=actor,
        occurred_at=occurred_at,
        from_state=from_state,
        to_state=new_state.value,
        on_behalf_of=on_behalf_of,
        channel=channel,
        data=data,
    )
    order.save()
    _recompute_deadlines(order, kind)
    # Counted for /metrics once committed: a transition rolled back never happened (issue 18).
    transaction.on_commit(partial(metrics.count_transition, str(action)))
    return event


def _recompute_deadlines(order: Order, kind: str | None = None) -> None:
    """Every event but a note (HISTORY_NOTES) moves the clocks of its order and its decision,
    in the same transaction (the decision's only when `kind` can move them: engine.py)."""
    if str(kind) not in HISTORY_NOTES:
        recompute_after_order_event(order, kind)


def check_state(order: Order, action: Action) -> State:
    """The state `action` leads to; 409 for an action the state does not allow. Public so that
    the API can refuse before its own input validation, too."""
    try:
        return next_state(order.state, action)
    except IllegalTransition as exc:
        raise TransitionNotAllowed(
            str(exc),
            state=exc.state.value,
            action=exc.action.value,
            allowed=[a.value for a in exc.allowed],
        ) from None


def provider_acting(actor, order: Order, what: str) -> Provider | None:
    """May `actor` act for the order's provider? None: the provider's own user; a Provider: a
    municipality user registering on behalf of a provider not connected (R3.3). Otherwise
    PermissionDenied, saying who does `what`."""
    allowed, on_behalf = provider_side(actor, order.provider)
    if not allowed:
        if actor.role_enum in (Role.OFFICER, Role.FEE_OFFICER) and order.provider.is_connected:
            raise PermissionDenied(
                f"{order.provider.name} är ansluten till systemet och {what} själv."
            )
        raise PermissionDenied(f"Endast utföraren kan {what}.")
    return on_behalf


def officer_of_unit(user, order: Order) -> bool:
    """Is `user` an officer of the order's unit (the client's unit)?"""
    return user.role_enum == Role.OFFICER and user.unit_id == order.unit_id


def acting(actor, order: Order, channel: str, errors: dict, what: str):
    """Who acts on an end or a date correction: (on_behalf_of, channel, by_officer). The
    officer of the client's unit acts in their own name, by the system, unless they give the
    channel a provider not connected reported by (a returned report form, a phone call): then
    it is the provider's act, registered on its behalf with that channel (R3.3, R4.2). Anyone
    else acts for the provider (`provider_acting`: PermissionDenied, saying who does `what`;
    a missing channel is an error in `errors`)."""
    reported = channel in ON_BEHALF_CHANNELS and not order.provider.is_connected
    if officer_of_unit(actor, order) and not reported:
        return None, ReplyChannel.SYSTEM.value, True
    on_behalf = provider_acting(actor, order, what)
    return on_behalf, reply_channel(on_behalf, channel, errors), False


def earliest_start(order: Order) -> date | None:
    """The first day the order's start may be: not before the order, its acute oral order or
    its sending (R3.2, R3.7); None while it has neither."""
    moment = order.acute_oral_at or order.sent_at
    return timezone.localdate(moment) if moment else None


def reply_channel(on_behalf: Provider | None, channel: str, errors: dict) -> str:
    """The channel a reply came in by: the system for the provider's own user; for a reply
    registered on behalf, the one given (an error in `errors` when it is missing)."""
    if on_behalf is None:
        return ReplyChannel.SYSTEM.value
    if channel not in ON_BEHALF_CHANNELS:
        errors["channel"] = "Ange hur utförarens svar kom in (telefon, e-post, fax eller post)."
    return channel


@transaction.atomic
def create_order(
    actor,
    *,
    decision,
    provider,
    services=None,
    provider_unit=None,
    instructions: str = "",
    acute_oral_at=None,
) -> Order:
    """Create a draft order for a decision's services (R3.1). With `acute_oral_at`, the order
    records that an acute oral order was given then; the written order must follow (R3.2)."""
    require_officer_of_unit(actor, decision.unit_id, "beställa insatser för klienten")
    errors: dict[str, str] = {}
    provider_obj = _provider(actor, provider, errors)
    unit_obj = None
    if provider_unit not in (None, "") and provider_obj is not None:
        unit_id = getattr(provider_unit, "pk", provider_unit)
        unit_obj = ProviderUnit.objects.filter(pk=unit_id, provider=provider_obj).first()
        if unit_obj is None:
            errors["provider_unit"] = "Enheten hör inte till vald utförare."
    granted = list(decision.services.all())
    if services is None:
        chosen = granted
    else:
        wanted = {int(getattr(s, "pk", s)) for s in services if str(getattr(s, "pk", s)).isdigit()}
        chosen = [g for g in granted if g.pk in wanted]
        if len(chosen) != len({str(getattr(s, "pk", s)) for s in services}):  # ids listed twice
            errors["services"] = "Insatserna måste höra till beslutet."
    if not chosen:
        errors.setdefault("services", "Välj minst en beviljad insats.")
    oral_at = parse_moment(acute_oral_at, "acute_oral_at", errors)
    now = clock.now()
    if oral_at and oral_at > now:
        errors["acute_oral_at"] = "Den muntliga beställningen kan inte ligga i framtiden."
    if errors:
        raise ValidationFailed(errors)
    order = Order.objects.create(
        municipality_id=decision.municipality_id,
        unit_id=decision.unit_id,
        person_id=decision.person_id,
        decision=decision,
        officer=actor,
        provider=provider_obj,
        provider_unit=unit_obj,
        instructions=(instructions or "").strip(),
        acute_oral_at=oral_at,
    )
    order.services.set(chosen)
    _append_event(
        order,
        kind=EventKind.CREATED,
        actor=actor,
        occurred_at=now,
        to_state=order.state,
        data={"services": [g.pk for g in chosen], "provider": provider_obj.name},
    )
    if oral_at:
        _append_event(order, kind=EventKind.ORAL_ORDER, actor=actor, occurred_at=oral_at)
    order.save(update_fields=["last_event_seq"])
    _recompute_deadlines(order)
    return order


def _provider(actor, provider, errors: dict) -> Provider | None:
    provider_id = getattr(provider, "pk", provider)
    obj = Provider.objects.filter(pk=provider_id, municipality_id=actor.municipality_id).first()
    if obj is None:
        errors["provider"] = "Okänd utförare."
    return obj


@transaction.atomic
def send_order(actor, order: Order, *, written_on=None) -> OrderEvent:
    """Send the written order (R3.1). It is dated the day it is written and never earlier,
    even when an acute oral order came first (R3.2, seed 001 "ej får dateras retroaktivt")."""
    order = lock_order(order)
    require_officer_of_unit(actor, order.unit_id, "skicka beställningen")
    check_state(order, Action.SEND)
    # A protected client's order goes out only after the oral briefing (R10.1); this covers
    # every path that sends: the order page, the API, a switch and a new version.
    require_oral_briefing(order)
    errors: dict[str, str] = {}
    today = clock.today()
    written = parse_date(written_on, "written_on", errors, required=False) or today
    if not errors and written < today:
        errors["written_on"] = (
            f"En skriftlig beställning får inte dateras retroaktivt; den kan dateras "
            f"tidigast i dag ({today:%Y-%m-%d})."
        )
    elif not errors and written > today:
        errors["written_on"] = f"Beställningen dateras den dag den skickas ({today:%Y-%m-%d})."
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    event = transition(
        order,
        Action.SEND,
        kind=EventKind.SENT,
        actor=actor,
        occurred_at=now,
        updates={"sent_at": now, "written_on": written},
        data={"written_on": written.isoformat(), "channel": order.provider.channel},
    )
    # A provider that takes orders by e-mail gets the PDF through the outbox once this is
    # committed (R3.3); a failing mail server never rolls the send back (document_services.py).
    queue_order_email(actor, order)
    notify_after_send(order)  # the provider, or the fee officers, by e-mail (R3.3, 001, 004)
    return event


@transaction.atomic
def acknowledge_order(actor, order: Order, *, occurred_at=None, channel: str = "") -> OrderEvent:
    """The provider confirms receipt (kvittens, R3.3, R3.5); for a provider that is not
    connected, the officer or fee officer registers it on its behalf, saying how it came."""
    order = lock_order(order)
    on_behalf = provider_acting(actor, order, "kvittera beställningen")
    check_state(order, Action.ACKNOWLEDGE)
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    now = clock.now()
    when = parse_moment(occurred_at, "occurred_at", errors) or now
    if "occurred_at" not in errors:
        if when > now:
            errors["occurred_at"] = "Kvittensen kan inte ligga i framtiden."
        elif order.sent_at and when < order.sent_at:
            errors["occurred_at"] = "Kvittensen kan inte ligga före beställningen skickades."
    if errors:
        raise ValidationFailed(errors)
    return transition(
        order,
        Action.ACKNOWLEDGE,
        kind=EventKind.ACKNOWLEDGED,
        actor=actor,
        occurred_at=when,
        updates={"acknowledged_at": when},
        on_behalf_of=on_behalf,
        channel=channel,
    )


@transaction.atomic
def register_start(actor, order: Order, *, start_date, channel="", booked_staff="") -> OrderEvent:
    """Register the date the service actually began (verkställighetsdatum, R3.7). The officer
    is told "verkställt från och med <date>" (notify_services.tell_started). `booked_staff`:
    see start_services (R3.6)."""
    order = lock_order(order)
    on_behalf = provider_acting(actor, order, "registrera startdatum")
    check_state(order, Action.START)
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    booked = booked_staff_named(order, booked_staff, errors)
    start = parse_date(start_date, "start_date", errors)
    if start:
        earliest = earliest_start(order)
        if start > clock.today():
            errors["start_date"] = (
                "Startdatum kan inte ligga i framtiden; registrera det när insatsen har börjat."
            )
        elif earliest and start < earliest:
            errors["start_date"] = (
                f"Startdatum kan inte ligga före beställningen ({earliest:%Y-%m-%d})."
            )
    if errors:
        raise ValidationFailed(errors)
    event = transition(
        order,
        Action.START,
        kind=EventKind.STARTED,
        actor=actor,
        occurred_at=clock.start_of_day(start),
        updates={"start_date": start},
        data={"start_date": start.isoformat(), **({"booked_staff": booked} if booked else {})},
        on_behalf_of=on_behalf,
        channel=channel,
    )
    tell_started(actor, order, start)
    if order.supersedes_id:  # a new order version: the old one ends the day before (R3.10)
        end_superseded(actor, order, start, channel=channel)
    return event


def end_superseded(actor, new_order: Order, start, *, channel: str = "") -> None:
    """Called by register_start inside its transaction (R3.10): the superseded order ends the
    day before the new one starts (never before its own start); one never started is
    withdrawn by the officer of the new order."""
    if new_order.supersedes_id is None:
        return
    old = lock_order(new_order.supersedes)
    note = f"Ersatt av ändrad beställning #{new_order.pk} från och med {start:%Y-%m-%d}."
    if old.state == State.STARTED.value:
        end, why = superseded_end(old, start), ends.NEEDS_CHANGED
        end_order(actor, old, end_date=end, note=note, channel=channel, end_reason=why)
    elif old.state in REPLY_PENDING:
        cancel_order(new_order.officer, old, reason=note)


@transaction.atomic
def end_order(
    actor, order: Order, *, end_date, note: str = "", channel: str = "", end_reason: str = ""
) -> OrderEvent:
    """Either side reports the end (R3.9): the provider (or the municipality on its behalf)
    or the officer of the client's unit. The officer who gives the channel a provider not
    connected reported by (a returned report form, a phone call) registers that provider's end
    on its behalf, and the end is the provider's, with that channel (R3.3, R4.2). Why it ends
    (`end_reason`, seed 004) is kept on the order and in the event; the screen and API ask."""
    order = lock_order(order)
    errors: dict[str, str] = {}
    on_behalf, channel, by_officer = acting(actor, order, channel, errors, "avsluta insatsen")
    check_state(order, Action.END)
    end_reason = ends.checked_end_reason(end_reason, errors)
    end = parse_date(end_date, "end_date", errors)
    ends.check_end_date(order, end, errors)
    if errors:
        raise ValidationFailed(errors)
    note = end_note(order, note)
    event = transition(
        order,
        Action.END,
        kind=EventKind.ENDED,
        actor=actor,
        occurred_at=clock.start_of_day(end),
        updates={"end_date": end, "end_reason": end_reason},
        data=ends.with_end_reason({"end_date": end.isoformat(), "note": note}, end_reason),
        on_behalf_of=on_behalf,
        channel=channel,
    )
    # The officer of the unit registers the end in the decision, also a provider's on its behalf.
    in_decision = officer_of_unit(actor, order)
    after_order_ended(actor, order, end, by_officer=by_officer, note=note, in_decision=in_decision)
    return event


@transaction.atomic
def cancel_order(actor, order: Order, *, reason: str = "", end_reason: str = "") -> OrderEvent:
    """Withdraw an order that has not started (makulera). Every makulering needs a reason, an
    unsent draft's too: withdrawing a draft is the routine's makulering as well, and the
    history says why (issue 17 item 3). A death gives its `end_reason` too (death_services)."""
    order = lock_order(order)
    require_officer_of_unit(actor, order.unit_id, "makulera beställningen")
    check_state(order, Action.CANCEL)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    end_reason = ends.checked_end_reason(end_reason, errors)
    if not reason:
        errors["reason"] = CANCEL_REASON_MISSING
    if errors:
        raise ValidationFailed(errors)
    return transition(
        order,
        Action.CANCEL,
        kind=EventKind.CANCELLED,
        actor=actor,
        occurred_at=clock.now(),
        updates={"end_reason": end_reason} if end_reason else {},
        data=ends.with_end_reason({"reason": reason}, end_reason),
    )


@transaction.atomic
def record_event(
    actor,
    order: Order,
    *,
    kind: str,
    occurred_at=None,
    data: dict | None = None,
    on_behalf_of: Provider | None = None,
    channel: str = "",
    allowed_states: tuple[str, ...] | None = ACTIVE,
) -> OrderEvent:
    """The one public way to record an order event that is not a state transition (a plan
    sent, an absence, a hospital notice, a switch step ...), used by every app: locks the
    order, checks its state (`allowed_states`; None: any state), appends the event with the
    on-behalf provider and channel (`provider_acting`, `reply_channel`), and moves the clocks,
    in one transaction. The calling service has already checked that the actor may do this.
    Transitions (send, acknowledge, start, end, cancel) have their own services here."""
    order = lock_order(order)
    if allowed_states is not None and order.state not in allowed_states:
        raise TransitionNotAllowed(
            f"Beställningen är {order.get_state_display().lower()}; det går inte att registrera "
            f"”{EventKind(kind).label.lower()}” nu.",
            state=order.state,
            action=kind,
            allowed=list(allowed_states),
        )
    now = clock.now()
    when = occurred_at or now
    if when > now:
        raise ValidationFailed({"occurred_at": "Tidpunkten kan inte ligga i framtiden."})
    event = _append_event(
        order,
        kind=kind,
        actor=actor,
        occurred_at=when,
        on_behalf_of=on_behalf_of,
        channel=channel,
        data=data,
    )
    order.save(update_fields=["last_event_seq", "updated_at"])
    _recompute_deadlines(order, kind)
    return event
