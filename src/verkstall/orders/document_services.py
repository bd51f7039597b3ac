"""Sending the order document to a provider outside the system (SPEC R3.3, R3.4).

A provider that is not connected gets the order by e-mail, fax or post. For the e-mail
channel, `send_order` calls `queue_order_email` inside its transaction, which puts the mail in
the outbox (verkstall.outbox): it exists exactly when the send is committed, it is sent by the
outbox's worker and never in the request (issue 19), and while the mail server is down it
waits and goes out, once, when the server is back (issue 18). The outbox row holds only
"<order id>:<user id>": the mail and its PDF are built when it is delivered
(`build_queued_email`, registered in orders/apps.py), from the order as it is then, so no
client data waits in the outbox and a correction made meanwhile is in the PDF.

What happened is written to the client's case journal (kind DOCUMENT) when it happened: the
moment the mail server took the mail, or that the outbox gave up after its retries (about
two days). The order's page shows the mail as queued, as being retried, as sent or as failed;
after a failure the officer queues it again or prints it. An order closed (or a provider that
stopped taking e-mail) before the mail went is not e-mailed: the queued mail is dropped.

Fax and post are done by hand from the print view; a connected provider finds the order in
the system and is never e-mailed.

The personnummer is only inside the attached PDF: the subject and the body name the order by
its number, and anything shaped like a personnummer is masked in them as a last guard. Log
lines carry the order id and the error's class, never client data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from verkstall.access.models import User
from verkstall.access.policies import require_officer_of_unit
from verkstall.core.errors import NotFound, ValidationFailed
from verkstall.core.personal_number import mask_numbers
from verkstall.journal.case_selectors import case_journal
from verkstall.journal.case_services import write_case_entry
from verkstall.journal.models import CaseJournalEntry
from verkstall.outbox import selectors as outbox_selectors
from verkstall.outbox import services as outbox
from verkstall.providers.models import Channel

from . import documents
from .models import Order
from .states import CLOSED, WITH_PROVIDER

logger = logging.getLogger(__name__)

#: The outbox's kind of the order e-mailed to its provider (built at delivery).
MAIL_KIND = "order_document"

SENT_TITLE = "Beställning skickad per e-post"
FAILED_TITLE = "Beställning kunde inte skickas per e-post"

# (YY)YYMMDD, an optional separator, four digits: a personnummer or samordningsnummer.


@dataclass(frozen=True)
class Delivery:
    """The outcome of asking for the e-mail: queued in the outbox, or not (and why)."""

    queued: bool
    to: str
    message: str


@dataclass(frozen=True)
class DeliveryStatus:
    """How the order reaches its provider, for the order's page.

    `state` is one of: "system" (connected, nothing to send), "print" (fax or post, by hand),
    "draft" (e-mail channel, not sent yet), "no_address" (e-mail channel without an
    address), "queued" (in the outbox, not tried yet; `at` when queued), "retrying" (the mail
    server failed; `at` the next attempt), "emailed", "failed" (the outbox gave up),
    "not_emailed" (sent, no attempt recorded), "closed" (ended or cancelled)."""

    state: str
    channel: str
    to: str = ""
    at: datetime | None = None
    can_resend: bool = False


def uses_email(provider) -> bool:
    return not provider.is_connected and provider.channel == Channel.EMAIL


def queue_order_email(actor, order: Order) -> bool:
    """Called by `send_order` inside its transaction: put the order's e-mail in the outbox if
    its provider takes orders by e-mail (R3.3). Nothing for a connected provider, nor for one
    without an address (the order's page says to print it). True if queued."""
    if not uses_email(order.provider):
        return False
    to = (order.provider.email or "").strip()
    if not to:
        logger.warning("Order %s not e-mailed: the provider has no e-mail address", order.pk)
        return False
    _enqueue(actor, order, to)
    return True


def _reference_prefix(order_pk: int) -> str:
    return f"{order_pk}:"


def _enqueue(actor, order: Order, to: str) -> None:
    outbox.enqueue(
        kind=MAIL_KIND, recipients=[to], reference=f"{_reference_prefix(order.pk)}{actor.pk}"
    )


def _parse(reference: str) -> tuple[int, int] | None:
    """(order id, user id) of an outbox reference, or None."""
    try:
        order_pk, actor_pk = (int(part) for part in reference.split(":"))
    except ValueError:
        return None
    return order_pk, actor_pk


def _load(order_pk: int) -> Order | None:
    return (
        Order.objects.select_related(
            "person", "provider", "provider_unit", "unit", "municipality", "officer", "decision"
        )
        .prefetch_related("services__service_type", "person__relatives")
        .filter(pk=order_pk)
        .first()
    )


def email_order(actor, order: Order) -> Delivery:
    """Queue the order's e-mail to its provider again (R3.3), e.g. after the outbox gave up:
    the outbox sends it shortly. Refused at once (an error, or a Delivery not queued) when
    the provider does not take e-mail, has no address, or the order is not with it; a mail
    still waiting in the outbox is not queued twice."""
    require_officer_of_unit(actor, order.unit_id, "skicka beställningen per e-post")
    provider = order.provider
    if not uses_email(provider):
        raise ValidationFailed(
            {"provider": f"{provider.name} tar inte emot beställningar per e-post."}
        )
    # Only while the provider still needs the order; a closed one is not e-mailed again.
    if order.state not in WITH_PROVIDER:
        raise ValidationFailed(
            {
                "order": "Beställningen e-postas först när den är skickad, och inte efter att "
                "den har avslutats eller makulerats."
            }
        )
    to = (provider.email or "").strip()
    if not to:
        logger.warning("Order %s not e-mailed: the provider has no e-mail address", order.pk)
        return Delivery(
            False,
            "",
            f"{provider.name} saknar e-postadress. Skriv ut beställningen och skicka den per "
            "post eller fax.",
        )
    with transaction.atomic():
        # One at a time per order: a double click queues one mail.
        Order.objects.select_for_update().filter(pk=order.pk).values_list("pk").first()
        waiting = outbox_selectors.pending_for(MAIL_KIND, _reference_prefix(order.pk)).exists()
        if not waiting:
            _enqueue(actor, order, to)
    if waiting:
        return Delivery(
            True, to, f"E-posten till {to} väntar redan på att skickas; den går inom kort."
        )
    return Delivery(True, to, f"Beställningen e-postas till {to} inom kort.")


def build_queued_email(mail) -> EmailMessage | None:
    """The outbox's builder of MAIL_KIND (orders/apps.py): the e-mail made from the order as
    it is now, or None when it is no longer to be e-mailed (the order closed or gone, the
    provider no longer taking e-mail or without an address)."""
    parsed = _parse(mail.reference)
    order = _load(parsed[0]) if parsed else None
    if order is None or order.state not in WITH_PROVIDER or not uses_email(order.provider):
        return None
    if not (order.provider.email or "").strip():
        return None
    return build_message(order)


def record_sent(mail) -> None:
    """The outbox's `on_sent` of MAIL_KIND: the case journal says when it went, and to whom."""
    _record_outcome(mail, sent=True)


def record_given_up(mail) -> None:
    """The outbox's `on_given_up` of MAIL_KIND: the case journal says it could not be sent."""
    _record_outcome(mail, sent=False)


def _record_outcome(mail, *, sent: bool) -> None:
    parsed = _parse(mail.reference)
    order = _load(parsed[0]) if parsed else None
    if order is None:
        return
    # The entry is written for the officer who sent the order (or queued it again).
    author = User.objects.filter(pk=parsed[1]).first() or order.officer
    to = ", ".join(mail.recipients) or (order.provider.email or "").strip()
    _record(author, order, sent=sent, to=to)
    if sent:
        logger.info("Order %s e-mailed to its provider", order.pk)
    else:
        logger.warning("Order %s: e-mail to the provider given up", order.pk)


def build_message(order: Order) -> EmailMessage:
    """The e-mail to the provider: subject and body in Swedish without the personnummer, the
    order as a PDF attachment, replies to the officer."""
    context = {
        "order": order,
        "provider": order.provider,
        "unit": order.unit,
        "municipality": order.municipality,
        "officer": order.officer,
        "filename": documents.order_pdf_filename(order),
        "deadlines": documents.provider_deadlines(order),
    }
    with translation.override("sv"):
        subject = render_to_string("orders/email/order_subject.txt", context)
        body = render_to_string("orders/email/order_body.txt", context)
    pdf = documents.render_order_pdf(order)
    officer_email = (order.officer.email or "").strip()
    message = EmailMessage(
        subject=_mask(" ".join(subject.split())),
        body=_mask(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.provider.email.strip()],
        reply_to=[officer_email] if officer_email else None,
    )
    message.attach(documents.order_pdf_filename(order), pdf, "application/pdf")
    return message


_mask = mask_numbers  # core/personal_number.py: the one mask of every mail


def _marker(order: Order) -> str:
    """How the journal text of an attempt begins; finds the attempts of one order."""
    return f"Beställning nr {order.pk} "


def _record(actor, order: Order, *, sent: bool, to: str) -> CaseJournalEntry:
    provider = order.provider
    filename = documents.order_pdf_filename(order)
    if sent:
        title = SENT_TITLE
        text = (
            f"{_marker(order)}(daterad {order.written_on:%Y-%m-%d}) skickades per e-post till "
            f"{provider.name} ({to}) som bifogad PDF ({filename}). Utföraren bekräftar "
            "mottagandet till handläggaren; kvittens och startdatum registreras för "
            "utförarens räkning."
        )
    else:
        title = FAILED_TITLE
        text = (
            f"{_marker(order)}kunde inte skickas per e-post till {provider.name} ({to}): "
            "e-postservern tog inte emot meddelandet trots upprepade försök. Beställningen är "
            "skickad i Verkställ; skicka e-posten igen eller skriv ut beställningen och skicka "
            "den per post eller fax."
        )
    return write_case_entry(
        actor, person=order.person, title=title, text=text, kind=CaseJournalEntry.Kind.DOCUMENT
    )


def delivery_status(user, order: Order) -> DeliveryStatus:
    """How the order reaches its provider and, for e-mail, how the last attempt went."""
    provider = order.provider
    if provider.is_connected:
        return DeliveryStatus("system", provider.channel)
    if provider.channel != Channel.EMAIL:
        return DeliveryStatus("print", provider.channel)
    to = (provider.email or "").strip()
    if order.state in CLOSED:
        return DeliveryStatus("closed", provider.channel, to)
    if not to:
        return DeliveryStatus("no_address", provider.channel)
    if order.sent_at is None:
        return DeliveryStatus("draft", provider.channel, to)
    waiting = outbox_selectors.pending_for(MAIL_KIND, _reference_prefix(order.pk)).first()
    if waiting is not None:
        if waiting.attempts:
            return DeliveryStatus("retrying", provider.channel, to, waiting.next_attempt_at)
        return DeliveryStatus("queued", provider.channel, to, waiting.created_at)
    can_resend = user.is_officer and user.unit_id == order.unit_id
    latest = _latest_attempt(user, order)
    if latest is None:
        return DeliveryStatus("not_emailed", provider.channel, to, can_resend=can_resend)
    state = "emailed" if latest.title == SENT_TITLE else "failed"
    return DeliveryStatus(state, provider.channel, to, latest.written_at, can_resend)


def _latest_attempt(user, order: Order) -> CaseJournalEntry | None:
    try:
        entries = case_journal(user, order.person_id)
    except NotFound:
        return None
    return (
        entries.filter(
            kind=CaseJournalEntry.Kind.DOCUMENT,
            title__in=(SENT_TITLE, FAILED_TITLE),
            text__startswith=_marker(order),
        )
        .order_by("-written_at", "-id")
        .first()
    )
