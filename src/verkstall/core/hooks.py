"""The one way a lower layer reaches code of a higher one: named hooks (docs/architecture.md).

A lower app never imports a higher one, also not inside a function. Where it must react to
something a higher app owns (a decision was granted: the deadline engine recomputes, the
absence app registers a short-term stay), or needs an answer only a higher app can give (the
clock events that a decision's orders recorded), it calls a hook by name here, and the higher
app registers its handler in its `AppConfig.ready()`:

    # deadlines/apps.py (higher)                # decisions/services.py (lower)
    def ready(self):                            hooks.emit(hooks.DECISION_CHANGED,
        hooks.register(hooks.DECISION_CHANGED,             decision=decision)
                       engine.on_decision_changed)

Handlers run in the caller's transaction, in registration order (INSTALLED_APPS order), with
keyword arguments only. `emit` calls every handler and returns their results; `call` wants
exactly one handler (an answer, not a notification) and returns its result. A hook with no
handler is an error for `call` (the answering app is not installed), and nothing for `emit`.

Every hook is declared in HOOKS below with what it means, so that the full list of upward
reactions can be read in one place. Pure Python, no Django import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DECISION_GRANTED = "decision_granted"
DECISION_CHANGED = "decision_changed"
DECISION_ORDER_EVENTS = "decision_order_events"
OFFICER_START_PAGE = "officer_start_page"
ORDER_MESSAGE = "order_message"
CLIENTS_READ = "clients_read"
SWITCH_COMPLETED = "switch_completed"
ROUTINE_SETTINGS = "routine_settings"
CALENDAR_FEED_READ = "calendar_feed_read"

HOOKS: dict[str, str] = {
    DECISION_GRANTED: "emit(actor, decision, services): a decision was registered with these "
    "granted services (cleaned dicts); absences registers a short-term stay's absence (R7.1).",
    DECISION_CHANGED: "emit(decision): a decision or its services changed (registered or "
    "corrected, R1.1); the deadline engine recomputes the decision's clocks and its orders' "
    "(R11).",
    DECISION_ORDER_EVENTS: "call(decision) -> rows (kind, occurred_at, recorded_at) of the "
    "decision's orders' events that drive clocks, in recorded order; answered by orders.",
    OFFICER_START_PAGE: "call(request) -> the officer's start page; answered by orders.",
    ORDER_MESSAGE: "call(sender, person, subject, body, order) -> Message: a message about an "
    "order to the other side (R10.3), sent by the orders app; answered by journal.",
    CLIENTS_READ: "emit(person_ids): clients read as plain rows (values(), raw SQL) by a "
    "selector of a lower app; audit's request capture logs them (R10.4).",
    SWITCH_COMPLETED: "emit(actor, switch, old_order, new_order) -> notes (Swedish text or "
    "''): a provider switch was completed; alarms opens the aids centre's task to move a "
    "safety alarm's contact to the new provider (R2.6, R4.1). The notes go into the switch's "
    "history and case journal.",
    ROUTINE_SETTINGS: "call(municipality) -> dict: the settings of the municipality's routine "
    "(its rule profile's thresholds and flags, R11.4), e.g. `letter_includes_assessment` for "
    "the decision letter (seed 002); answered by deadlines.",
    CALENDAR_FEED_READ: "call(request, user, person_ids, detail) -> rows written: clients "
    "read by the calendar feed (issue 17 item 7), a request that a secret in its URL "
    "authenticates, not a session; audit writes the access-log rows for `user`, with the "
    "route's pattern for a path so that the secret is never logged (R10.4).",
}

_handlers: dict[str, list[Callable[..., Any]]] = {}


def register(name: str, handler: Callable[..., Any]) -> None:
    """Add `handler` to the hook `name` (from an AppConfig.ready(); idempotent)."""
    if name not in HOOKS:
        raise KeyError(f"unknown hook {name!r}: declare it in verkstall.core.hooks.HOOKS")
    handlers = _handlers.setdefault(name, [])
    if handler not in handlers:
        handlers.append(handler)


def emit(name: str, **kwargs: Any) -> list[Any]:
    """Call every handler of `name`, in registration order; their results."""
    if name not in HOOKS:
        raise KeyError(f"unknown hook {name!r}")
    return [handler(**kwargs) for handler in list(_handlers.get(name, ()))]


def call(name: str, **kwargs: Any) -> Any:
    """Call the one handler of `name` and return its result."""
    handlers = _handlers.get(name, [])
    if len(handlers) != 1:
        raise LookupError(f"hook {name!r} has {len(handlers)} handlers, wants exactly one")
    return handlers[0](**kwargs)


def handlers(name: str) -> tuple[Callable[..., Any], ...]:
    """The handlers registered for `name` (for tests and the architecture page)."""
    return tuple(_handlers.get(name, ()))
