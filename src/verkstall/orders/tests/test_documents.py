"""The order as a document (SPEC R3.1, R3.3, R3.4): the PDF and the print view share the
on-screen order document; a provider that takes orders by e-mail gets the PDF attached once
the send is committed, through the outbox and never inside the request (issues 18, 19), with
no personnummer in the subject or body; a failing mail server leaves the order sent and the
mail waiting; a connected provider is never e-mailed.

PDFs are slow-ish to make, so one module fixture walks an order through the real screens
once (send by e-mail, then fetch the PDF) and the tests read what it produced. Tests that only
need the HTTP or e-mail plumbing stub the renderer.
"""

from __future__ import annotations

import logging
import re
import socket
from datetime import timedelta
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from pypdf import PdfReader

from verkstall.access.roles import Role
from verkstall.core import clock, metrics
from verkstall.core.errors import ValidationFailed
from verkstall.decisions.services import record_decision
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders import document_services, documents
from verkstall.orders.models import Order
from verkstall.outbox.delivery_services import deliver_due
from verkstall.outbox.models import OutgoingMail
from verkstall.people.services import register_person
from verkstall.providers.models import Channel
from verkstall.providers.services import ensure_provider, ensure_provider_unit
from verkstall.tooling import testing as build
from verkstall.tooling.testing import confirmed

# Every test here uses the database, through `world` or through the module fixture; the mark
# also tells pytest-django to set up the test database when only module-fixture tests run.
pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STUB_PDF = b"%PDF-1.4\n% stub for tests of the plumbing\n"


def mail_callbacks(callbacks) -> list:
    """What a commit queued besides counting the transition for /metrics (core.metrics)."""
    return [c for c in callbacks if getattr(c, "func", None) is not metrics.count_transition]


def pdf_text(pdf: bytes) -> str:
    """All pages' text with whitespace collapsed, so a sentence broken over lines matches."""
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def number_forms(twelve_digits: str) -> list[str]:
    """Every way a personnummer is written: 12 or 10 digits, with or without separator."""
    ten = twelve_digits[2:]
    return [
        twelve_digits,
        ten,
        f"{twelve_digits[:8]}-{twelve_digits[8:]}",
        f"{ten[:6]}-{ten[6:]}",
        f"{ten[:6]}+{ten[6:]}",
        f"{twelve_digits[:8]} {twelve_digits[8:]}",
    ]


def assert_test_database() -> None:
    """A module fixture writes outside pytest-django's per-test transaction: make sure it is
    the test database (never a developer's file), rolled back at the end."""
    name = str(connection.settings_dict["NAME"])
    assert "test" in name or "memory" in name, name


def email_provider(muni, name="Mejlomsorg AB", email="order@mejlomsorg.example"):
    return ensure_provider(
        municipality=muni,
        name=name,
        is_connected=False,
        channel=Channel.EMAIL,
        email=email,
        phone="08-555 12 34",
        postal_address="Box 7, 162 11 Vällingby",
    )


def _walk_once() -> SimpleNamespace:
    """Build a full order, send it through the screens to an e-mail provider (running the
    on-commit e-mail), then fetch its PDF and its print view. Returns plain values only."""
    muni = build.municipality(name="Testkommunen")
    unit = build.unit(muni, "Biståndsenheten Norr")
    area = build.area(muni, "Norra området")
    officer = build.user(Role.OFFICER, muni, unit=unit, username="doc-officer")
    officer.first_name, officer.last_name = "Karin", "Handläggarsson"
    officer.email = "karin.handlaggarsson@kommun.example"
    officer.save()
    provider = email_provider(muni)
    provider_unit = ensure_provider_unit(
        provider=provider, name="Team Väst", manager_name="Maria Chef"
    )
    number = build.test_number()
    person = register_person(
        officer,
        personal_number=number,
        first_name="Sara",
        last_name="Exempelsson",
        street_address="Storgatan 12",
        postal_code="16270",
        city="Vällingby",
        area=area.pk,
        phone="070-111 22 33",
        whereabouts="Korttidsboendet Solgården till fredag",
        relatives=[
            {"name": "Olle Exempelsson", "relation": "son", "phone": "070-999 88 77"},
        ],
    )
    today = clock.today()
    decision = record_decision(
        officer,
        person=person,
        decided_on=today - timedelta(days=2),
        assessment_summary="Behöver stöd att strukturera vardagen och handla.",
        services=[
            {
                "service_type": "boendestod",
                "scope_amount": "12",
                "scope_unit": "hours_per_month",
                "frequency": "två gånger i veckan",
                "valid_from": today,
                "valid_to": today + timedelta(days=180),
            },
            {
                "service_type": "trygghetslarm",
                "scope_amount": "1",
                "scope_unit": "place",
                "valid_from": today,
            },
        ],
    )
    from verkstall.orders import services

    order = services.create_order(
        officer,
        decision=decision,
        provider=provider,
        provider_unit=provider_unit.pk,
        instructions="Ring på dörren två gånger; hunden är snäll.",
    )
    client = Client()
    client.force_login(officer)
    mail.outbox = []
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        sent = client.post(reverse("order-action", args=[order.pk, "send"]), confirmed())
    mailed_in_request = list(mail.outbox)
    queued_panel = client.get(reverse("order-delivery", args=[order.pk])).content.decode()
    queued_row = OutgoingMail.objects.values("kind", "subject", "body", "reference").get()
    delivered = deliver_due()
    messages = list(mail.outbox)
    sent_panel = client.get(reverse("order-delivery", args=[order.pk])).content.decode()
    pdf_response = client.get(reverse("order-document-pdf", args=[order.pk]))
    print_response = client.get(reverse("order-print", args=[order.pk]))
    journal = list(
        CaseJournalEntry.objects.filter(person=person).values_list("kind", "title", "text")
    )
    return SimpleNamespace(
        order_pk=order.pk,
        number=number,
        number_digits=re.sub(r"\D", "", number),
        send_status=sent.status_code,
        callbacks=len(mail_callbacks(callbacks)),
        state=Order.objects.get(pk=order.pk).state,
        mailed_in_request=mailed_in_request,
        queued_panel=queued_panel,
        queued_row=queued_row,
        delivered=delivered,
        sent_panel=sent_panel,
        messages=messages,
        pdf_status=pdf_response.status_code,
        pdf_headers=dict(pdf_response.headers),
        pdf=pdf_response.content,
        pdf_text=pdf_text(pdf_response.content),
        print_status=print_response.status_code,
        print_html=print_response.content.decode(),
        journal=journal,
        written_on=Order.objects.get(pk=order.pk).written_on,
    )


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker):
    """One real walk per module, rolled back afterwards: nothing stays in the database."""
    assert_test_database()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        result = _walk_once()
        transaction.set_rollback(True)
    return result


# --- The document -----------------------------------------------------------------------


def test_pdf_has_everything_the_provider_needs(walked):  # R3.1, R3.3
    text = walked.pdf_text
    for expected in [
        "Beställning",
        f"Beställning nr {walked.order_pk}",
        "Testkommunen",
        "Biståndsenheten Norr",
        "Sara Exempelsson",
        walked.number,  # formatted ÅÅÅÅMMDD-NNNN
        "Storgatan 12",
        "16270 Vällingby",
        "070-111 22 33",
        "Korttidsboendet Solgården till fredag",
        "Olle Exempelsson",
        "son",
        "070-999 88 77",
        "Boendestöd",
        "12 timmar per månad",
        "två gånger i veckan",
        "Trygghetslarm",
        "1 plats",
        f"{clock.today():%Y-%m-%d}",
        "Behöver stöd att strukturera vardagen och handla.",
        "Ring på dörren två gånger; hunden är snäll.",
        "Karin Handläggarsson",
        "karin.handlaggarsson@kommun.example",
        "Mejlomsorg AB",
        "Team Väst",
        "Maria Chef",
    ]:
        assert expected in text, expected


def test_pdf_says_how_to_acknowledge_and_report_the_start(walked):  # R3.3, R3.5
    text = walked.pdf_text
    assert "Bekräfta att ni har tagit emot beställningen" in text
    assert "registrerar kvittens och startdatum i Verkställ för er räkning" in text
    assert f"Ange beställningsnummer {walked.order_pk}" in text
    # The routine's deadline for the provider, with its date (stockholm-hv: 3 weekdays).
    assert "Bekräfta mottagande och att uppdraget påbörjats: senast 20" in text


def test_pdf_is_a4_with_numbered_pages_and_a_running_header(walked):  # R3.1
    reader = PdfReader(BytesIO(walked.pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    pages = len(reader.pages)
    assert f"Sida 1 av {pages}" in walked.pdf_text
    if pages > 1:
        second = " ".join(reader.pages[1].extract_text().split())
        assert "Beställning" in second and f"Nr {walked.order_pk}" in second


def test_pdf_is_shown_inline_and_named_by_order_number_only(
    walked,
):  # ARCHITECTURE Conventions, R3.3
    assert walked.pdf_status == 200
    assert walked.pdf_headers["Content-Type"] == "application/pdf"
    disposition = walked.pdf_headers["Content-Disposition"]
    assert disposition == f'inline; filename="bestallning-{walked.order_pk}.pdf"'
    assert "no-store" in walked.pdf_headers["Cache-Control"]
    assert walked.pdf.startswith(b"%PDF-")
    for form in number_forms(walked.number_digits):
        assert form not in disposition


def test_print_view_is_the_same_document_for_fax_or_post(walked):  # R3.3
    html = walked.print_html
    assert walked.print_status == 200
    assert 'class="card order-document"' in html  # the shared on-screen document
    assert "Sara Exempelsson" in html and walked.number in html
    assert "Ring på dörren två gånger" in html
    assert "data-print" in html and "verkstall/print.js" in html  # no inline handler (CSP)
    assert reverse("order-document-pdf", args=[walked.order_pk]) in html


# --- E-mail to a provider outside the system --------------------------------------------


def test_email_provider_gets_the_pdf_once_the_send_is_committed(walked):  # R3.3, R3.4
    assert walked.send_status == 302
    assert walked.state == "sent"
    assert walked.callbacks == 1  # the outbox's delivery, queued once committed
    # Issue 19: no SMTP inside the request; the officer's page says it is queued.
    assert walked.mailed_in_request == []
    assert "är köad för e-post till order@mejlomsorg.example" in walked.queued_panel
    assert walked.delivered["sent"] == 1
    assert len(walked.messages) == 1
    message = walked.messages[0]
    assert message.to == ["order@mejlomsorg.example"]
    assert message.reply_to == ["karin.handlaggarsson@kommun.example"]
    assert message.subject == f"Ny beställning från Biståndsenheten Norr (nr {walked.order_pk})"
    assert "svara på det här e-postmeddelandet" in message.body
    assert f"beställning nr {walked.order_pk}" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"bestallning-{walked.order_pk}.pdf"
    assert mimetype == "application/pdf"
    attached = pdf_text(content)
    assert walked.number in attached and "Sara Exempelsson" in attached
    # The e-mailed document is the document the screens show.
    assert attached == walked.pdf_text


def test_email_subject_and_body_carry_no_personnummer(walked):  # ARCHITECTURE Conventions, R3.3
    message = walked.messages[0]
    for form in number_forms(walked.number_digits):
        assert form not in message.subject, form
        assert form not in message.body, form
    assert not re.search(r"\d{6}[-+ ]?\d{4}", message.subject + message.body)


def test_the_outbox_row_holds_no_client_data(walked):  # R3.3, issue 18
    # Built at delivery from the reference: nothing of the client waits in the outbox.
    row = walked.queued_row
    assert row["kind"] == document_services.MAIL_KIND
    assert row["reference"].startswith(f"{walked.order_pk}:")
    assert row["subject"] == row["body"] == ""
    stored = repr(row)
    for text in ("Sara", "Exempelsson", "Storgatan", *number_forms(walked.number_digits)):
        assert text not in stored, text


def test_the_email_is_recorded_in_the_case_journal(walked):  # R3.3, R10.2
    [(kind, title, text)] = walked.journal
    assert kind == CaseJournalEntry.Kind.DOCUMENT
    assert title == "Beställning skickad per e-post"
    assert text.startswith(f"Beställning nr {walked.order_pk} ")
    assert "order@mejlomsorg.example" in text
    assert walked.number_digits[2:] not in re.sub(r"\D", "", text)
    # Written when the mail server took it; the page then says it went.
    assert "skickades per e-post till order@mejlomsorg.example" in walked.sent_panel


def test_connected_provider_is_never_emailed(world, django_capture_on_commit_callbacks):  # R3.3
    from verkstall.orders import services

    order = world.order(provider=world.provider_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.send_order(world.officer, order)
    assert mail_callbacks(callbacks) == []
    assert mail.outbox == []


def test_fax_provider_is_not_emailed_and_its_page_says_print(
    world, client, django_capture_on_commit_callbacks
):  # R3.3, R3.4
    from verkstall.orders import services

    order = world.order(provider=world.offline)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.send_order(world.officer, order)
    assert mail_callbacks(callbacks) == [] and mail.outbox == []
    client.force_login(world.officer)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Skriv ut för fax/post." in page
    assert reverse("order-print", args=[order.pk]) in page
    assert reverse("order-document-pdf", args=[order.pk]) in page
    assert "för utförarens räkning" in page
    assert "meddela utföraren per e-post eller telefon att beställningen är på väg" in page


@pytest.fixture
def stub_pdf(monkeypatch):
    monkeypatch.setattr(documents, "render_order_pdf", lambda order: STUB_PDF)


@pytest.fixture
def dead_mail_server(settings):
    """SMTP to a port nobody listens on: the connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return port


def test_a_failing_mail_server_leaves_the_order_sent_and_the_page_says_so(
    world, client, stub_pdf, dead_mail_server, settings, caplog
):  # R3.3, issue 18
    settings.VERKSTALL_OUTBOX_MAX_ATTEMPTS = 2
    world.officer.email = "officer@kommun.example"
    world.officer.save()
    provider = email_provider(world.muni)
    order = world.order(provider=provider)
    client.force_login(world.officer)
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("order-action", args=[order.pk, "send"]), confirmed())
        assert response.status_code == 302
        assert deliver_due()["failed"] == 1
    row = Order.objects.get(pk=order.pk)
    assert row.state == "sent" and row.sent_at is not None
    assert [e.kind for e in row.events.order_by("seq")] == ["created", "sent"]
    # The mail waits and is tried again; nothing in the journal until it is settled.
    assert not CaseJournalEntry.objects.filter(person_id=order.person_id).exists()
    panel = client.get(reverse("order-delivery", args=[order.pk])).content.decode()
    assert "E-postservern har inte tagit emot beställningen ännu." in panel
    assert reverse("order-print", args=[order.pk]) in panel

    # Still down at the last attempt: the outbox gives up and the journal says so.
    with clock.travel_to(clock.now() + timedelta(minutes=2)), caplog.at_level(logging.INFO):
        assert deliver_due()["given_up"] == 1
    entry = CaseJournalEntry.objects.get(person_id=order.person_id)
    assert entry.title == "Beställning kunde inte skickas per e-post"
    assert entry.author == world.officer
    panel = client.get(reverse("order-delivery", args=[order.pk]), headers={"HX-Request": "true"})
    html = panel.content.decode()
    assert panel.status_code == 200
    assert "E-posten till utföraren misslyckades." in html
    assert reverse("order-email-again", args=[order.pk]) in html
    # The page loads that panel; without JavaScript its link leads to the same panel.
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert f'hx-get="{reverse("order-delivery", args=[order.pk])}"' in page

    digits = order.person.personal_number
    assert "failed" in caplog.text and f"Order {order.pk}" in caplog.text
    for form in number_forms(digits):
        assert form not in caplog.text


def test_sending_again_after_a_failure_emails_the_pdf(world, client, stub_pdf, settings):
    # R3.3: the outbox gave up (one attempt allowed, the server refusing); queued again, it
    # goes once the server takes it.
    settings.VERKSTALL_OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "verkstall.outbox.tests.backends.DownBackend"
    provider = email_provider(world.muni)
    order = world.order(provider=provider, state="sent")
    assert deliver_due()["given_up"] == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(world.officer)
    panel = client.get(reverse("order-delivery", args=[order.pk])).content.decode()
    assert "E-posten till utföraren misslyckades." in panel

    response = client.post(reverse("order-email-again", args=[order.pk]), follow=True)
    assert "e-postas till order@mejlomsorg.example inom kort" in response.content.decode()
    assert mail.outbox == []  # queued, not sent in the request (issue 19)
    # A second click while it waits queues nothing more.
    client.post(reverse("order-email-again", args=[order.pk]))
    assert OutgoingMail.objects.filter(sent_at__isnull=True, given_up_at__isnull=True).count() == 1
    panel = client.get(reverse("order-delivery", args=[order.pk])).content.decode()
    assert "är köad för e-post" in panel

    assert deliver_due()["sent"] == 1
    [message] = mail.outbox
    assert message.attachments == [(f"bestallning-{order.pk}.pdf", STUB_PDF, "application/pdf")]
    panel = client.get(reverse("order-delivery", args=[order.pk])).content.decode()
    assert "skickades per e-post till order@mejlomsorg.example" in panel


def test_an_order_closed_before_its_mail_went_is_not_emailed(world, stub_pdf):  # R3.3
    from verkstall.orders import services

    order = world.order(provider=email_provider(world.muni), state="sent")
    services.cancel_order(world.officer, order, reason="Fel utförare.")
    assert deliver_due()["withdrawn"] == 1
    assert mail.outbox == []


def test_only_the_clients_officer_may_email_the_order(world, client, stub_pdf):  # R3.3
    provider = email_provider(world.muni)
    order = world.order(provider=provider, state="sent")
    client.force_login(world.other_officer)
    assert client.post(reverse("order-email-again", args=[order.pk])).status_code == 404
    client.force_login(world.fee_officer)
    response = client.post(reverse("order-email-again", args=[order.pk]), follow=True)
    assert "Endast handläggare" in response.content.decode()
    assert mail.outbox == []
    with pytest.raises(ValidationFailed):
        document_services.email_order(world.officer, world.order(provider=world.provider_a))


def test_mask_hides_anything_shaped_like_a_personnummer():  # ARCHITECTURE Conventions, R3.3
    for form in number_forms("194501019802"):
        assert "9802" not in document_services._mask(f"a {form} b")
    assert document_services._mask("nr 12, daterad 2025-01-03") == "nr 12, daterad 2025-01-03"


# --- Access ------------------------------------------------------------------------------


def test_another_providers_user_gets_404_on_the_pdf_and_print(world, client, stub_pdf):  # R10.4
    order = world.order(provider=world.provider_a, state="sent")
    client.force_login(world.staff_b)
    for name in ("order-document-pdf", "order-print", "order-delivery"):
        assert client.get(reverse(name, args=[order.pk])).status_code == 404, name
    client.force_login(world.staff_a)
    response = client.get(reverse("order-document-pdf", args=[order.pk]))
    assert response.status_code == 200 and response.content == STUB_PDF
    assert client.get(reverse("order-print", args=[order.pk])).status_code == 200
    # The provider reads the document; the municipality's delivery panel is not for it.
    assert client.get(reverse("order-delivery", args=[order.pk])).status_code == 404


def test_a_provider_never_sees_a_draft_document(world, client, stub_pdf):  # R3.1
    order = world.order(provider=world.provider_a)
    client.force_login(world.staff_a)
    assert client.get(reverse("order-document-pdf", args=[order.pk])).status_code == 404
    client.force_login(world.officer)
    html = client.get(reverse("order-print", args=[order.pk])).content.decode()
    assert "UTKAST – inte skickad" in html


def test_a_cancelled_order_says_so_on_paper(world, client):  # R3.1
    from verkstall.orders import services

    order = world.order(provider=world.offline, state="sent")
    services.cancel_order(world.officer, order, reason="Klienten flyttade.")
    client.force_login(world.officer)
    html = client.get(reverse("order-print", args=[order.pk])).content.decode()
    assert "MAKULERAD – ska inte utföras" in html
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Skriv ut för fax/post." not in page
