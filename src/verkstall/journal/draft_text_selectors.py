"""Journal notes and messages kept as drafts while typed (issue 17 item 1; drafts/registry.py),
each key read as its screen reads it (journal/views.py):

- `case-journal:<client id>`: a new note in the case journal, by an officer of the client's unit;
- `provider-journal:<order id>`: a new note in the provider's journal of an order it holds;
- `message:<order id>`: a message about an order sent to the provider (`message:0`, a message
  whose order is not chosen yet: no client); `message-person:<client id>`: one begun from the
  client's page.
"""

from __future__ import annotations

from verkstall.core.errors import NotFound, PermissionDenied
from verkstall.drafts import registry
from verkstall.orders.selectors import get_order
from verkstall.people.selectors import get_person

CASE_JOURNAL = "case-journal"
CASE_JOURNAL_FIELDS = ("note-text",)  # the note form's prefix is "note"
PROVIDER_JOURNAL = "provider-journal"
PROVIDER_JOURNAL_FIELDS = ("text",)
MESSAGE = "message"
MESSAGE_PERSON = "message-person"
MESSAGE_FIELDS = ("body",)


def case_journal_client(user, pk: int) -> int | None:
    person = get_person(user, pk)
    if not (user.is_officer and user.unit_id == person.unit_id):
        raise PermissionDenied("Endast handläggare på klientens enhet skriver i journalen.")
    return person.pk


def provider_journal_client(user, pk: int) -> int | None:
    order = get_order(user, pk)
    if not user.is_provider_user or order.provider_id != user.provider_id:
        raise NotFound()
    return order.person_id


def _writes_messages(user) -> None:
    if not (user.is_officer or user.is_provider_user):
        raise NotFound()


def message_client(user, pk: int) -> int | None:
    """As the message form offers orders: sent ones, the provider's own (journal/views.py)."""
    _writes_messages(user)
    if pk == 0:
        return None
    order = get_order(user, pk)
    if order.state == "draft" or (user.is_provider_user and order.provider_id != user.provider_id):
        raise NotFound()
    return order.person_id


def message_person_client(user, pk: int) -> int | None:
    _writes_messages(user)
    return get_person(user, pk).pk


def register() -> None:
    registry.register(CASE_JOURNAL, fields=CASE_JOURNAL_FIELDS, resolve=case_journal_client)
    registry.register(
        PROVIDER_JOURNAL, fields=PROVIDER_JOURNAL_FIELDS, resolve=provider_journal_client
    )
    registry.register(MESSAGE, fields=MESSAGE_FIELDS, resolve=message_client)
    registry.register(MESSAGE_PERSON, fields=MESSAGE_FIELDS, resolve=message_person_client)
