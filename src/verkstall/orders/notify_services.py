"""Who is told when an order is sent or started (SPEC R3.3, R3.7; seeds 001 and 004).

- A connected provider finds the order in its inbox, and is also told by e-mail that an order
  waits to be fetched (seed 004 "meddelar ... att uppdrag finns att hämta i systemet"): the
  provider's order address, or else its unit managers' addresses (the order's unit's first).
  The mail links to the order's page and names the order by its number only: no name, no
  personnummer, no address (ARCHITECTURE "Conventions").
- An order to a provider that is not connected (fax, post, e-mail, personal contact) is told
  to the municipality's fee officers, who register the provider's acknowledgement and start
  for it (seed 001 "faxas beställningen och avgiftshandläggaren informeras"): by e-mail, and
  on their list of orders that wait for a registration on a provider's behalf
  (orders.casework_selectors.awaiting_on_behalf).
- The officer is told "verkställt från och med <date>" when the provider registers the start
  (R3.7, seed 004 "skickar meddelande till handläggarna om att beslutet är verkställt från och
  med datum xxx"): a message in the system (journal messages, read receipts), or a case
  journal note when a fee officer registered it for a provider not connected.

The e-mails are put in the outbox (verkstall.outbox) inside the send's transaction and sent
by its worker, never in the request (issue 19): a send that rolls back mails nothing, a mail
server that is down never rolls the send back, and the notice goes out once the server is back
(issue 18). The notice holds no personal data, so the outbox keeps its text as rendered.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from verkstall.access.models import User
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core.dates import day_text
from verkstall.core.personal_number import mask_numbers
from verkstall.journal.case_services import write_case_entry
from verkstall.outbox import services as outbox

from .end_services import send_order_message
from .models import Order

WAITING = "waiting"  # to a connected provider: an order waits in the system
OFFLINE = "offline"  # to the fee officers: an order went to a provider not connected
#: The outbox's kind of each notice.
MAIL_KINDS = {WAITING: "order_waiting", OFFLINE: "order_offline"}


def order_url(order: Order) -> str:
    return f"{settings.VERKSTALL_BASE_URL}{reverse('order-detail', args=[order.pk])}"


def provider_recipients(order: Order) -> list[str]:
    """Where a connected provider is told that an order waits: its order address; without
    one, its active unit managers with an address (the order's unit's managers when it has
    any, else all of the provider's)."""
    address = (order.provider.email or "").strip()
    if address:
        return [address]
    managers = User.objects.filter(
        provider_id=order.provider_id, role=Role.PROVIDER_MANAGER.value, is_active=True
    ).exclude(email="")
    if order.provider_unit_id is not None:
        of_unit = managers.filter(provider_unit_id=order.provider_unit_id)
        if of_unit.exists():
            managers = of_unit
    return sorted(set(managers.values_list("email", flat=True)))


def fee_officer_recipients(order: Order) -> list[str]:
    """The municipality's active fee officers with an e-mail address (seed 001)."""
    users = User.objects.filter(
        municipality_id=order.municipality_id, role=Role.FEE_OFFICER.value, is_active=True
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def notify_after_send(order: Order) -> str:
    """Called by services.send_order inside its transaction: put the notice in the outbox,
    to go once the send is committed. Returns the kind of notice (WAITING, OFFLINE, or ""
    when nobody has an address: then nothing is queued)."""
    if order.provider.is_connected:
        kind, recipients = WAITING, provider_recipients(order)
    else:
        kind, recipients = OFFLINE, fee_officer_recipients(order)
    if not recipients:
        return ""
    message = build_notice(order, kind, recipients)
    outbox.enqueue(
        kind=MAIL_KINDS[kind],
        recipients=recipients,
        subject=message.subject,
        body=message.body,
        reference=str(order.pk),
    )
    return kind


def build_notice(order: Order, kind: str, recipients: list[str]) -> EmailMessage:
    """The notice: the order's number, the ordering unit, the provider and a link; never the
    client. Each recipient gets the same mail (one message, blind copies)."""
    context = {
        "order": order,
        "provider": order.provider,
        "unit": order.unit,
        "municipality": order.municipality,
        "url": order_url(order),
    }
    with translation.override("sv"):
        subject = render_to_string(f"orders/email/notice_{kind}_subject.txt", context)
        body = render_to_string(f"orders/email/notice_{kind}_body.txt", context)
    return EmailMessage(
        subject=mask_numbers(" ".join(subject.split())),
        body=mask_numbers(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients[:1],
        bcc=recipients[1:],
    )


MESSAGE, JOURNAL = "message", "journal"


def how_officer_is_told(actor) -> str:
    """How the client's officer hears of what `actor` registered for the provider (R3.7, R7.2):
    by a message in the system when the provider's own user did it; by a case journal note
    when a fee officer did it for a provider not connected (the officer reads the client's
    journal); not at all when an officer did it ("")."""
    role = actor.role_enum
    if role in PROVIDER_ROLES:
        return MESSAGE
    if role == Role.FEE_OFFICER:
        return JOURNAL
    return ""


def tell_officer(actor, order: Order, *, subject: str, body: str) -> str:
    """Tell the client's officer (`how_officer_is_told`); returns how."""
    how = how_officer_is_told(actor)
    if how == MESSAGE:
        send_order_message(actor, person=order.person, subject=subject, body=body, order=order)
    elif how == JOURNAL:
        write_case_entry(actor, person=order.person, title=subject, text=body)
    return how


def tell_started(actor, order: Order, start: date) -> str:
    """Called by services.register_start: the officer is told "verkställt från och med"."""
    subject, body = started_text(order, start)
    return tell_officer(actor, order, subject=subject, body=body)


def started_text(order: Order, start: date) -> tuple[str, str]:
    """Subject and body of "verkställt från och med <date>" (R3.7, seed 004)."""
    body = (
        f"Beställning #{order.pk} ({order.provider.name}) är verkställd från och med "
        f"{day_text(start)}."
    )
    return f"Verkställt från och med {day_text(start)}", body
