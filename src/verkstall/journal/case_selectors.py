"""Reads of the case journal about a client (SPEC R10.2), for the client's officers.

Sits right above `people`, like journal.case_services (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

from django.db.models import Exists, OuterRef, QuerySet

from verkstall.access.roles import Role
from verkstall.core.errors import NotFound
from verkstall.people.selectors import get_person

from .case_services import documents_dir
from .models import CaseDocument, CaseJournalEntry


def case_journal(user, person_pk) -> QuerySet[CaseJournalEntry]:
    """The case journal of a client: the myndighet's own record, for its officers. Newest first;
    `is_corrected` marks an entry that a later one corrects."""
    person = get_person(user, person_pk)
    if user.role_enum not in (Role.OFFICER, Role.FEE_OFFICER):
        return CaseJournalEntry.objects.none()
    return (
        CaseJournalEntry.objects.filter(person=person)
        .select_related("author", "corrects", "document")
        .annotate(is_corrected=Exists(CaseJournalEntry.objects.filter(corrects_id=OuterRef("pk"))))
        .order_by("-written_at", "-id")
    )


def get_case_entry(user, person_pk, entry_pk) -> CaseJournalEntry:
    try:
        return case_journal(user, person_pk).get(pk=entry_pk)
    except (CaseJournalEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound("Anteckningen finns inte eller så saknar du behörighet.") from None


def case_document_file(user, person_pk, entry_pk) -> tuple[CaseDocument, Path]:
    """The stored scan of a received document, through the journal's scoping."""
    entry = get_case_entry(user, person_pk, entry_pk)
    document = getattr(entry, "document", None)
    if document is None or not document.storage_name:
        raise NotFound("Handlingen har ingen inskannad fil.")
    root = documents_dir().resolve()
    path = (root / document.storage_name).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound("Filen finns inte.")
    return document, path
