"""The benchmark's payment basis (issue 15, R9.4): on a generated municipality, the app's
basis and the hand-written SQL give the same answer (times are printed, never asserted)."""

from __future__ import annotations

import pytest

from verkstall.core import clock
from verkstall.payments.basis_types import Period
from verkstall.tooling import bench_payment_selectors, bench_payment_services
from verkstall.tooling import generator_services as generator
from verkstall.tooling.generator_world import generated_municipality

pytestmark = pytest.mark.django_db


def test_the_basis_and_its_sql_give_the_same_answer():  # R9.4
    generator.generate(40, seed=2)
    muni = generated_municipality()
    month = Period.of(clock.today()).previous()
    assert bench_payment_services.ensure_prices(muni, month) > 1
    assert bench_payment_services.ensure_prices(muni, month) == 0  # made once
    result = bench_payment_selectors.measure_basis(muni, month, runs=1)
    assert result["lines"] > 10 and result["same_answer"], result
    assert result["queries"] <= 14
    sql = bench_payment_selectors.sql_basis(muni.pk, month)
    assert len({price for _order, _type, price in sql}) >= 2  # the price changed mid-month
