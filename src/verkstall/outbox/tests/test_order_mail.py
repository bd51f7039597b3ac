"""The mail of the orders and reminders through the outbox (issues 18, 19; SPEC R3.3, R11):
built when delivered from the data as it is then, nothing personal stored while it waits, and
no mail server touched while the officer's request runs."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.core import mail
from django.urls import reverse

from verkstall.access.models import User
from verkstall.core import clock
from verkstall.deadlines.models import Reminder
from verkstall.deadlines.reminders import send_reminders
from verkstall.orders import documents
from verkstall.orders.models import Order
from verkstall.outbox.delivery_services import deliver_due
from verkstall.outbox.models import OutgoingMail
from verkstall.people.services import update_person
from verkstall.providers.models import Channel
from verkstall.tooling import testing as build
from verkstall.tooling.testing import confirmed

from .backends import DownBackend

pytestmark = pytest.mark.django_db

STUB_PDF = b"%PDF-1.4\n% stub\n"


def email_provider(world):
    provider = build.provider(world.muni, "Mejlomsorg AB", connected=False, channel=Channel.EMAIL)
    provider.email = "order@mejlomsorg.example"
    provider.save()
    return provider


def stored(row: OutgoingMail) -> str:
    """Everything the outbox row keeps."""
    return " ".join(str(getattr(row, f.attname)) for f in OutgoingMail._meta.concrete_fields)


def assert_nothing_of(person, text: str) -> None:
    digits = re.sub(r"\D", "", person.personal_number)
    for secret in (person.first_name, person.last_name, person.street_address, digits[2:]):
        assert secret not in text, secret
    assert not re.search(r"\d{6}[-+ ]?\d{4}", text)


def test_sending_an_order_touches_no_mail_server_in_the_request(world, client, settings):
    # Issue 19: the officer's send returns without SMTP; the worker mails it afterwards.
    settings.EMAIL_BACKEND = "verkstall.outbox.tests.backends.DownBackend"
    DownBackend.calls = 0
    order = world.order(provider=email_provider(world))
    client.force_login(world.officer)
    response = client.post(reverse("order-action", args=[order.pk, "send"]), confirmed())
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).state == "sent"
    assert DownBackend.calls == 0 and mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_due()["sent"] == 1
    assert [m.to for m in mail.outbox] == [["order@mejlomsorg.example"]]
    assert deliver_due()["claimed"] == 0 and len(mail.outbox) == 1


def test_the_order_mail_is_built_at_delivery_from_fresh_data(world, monkeypatch):
    # Issue 18: the address corrected while the mail waited is the one in the PDF; the row
    # itself never held the client.
    rendered = []

    def render(order):
        rendered.append(order.person.street_address)
        return STUB_PDF

    monkeypatch.setattr(documents, "render_order_pdf", render)
    order = world.order(provider=email_provider(world), state="sent")
    row = OutgoingMail.objects.get()
    assert rendered == []  # nothing built when queued
    assert_nothing_of(order.person, stored(row))
    update_person(world.officer, order.person, reason="Flyttat.", street_address="Nygatan 5")
    assert deliver_due()["sent"] == 1
    assert rendered == ["Nygatan 5"]
    [message] = mail.outbox
    assert message.attachments == [(f"bestallning-{order.pk}.pdf", STUB_PDF, "application/pdf")]
    row.refresh_from_db()
    assert_nothing_of(order.person, stored(row))


def test_the_real_pdf_carries_the_corrected_address(world):  # R3.3, issue 18
    order = world.order(provider=email_provider(world), state="sent")
    update_person(world.officer, order.person, reason="Flyttat.", street_address="Nygatan 5")
    deliver_due()
    [message] = mail.outbox
    [(_name, pdf, _type)] = message.attachments
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join((p.extract_text() or "") for p in PdfReader(BytesIO(pdf)).pages)
    assert "Nygatan 5" in text and "Testgatan 1" not in text


def test_the_reminder_waits_without_the_clients_name_and_is_built_when_sent(world):  # R11
    User.objects.filter(pk=world.officer.pk).update(email="handlaggare@teststad.example")
    with clock.travel_to(datetime(2025, 3, 5, 9, 0)):
        person = world.person(first_name="Elsa", last_name="Testsson")
        world.order(decision=world.decision(person, decided_on=datetime(2024, 12, 5).date()))
    with clock.travel_to(datetime(2025, 3, 5, 10, 0)):
        assert send_reminders()["mails"] == 1
        row = OutgoingMail.objects.get()
        assert row.subject == row.body == row.html_body == ""
        assert_nothing_of(person, stored(row))
        assert mail.outbox == []
        update_person(world.officer, person, reason="Namnbyte.", last_name="Nyberg")
        assert deliver_due()["sent"] == 1
    [message] = mail.outbox
    assert "Elsa Nyberg" in message.body and "Testsson" not in message.body
    assert Reminder.objects.count() == 1
    assert mail.outbox[0].to == ["handlaggare@teststad.example"]
