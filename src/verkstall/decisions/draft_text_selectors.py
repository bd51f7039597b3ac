"""A decision's texts kept as drafts while the officer types (issue 17 item 1;
drafts/registry.py): a new decision (`decision-new:<client id>`, the client through
people.selectors.get_person) and a correction (`decision-correct:<decision id>`, the decision
through `selectors.get_decision` and `selectors.may_correct`), as their screens read them."""

from __future__ import annotations

from verkstall.core.errors import PermissionDenied
from verkstall.drafts import registry
from verkstall.people.selectors import get_person

from . import selectors

DECISION_NEW = "decision-new"
DECISION_NEW_FIELDS = ("assessment_summary", "goals")
DECISION_CORRECT = "decision-correct"
DECISION_CORRECT_FIELDS = ("assessment_summary", "goals", "reason")


def new_decision_client(user, pk: int) -> int | None:
    person = get_person(user, pk)
    if not user.is_officer:
        raise PermissionDenied("Endast handläggare registrerar beslut.")
    return person.pk


def correction_client(user, pk: int) -> int | None:
    decision = selectors.get_decision(user, pk)
    if not selectors.may_correct(user, decision):
        raise PermissionDenied("Endast handläggare på beslutets enhet kan rätta beslutet.")
    return decision.person_id


def register() -> None:
    registry.register(DECISION_NEW, fields=DECISION_NEW_FIELDS, resolve=new_decision_client)
    registry.register(DECISION_CORRECT, fields=DECISION_CORRECT_FIELDS, resolve=correction_client)
