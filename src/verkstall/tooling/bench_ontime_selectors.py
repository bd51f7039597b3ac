"""The on-time statistics in the benchmark (SPEC R9.4, issue 15 item 7): the statistics page's
figures for the whole generated municipality (what its LOV administrator sees, the last twelve
months), through the app (ontime.selectors.statistics: one grouped query, two naming queries
and figures.py's arithmetic), against one hand-written SQL of the same answer: per provider,
rule and Stockholm month of the due date, the volume, the outcomes, the nearest-rank median
and 90th percentile of the days late and the median lead days (window functions, no Python).
The two are compared on every run (`same_answer`)."""

from __future__ import annotations

import time
from datetime import date

from django.db import connection

from verkstall.access.models import User
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.ontime import figures, selectors
from verkstall.tooling import measure

_SQL = """
WITH items AS (
  SELECT d.responsible_provider_id AS p, d.rule_id AS r, {month} AS m,
    CASE WHEN d.status = 'met_on_time' THEN 'on_time'
         WHEN d.status = 'met_late' THEN 'late'
         WHEN d.due_at < %(now)s THEN 'overdue' ELSE 'pending' END AS o,
    CASE WHEN d.status = 'met_late' AND d.met_at IS NOT NULL THEN {met} - {due}
         WHEN d.status = 'open' AND d.due_at < %(now)s THEN {today} - {due} END AS late,
    CASE WHEN d.status IN ('met_on_time', 'met_late') AND d.met_at IS NOT NULL
         THEN {met} - {start} END AS lead
  FROM deadlines_dueitem d
  WHERE d.municipality_id = %(municipality)s
    AND d.responsible IN ('provider', 'new_provider')
    AND d.responsible_provider_id IS NOT NULL AND d.status <> 'closed'
    AND d.due_at >= %(after)s AND d.due_at < %(before)s
),
lateness AS (
  SELECT p, r, m, MIN(CASE WHEN 2 * rn >= n THEN late END) AS median,
         MIN(CASE WHEN 10 * rn >= 9 * n THEN late END) AS p90
  FROM (SELECT p, r, m, late,
               ROW_NUMBER() OVER (PARTITION BY p, r, m ORDER BY late) AS rn,
               COUNT(*) OVER (PARTITION BY p, r, m) AS n
        FROM items WHERE late IS NOT NULL) x
  GROUP BY p, r, m
),
leads AS (
  SELECT p, r, m, MIN(CASE WHEN 2 * rn >= n THEN lead END) AS median
  FROM (SELECT p, r, m, lead,
               ROW_NUMBER() OVER (PARTITION BY p, r, m ORDER BY lead) AS rn,
               COUNT(*) OVER (PARTITION BY p, r, m) AS n
        FROM items WHERE lead IS NOT NULL) x
  GROUP BY p, r, m
)
SELECT g.p, g.r, g.m, g.volume, g.on_time, g.late, g.overdue, g.pending,
       lt.median, lt.p90, ld.median
FROM (SELECT p, r, m, COUNT(*) AS volume,
             SUM(CASE WHEN o = 'on_time' THEN 1 ELSE 0 END) AS on_time,
             SUM(CASE WHEN o = 'late' THEN 1 ELSE 0 END) AS late,
             SUM(CASE WHEN o = 'overdue' THEN 1 ELSE 0 END) AS overdue,
             SUM(CASE WHEN o = 'pending' THEN 1 ELSE 0 END) AS pending
      FROM items GROUP BY p, r, m) g
LEFT JOIN lateness lt ON lt.p = g.p AND lt.r = g.r AND lt.m = g.m
LEFT JOIN leads ld ON ld.p = g.p AND ld.r = g.r AND ld.m = g.m
"""


def _sql() -> str:
    if connection.vendor == "postgresql":

        def day(col):
            return f"(({col} AT TIME ZONE 'Europe/Stockholm')::date)"

        month = "(date_trunc('month', d.due_at AT TIME ZONE 'Europe/Stockholm')::date)"
        today = "CAST(%(today)s AS date)"
    else:  # SQLite: Django's own time-zone functions on the connection, julian days

        def day(col):
            return (
                f"CAST(julianday(django_datetime_cast_date({col}, 'Europe/Stockholm', "
                "'UTC')) AS INTEGER)"
            )

        month = "django_datetime_trunc('month', d.due_at, 'Europe/Stockholm', 'UTC')"
        today = "CAST(julianday(%(today)s) AS INTEGER)"
    return _SQL.format(
        month=month,
        met=day("d.met_at"),
        due=day("d.due_at"),
        start=day("d.started_at"),
        today=today,
    )


def _month(value) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def period(months: int = 12) -> selectors.Filters:
    last = figures.month_of(clock.today())
    return selectors.Filters(first=figures.add_months(last, -(months - 1)), last=last)


def sql_figures(municipality_id: int, filters: selectors.Filters) -> dict[tuple, tuple]:
    """(provider, rule, month) -> figures, by the hand-written SQL."""
    values = {
        "municipality": municipality_id,
        "now": clock.now(),
        "today": clock.today().isoformat(),
        "after": selectors.start_of_month(filters.first),
        "before": selectors.start_of_month(figures.add_months(filters.last, 1)),
    }
    with connection.cursor() as cursor:
        cursor.execute(_sql(), values)
        rows = cursor.fetchall()
    return {
        (p, r, _month(m)): tuple(None if v is None else int(v) for v in rest)
        for p, r, m, *rest in rows
    }


def _reader(municipality) -> User:
    """The municipality's LOV administrator as the statistics see it (not saved)."""
    return User(role=Role.LOV_ADMIN.value, municipality=municipality, username="bench-lov")


def app_figures(municipality, filters: selectors.Filters) -> dict[tuple, tuple]:
    """The same answer from the app: the statistics page's rows, the average left out."""
    report = selectors.statistics(_reader(municipality), filters)
    return {
        (row.provider_id, row.rule_id, row.month): (
            row.figures.volume,
            row.figures.on_time,
            row.figures.late,
            row.figures.overdue,
            row.figures.pending,
            row.figures.late_median,
            row.figures.late_p90,
            row.figures.lead_median,
        )
        for row in report.rows
        if not row.is_average
    }


def measure_ontime(municipality, runs: int = 5) -> dict:
    """Median and p95 of the app's statistics and of the SQL, interleaved; answers compared."""
    filters = period()
    with measure.count_queries() as queries:
        app = app_figures(municipality, filters)
    sql = sql_figures(municipality.pk, filters)
    app_samples, sql_samples, same = [], [], app == sql
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        app = app_figures(municipality, filters)
        t1 = time.perf_counter()
        sql = sql_figures(municipality.pk, filters)
        sql_samples.append(time.perf_counter() - t1)
        app_samples.append(t1 - t0)
        same = same and app == sql
    app_s, sql_s = measure.summary(app_samples), measure.summary(sql_samples)
    return {
        "months": f"{filters.first:%Y-%m}–{filters.last:%Y-%m}",
        "rows": len(app),
        "items": sum(v[0] for v in app.values()),
        "queries": queries[0],
        "same_answer": same,
        "app": app_s,
        "sql": sql_s,
        "ratio_median": round(app_s["median_ms"] / max(sql_s["median_ms"], 1e-6), 2),
        "ratio_p95": round(app_s["p95_ms"] / max(sql_s["p95_ms"], 1e-6), 2),
    }
