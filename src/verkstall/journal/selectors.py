"""Reads of journal entries, scoped to the clients the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.roles import Role
from verkstall.people.selectors import get_person

from .models import CaseJournalEntry


def case_journal(user, person_pk) -> QuerySet[CaseJournalEntry]:
    """The case journal of a client: the myndighet's own record, for its officers."""
    person = get_person(user, person_pk)
    if user.role_enum not in (Role.OFFICER, Role.FEE_OFFICER):
        return CaseJournalEntry.objects.none()
    return CaseJournalEntry.objects.filter(person=person).select_related("author")
