"""Writes of the case journal about a client (SPEC R10.2): the myndighet's own record.

This module sits low, right above `people` (docs/architecture.md), so that decisions,
providers, orders and the after-start apps can all write the case journal: it imports
nothing above people. Messages, the provider journal and received documents tied to an order
are in journal.services, above orders.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from verkstall.access.policies import require_officer_of_unit
from verkstall.core.errors import ValidationFailed

from .models import CaseJournalEntry


def documents_dir() -> Path:
    """Where the scans of received documents are stored."""
    return Path(settings.DATA_DIR) / "documents"


@transaction.atomic
def write_case_entry(
    author, *, person, title: str, text: str, kind=CaseJournalEntry.Kind.NOTE, corrects=None
) -> CaseJournalEntry:
    """A signed, dated entry in the case journal. Callers check that the author may write it
    (services that record choices, rotations and switches write their own entries)."""
    if not (title or "").strip() or not (text or "").strip():
        raise ValidationFailed({"text": "Ange rubrik och text."})
    if corrects is not None:
        if corrects.person_id != person.pk:
            raise ValidationFailed({"corrects": "Anteckningen hör till en annan klient."})
        if CaseJournalEntry.objects.filter(corrects=corrects).exists():
            raise ValidationFailed(
                {"corrects": "Anteckningen är redan rättad; rätta den senaste versionen."}
            )
    return CaseJournalEntry.objects.create(
        municipality_id=person.municipality_id,
        person=person,
        author=author,
        author_organisation=author.organisation_name[:200],
        kind=kind,
        title=title.strip()[:200],
        text=text.strip(),
        corrects=corrects,
    )


def officer_write_case_entry(author, *, person, title: str, text: str, corrects=None):
    """A note (or a correction of one) written by the client's officer on the journal screen."""
    require_officer_of_unit(author, person.unit_id, "skriva i klientens journal")
    kind = corrects.kind if corrects is not None else CaseJournalEntry.Kind.NOTE
    return write_case_entry(
        author, person=person, title=title, text=text, kind=kind, corrects=corrects
    )
