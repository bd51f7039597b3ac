"""Every write to a follow-up (SPEC R6). Each step records its order event through
orders.services.record_event (followup.requested, followup.answered, followup.done), which
moves the profile's clocks in the same transaction, and sends a message to the other side."""

from __future__ import annotations

from django.db import transaction

from verkstall.access.policies import provider_side, require_officer_of_unit
from verkstall.core import clock
from verkstall.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from verkstall.decisions.iub_services import renew_iub_request
from verkstall.decisions.models import IubRequest
from verkstall.journal.case_services import write_case_entry
from verkstall.journal.services import send_message
from verkstall.orders.models import EventKind, Order
from verkstall.orders.services import ON_BEHALF_CHANNELS, record_event

from .goal_services import clean_goal_outcomes, goal_outcome_text, save_goal_outcomes
from .models import FollowUp, Outcome


def _lock_order(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("provider", "person", "unit")
        .get(pk=order.pk)
    )


def _lock(followup: FollowUp) -> FollowUp:
    return (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("order__provider", "order__person", "order__unit")
        .get(pk=followup.pk)
    )


def _open(order: Order) -> FollowUp | None:
    return FollowUp.objects.filter(order=order, done_at__isnull=True).first()


def _subject(order: Order) -> str:
    return f"Uppföljning, beställning #{order.pk}"


FOLLOWUP_TITLE = "Uppföljning"

# What a follow-up writes to the provider and to the case journal, built once for the services
# below and for the benchmark generator's bulk path (tooling/generator_rows.py).


def status_request_message(order: Order, question: str) -> tuple[str, str]:
    """Subject and body of the officer's question before the follow-up (R6.1)."""
    return (
        f"{_subject(order)}: hur går det?",
        f"Inför uppföljningen ber vi er svara snarast:\n\n{question}",
    )


def status_answer_subject(order: Order) -> str:
    return f"Svar: {_subject(order)}"


def followup_done_notes(order: Order, *, label: str, answer: str, notes: str):
    """(case-journal text, message subject, message body) of a recorded follow-up (R6.2)."""
    text = f"Uppföljning av beställning #{order.pk} ({order.provider.name}).\nUtfall: {label}."
    if answer:
        text += f"\nUtförarens lägesbeskrivning: {answer}"
    if notes:
        text += f"\n{notes}"
    body = f"Uppföljningen är gjord. Utfall: {label}."
    if notes:
        body += f"\n\n{notes}"
    return text, _subject(order), body


@transaction.atomic
def request_status(officer, order: Order, question: str) -> FollowUp:
    """Before the follow-up the officer asks the provider how it is going (R6.1); the provider
    is to answer promptly (the "snarast" clock starts)."""
    order = _lock_order(order)
    require_officer_of_unit(officer, order.unit_id, "begära lägesbeskrivning inför uppföljning")
    question = (question or "").strip()
    if not question:
        raise ValidationFailed({"question": "Skriv vad utföraren ska svara på."})
    followup = _open(order)
    if followup is not None and followup.awaits_answer:
        raise TransitionNotAllowed(
            "Utföraren har redan en obesvarad fråga inför uppföljningen.",
            state="requested",
            action="request",
            allowed=[],
        )
    now = clock.now()
    if followup is None:
        followup = FollowUp(municipality_id=order.municipality_id, order=order)
    followup.requested_by = officer
    followup.requested_at = now
    followup.question = question
    followup.answer = ""
    followup.answered_by = None
    followup.answered_at = None
    followup.save()
    record_event(
        officer,
        order,
        kind=EventKind.FOLLOWUP_REQUESTED,
        occurred_at=now,
        data={"followup": followup.pk, "text": question},
    )
    subject, body = status_request_message(order, question)
    send_message(officer, person=order.person, order=order, subject=subject, body=body)
    return followup


@transaction.atomic
def answer_status(actor, followup: FollowUp, answer: str, *, channel: str = "") -> FollowUp:
    """The provider answers the officer's question (R6.1); the answer goes back as a message.
    For a provider not connected the municipality registers the answer on its behalf."""
    followup = _lock(followup)
    order = followup.order
    allowed, on_behalf = provider_side(actor, order.provider)
    if not allowed:
        raise PermissionDenied("Endast utföraren kan svara inför uppföljningen.")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed({"answer": "Skriv ert svar."})
    if not followup.awaits_answer:
        raise TransitionNotAllowed(
            "Det finns ingen obesvarad fråga inför uppföljningen.",
            state="done" if followup.is_done else "answered",
            action="answer",
            allowed=[],
        )
    now = clock.now()
    followup.answer = answer
    followup.answered_by = actor
    followup.answered_at = now
    followup.on_behalf_of = on_behalf
    followup.save()
    if on_behalf is not None:
        channel = channel if channel in ON_BEHALF_CHANNELS else "phone"
    else:
        channel = ""
    record_event(
        actor,
        order,
        kind=EventKind.FOLLOWUP_ANSWERED,
        occurred_at=now,
        data={"followup": followup.pk, "text": answer},
        on_behalf_of=on_behalf,
        channel=channel,
    )
    if on_behalf is None:  # registered by the municipality itself: nothing to send
        send_message(
            actor,
            person=order.person,
            order=order,
            subject=status_answer_subject(order),
            body=answer,
        )
    return followup


@transaction.atomic
def record_followup(
    officer, followup_or_order, outcome: str, notes: str = "", goal_outcomes=None
) -> FollowUp:
    """The officer records the follow-up (R6.2 clocks stop on followup.done): documented in the
    case journal, with a message to the provider; it may lead to a reassessment or a new
    decision (R6.3). Given an order, the open follow-up is used (or a new one without a
    status request). `goal_outcomes`: how each goal of the decision was met (seed 002,
    goal_services)."""
    if isinstance(followup_or_order, FollowUp):
        followup = _lock(followup_or_order)
        order = _lock_order(followup.order)
    else:
        order = _lock_order(followup_or_order)
        followup = _open(order)
    require_officer_of_unit(officer, order.unit_id, "registrera uppföljningen")
    if outcome not in Outcome.values:
        raise ValidationFailed({"outcome": "Välj utfall av uppföljningen."})
    goals = clean_goal_outcomes(order, goal_outcomes)
    if followup is not None and followup.is_done:
        raise TransitionNotAllowed(
            "Uppföljningen är redan registrerad.", state="done", action="record", allowed=[]
        )
    if followup is None:
        followup = FollowUp(municipality_id=order.municipality_id, order=order)
    notes = (notes or "").strip()
    now = clock.now()
    followup.done_by = officer
    followup.done_at = now
    followup.outcome = outcome
    followup.notes = notes
    followup.save()
    save_goal_outcomes(followup, goals)
    label = Outcome(outcome).label
    record_event(
        officer,
        order,
        kind=EventKind.FOLLOWUP_DONE,
        occurred_at=now,
        data={"followup": followup.pk, "outcome": outcome, "text": label},
    )
    goal_text = goal_outcome_text(goals)
    text, subject, body = followup_done_notes(
        order,
        label=label,
        answer=followup.answer,
        notes="\n\n".join(t for t in (notes, goal_text) if t),
    )
    write_case_entry(officer, person=order.person, title=FOLLOWUP_TITLE, text=text)
    send_message(officer, person=order.person, order=order, subject=subject, body=body)
    return followup


@transaction.atomic
def record_iub_request(
    officer, order: Order, note: str = "", *, asked_by: str = "", asked_on=None, channel: str = ""
) -> IubRequest:
    """The client has made a new request for a service without needs assessment (IUB). Seed 002
    asks for one every second year (R6.2: "IUB följs upp varje år och ny förfrågan ska
    genomföras vartannat år"); the gotland rule iub-ny-forfragan stops on it and starts again.
    The request is kept with the decision's earlier ones (R1.3, decisions.iub_services): who
    asked (the client unless said), when (today unless said) and how."""
    order = _lock_order(order)
    require_officer_of_unit(officer, order.unit_id, "registrera ny förfrågan om IUB")
    if not order.services.filter(service_type__unassessed=True).exists():
        raise ValidationFailed({"order": "Beställningen gäller ingen insats utan behovsprövning."})
    note = (note or "").strip()
    request = renew_iub_request(
        officer, order=order, asked_by=asked_by, asked_on=asked_on, channel=channel, note=note
    )
    record_event(
        officer,
        order,
        kind=EventKind.IUB_REQUEST_RENEWED,
        # A request made on an earlier day counts from that day (the clock stops when it came).
        occurred_at=(
            clock.start_of_day(request.asked_on) if request.asked_on < clock.today() else None
        ),
        # The note stays on the request (it may name a relative, R10.5): the order's history,
        # which the provider reads, says only that a request came.
        data={"text": "Ny förfrågan om IUB registrerad.", "iub_request": request.pk},
    )
    write_case_entry(
        officer,
        person=order.person,
        title="Ny förfrågan om IUB",
        text=f"Ny förfrågan om insats utan behovsprövning för beställning #{order.pk}. {note}",
    )
    return request
