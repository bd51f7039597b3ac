"""The kinds of background job (issue 17 item 8): pure Python, no Django.

The app that owns a long piece of work registers its kind from its `AppConfig.ready()`; the
jobs app sits low (just above access) and never imports the apps that fill this in:

- `run(user, params, progress) -> Outcome`: the work itself, as the user who started it (the
  kind checks the user's right again: a role may have changed since the job was queued);
  `progress(step, done, total)` tells the page how far it has come;
- `may_start(user) -> bool`: who may start a job of this kind;
- `may_read(user, job) -> bool`: whether its starter may still see the job and its file (what
  the job holds may be narrower than the kind: one provider's basis); by default `may_start`;
- `steps`: each step's `Step`: what it is ("Filen skrivs.", read out when it begins) and how
  far it has come, with `%(done)s` and `%(total)s` ("12 000 av 33 859 rader skrivna");
- `title`: what the page is called; `back(job) -> url`: the screen the job was started from;
- `result_template` and `result_context(job) -> dict`: how a finished job's result is shown
  (the file, if any, is offered by the jobs app itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Progress(Protocol):
    def __call__(self, step: str, done: int = 0, total: int = 0) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What a finished job keeps: figures for its page, and perhaps a file with the clients
    it names (logged as exported when the file is downloaded)."""

    result: Mapping[str, Any] = field(default_factory=dict)
    file: bytes = b""
    filename: str = ""
    content_type: str = ""
    person_ids: Sequence[int] = ()


@dataclass(frozen=True)
class Step:
    label: Any  # str or a lazy translation
    progress: Any = ""  # with %(done)s and %(total)s; the label alone when empty


@dataclass(frozen=True)
class JobKind:
    name: str
    title: Any  # str or a lazy translation
    run: Callable[[Any, dict, Progress], Outcome]
    may_start: Callable[[Any], bool]
    back: Callable[[Any], str]
    steps: Mapping[str, Step] = field(default_factory=dict)
    result_template: str = ""
    result_context: Callable[[Any], dict] | None = None
    may_read: Callable[[Any, Any], bool] | None = None

    def readable_by(self, user, job) -> bool:
        if not self.may_start(user):
            return False
        return self.may_read is None or self.may_read(user, job)


_kinds: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    """Declare one kind (idempotent; another declaration under a taken name is an error)."""
    if _kinds.get(kind.name, kind) != kind:
        raise ValueError(f"job kind {kind.name!r} is already registered differently")
    _kinds[kind.name] = kind


def unregister(name: str) -> None:
    """Forget a kind (a test's own)."""
    _kinds.pop(name, None)


def kind_of(name: str) -> JobKind | None:
    return _kinds.get(name)


def kinds() -> tuple[JobKind, ...]:
    return tuple(_kinds.values())
