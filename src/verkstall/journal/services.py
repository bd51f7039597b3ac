"""Writes of journal entries (SPEC R10.2)."""

from __future__ import annotations

from django.db import transaction

from verkstall.core.errors import ValidationFailed

from .models import CaseJournalEntry


@transaction.atomic
def write_case_entry(
    author, *, person, title: str, text: str, kind=CaseJournalEntry.Kind.NOTE, corrects=None
) -> CaseJournalEntry:
    """A signed, dated entry in the case journal. Callers check that the author may write it
    (services that record choices, rotations and switches write their own entries)."""
    if not (title or "").strip() or not (text or "").strip():
        raise ValidationFailed({"text": "Ange rubrik och text."})
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
