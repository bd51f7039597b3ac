"""Reads of journal entries and messages, scoped to what the user's organisation may see."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.access.scoping import NOTHING, order_scope
from verkstall.core.errors import NotFound
from verkstall.core.paging import Sorting
from verkstall.orders.selectors import get_order

from .models import Message, MessageReceipt, ProviderJournalEntry


def provider_journal_scope(user) -> Q:
    """A provider reads its own entries on orders it holds or held; nobody else reads them."""
    if user.role_enum not in PROVIDER_ROLES or user.municipality_id is None:
        return NOTHING
    return Q(municipality_id=user.municipality_id, provider_id=user.provider_id) & order_scope(
        user, prefix="order__"
    )


def provider_journal(user, order_pk) -> QuerySet[ProviderJournalEntry]:
    """The provider journal of an order (verksamhetsjournal); empty for the myndighet."""
    order = get_order(user, order_pk)
    return (
        ProviderJournalEntry.objects.filter(provider_journal_scope(user), order=order)
        .select_related("author", "corrects")
        .annotate(
            is_corrected=Exists(ProviderJournalEntry.objects.filter(corrects_id=OuterRef("pk")))
        )
        .order_by("-written_at", "-id")
    )


def get_provider_entry(user, pk) -> ProviderJournalEntry:
    try:
        return ProviderJournalEntry.objects.filter(provider_journal_scope(user)).get(pk=pk)
    except (ProviderJournalEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound("Anteckningen finns inte eller så saknar du behörighet.") from None


def message_scope(user) -> Q:
    """The two organisations of a message: the client's myndighet unit and the provider."""
    if not user.is_authenticated or user.municipality_id is None:
        return NOTHING
    base = Q(municipality_id=user.municipality_id)
    if user.role_enum in PROVIDER_ROLES:
        # Only on an order the provider holds or held: a message on a draft never sent to it
        # would show a client it does not hold (SPEC "Actors").
        return base & Q(provider_id=user.provider_id) & order_scope(user, prefix="order__")
    if user.role_enum == Role.OFFICER:
        return base & Q(unit_id=user.unit_id)
    return NOTHING


def _inbound(user) -> Q:
    return Q(from_provider=getattr(user, "role_enum", None) not in PROVIDER_ROLES)


def messages_for(user) -> QuerySet[Message]:
    return (
        Message.objects.filter(message_scope(user))
        .select_related("person", "order", "sender")
        .prefetch_related(
            Prefetch("receipts", queryset=MessageReceipt.objects.select_related("user"))
        )
        .annotate(
            read_by_me=Exists(
                MessageReceipt.objects.filter(message_id=OuterRef("pk"), user_id=user.pk)
            )
        )
        .order_by("-sent_at", "-id")
    )


# The message list's columns (issue 17 item 5): the newest first by default; the subject
# case-insensitively, the same on SQLite and PostgreSQL.
MESSAGE_SORTING = Sorting(
    columns={"date": (F("sent_at"),), "subject": (Lower("subject"),)}, default="-date"
)


def inbox(user) -> QuerySet[Message]:
    return messages_for(user).filter(_inbound(user))


def outbox(user) -> QuerySet[Message]:
    return messages_for(user).exclude(_inbound(user))


def unread_count(user) -> int:
    """Messages to the user's organisation that the user has not opened: one query."""
    return (
        Message.objects.filter(message_scope(user), _inbound(user))
        .exclude(Exists(MessageReceipt.objects.filter(message_id=OuterRef("pk"), user_id=user.pk)))
        .count()
    )


def get_message(user, pk) -> Message:
    try:
        return messages_for(user).get(pk=pk)
    except (Message.DoesNotExist, ValueError, TypeError):
        raise NotFound("Meddelandet finns inte eller så saknar du behörighet.") from None


def person_messages(user, person) -> QuerySet[Message]:
    return messages_for(user).filter(person=person)


def is_inbound(user, message: Message) -> bool:
    return message.from_provider == (user.role_enum not in PROVIDER_ROLES)
