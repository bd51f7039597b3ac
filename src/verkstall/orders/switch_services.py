"""Provider switch (byte av utförare, SPEC R2.6, seed 002 §Byte av utförare): every write.

The routine, step by step, each step one transaction and one event on the OLD order, so the
deadline engine runs the profile's switch rules (gotland: ``byte-uppsagningstid``, 14 days
from the request; ``byte-kontakt``, 3 weekdays from informing the new provider until the
providers have agreed a date). A profile without those rules gives its thresholds
`switch_notice_days` and `switch_contact_weekdays` (deadlines.threshold_selectors; R2.6's 14
days and 3 weekdays by default, R11.4):

1. ``request_switch``: the client asks the officer, who registers the wish and informs the
   current provider (``switch_requested``). The earliest switch date is the end of the notice.
2. ``inform_new_provider``: the officer has told the new provider orally
   (``switch_new_provider_informed``); the new provider's contact clock starts.
3. ``register_agreed_date``: the new provider (or the officer for one not connected) reports
   the date the providers agreed (``switch_providers_agreed``).
4. ``complete_switch``: on the agreed date, in one transaction, the old order ends, the new one
   is created and sent, the choice is recorded and ``switch_completed`` is written.

Dates: the new provider starts ON the agreed date, so the old order's end date is the day
before it (the two orders never overlap and leave no gap). The officer documents the wish,
the dates the providers were contacted and when the switch happens in the case journal
("Handläggaren dokumenterar önskemål om byte och anger datum när utförarna kontaktas samt
när bytet sker").
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from verkstall.access.policies import provider_side, require_officer_of_unit
from verkstall.access.roles import Role
from verkstall.core import clock, hooks
from verkstall.core.dates import day_text, parse_date
from verkstall.core.errors import DomainError, PermissionDenied, ValidationFailed
from verkstall.deadlines.calendar import Unit, compute_due
from verkstall.deadlines.models import DueItem
from verkstall.deadlines.profile_selectors import municipality_rules
from verkstall.deadlines.threshold_selectors import date_by_rule_or_threshold, threshold
from verkstall.journal.case_services import write_case_entry
from verkstall.journal.models import CaseJournalEntry
from verkstall.providers.models import Provider, ProviderChoice
from verkstall.providers.selectors import has_held_provider, takeover_problem

from . import services as order_services
from .models import EndReason, EventKind, Order, OrderEvent, ProviderSwitch
from .services import reply_channel
from .states import ACTIVE, State

KINDS = {"rechoice": "omval", "move": "flytt"}
#: The profile's thresholds used when it has no rule for the notice or the contact (R2.6).
NOTICE_DAYS = "switch_notice_days"
CONTACT_WEEKDAYS = "switch_contact_weekdays"
REQUESTED = "switch.requested"
INFORMED = "switch.new_provider_informed"


class SwitchStepNotAllowed(DomainError):
    """A switch step taken out of turn (409, like an order transition that is not allowed)."""

    status_code = 409
    code = "switch_step_not_allowed"


def _lock_switch(switch: ProviderSwitch) -> tuple[Order, ProviderSwitch]:
    """Lock the old order, then the switch (always in that order, as request_switch does)."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("provider", "person", "municipality")
        .get(pk=switch.old_order_id)
    )
    locked = (
        ProviderSwitch.objects.select_for_update(of=("self",))
        .select_related("new_provider")
        .get(pk=switch.pk)
    )
    return order, locked


def _require_open(switch: ProviderSwitch) -> None:
    if switch.completed_at is not None:
        raise SwitchStepNotAllowed(
            f"Bytet genomfördes redan {day_text(timezone.localdate(switch.completed_at))}."
        )


def _record(order: Order, *, actor, **event) -> OrderEvent:
    """One event on an order in any state, and its clocks moved in the same transaction."""
    return order_services.record_event(actor, order, allowed_states=None, **event)


def _journal(actor, order: Order, title: str, text: str) -> None:
    write_case_entry(
        actor, person=order.person, title=title, text=text, kind=CaseJournalEntry.Kind.SWITCH
    )


def notice_ends_on(municipality, requested_on: date) -> date:
    """The earliest switch date: the end of the notice, as the municipality's rule counts it
    (gotland: 14 calendar days after the request), else its profile's `switch_notice_days`
    (R2.6's 14 by default)."""
    rule = next(
        (
            r
            for r in municipality_rules(municipality, "order")
            if r.start_event == REQUESTED and r.amount is not None
        ),
        None,
    )
    return date_by_rule_or_threshold(
        municipality, rule, clock.start_of_day(requested_on), NOTICE_DAYS
    )


def contact_due_on(order: Order, informed_at) -> date:
    """The new provider's last day to contact the old one, when the profile has no rule for
    it (no due item): its `switch_contact_weekdays` weekdays from when it was informed
    (R2.6's 3 by default), counted as a rule in weekdays counts them (from the day after,
    skipping weekends and public holidays)."""
    weekdays = threshold(order.municipality_id, CONTACT_WEEKDAYS)
    return compute_due(informed_at, weekdays, Unit.WEEKDAYS, count_from_next_day=True).due_date


def _new_provider(actor, order: Order, value, errors: dict) -> Provider | None:
    provider_id = getattr(value, "pk", value)
    if provider_id in (None, ""):
        errors["new_provider"] = "Välj den nya utföraren."
        return None
    try:
        provider = Provider.objects.filter(
            pk=provider_id, municipality_id=order.municipality_id
        ).first()
    except (TypeError, ValueError):
        provider = None
    if provider is None:
        errors["new_provider"] = "Okänd utförare."
    elif provider.pk == order.provider_id:
        errors["new_provider"] = (
            f"{provider.name} är redan utförare; välj en annan utförare för bytet."
        )
        return None
    return provider


def _hsl_notice(old: str, new: str) -> str:
    return (
        f"Klienten har HSL-insatser: {old} meddelar beställaren (t.ex. vårdcentralen) om bytet "
        f"och uppmanar den att skicka uppdraget till {new}."
    )


@transaction.atomic
def request_switch(
    actor,
    *,
    order: Order,
    new_provider,
    requested_on,
    kind: str = "rechoice",
    has_hsl: bool = False,
    returning_from_temporary_stay: bool = False,
) -> ProviderSwitch:
    """The officer registers the client's wish to switch and informs the current provider
    (R2.6, seed 002: "Brukaren kan alltid byta utförare. Vid byte av utförare gäller 14
    dagars uppsägningstid. Handläggaren meddelar aktuell utförare om att byte kommer att ske")."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("provider", "person", "person__area", "municipality")
        .get(pk=order.pk)
    )
    require_officer_of_unit(actor, order.unit_id, "begära byte av utförare")
    # The provider of an active order (it has reached the provider) can be switched.
    if order.state not in ACTIVE:
        raise SwitchStepNotAllowed(
            f"Byte av utförare kan bara begäras för en beställning som utföraren har tagit "
            f"emot (kvitterad eller verkställd); den här är {order.get_state_display().lower()}."
        )
    if ProviderSwitch.objects.filter(old_order=order, completed_at__isnull=True).exists():
        raise SwitchStepNotAllowed("Ett byte av utförare pågår redan för beställningen.")
    errors: dict[str, str] = {}
    today = clock.today()
    provider = _new_provider(actor, order, new_provider, errors)
    requested = parse_date(requested_on, "requested_on", errors)
    if requested:
        sent_on = timezone.localdate(order.sent_at) if order.sent_at else None
        if requested > today:
            errors["requested_on"] = "Begäran kan inte ligga i framtiden."
        elif sent_on and requested < sent_on:
            errors["requested_on"] = (
                f"Begäran kan inte ligga före beställningen skickades ({day_text(sent_on)})."
            )
    if kind not in KINDS:
        errors["kind"] = "Ange om bytet är ett omval eller beror på flytt."
    returning = bool(returning_from_temporary_stay)
    if provider is not None:
        if returning and not has_held_provider(order.person, provider):
            errors["returning_from_temporary_stay"] = (
                f"{provider.name} har inte varit klientens valda utförare; skyldigheten att ta "
                "emot oavsett kapacitetstak gäller bara ordinarie vald utförare."
            )
        problem = takeover_problem(actor, order, provider, returning=returning, today=today)
        if problem:
            errors.setdefault("new_provider", problem)
    if errors:
        raise ValidationFailed(errors)
    assert provider is not None and requested is not None
    ends = notice_ends_on(order.municipality, requested)
    now = clock.now()
    switch = ProviderSwitch.objects.create(
        municipality_id=order.municipality_id,
        person_id=order.person_id,
        old_order=order,
        new_provider=provider,
        kind=kind,
        requested_on=requested,
        notice_ends_on=ends,
        old_provider_informed_at=now,
        has_hsl=bool(has_hsl),
        returning_from_temporary_stay=returning,
        registered_by=actor,
    )
    old, new = order.provider.name, provider.name
    text = f"Byte av utförare till {new} begärt {day_text(requested)}, tidigast {day_text(ends)}."
    data = {
        "switch": switch.pk,
        "new_provider": new,
        "new_provider_id": provider.pk,
        "kind": kind,
        "requested_on": requested.isoformat(),
        "notice_ends_on": ends.isoformat(),
        "has_hsl": switch.has_hsl,
        "returning_from_temporary_stay": returning,
        "text": text,
    }
    if switch.has_hsl:
        data["hsl_notice"] = _hsl_notice(old, new)
    occurred = now if requested == today else clock.start_of_day(requested)
    _record(order, kind=EventKind.SWITCH_REQUESTED, actor=actor, occurred_at=occurred, data=data)
    lines = [
        f"Klienten vill byta utförare från {old} till {new} ({KINDS[kind]}); "
        f"önskemålet framfördes {day_text(requested)}.",
        f"Uppsägningstid {(ends - requested).days} dagar: bytet kan ske tidigast {day_text(ends)}.",
        f"{old} informerades om bytet {day_text(today)}.",
    ]
    if returning:
        lines.append(
            f"Klienten återvänder från tillfällig vistelse; {new} är ordinarie vald utförare "
            "och tar emot klienten oavsett kapacitetstak."
        )
    if switch.has_hsl:
        lines.append(data["hsl_notice"])
    _journal(actor, order, "Önskemål om byte av utförare", "\n".join(lines))
    return switch


@transaction.atomic
def inform_new_provider(actor, *, switch: ProviderSwitch) -> OrderEvent:
    """The officer has told the new provider orally (seed 002: "kontaktar ny utförare för
    muntlig information"); the new provider's clock to contact the old one starts now."""
    order, switch = _lock_switch(switch)
    require_officer_of_unit(actor, order.unit_id, "registrera att den nya utföraren informerats")
    _require_open(switch)
    if switch.new_provider_informed_at is not None:
        raise SwitchStepNotAllowed(
            f"{switch.new_provider.name} informerades redan "
            f"{day_text(timezone.localdate(switch.new_provider_informed_at))}."
        )
    now = clock.now()
    switch.new_provider_informed_at = now
    switch.save(update_fields=["new_provider_informed_at"])
    old, new = order.provider.name, switch.new_provider.name
    event = _record(
        order,
        kind=EventKind.SWITCH_NEW_PROVIDER_INFORMED,
        actor=actor,
        occurred_at=now,
        data={
            "switch": switch.pk,
            "new_provider": new,
            "text": f"{new} informerad muntligt om bytet {day_text(clock.today())}.",
        },
    )
    contact = (
        DueItem.objects.filter(order_id=order.pk, start_event=INFORMED)
        .exclude(due_date__isnull=True)
        .order_by("-id")
        .first()
    )
    last_day = contact.due_date if contact else contact_due_on(order, now)
    deadline = f", senast {day_text(last_day)}"
    _journal(
        actor,
        order,
        "Ny utförare kontaktad",
        f"{new} informerades muntligt {day_text(clock.today())} om bytet från {old}. "
        f"{new} kontaktar {old} för att komma överens om datum för bytet{deadline}.",
    )
    return event


def _agreeing_party(actor, provider: Provider) -> Provider | None:
    """The new provider reports the date itself; for one not connected, the municipality
    registers it on its behalf (R3.3). Returns the provider acted for, if on behalf."""
    allowed, on_behalf = provider_side(actor, provider)
    if not allowed:
        if actor.role_enum in (Role.OFFICER, Role.FEE_OFFICER) and provider.is_connected:
            raise PermissionDenied(
                f"{provider.name} är ansluten till systemet och registrerar datumet för "
                "bytet själv."
            )
        raise PermissionDenied("Endast den nya utföraren kan registrera datum för bytet.")
    return on_behalf


@transaction.atomic
def register_agreed_date(
    actor, *, switch: ProviderSwitch, agreed_date, channel: str = ""
) -> OrderEvent:
    """The new provider reports the date the providers agreed (seed 002: "Ny utförare meddelar
    datum för byte till handläggare som omfördelar uppdraget"). Not before the notice ends.
    A changed date may be registered again until the switch is done."""
    order, switch = _lock_switch(switch)
    on_behalf = _agreeing_party(actor, switch.new_provider)
    _require_open(switch)
    if switch.new_provider_informed_at is None:
        raise SwitchStepNotAllowed(
            "Handläggaren har ännu inte registrerat att den nya utföraren informerats om bytet."
        )
    errors: dict[str, str] = {}
    channel = reply_channel(on_behalf, channel, errors)
    agreed = parse_date(agreed_date, "agreed_date", errors)
    today = clock.today()
    if agreed:
        if agreed < switch.notice_ends_on:
            days = (switch.notice_ends_on - switch.requested_on).days
            errors["agreed_date"] = (
                f"Bytet kan ske tidigast {day_text(switch.notice_ends_on)} ({days} dagars "
                f"uppsägningstid från begäran {day_text(switch.requested_on)})."
            )
        elif agreed < today:
            errors["agreed_date"] = (
                f"Datum för bytet kan inte ligga före i dag ({day_text(today)})."
            )
    if errors:
        raise ValidationFailed(errors)
    assert agreed is not None
    now = clock.now()
    switch.agreed_date = agreed
    switch.providers_agreed_at = now
    switch.save(update_fields=["agreed_date", "providers_agreed_at"])
    new = switch.new_provider.name
    return _record(
        order,
        kind=EventKind.SWITCH_PROVIDERS_AGREED,
        actor=actor,
        occurred_at=now,
        on_behalf_of=on_behalf,
        channel=channel,
        data={
            "switch": switch.pk,
            "new_provider": new,
            "agreed_date": agreed.isoformat(),
            "text": f"{new} tar över från och med {day_text(agreed)}.",
        },
    )


@transaction.atomic
def complete_switch(actor, *, switch: ProviderSwitch) -> ProviderSwitch:
    """On (or after) the agreed date, move the order in one step: the old order ends the day
    before the agreed date, the new order (same services and information) is created and sent
    to the new provider, the client's new choice is recorded. Nothing is written unless all
    of it succeeds (R2.6: "on the agreed date the old order ends and the new one starts, in
    one step")."""
    order, switch = _lock_switch(switch)
    require_officer_of_unit(actor, order.unit_id, "genomföra bytet")
    _require_open(switch)
    agreed = switch.agreed_date
    if agreed is None:
        raise SwitchStepNotAllowed(
            f"{switch.new_provider.name} har ännu inte meddelat datum för bytet."
        )
    today = clock.today()
    if today < agreed:
        raise SwitchStepNotAllowed(
            f"Bytet genomförs på det överenskomna datumet {day_text(agreed)}, inte före."
        )
    new_provider = switch.new_provider
    old, new = order.provider.name, new_provider.name
    end_date = agreed - timedelta(days=1)
    note = f"Byte av utförare: {new} tar över från och med {day_text(agreed)}."
    if order.state == State.STARTED.value:
        moved = EndReason.MOVED.value if switch.kind == "move" else ""  # seed 004
        order_services.end_order(actor, order, end_date=end_date, note=note, end_reason=moved)
        ended = f"Beställning #{order.pk} till {old} avslutad med slutdatum {day_text(end_date)}."
    else:  # received but never started: there is nothing to end, so it is withdrawn
        order_services.cancel_order(actor, order, reason=note)
        ended = f"Beställning #{order.pk} till {old} makulerad (aldrig verkställd)."
    granted = list(order.services.select_related("service_type").order_by("id"))
    new_order = order_services.create_order(
        actor,
        decision=order.decision,
        provider=new_provider,
        services=granted,
        instructions=order.instructions,
    )
    order_services.send_order(actor, new_order)

    now = clock.now()
    for service in granted:
        ProviderChoice.objects.create(
            municipality_id=order.municipality_id,
            person_id=order.person_id,
            granted_service=service,
            provider=new_provider,
            kind=ProviderChoice.Kind.RECHOICE,
            registered_by=actor,
            registered_at=now,
        )
    switched_on = clock.start_of_day(agreed)
    hsl = _hsl_notice(old, new) if switch.has_hsl else ""
    # A safety alarm follows the switch (R2.6): the alarms app opens the aids centre's task
    # to move the alarm's contact, through the hook (orders sits below alarms).
    notes = hooks.emit(
        hooks.SWITCH_COMPLETED, actor=actor, switch=switch, old_order=order, new_order=new_order
    )
    alarm = " ".join(note for note in notes if note)

    order = order_services.lock_order(order)  # end_order moved its sequence on
    old_data = {
        "switch": switch.pk,
        "new_order": new_order.pk,
        "new_provider": new,
        "agreed_date": agreed.isoformat(),
        "end_date": end_date.isoformat(),
        "text": f"Bytet genomfört: {new} tar över från och med {day_text(agreed)}."
        + (f" {hsl}" if hsl else ""),
    }
    if hsl:
        old_data["hsl_notice"] = hsl
    _record(
        order,
        kind=EventKind.SWITCH_COMPLETED,
        actor=actor,
        occurred_at=switched_on,
        data=old_data,
    )
    new_order = order_services.lock_order(new_order)
    new_data = {
        "switch": switch.pk,
        "from_order": order.pk,
        "from_provider": old,
        "agreed_date": agreed.isoformat(),
        "text": f"Övertagen från {old} genom byte av utförare från och med {day_text(agreed)}."
        + (f" {alarm}" if alarm else ""),
    }
    if alarm:
        new_data["alarm_notice"] = alarm
    _record(
        new_order,
        kind=EventKind.SWITCH_COMPLETED,
        actor=actor,
        occurred_at=switched_on,
        data=new_data,
    )

    switch.new_order = new_order
    switch.completed_at = now
    switch.save(update_fields=["new_order", "completed_at"])
    lines = [
        f"Bytet från {old} till {new} sker {day_text(agreed)}.",
        ended,
        f"Ny beställning #{new_order.pk} skickad till {new} {day_text(today)}.",
        f"Omval registrerat för {', '.join(g.service_type.name for g in granted)}.",
    ]
    if hsl:
        lines.append(hsl)
    if alarm:
        lines.append(alarm)
    _journal(actor, order, "Byte av utförare genomfört", "\n".join(lines))
    return switch
