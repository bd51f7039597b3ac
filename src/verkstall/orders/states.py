"""The order's state machine: the one table of allowed transitions (SPEC R3).

Pure Python, no Django import, so the table can be tested exhaustively and reused anywhere.
"""

from __future__ import annotations

from enum import StrEnum

# The states and their named groups live in core (pure) so lower layers can use them.
from verkstall.core.order_states import (  # noqa: F401 (re-exported)
    ACTIVE,
    CLOSED,
    GROUPS,
    ISSUED,
    OPEN,
    REPLY_PENDING,
    WITH_PROVIDER,
    State,
)


class Action(StrEnum):
    SEND = "send"
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    END = "end"
    CANCEL = "cancel"


STATE_LABELS = {
    State.DRAFT: "Utkast",
    State.SENT: "Skickad",
    State.ACKNOWLEDGED: "Kvitterad",
    State.STARTED: "Verkställd",
    State.ENDED: "Avslutad",
    State.CANCELLED: "Makulerad",
}

ACTION_LABELS = {
    Action.SEND: "skicka",
    Action.ACKNOWLEDGE: "kvittera",
    Action.START: "registrera start",
    Action.END: "avsluta",
    Action.CANCEL: "makulera",
}

# (state, action) -> new state. Anything not in this table is refused.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SEND): State.SENT,
    (State.SENT, Action.ACKNOWLEDGE): State.ACKNOWLEDGED,
    (State.ACKNOWLEDGED, Action.START): State.STARTED,
    (State.STARTED, Action.END): State.ENDED,
    (State.DRAFT, Action.CANCEL): State.CANCELLED,
    (State.SENT, Action.CANCEL): State.CANCELLED,
    (State.ACKNOWLEDGED, Action.CANCEL): State.CANCELLED,
}


class IllegalTransition(Exception):
    """The action is not allowed in the state; carries what is allowed instead."""

    def __init__(self, state: State, action: Action):
        self.state = state
        self.action = action
        self.allowed = allowed_actions(state)
        allowed = ", ".join(ACTION_LABELS[a] for a in self.allowed) or "inget"
        super().__init__(
            f"Åtgärden ”{ACTION_LABELS[action]}” är inte tillåten: beställningen är "
            f"{STATE_LABELS[state].lower()}. Tillåtet nu: {allowed}."
        )


def allowed_actions(state: State) -> list[Action]:
    """The actions the table allows from a state, in a stable order."""
    return [a for a in Action if (state, a) in TRANSITIONS]


def next_state(state: State | str, action: Action | str) -> State:
    """The state after `action`, or IllegalTransition."""
    state, action = State(state), Action(action)
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None


def is_terminal(state: State | str) -> bool:
    return not allowed_actions(State(state))
