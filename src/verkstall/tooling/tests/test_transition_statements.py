"""The statements a transition sends (issue 19): counted as the benchmark counts them
(measure_http.transition_statements), and held to a budget so that a change that adds work to
every send, acknowledgement or start shows here, not only in a benchmark run. Counts, not
times: the same on every machine."""

from __future__ import annotations

import pytest

from verkstall.tooling.generator_services import api_token
from verkstall.tooling.measure_http import transition_statements

pytestmark = pytest.mark.django_db

#: The most each step may send, the authentication, the access log and the recompute of the
#: order's (and for a start, its decision's) clocks included; a start also writes the message
#: that tells the officer (R3.7).
BUDGET = {"send": 22, "acknowledge": 19, "start": 38}


def test_each_step_stays_within_its_statement_budget(world):  # R3.1, issue 19
    orders = [world.order().pk for _ in range(2)]
    tokens = {"officer": api_token(world.officer), "provider": api_token(world.staff_a)}
    counts = transition_statements(orders, tokens)
    assert set(counts) == set(BUDGET)
    for step, most in BUDGET.items():
        assert 5 < counts[step] <= most, counts
