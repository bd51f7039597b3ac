"""The order as a printable document (SPEC R3.1, R3.3): PDF and print-friendly HTML.

One template, `orders/order_pdf.html`, makes both: WeasyPrint lays it out as an A4 PDF (header
"Beställning" with municipality, unit, date and order number, page numbers), and the browser
shows the same HTML for printing to fax or post. Its body is the on-screen order document,
`orders/_order_document.html`, so the screen, the print and the PDF never say different
things; around it the print adds what a provider outside the system needs: relatives, where
the person is now, the provider's deadlines, how to acknowledge and report the start, and how
to reach the officer.

The personnummer is inside the document only: the file is `bestallning-<id>.pdf`, and the
e-mail that carries it (document_services.py) never names it.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from verkstall.core import clock
from verkstall.deadlines.due_item_selectors import due_items_for_order
from verkstall.deadlines.rules import Responsible, Status
from verkstall.decisions.documents import html_to_pdf
from verkstall.people.selectors import listed_person
from verkstall.providers.models import Channel

ORDER_TEMPLATE = "orders/order_pdf.html"


def order_pdf_filename(order) -> str:
    """The order number only: a personnummer never goes into a file name or URL."""
    return f"bestallning-{order.pk}.pdf"


def provider_deadlines(order) -> list[tuple[str, str]]:
    """The provider's open deadlines for this order, as (what, by when) lines.

    Read as the officer who wrote the order sees them, so every reader of the document (the
    officer, the fee officer, the provider) gets the same lines."""
    lines = []
    for item in due_items_for_order(order.officer, order):
        if item.responsible != Responsible.PROVIDER.value or item.status != Status.OPEN.value:
            continue
        if item.due_date:
            when = f"{item.due_date:%Y-%m-%d}"
        elif item.due_at:
            when = timezone.localtime(item.due_at).strftime("%Y-%m-%d kl. %H:%M")
        else:
            when = "snarast"
        lines.append((item.rule.name, when))
    return lines


def order_context(order, *, print_view: bool = False) -> dict:
    """What the document says. The client through `listed_person`: a document leaves the
    screen (fax, post, e-mail), so a protected client's address, phone, whereabouts and
    relatives are the placeholder whoever prints it (R10.5)."""
    provider = order.provider
    person = listed_person(order.person)
    return {
        "document": True,
        "order": order,
        "person": person,
        "relatives": person.relatives,
        "officer": order.officer,
        "unit": order.unit,
        "municipality": order.municipality,
        "provider": provider,
        "is_draft": order.sent_at is None,
        "document_date": order.written_on or clock.today(),
        "deadlines": provider_deadlines(order) if order.sent_at else [],
        "in_system": provider.is_connected,
        "by_email": not provider.is_connected and provider.channel == Channel.EMAIL,
        "order_url": f"{settings.VERKSTALL_BASE_URL}/orders/{order.pk}/",
        "print_view": print_view,
    }


def render_order_html(order, *, print_view: bool = False, request=None) -> str:
    """The document as HTML; `print_view` adds the screen-only print toolbar."""
    with translation.override("sv"):
        return render_to_string(
            ORDER_TEMPLATE, order_context(order, print_view=print_view), request=request
        )


def render_order_pdf(order) -> bytes:
    return html_to_pdf(render_order_html(order))
