"""The order's state machine (pure: no Django, no database).

The expected table is written out here once more, by hand, so that a change to
`states.TRANSITIONS` has to be made deliberately in two places.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.orders.states import (
    ACTION_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    IllegalTransition,
    State,
    allowed_actions,
    is_terminal,
    next_state,
)

D, S, A, ST, E, C = (
    State.DRAFT,
    State.SENT,
    State.ACKNOWLEDGED,
    State.STARTED,
    State.ENDED,
    State.CANCELLED,
)

EXPECTED = {
    (D, Action.SEND): S,
    (D, Action.CANCEL): C,
    (S, Action.ACKNOWLEDGE): A,
    (S, Action.CANCEL): C,
    (A, Action.START): ST,
    (A, Action.CANCEL): C,
    (ST, Action.END): E,
}

ALL_PAIRS = list(itertools.product(State, Action))
ALLOWED_PAIRS = [pair for pair in ALL_PAIRS if pair in EXPECTED]
REFUSED_PAIRS = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def expected_actions(state: State) -> set[Action]:
    return {action for (s, action) in EXPECTED if s == state}


def test_the_transition_table_is_exactly_the_documented_order_life():  # R3.1, R3.5, R3.7, R3.9
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("state", "action"), ALLOWED_PAIRS, ids=lambda v: str(v))
def test_each_allowed_action_gives_the_next_state_of_the_table(state, action):  # R3.1
    assert next_state(state, action) == EXPECTED[(state, action)]
    # Plain strings (as stored on the row and sent by the API) work the same way.
    assert next_state(state.value, action.value) == EXPECTED[(state, action)]


@pytest.mark.parametrize(("state", "action"), REFUSED_PAIRS, ids=lambda v: str(v))
def test_each_action_not_in_the_table_is_refused_naming_state_and_what_is_allowed(
    state, action
):  # R3.1
    with pytest.raises(IllegalTransition) as caught:
        next_state(state, action)
    exc = caught.value
    assert exc.state == state
    assert exc.action == action
    assert set(exc.allowed) == expected_actions(state)
    assert len(exc.allowed) == len(set(exc.allowed))
    message = str(exc)
    assert STATE_LABELS[state].lower() in message
    assert ACTION_LABELS[action] in message
    for allowed in exc.allowed:
        assert ACTION_LABELS[allowed] in message


@pytest.mark.parametrize("state", list(State), ids=str)
def test_allowed_actions_lists_exactly_the_tables_actions_for_the_state(state):  # R3.1
    assert set(allowed_actions(state)) == expected_actions(state)
    # Stable order: the order of the Action enum.
    assert allowed_actions(state) == [a for a in Action if a in expected_actions(state)]


def test_ended_and_cancelled_are_the_only_terminal_states():  # R3.9
    assert {s for s in State if is_terminal(s)} == {E, C}
    assert is_terminal("ended") and is_terminal("cancelled")
    assert not is_terminal("draft")


@pytest.mark.parametrize("state", [E, C], ids=str)
def test_a_terminal_state_refuses_every_action_and_says_nothing_is_allowed(state):  # R3.9
    for action in Action:
        with pytest.raises(IllegalTransition) as caught:
            next_state(state, action)
        assert caught.value.allowed == []
        assert "inget" in str(caught.value)


def test_a_started_order_can_no_longer_be_cancelled_only_ended():  # R3.9
    with pytest.raises(IllegalTransition) as caught:
        next_state(ST, Action.CANCEL)
    assert caught.value.allowed == [Action.END]


def test_unknown_state_or_action_strings_are_rejected():  # R3.1
    with pytest.raises(ValueError):
        next_state("archived", Action.SEND)
    with pytest.raises(ValueError):
        next_state(D, "approve")


@given(st.lists(st.sampled_from(list(Action)), max_size=30))
def test_random_action_sequences_only_ever_move_along_the_table(actions):  # R3.1
    state = D
    visited = [state]
    for action in actions:
        if (state, action) in EXPECTED:
            new = next_state(state, action)
            assert new == EXPECTED[(state, action)]
            state = new
            visited.append(state)
        else:
            with pytest.raises(IllegalTransition) as caught:
                next_state(state, action)
            assert set(caught.value.allowed) == expected_actions(state)
    # Every step taken was an edge of the table, and the life never goes backwards.
    for before, after in itertools.pairwise(visited):
        assert any(EXPECTED[pair] == after for pair in EXPECTED if pair[0] == before)
    rank = {D: 0, S: 1, A: 2, ST: 3, E: 4, C: 4}
    assert [rank[s] for s in visited] == sorted(rank[s] for s in visited)
    # Once ended or cancelled, nothing moves it any more.
    terminal_at = [i for i, s in enumerate(visited) if s in (E, C)]
    assert terminal_at in ([], [len(visited) - 1])
