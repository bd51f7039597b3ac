"""The floor arithmetic of the transition benchmark (issue 19): what the cores could give."""

from __future__ import annotations

from verkstall.tooling import measure_floor


def test_the_ceilings_follow_from_the_measured_cpu(monkeypatch):
    monkeypatch.setattr(measure_floor.os, "cpu_count", lambda: 2)
    transitions = {"app_cpu_ms_per_transition": 20.0, "db_cpu_ms_per_transition": 5.0}
    floor = {
        "api_read": {"app_cpu_ms_per_request": 2.5, "db_cpu_ms_per_request": 0.5},
        "statement": {"db_cpu_ms_per_statement": 0.1},
    }
    c = measure_floor.ceilings(transitions, floor, {"send": 20, "acknowledge": 16, "start": 30})
    assert c["cpu_ms_per_transition"] == 25.0
    assert c["cpu_bound_per_second"] == 80.0  # 2 cores x 1000 ms / 25 ms
    assert c["if_the_app_cost_nothing_per_second"] == 400.0  # the database's 5 ms alone
    assert c["if_the_app_cost_the_api_floor_per_second"] == 250.0  # 5 + 3 ms
    assert c["statements_per_transition_mean"] == 22.0
    assert c["statements_fixed_db_cpu_ms"] == 2.2
    assert c["statements_fixed_share_of_db_cpu"] == 0.44
    assert c["cpu_ms_per_transition_for_300_per_second"] == 6.67


def test_no_statement_figure_on_sqlite_gives_no_fixed_cost():
    transitions = {"app_cpu_ms_per_transition": 10.0, "db_cpu_ms_per_transition": 0.0}
    floor = {"api_read": {"app_cpu_ms_per_request": 1.0, "db_cpu_ms_per_request": 0.0},
             "statement": None}  # fmt: skip
    c = measure_floor.ceilings(transitions, floor, {})
    assert c["statements_fixed_db_cpu_ms"] == 0
    assert c["statements_fixed_share_of_db_cpu"] is None
    assert c["if_the_app_cost_nothing_per_second"] == 0
