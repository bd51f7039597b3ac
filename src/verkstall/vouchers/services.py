"""Cleaning and service on voucher (SPEC R4.2, routine 004).

- ``issue_voucher``: the officer issues "Värdeintyg städ" or "Värdeintyg städ FBH" for an
  order of cleaning or service; the voucher states the extent granted, is written to the case
  journal as a document, and is printed as a letter to the client (documents.py).
- ``register_report``: one report of the provider's report form (redovisningsblankett). A
  connected provider reports in the system; for one that is not connected the officer (or fee
  officer) registers the returned form on its behalf, saying how it came (post, fax, e-mail,
  phone), as every on-behalf registration does (R3.3). Each report moves the order through
  the order services, never beside them:

  start            -> services.register_start (STARTED; the order is acknowledged first when
                      the form is the only reply: routine 004 asks no receipt for cleaning)
  end, death       -> services.end_order (ENDED; both sides are told, R3.9)
  increase/decrease-> services.record_event(CHANGE_REPORTED), a change from the new start date
                      on; the officer gets a case-journal note (the client applies to them)
  move             -> a case-journal note for the officer; the order is unchanged
"""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core import clock
from verkstall.core.dates import day_text, parse_date
from verkstall.core.errors import TransitionNotAllowed, ValidationFailed
from verkstall.journal.case_services import write_case_entry
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders import services as order_services
from verkstall.orders.models import EndReason, EventKind, Order
from verkstall.orders.states import CLOSED, WITH_PROVIDER, Action, State

from .models import Voucher, VoucherReport
from .selectors import voucher_services

REPORT_TITLE = "Redovisningsblankett för service- och städinsatser"


def voucher_extent(order: Order) -> str:
    """The extent granted, one line per service of cleaning or service (what the letter says)."""
    lines = []
    for s in voucher_services(order):
        line = f"{s.service_type.name}: {s.scope_text}"
        if s.frequency:
            line += f", {s.frequency}"
        until = f" till och med {day_text(s.valid_to)}" if s.valid_to else ", tills vidare"
        lines.append(f"{line} (från {day_text(s.valid_from)}{until})")
    return "\n".join(lines)


@transaction.atomic
def issue_voucher(actor, *, order: Order, kind: str) -> Voucher:
    """The officer of the client's unit issues a voucher (R4.2)."""
    require_officer_of_unit(actor, order.unit_id, "utfärda värdeintyg")
    if order.state in CLOSED:
        raise TransitionNotAllowed(
            f"Beställningen är {order.get_state_display().lower()}; inget värdeintyg utfärdas.",
            state=order.state,
            action="issue_voucher",
            allowed=[s.value for s in State if s.value not in CLOSED],
        )
    errors: dict[str, str] = {}
    if kind not in Voucher.Kind.values:
        errors["kind"] = "Välj värdeintyg städ eller värdeintyg städ FBH."
    extent = voucher_extent(order)
    if not extent:
        errors["order"] = "Beställningen gäller inte städ eller service."
    if errors:
        raise ValidationFailed(errors)
    voucher = Voucher.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        kind=kind,
        extent=extent,
        issued_by=actor,
    )
    label = Voucher.Kind(kind).label
    write_case_entry(
        actor,
        person=order.person,
        title=f"{label} utfärdat",
        text=f"{label} nr {voucher.pk} till beställning nr {order.pk} ({order.provider.name}). "
        f"Omfattning:\n{extent}",
        kind=CaseJournalEntry.Kind.DOCUMENT,
    )
    return voucher


def _out_of_turn(order: Order, kind: str, allowed) -> TransitionNotAllowed:
    label = VoucherReport.Kind(kind).label.lower()
    return TransitionNotAllowed(
        f"Beställningen är {order.get_state_display().lower()}; det går inte att redovisa "
        f"”{label}” nu.",
        state=order.state,
        action=f"report_{kind}",
        allowed=list(allowed),
    )


def _check_turn(order: Order, kind: str) -> None:
    """409 before the input is read: a report the order's state does not allow."""
    K = VoucherReport.Kind
    if kind == K.START:
        if order.state == State.SENT.value:
            return  # acknowledged by the form itself
        order_services.check_state(order, Action.START)
    elif kind in (K.END, K.DEATH):
        order_services.check_state(order, Action.END)
    elif kind in (K.INCREASE, K.DECREASE):
        if order.state != State.STARTED.value:
            raise _out_of_turn(order, kind, [State.STARTED.value])
    elif order.state not in WITH_PROVIDER:  # a move: while the order is with the provider
        raise _out_of_turn(order, kind, sorted(WITH_PROVIDER))


@transaction.atomic
def register_report(
    actor, *, order: Order, kind: str, occurred_on, note: str = "", channel: str = ""
) -> VoucherReport:
    """One report of the report form (R4.2), by the provider or on its behalf."""
    order = order_services.lock_order(order)
    on_behalf = order_services.provider_acting(actor, order, "lämna redovisningsblankett")
    if kind not in VoucherReport.Kind.values:
        raise ValidationFailed(
            {
                "kind": "Välj vad som redovisas: start, ökning, minskning, flytt, dödsfall "
                "eller avslut."
            }
        )
    _check_turn(order, kind)
    errors: dict[str, str] = {}
    channel = order_services.reply_channel(on_behalf, channel, errors)
    day = parse_date(occurred_on, "occurred_on", errors)
    if day and day > clock.today():
        errors["occurred_on"] = "Datumet kan inte ligga i framtiden."
    note = (note or "").strip()
    if errors:
        raise ValidationFailed(errors)
    event = _apply(actor, order, kind, day, note, channel, on_behalf)
    return VoucherReport.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        kind=kind,
        occurred_on=day,
        note=note,
        channel=channel,
        on_behalf_of=on_behalf,
        event=event,
        reported_by=actor,
    )


def _apply(actor, order, kind, day, note, channel, on_behalf):
    """Move the order through its own services; returns the order event, if any."""
    K = VoucherReport.Kind
    if kind == K.START:
        if order.state == State.SENT.value:
            order_services.acknowledge_order(actor, order, channel=channel)
        return order_services.register_start(actor, order, start_date=day, channel=channel)
    if kind in (K.END, K.DEATH):
        text = "Brukaren har avlidit." if kind == K.DEATH else "Avslut enligt redovisningsblankett."
        return order_services.end_order(
            actor,
            order,
            end_date=day,
            note=f"{text} {note}".strip(),
            channel=channel,
            end_reason=EndReason.DIED.value if kind == K.DEATH else "",  # seed 004
        )
    label = K(kind).label
    text = f"{label} från och med {day_text(day)} enligt redovisningsblankett"
    text += f": {note}" if note else "."
    event = None
    if kind in (K.INCREASE, K.DECREASE):
        if order.start_date and day < order.start_date:
            raise ValidationFailed(
                {
                    "occurred_on": "Datumet kan inte ligga före startdatum "
                    f"({day_text(order.start_date)})."
                }
            )
        event = order_services.record_event(
            actor,
            order,
            kind=EventKind.CHANGE_REPORTED,
            occurred_at=clock.start_of_day(day),
            data={"change": kind, "from_date": day.isoformat(), "report_form": True, "text": text},
            on_behalf_of=on_behalf,
            channel=channel,
            allowed_states=(State.STARTED.value,),
        )
    write_case_entry(
        actor,
        person=order.person,
        title=f"{REPORT_TITLE}: {label.lower()}",
        text=f"Beställning nr {order.pk} ({order.provider.name}): {text}",
        kind=CaseJournalEntry.Kind.DOCUMENT,
    )
    return event
