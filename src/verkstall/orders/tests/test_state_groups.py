"""The one vocabulary of order-state groups (core/order_states.py, re-exported by
orders.states) and the queryset filters derived from it (SPEC R3)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from verkstall.core import order_states
from verkstall.orders import states
from verkstall.orders.models import Order
from verkstall.orders.states import State, is_terminal

SRC = Path(order_states.__file__).resolve().parents[1]
# Where the states and their groups are written (the one vocabulary and the state machine).
VOCABULARY = {SRC / "core" / "order_states.py", SRC / "orders" / "states.py"}


def test_the_groups_follow_the_state_machine():  # R3.1
    # R3: ended and cancelled are the only states without a way on; OPEN is the rest.
    assert set(states.CLOSED) == {s.value for s in State if is_terminal(s)}
    assert set(states.OPEN) | set(states.CLOSED) == {s.value for s in State}
    assert not set(states.OPEN) & set(states.CLOSED)
    assert set(states.ACTIVE) <= set(states.WITH_PROVIDER) <= set(states.ISSUED)
    assert set(states.REPLY_PENDING) <= set(states.WITH_PROVIDER)
    assert not set(states.WITH_PROVIDER) & set(states.CLOSED)
    for name, group in order_states.GROUPS.items():
        assert getattr(states, name) is group
        # Plain strings in the machine's order: stable in error messages and in SQL.
        assert list(group) == [s.value for s in State if s.value in group]
        assert all(type(s) is str for s in group)


def _state_literal(node: ast.AST) -> bool:
    """A string naming an order state, or `State.X` / `State.X.value`."""
    if isinstance(node, ast.Constant):
        return node.value in {s.value for s in State}
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "State"
    )


def _hand_kept_groups():
    for path in sorted(SRC.rglob("*.py")):
        if path in VOCABULARY or {"tests", "migrations", "tooling"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            elts = getattr(node, "elts", None)
            shaped = isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(elts) >= 2
            if shaped and all(_state_literal(e) for e in elts):
                yield f"{path.relative_to(SRC)}:{node.lineno}"


def test_no_module_keeps_its_own_group_of_states():  # R3.1
    # A group of states written out by hand drifts from the others; name it in
    # core/order_states.py instead.
    assert list(_hand_kept_groups()) == []


@pytest.mark.django_db
def test_the_order_manager_filters_by_the_same_groups(world):  # R3.1
    from verkstall.orders import services

    orders = {s: world.order(state=s.value) for s in State if s != State.CANCELLED}
    orders[State.CANCELLED] = world.order(state="sent")
    services.cancel_order(world.officer, orders[State.CANCELLED], reason="Fel utförare")
    by_filter = {
        "OPEN": Order.objects.open(),
        "CLOSED": Order.objects.closed(),
        "ACTIVE": Order.objects.active(),
        "REPLY_PENDING": Order.objects.reply_pending(),
        "WITH_PROVIDER": Order.objects.with_provider(),
    }
    for name, qs in by_filter.items():
        group = order_states.GROUPS[name]
        assert set(qs.values_list("pk", flat=True)) == {
            orders[s].pk for s in State if s.value in group
        }, name
