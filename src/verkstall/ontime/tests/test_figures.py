"""The on-time arithmetic without a database (figures.py)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from verkstall.ontime import figures
from verkstall.ontime.figures import LATE, ON_TIME, OVERDUE, PENDING, POOLED, Bin

MARCH = date(2026, 3, 1)


def _bin(provider, outcome, late=None, lead=None, count=1, rule=7, month=MARCH):
    return Bin(provider, rule, month, outcome, late, lead, count)


def test_share_lateness_and_lead_of_a_hand_made_month():  # R9.4
    bins = [
        _bin(1, ON_TIME, lead=4),
        _bin(1, LATE, late=2, lead=7),
        _bin(1, LATE, late=5, lead=10),
        _bin(1, OVERDUE, late=4),
        _bin(1, PENDING),
        _bin(2, ON_TIME, lead=4),
    ]
    out = figures.compute(bins)
    a = out[(1, 7, MARCH)]
    assert (a.volume, a.on_time, a.late, a.overdue, a.pending) == (5, 1, 2, 1, 1)
    assert a.share_on_time == 0.25 and a.percent_on_time == 25
    assert (a.late_median, a.late_p90, a.lead_median) == (4, 5, 7)
    pooled = out[(POOLED, 7, MARCH)]
    assert (pooled.volume, pooled.on_time, pooled.percent_on_time) == (6, 2, 40)
    assert (pooled.late_median, pooled.late_p90, pooled.lead_median) == (4, 5, 4)


def test_no_judged_item_has_no_share_and_no_percentiles():  # R9.4
    f = figures.compute([_bin(1, PENDING, count=3)])[(1, 7, MARCH)]
    assert f.volume == 3 and f.share_on_time is None and f.percent_on_time is None
    assert f.late_median is None and f.late_p90 is None and f.lead_median is None


@given(st.lists(st.integers(0, 60), min_size=1, max_size=80))
def test_percentile_is_the_nearest_rank(values):  # R9.4
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    ordered = sorted(values)
    n = len(ordered)
    assert figures.percentile(histogram, figures.MEDIAN) == ordered[(n + 1) // 2 - 1]
    assert figures.percentile(histogram, figures.P90) == ordered[(9 * n + 9) // 10 - 1]


def test_months():  # R9.4
    assert figures.add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert figures.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert figures.months_between(date(2025, 11, 1), date(2026, 2, 1)) == 4
    assert figures.parse_month("2026-03") == MARCH


def test_one_bar_per_row_and_its_length_is_the_share():  # R9.4
    bars, height = figures.chart_bars([("a", 100), ("b", 50), ("c", None)])
    assert len(bars) == 3
    full = figures.CHART_WIDTH - figures.LABEL_WIDTH - 60
    assert [b.width for b in bars] == [full, full // 2, 0]
    assert bars[2].value_text == "–" and height > bars[2].y + bars[2].height
