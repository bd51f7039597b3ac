"""Sending the order document to a provider outside the system (SPEC R3.3, R3.4).

A provider that is not connected gets the order by e-mail, fax or post. For the e-mail
channel, `send_order` hands the order to `email_after_commit`, which e-mails the PDF once the
send has been committed (`transaction.on_commit`): the order is sent whatever the mail server
does, and a mail that fails can never roll the send back. Each attempt is written to the
client's case journal (kind DOCUMENT), so the officer, and the order's page, can see whether
the provider got it; a failed attempt says so, and the officer sends again or prints it.

Fax and post are done by hand from the print view; a connected provider finds the order in
the system and is never e-mailed.

The personnummer is only inside the attached PDF: the subject and the body name the order by
its number, and anything shaped like a personnummer is masked in them as a last guard. Log
lines carry the order id and the error's class, never client data.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from verkstall.access.policies import require_officer_of_unit
from verkstall.core.errors import NotFound, ValidationFailed
from verkstall.journal.case_selectors import case_journal
from verkstall.journal.case_services import write_case_entry
from verkstall.journal.models import CaseJournalEntry
from verkstall.providers.models import Channel

from . import documents
from .models import Order
from .states import CLOSED, WITH_PROVIDER

logger = logging.getLogger(__name__)

SENT_TITLE = "Beställning skickad per e-post"
FAILED_TITLE = "Beställning kunde inte skickas per e-post"

# (YY)YYMMDD, an optional separator, four digits: a personnummer or samordningsnummer.
_PERSONAL_NUMBER_SHAPE = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
_MASK = "[dolt nummer]"


class NotAccepted(Exception):
    """The mail backend did not report the message as sent."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of one e-mail attempt."""

    sent: bool
    to: str
    message: str


@dataclass(frozen=True)
class DeliveryStatus:
    """How the order reaches its provider, for the order's page.

    `state` is one of: "system" (connected, nothing to send), "print" (fax or post, by hand),
    "draft" (e-mail channel, not sent yet), "no_address" (e-mail channel without an
    address), "emailed", "failed", "not_emailed" (sent, no attempt recorded), "closed"
    (ended or cancelled)."""

    state: str
    channel: str
    to: str = ""
    at: datetime | None = None
    can_resend: bool = False


def uses_email(provider) -> bool:
    return not provider.is_connected and provider.channel == Channel.EMAIL


def email_after_commit(actor, order: Order) -> None:
    """Called by `send_order` inside its transaction: e-mail the order once it is committed,
    if its provider takes orders by e-mail. Nothing for a connected provider (R3.3)."""
    if not uses_email(order.provider):
        return
    order_pk = order.pk

    def email_committed_order() -> None:
        # Whatever happens here, the order stays sent: log the order id and the error's
        # class only (an exception's text may quote data), never raise.
        try:
            email_order(actor, _load(order_pk))
        except Exception as exc:
            logger.error("Order %s not e-mailed: %s", order_pk, type(exc).__name__)

    transaction.on_commit(email_committed_order, robust=True)


def _load(order_pk: int) -> Order:
    return (
        Order.objects.select_related(
            "person", "provider", "provider_unit", "unit", "municipality", "officer", "decision"
        )
        .prefetch_related("services__service_type", "person__relatives")
        .get(pk=order_pk)
    )


def email_order(actor, order: Order) -> Delivery:
    """E-mail the order's PDF to its provider (R3.3) and record the attempt in the case
    journal. Returns the outcome; a mail server that fails is an outcome, not an error."""
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
    try:
        message = build_message(order)
        if message.send() != 1:
            raise NotAccepted
    except (smtplib.SMTPException, OSError, NotAccepted) as exc:
        # The order id and the error's class only: no address, no client data.
        logger.warning("Order %s: e-mail to the provider failed: %s", order.pk, type(exc).__name__)
        _record(actor, order, sent=False, to=to)
        return Delivery(
            False,
            to,
            f"E-posten till {provider.name} kunde inte skickas. Beställningen är ändå skickad; "
            "försök igen senare, eller skriv ut den och skicka den per post eller fax.",
        )
    _record(actor, order, sent=True, to=to)
    logger.info("Order %s e-mailed to its provider", order.pk)
    return Delivery(True, to, "")


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


def _mask(text: str) -> str:
    return _PERSONAL_NUMBER_SHAPE.sub(_MASK, text)


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
            "e-postservern tog inte emot meddelandet. Beställningen är skickad i Verkställ; "
            "skicka e-posten igen eller skriv ut beställningen och skicka den per post eller fax."
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
