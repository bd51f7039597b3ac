"""Which screens keep drafts of their long text fields (issue 17 item 1): pure Python, no Django.

A draft is stored under a key that names the screen and its object, `"<kind>:<id>"` (`plan:12`,
the implementation plan of order 12; `order-new:7`, a new order on decision 7). The app that
owns the screen registers its kind from its `AppConfig.ready()`: the text fields of its form
(their HTML names, with the form's prefix) and `resolve(user, pk)`, which reads the object
through the same selectors as the screen itself and returns its client's id (None when the
object names no client), or raises the selectors' NotFound (outside the user's scope: 404) or
PermissionDenied. The drafts app sits low and never imports the apps that fill this in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Resolve = Callable[[Any, int], int | None]


@dataclass(frozen=True)
class DraftKind:
    name: str
    fields: tuple[str, ...]  # the HTML names of the form's text fields
    resolve: Resolve  # (user, pk) -> the client's id or None; raises outside the user's scope


_kinds: dict[str, DraftKind] = {}


def register(name: str, *, fields: tuple[str, ...], resolve: Resolve) -> None:
    """Declare the drafts of one screen (idempotent; a second, different declaration of one
    kind is a programming error)."""
    entry = DraftKind(name, tuple(fields), resolve)
    if _kinds.get(name, entry) != entry:
        raise ValueError(f"draft kind {name!r} is already registered differently")
    _kinds[name] = entry


def kind_of(name: str) -> DraftKind | None:
    return _kinds.get(name)


def kinds() -> tuple[DraftKind, ...]:
    """Every registered kind (for tests and the isolation proof)."""
    return tuple(_kinds.values())


def key(kind: str, pk: int) -> str:
    """The stored key of a screen's object: `"plan:12"`."""
    return f"{kind}:{int(pk)}"
