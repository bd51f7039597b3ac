"""The benchmark's on-time statistics (issue 15, R9.4): the app's figures and the hand-written
SQL give the same answer, on the hand-made month and on a generated municipality."""

from __future__ import annotations

import pytest

from verkstall.ontime.selectors import Filters
from verkstall.tooling import bench_ontime_selectors as bench
from verkstall.tooling import generator_services as generator
from verkstall.tooling.generator_world import generated_municipality

from .conftest import MARCH

pytestmark = pytest.mark.django_db


def test_the_sql_gives_the_hand_made_month(stats):  # R9.4
    filters = Filters(first=MARCH, last=MARCH)
    app = bench.app_figures(stats.muni, filters)
    assert app == bench.sql_figures(stats.muni.pk, filters)
    assert sorted(app.values()) == [(1, 1, 0, 0, 0, None, None, 4), (5, 1, 2, 1, 1, 4, 5, 7)]


def test_the_statistics_and_their_sql_agree_on_a_generated_municipality():  # R9.4
    generator.generate(40, seed=2)
    muni = generated_municipality()
    result = bench.measure_ontime(muni, runs=1)
    assert result["same_answer"] and result["rows"] > 0 and result["queries"] == 3
