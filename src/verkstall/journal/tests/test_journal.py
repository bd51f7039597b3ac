"""Journals and messages (SPEC R10.2, R10.3, R5.5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from verkstall.core import clock
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.deadlines.models import DueItem
from verkstall.journal import case_selectors, case_services, selectors, services
from verkstall.journal.models import CaseJournalEntry, Message, ProviderJournalEntry
from verkstall.orders.models import OrderEvent


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _login(client, user):
    client.force_login(user)
    return client


# --- case journal (R10.2) ---


def test_correction_is_a_new_entry_and_the_original_stays_marked_rattad(world):  # R10.2
    person = world.person()
    first = case_services.officer_write_case_entry(
        world.officer, person=person, title="Hembesök", text="Fel datum"
    )
    fix = case_services.officer_write_case_entry(
        world.officer, person=person, title="Hembesök", text="Rätt datum", corrects=first
    )
    entries = list(case_selectors.case_journal(world.officer, person.pk))
    assert [e.pk for e in entries] == [fix.pk, first.pk]  # newest first
    assert entries[1].text == "Fel datum" and entries[1].is_corrected
    assert entries[0].corrects_id == first.pk and not entries[0].is_corrected
    assert fix.author_organisation == "Biståndsenheten Väst"
    with pytest.raises(ValidationFailed):  # only the latest version is corrected
        case_services.officer_write_case_entry(
            world.officer, person=person, title="x", text="y", corrects=first
        )


def test_journal_entries_are_append_only(world):  # R10.2
    person = world.person()
    entry = case_services.officer_write_case_entry(
        world.officer, person=person, title="Anteckning", text="Text"
    )
    entry.text = "Ändrad"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert CaseJournalEntry.objects.get(pk=entry.pk).text == "Text"


def test_only_the_clients_unit_writes_and_providers_do_not_read_the_case_journal(world):  # R10.2
    order = world.order(state="started")
    person = order.person
    with pytest.raises(PermissionDenied):
        case_services.officer_write_case_entry(
            world.other_officer, person=person, title="t", text="x"
        )
    case_services.officer_write_case_entry(world.officer, person=person, title="t", text="x")
    assert list(case_selectors.case_journal(world.staff_a, person.pk)) == []
    with pytest.raises(NotFound):
        case_selectors.case_journal(world.other_officer, person.pk)


def test_case_journal_screen_writes_and_corrects(world, client):  # R10.2
    person = world.person()
    _login(client, world.officer)
    url = reverse("case-journal", args=[person.pk])
    response = client.post(
        url, {"action": "note", "note-title": "Samtal", "note-text": "Ringde dottern"}
    )
    assert response.status_code == 302
    entry = CaseJournalEntry.objects.get(person=person)
    response = client.post(
        url,
        {
            "action": "note",
            "note-title": "Samtal",
            "note-text": "Ringde sonen",
            "note-corrects": entry.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Ringde dottern" in page and "Ringde sonen" in page and "rättad" in page
    _login(client, world.staff_a)
    assert client.get(url).status_code == 404


def test_received_paper_document_is_journalled_stored_and_served_scoped(
    world, client, data_dir
):  # R10.2, seed 002 §Bistånd som avslutas
    order = world.order(provider=world.offline, state="started")
    person = order.person
    _login(client, world.officer)
    url = reverse("case-journal", args=[person.pk])
    scan = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    response = client.post(
        url,
        {
            "action": "document",
            "doc-title": "Genomförandeplan inkommen",
            "doc-text": "Per post från Faxomsorg",
            "doc-order": order.pk,
            "doc-upload": scan,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = CaseJournalEntry.objects.get(person=person, kind=CaseJournalEntry.Kind.DOCUMENT)
    assert entry.document.provider_name == "Faxomsorg HB"
    stored = data_dir / "documents" / entry.document.storage_name
    assert stored.read_bytes() == b"%PDF-1.4 scan"
    event = OrderEvent.objects.get(order=order, kind="document_received")
    assert event.data["journal_entry"] == entry.pk
    doc_url = reverse("case-document", args=[person.pk, entry.pk])
    response = client.get(doc_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 scan"
    assert response["Cache-Control"] == "no-store, private"
    for outsider in (world.other_officer, world.staff_a):
        _login(client, outsider)
        assert client.get(doc_url).status_code == 404


def test_a_document_of_a_type_we_do_not_store_is_refused(world, data_dir):  # R10.2
    person = world.person()
    with pytest.raises(ValidationFailed):
        services.record_document_received(
            world.officer,
            person=person,
            title="t",
            text="x",
            upload=SimpleUploadedFile("virus.exe", b"MZ"),
        )
    assert not CaseJournalEntry.objects.filter(person=person).exists()


# --- provider journal (R10.2, R5.5) ---


def test_provider_journal_is_invisible_to_another_provider_and_to_the_officer(
    world, client
):  # R10.2
    order = world.order(state="started")
    services.write_provider_entry(world.staff_a, order=order, text="Dusch, gick bra")
    assert [e.text for e in selectors.provider_journal(world.staff_a, order.pk)] == [
        "Dusch, gick bra"
    ]
    assert list(selectors.provider_journal(world.officer, order.pk)) == []
    with pytest.raises(NotFound):
        selectors.provider_journal(world.staff_b, order.pk)
    with pytest.raises(PermissionDenied):
        services.write_provider_entry(world.officer, order=order, text="x")
    url = reverse("provider-journal", args=[order.pk])
    # The officer's role has no provider journal at all (403); provider B's staff may use it but
    # this order is not theirs (404).
    for outsider, refused in ((world.officer, 403), (world.staff_b, 404)):
        _login(client, outsider)
        response = client.get(url)
        assert response.status_code == refused
        assert "Dusch" not in response.content.decode()
    _login(client, world.staff_a)
    assert "Dusch, gick bra" in client.get(url).content.decode()


def test_provider_correction_keeps_the_original(world):  # R10.2
    order = world.order(state="started")
    first = services.write_provider_entry(world.staff_a, order=order, text="Fel")
    services.write_provider_entry(world.staff_a, order=order, text="Rätt", corrects=first)
    entries = list(selectors.provider_journal(world.staff_a, order.pk))
    assert [(e.text, e.is_corrected) for e in entries] == [("Rätt", False), ("Fel", True)]
    with pytest.raises(ValueError):
        first.save()


def test_summary_meets_the_gotland_six_month_item(world):  # R5.5, seed 002
    world.muni.rule_profile = "gotland"
    world.muni.save()
    order = world.order(state="started")
    item = DueItem.objects.get(order=order, rule__code="social-dokumentation-sammanfattning")
    assert item.status == "open"
    assert item.due_date >= (clock.today() + timedelta(days=180))
    services.write_provider_entry(world.staff_a, order=order, text="Vanlig anteckning")
    item.refresh_from_db()
    assert item.status == "open"
    entry = services.write_provider_entry(
        world.staff_a, order=order, text="Halvårssammanfattning", is_summary=True
    )
    item.refresh_from_db()
    assert item.status == "met_on_time"
    event = OrderEvent.objects.get(order=order, kind="journal_summary")
    assert event.data == {"provider_journal_entry": entry.pk}
    assert ProviderJournalEntry.objects.get(pk=entry.pk).is_summary


# --- messages (R10.3) ---


def test_message_read_receipt_and_unread_count(world, client):  # R10.3
    order = world.order(state="started")
    told = selectors.unread_count(world.officer)  # the start's "verkställt" (R3.7)
    message = services.send_message(
        world.officer, person=order.person, order=order, subject="Ny nyckel", body="Hämta den"
    )
    assert message.recipient_organisation == "Omsorg A AB"
    assert selectors.unread_count(world.staff_a) == 1
    assert selectors.unread_count(world.officer) == told  # the sender's own side
    _login(client, world.staff_a)
    assert "(1 olästa)" in client.get(reverse("message-list")).content.decode()
    client.get(reverse("message-detail", args=[message.pk]))
    client.get(reverse("message-detail", args=[message.pk]))
    assert selectors.unread_count(world.staff_a) == 0
    assert message.receipts.count() == 1
    _login(client, world.officer)
    page = client.get(reverse("message-list") + "?box=out").content.decode()
    assert f"Läst av {world.staff_a.get_full_name()}" in page
    assert selectors.get_message(world.officer, message.pk).receipts.get().user == world.staff_a


def test_messages_are_seen_only_by_the_two_organisations(world, client, api):  # R10.3
    order = world.order(state="started")
    told = selectors.unread_count(world.officer)  # the start's "verkställt" (R3.7)
    message = services.send_message(
        world.staff_a, person=order.person, order=order, subject="Fråga", body="Hej"
    )
    assert message.recipient_organisation == "Biståndsenheten Väst"
    assert selectors.unread_count(world.officer) == told + 1
    # The fee officer's role has no messages (403); the others may but not this one (404).
    for outsider, refused in (
        (world.staff_b, 404),
        (world.other_officer, 404),
        (world.fee_officer, 403),
    ):
        assert list(selectors.messages_for(outsider)) == []
        _login(client, outsider)
        assert client.get(reverse("message-detail", args=[message.pk])).status_code == refused
        assert api(outsider).get(f"/api/messages/{message.pk}/").status_code == refused
    with pytest.raises(PermissionDenied):  # B may not write on A's order
        services.send_message(
            world.staff_b, person=order.person, order=order, subject="x", body="y"
        )
    response = api(world.officer).post(f"/api/messages/{message.pk}/read/")
    assert response.status_code == 200 and len(response.json()["receipts"]) == 1


def test_a_subject_with_a_personnummer_is_refused(world, client):  # R10.3, ARCHITECTURE
    order = world.order(state="started")
    number = order.person.personal_number
    with pytest.raises(ValidationFailed) as exc:
        services.send_message(
            world.officer, person=order.person, order=order, subject=f"Om {number}", body="x"
        )
    assert "personnummer" in exc.value.errors["subject"][0]
    _login(client, world.officer)
    response = client.post(
        reverse("message-create"),
        {"order": order.pk, "subject": f"Gäller {number[2:8]}-{number[8:]}", "body": "x"},
    )
    assert response.status_code == 200
    assert "personnummer" in response.content.decode()
    assert not Message.objects.exclude(subject__startswith="Verkställt").exists()  # R3.7


def test_message_sent_through_the_screen_and_the_api(world, client, api):  # R10.3
    order = world.order(state="started")
    _login(client, world.officer)
    response = client.post(
        reverse("message-create"), {"order": order.pk, "subject": "Tider", "body": "Ändrade"}
    )
    assert response.status_code == 302
    response = api(world.staff_a).post(
        "/api/messages/", {"order": order.pk, "subject": "Svar", "body": "Ok"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert [m["subject"] for m in api(world.officer).get("/api/messages/").json()["results"]] == [
        "Svar"
    ] or api(world.officer).get("/api/messages/").json()
    response = api(world.staff_b).post(
        "/api/messages/", {"order": order.pk, "subject": "Svar", "body": "Ok"}, format="json"
    )
    assert response.status_code == 404


# --- received documents are judged by content (issue 11, Low) ---

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>'


def _receive(world, name, data, content_type="application/pdf"):
    return services.record_document_received(
        world.officer,
        person=world.person(),
        title="Handling inkommen",
        text="Per post",
        upload=SimpleUploadedFile(name, data, content_type=content_type),
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.pdf", HTML, "HTML/SVG/XML"),
        ("bild.png", SVG, "HTML/SVG/XML"),
        ("bild.jpg", b'<?xml version="1.0"?><x/>', "HTML/SVG/XML"),
        ("plan.pdf", b"\xef\xbb\xbf<html><img src=x onerror=alert(1)>", "HTML/SVG/XML"),
        ("plan.pdf", PNG, "heter .pdf men är en PNG-bild"),
        ("bild.png", b"%PDF-1.4 scan", "heter .png men är en PDF-fil"),
        ("plan.pdf", b"MZ\x90\x00 an executable", "innehållet är inte en PDF-fil"),
        ("plan.pdf", b"", "innehållet är inte en PDF-fil"),
    ],
)
def test_a_received_document_is_judged_by_its_content_not_its_name(
    world, data_dir, name, data, message
):  # issue 11 (Low): HTML as .pdf and SVG as .png were accepted; R10.2
    with pytest.raises(ValidationFailed) as refused:
        _receive(world, name, data)
    assert message in refused.value.errors["upload"][0]
    assert not CaseJournalEntry.objects.exists()
    assert not (data_dir / "documents").exists() or not any((data_dir / "documents").rglob("*.*"))


def test_the_stored_type_is_the_contents_never_the_browsers(world, data_dir):  # issue 11, R10.2
    entry = _receive(world, "skanning.png", PNG, content_type="text/html")
    assert entry.document.content_type == "image/png"


def test_markup_named_pdf_is_refused_on_the_screen(world, client, data_dir):  # issue 11; R10.2
    person = world.person()
    _login(client, world.officer)
    response = client.post(
        reverse("case-journal", args=[person.pk]),
        {
            "action": "document",
            "doc-title": "Handling inkommen",
            "doc-text": "Per post",
            "doc-upload": SimpleUploadedFile("plan.pdf", HTML, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200  # the form again, with the message on the field
    assert "HTML/SVG/XML" in response.content.decode()
    assert not CaseJournalEntry.objects.filter(person=person).exists()


def test_a_received_document_is_downloaded_as_an_attachment_never_sniffed(
    world, client, data_dir
):  # issue 11 (Low); R10.2
    entry = _receive(world, "skanning.png", PNG)
    _login(client, world.officer)
    response = client.get(reverse("case-document", args=[entry.person_id, entry.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"


def test_a_page_stored_before_the_check_is_served_as_a_plain_download(
    world, client, data_dir
):  # issue 11 (Low): files accepted by extension alone before the fix, R10.2
    entry = _receive(world, "plan.pdf", b"%PDF-1.4 scan")
    stored = data_dir / "documents" / entry.document.storage_name
    stored.write_bytes(HTML)  # what an extension-only check let in
    _login(client, world.officer)
    response = client.get(reverse("case-document", args=[entry.person_id, entry.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
