"""What each kind of outgoing mail does at delivery time: pure Python, no Django.

A kind whose content carries personal data (a client's name, the order as a PDF) registers a
builder here from its app's `AppConfig.ready()`: the outbox row then holds only a reference
(an order's id, a range of reminder rows) and the builder makes the message from fresh data
when it is delivered, so nothing personal waits in the outbox table. A builder returns the
message (a `django.core.mail.EmailMessage`), or None when there is nothing left to send (the
order was cancelled, the client removed): the row is then closed without sending.

`on_sent(mail)` and `on_given_up(mail)` run after the row is marked, in their own transaction
(e.g. the order's e-mail is written to the client's case journal when it really went). A kind
that registers nothing is sent as stored (subject, body, html_body): it must hold no personal
data. The outbox app sits right above `core` and never imports the apps that fill this in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Hook = Callable[[Any], Any]


@dataclass(frozen=True)
class MailKind:
    build: Hook | None = None  # (mail) -> EmailMessage | None
    on_sent: Hook | None = None  # (mail) -> None
    on_given_up: Hook | None = None  # (mail) -> None


STORED = MailKind()
_kinds: dict[str, MailKind] = {}


def register(
    kind: str,
    *,
    build: Hook | None = None,
    on_sent: Hook | None = None,
    on_given_up: Hook | None = None,
) -> None:
    """Declare what `kind` does at delivery (idempotent; two different declarations of one
    kind are a programming error)."""
    entry = MailKind(build, on_sent, on_given_up)
    if _kinds.get(kind, entry) != entry:
        raise ValueError(f"mail kind {kind!r} is already registered differently")
    _kinds[kind] = entry


def kind_of(kind: str) -> MailKind:
    """The declaration of `kind`; a kind that registered nothing is sent as stored."""
    return _kinds.get(kind, STORED)


def has_builder(kind: str) -> bool:
    return kind_of(kind).build is not None
