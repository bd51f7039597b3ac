"""What client data one request touches, collected as the ORM loads and saves it (R10.4).

Every instance of a model that holds client data reports its client while a capture is open:
so a screen or endpoint cannot read a client without the read reaching the log, however the
view was written. Rows read as plain values (`.values()`) report through `saw()`.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models.signals import post_init, post_save

from .client_models import CLIENT_DATA


@dataclass
class Capture:
    persons: set[int] = field(default_factory=set)
    orders: set[int] = field(default_factory=set)
    decisions: set[int] = field(default_factory=set)
    # Orders and decisions whose client is already known from a loaded instance: no query.
    known: dict[tuple[str, int], int] = field(default_factory=dict)
    # Rows of models that name their client further away ("app.Model" -> primary keys).
    rows: dict[str, set[int]] = field(default_factory=dict)

    def unresolved(self, kind: str, ids: set[int]) -> set[int]:
        return {pk for pk in ids if (kind, pk) not in self.known}

    def __bool__(self) -> bool:
        return bool(self.persons or self.orders or self.decisions or self.rows)


_current: ContextVar[Capture | None] = ContextVar("verkstall_audit_capture", default=None)

# Models with client data, and how each names its client: directly, through its order or
# decision (resolved in one query per kind when the request's log is written), or as a "row"
# resolved through its declared lookup. Derived from the one declaration (client_models.py).
CLIENT_MODELS = {c.label: c.captured_as for c in CLIENT_DATA}


@contextmanager
def capturing():
    cap = Capture()
    token = _current.set(cap)
    try:
        yield cap
    finally:
        _current.reset(token)


def current() -> Capture | None:
    """The open capture of this request, if any."""
    return _current.get()


def saw(person_ids) -> None:
    """Report clients read without model instances (values() queries, raw SQL)."""
    cap = _current.get()
    if cap is not None:
        cap.persons.update(pid for pid in person_ids if pid is not None)


def _note(instance, attribute: str) -> None:
    cap = _current.get()
    if cap is None:
        return
    if attribute == "row":
        if instance.pk is not None:
            cap.rows.setdefault(instance._meta.label, set()).add(instance.pk)
        return
    value = instance.__dict__.get("id" if attribute == "pk" else attribute)
    if value is None:
        return
    if attribute in ("pk", "person_id"):
        cap.persons.add(value)
        kind = _OWNERS.get(type(instance))
        if kind is not None and instance.pk is not None:
            cap.known[(kind, instance.pk)] = value
    elif attribute == "order_id":
        cap.orders.add(value)
    else:
        cap.decisions.add(value)


_OWNERS: dict[type, str] = {}


def connect() -> None:
    from django.apps import apps

    _OWNERS[apps.get_model("orders.Order")] = "order"
    _OWNERS[apps.get_model("decisions.Decision")] = "decision"

    for label, attribute in CLIENT_MODELS.items():
        model = apps.get_model(label)

        def on_init(sender, instance, _attribute=attribute, **kwargs):
            _note(instance, _attribute)

        def on_save(sender, instance, _attribute=attribute, **kwargs):
            _note(instance, _attribute)

        post_init.connect(on_init, sender=model, weak=False, dispatch_uid=f"audit-init-{label}")
        post_save.connect(on_save, sender=model, weak=False, dispatch_uid=f"audit-save-{label}")
