"""What the on-time statistics show, shared by the page, its CSV and a background job's result
(ontime/job_kinds.py): the data table's header and cells, and the bar chart's context."""

from __future__ import annotations

from . import figures, selectors

HEADER = (
    "Utförare",
    "Frist",
    "Månad",
    "Antal",
    "Klara i tid",
    "Klara för sent",
    "Öppna efter fristen",
    "Ej förfallna",
    "Andel i tid, %",
    "Försening median, dagar",
    "Försening 90:e percentil, dagar",
    "Ledtid median, dagar",
)
#: The columns of names (provider, rule), guarded against formulas in the CSV; the others are
#: a month and numbers.
TEXT_COLUMNS = frozenset({0, 1})


def _number(value) -> str:
    return "" if value is None else str(value)


def table_rows(report: selectors.Report) -> list[list[str]]:
    """The data table's cells, as the page shows them and the CSV writes them."""
    out = []
    for row in report.rows:
        f = row.figures
        out.append(
            [
                row.provider,
                row.rule,
                f"{row.month:%Y-%m}",
                str(f.volume),
                str(f.on_time),
                str(f.late),
                str(f.overdue),
                str(f.pending),
                _number(f.percent_on_time),
                _number(f.late_median),
                _number(f.late_p90),
                _number(f.lead_median),
            ]
        )
    return out


def chart_context(bars_of: list[tuple[str, int | None]]) -> dict:
    """The bar chart of (label, percent) pairs, one bar per row of the table."""
    bars, height = figures.chart_bars(bars_of)
    return {
        "bars": bars,
        "chart_width": figures.CHART_WIDTH,
        "chart_height": height,
        "bar_left": figures.LABEL_WIDTH,
    }
