"""Writes of journal entries and messages (SPEC R10.2, R10.3, R5.5)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.db import IntegrityError, transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.core import clock, uploads
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.orders.models import EventKind
from verkstall.orders.services import record_event
from verkstall.orders.states import ISSUED

from . import case_services
from .models import CaseDocument, CaseJournalEntry, Message, MessageReceipt, ProviderJournalEntry

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
ALLOWED_DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
CONTENT_NAMES = {
    uploads.PDF: "en PDF-fil",
    uploads.PNG: "en PNG-bild",
    uploads.JPEG: "en JPEG-bild",
    uploads.TIFF: "en TIFF-bild",
}
# Ten or twelve digits, with or without the separator: a personnummer or samordningsnummer.
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}\s?[-+]?\s?\d{4}(?!\d)")
# Orders for which a document can arrive: ISSUED, from sent until after the end (seed 002).


def _checked_content_type(upload, suffix: str) -> str:
    """The upload's type by its content (core.uploads), which must be the one its name
    claims; markup (HTML, SVG, XML) is refused whatever the file is called. The browser's
    stated type is never trusted."""
    sniffed = uploads.sniff_content_type(uploads.uploaded_head(upload))
    if sniffed in uploads.ACTIVE_CONTENT_TYPES:
        raise ValidationFailed(
            {
                "upload": "Filen innehåller en webbsida, SVG-bild eller kod (HTML/SVG/XML) och "
                "tas inte emot, oavsett vad den heter. Bifoga en PDF eller en bild "
                "(PNG, JPEG, TIFF)."
            }
        )
    claimed = ALLOWED_DOCUMENT_TYPES[suffix]
    if sniffed == claimed:
        return claimed
    if sniffed in CONTENT_NAMES:
        raise ValidationFailed(
            {
                "upload": f"Filen heter {suffix} men är {CONTENT_NAMES[sniffed]}. "
                "Ge filen rätt filändelse och bifoga den igen."
            }
        )
    raise ValidationFailed(
        {
            "upload": f"Filen heter {suffix} men innehållet är inte {CONTENT_NAMES[claimed]}. "
            "Bifoga en PDF eller en bild (PNG, JPEG, TIFF)."
        }
    )


@transaction.atomic
def record_document_received(
    author, *, person, title: str, text: str, order=None, provider_name: str = "", upload=None
) -> CaseJournalEntry:
    """A document received from a provider outside the system: the officer notes in the journal
    that it arrived and stores the scan (seed 002 §Bistånd som avslutas, SPEC R10.2). When tied
    to an order, the order's history gets DOCUMENT_RECEIVED."""
    require_officer_of_unit(author, person.unit_id, "registrera inkomna handlingar")
    if order is not None and order.person_id != person.pk:
        raise ValidationFailed({"order": "Beställningen hör till en annan klient."})
    storage_name = file_name = content_type = ""
    if upload is not None:
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in ALLOWED_DOCUMENT_TYPES:
            raise ValidationFailed({"upload": "Bifoga en PDF eller en bild (PNG, JPEG, TIFF)."})
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationFailed({"upload": "Filen är större än 20 MB."})
        content_type = _checked_content_type(upload, suffix)
        file_name = Path(upload.name).name[:200]
        storage_name = f"{person.municipality_id}/{uuid.uuid4().hex}{suffix}"
    provider_name = (provider_name or (order.provider.name if order else ""))[:200]
    entry = case_services.write_case_entry(
        author,
        person=person,
        title=title,
        text=text,
        kind=CaseJournalEntry.Kind.DOCUMENT,
    )
    CaseDocument.objects.create(
        entry=entry,
        order=order,
        provider_name=provider_name,
        file_name=file_name,
        storage_name=storage_name,
        content_type=content_type,
    )
    if order is not None:
        record_event(
            author,
            order,
            kind=EventKind.DOCUMENT_RECEIVED,
            data={"journal_entry": entry.pk, "title": entry.title},
            allowed_states=ISSUED,
        )
    if upload is not None:  # last, so that a refused write leaves no file behind
        target = case_services.documents_dir() / storage_name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return entry


@transaction.atomic
def write_provider_entry(
    author, *, order, text: str, is_summary: bool = False, corrects=None
) -> ProviderJournalEntry:
    """An entry in the provider's journal for an order it holds. A summary meets the routine's
    "summarise at least every six months" (SPEC R5.5) through JOURNAL_SUMMARY on the order."""
    if author.role_enum not in PROVIDER_ROLES or author.provider_id != order.provider_id:
        raise PermissionDenied("Endast utförarens personal skriver i verksamhetsjournalen.")
    if not (text or "").strip():
        raise ValidationFailed({"text": "Skriv en text."})
    if corrects is not None:
        if corrects.order_id != order.pk or corrects.provider_id != author.provider_id:
            raise ValidationFailed({"corrects": "Anteckningen hör till en annan beställning."})
        if ProviderJournalEntry.objects.filter(corrects=corrects).exists():
            raise ValidationFailed(
                {"corrects": "Anteckningen är redan rättad; rätta den senaste versionen."}
            )
    entry = ProviderJournalEntry.objects.create(
        municipality_id=order.municipality_id,
        order=order,
        person_id=order.person_id,
        provider_id=order.provider_id,
        author=author,
        author_organisation=author.organisation_name[:200],
        text=text.strip(),
        is_summary=is_summary,
        corrects=corrects,
    )
    if is_summary:
        record_event(
            author, order, kind=EventKind.JOURNAL_SUMMARY, data={"provider_journal_entry": entry.pk}
        )
    return entry


@transaction.atomic
def send_message(sender, *, person, subject: str, body: str, order=None) -> Message:
    """A message between the client's myndighet unit and the order's provider (SPEC R10.3),
    recorded in the order's history in the same transaction (`_record_message_event`). The
    caller fetched `person` and `order` through the sender's selectors."""
    subject = (subject or "").strip()
    body = (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = "Ange ett ämne."
    elif _PERSONAL_NUMBER.search(subject):
        errors["subject"] = (
            "Skriv inte personnummer i ämnesraden; meddelandet är redan kopplat till klienten."
        )
    if not body:
        errors["body"] = "Skriv ett meddelande."
    if order is not None and order.person_id != person.pk:
        errors["order"] = "Beställningen hör till en annan klient."
    if errors:
        raise ValidationFailed(errors)
    role = sender.role_enum
    if role in PROVIDER_ROLES:
        if order is None:
            raise ValidationFailed({"order": "Välj vilken beställning meddelandet gäller."})
        if order.provider_id != sender.provider_id:
            raise PermissionDenied("Beställningen hålls inte av er.")
        unit, provider, from_provider = order.unit, order.provider, True
    elif role == Role.OFFICER:
        if order is None:
            raise ValidationFailed({"order": "Välj vilken beställning (utförare) det gäller."})
        require_officer_of_unit(sender, order.unit_id, "skriva till utföraren")
        unit, provider, from_provider = order.unit, order.provider, False
    else:
        raise PermissionDenied("Meddelanden skickas mellan handläggare och utförare.")
    message = Message.objects.create(
        municipality_id=person.municipality_id,
        person=person,
        order=order,
        unit=unit,
        provider=provider,
        from_provider=from_provider,
        sender=sender,
        sender_organisation=sender.organisation_name[:200],
        recipient_organisation=(unit.name if from_provider else provider.name)[:200],
        subject=subject[:200],
        body=body,
    )
    _record_message_event(sender, message)
    return message


def _record_message_event(sender, message: Message) -> None:
    """The order's history gets MESSAGE_SENT with the message's id and direction only (issue
    20: the event feed and the webhooks carry no text; the receiver reads the message with its
    token). In any state a message can be sent in (a cancelled order's provider is told too);
    it moves no state and no clock (no deadline rule names it: core/event_kinds.py)."""
    if message.order_id is None:
        return
    record_event(
        sender,
        message.order,
        kind=EventKind.MESSAGE_SENT,
        data={"message": message.pk, "from_provider": message.from_provider},
        allowed_states=None,
    )


def mark_read(user, message: Message) -> MessageReceipt | None:
    """The reader's receipt, once per user; only the receiving organisation leaves one."""
    if _is_sender_side(user, message):
        return None
    try:
        with transaction.atomic():
            receipt, _ = MessageReceipt.objects.get_or_create(
                message=message, user=user, defaults={"read_at": clock.now()}
            )
    except IntegrityError:  # two tabs at once
        receipt = MessageReceipt.objects.get(message=message, user=user)
    return receipt


def _is_sender_side(user, message: Message) -> bool:
    if message.from_provider:
        return user.role_enum in PROVIDER_ROLES
    return user.role_enum not in PROVIDER_ROLES
