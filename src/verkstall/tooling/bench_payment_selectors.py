"""The payment basis in the benchmark (SPEC R9.4, issue 15): the basis of one month for the
whole generated municipality, through the app (payments.basis_selectors.compute_basis: its
queries and the arithmetic), against one hand-written SQL aggregate of the same answer: per
order, service type and price, the payable days and the amount of the granted time (the
order's days in the month, cut by its successor, the service's and the price's validity,
minus the absence the profile's rule takes away; per granted hour, day or month). The two are
compared on every run (`same_answer`)."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from django.db import connection

from verkstall.deadlines.threshold_selectors import payment_rules_for
from verkstall.payments.basis_selectors import compute_basis
from verkstall.payments.basis_types import LineKind, Period
from verkstall.payments.selectors import BasisScope
from verkstall.tooling import measure

EPOCH = date(1970, 1, 1)

_SQL = """
SELECT x.order_id, x.type_id, x.price_id, SUM(x.payable) AS days,
       ROUND(SUM(CASE x.unit
           WHEN 'day' THEN x.payable * x.amount
           WHEN 'month' THEN x.amount * x.payable / {dim}
           ELSE x.scope * x.payable * x.amount / {dim} END), 2) AS amount
FROM (
  SELECT seg.order_id, seg.type_id, seg.price_id, seg.unit, seg.amount, seg.scope,
         seg.b - seg.a + 1 - COALESCE((
           SELECT SUM({max}(0, {min}(seg.b, COALESCE({dn_to}, %(last)s))
                               - {max}(seg.a, {dn_from} + %(paid)s) + 1))
           FROM absences_absence ab
           WHERE ab.order_id = seg.order_id AND ab.reason IN ({reasons})
         ), 0) AS payable
  FROM (
    SELECT o.id AS order_id, gs.service_type_id AS type_id, p.id AS price_id, p.unit,
           p.amount, gs.scope_amount AS scope,
           {max}({dn_o_start}, %(first)s, {dn_gs_from}, {dn_p_from}) AS a,
           {min}(COALESCE({dn_o_end}, %(last)s), COALESCE(nx.next_start - 1, %(last)s),
                 COALESCE({dn_gs_to}, %(last)s), COALESCE({dn_p_to}, %(last)s), %(last)s) AS b
    FROM orders_order o
    JOIN orders_order_services os ON os.order_id = o.id
    JOIN decisions_grantedservice gs ON gs.id = os.grantedservice_id
    JOIN payments_price p
      ON p.municipality_id = o.municipality_id AND p.service_type_id = gs.service_type_id
    LEFT JOIN (
      SELECT old, MIN(next_start) AS next_start FROM (
        SELECT n.supersedes_id AS old, {dn_n_start} AS next_start FROM orders_order n
        WHERE n.supersedes_id IS NOT NULL AND n.start_date IS NOT NULL
        UNION ALL
        SELECT sw.old_order_id, {dn_sw} FROM orders_providerswitch sw
        WHERE sw.completed_at IS NOT NULL AND sw.agreed_date IS NOT NULL
      ) successors GROUP BY old
    ) nx ON nx.old = o.id
    WHERE o.municipality_id = %(municipality)s AND o.start_date IS NOT NULL
      AND o.start_date <= %(last_date)s AND (o.end_date IS NULL OR o.end_date >= %(first_date)s)
      AND p.unit IN ('day', 'month', 'granted_hour')
      AND (p.unit <> 'granted_hour' OR gs.scope_unit = 'hours_per_month')
  ) seg
  WHERE seg.b >= seg.a
) x
GROUP BY x.order_id, x.type_id, x.price_id
"""


def _sql(reasons: int) -> str:
    dim = "%(dim)s"
    if connection.vendor == "postgresql":
        least, greatest = "LEAST", "GREATEST"

        def dn(col):
            return f"({col} - DATE '1970-01-01')"
    else:  # SQLite: the multi-argument MIN and MAX, julian days, no integer division
        least, greatest, dim = "MIN", "MAX", "(%(dim)s * 1.0)"

        def dn(col):
            return f"CAST(julianday({col}) - 2440587.5 AS INTEGER)"

    return _SQL.format(
        dim=dim,
        min=least,
        max=greatest,
        reasons=", ".join(f"%(reason{i})s" for i in range(reasons)) if reasons else "NULL",
        dn_to=dn("ab.to_date"),
        dn_from=dn("ab.from_date"),
        dn_o_start=dn("o.start_date"),
        dn_o_end=dn("o.end_date"),
        dn_gs_from=dn("gs.valid_from"),
        dn_gs_to=dn("gs.valid_to"),
        dn_p_from=dn("p.valid_from"),
        dn_p_to=dn("p.valid_to"),
        dn_n_start=dn("n.start_date"),
        dn_sw=dn("sw.agreed_date"),
    )


def sql_basis(municipality_id: int, period: Period) -> dict[tuple, tuple[int, Decimal]]:
    """(order, service type, price) -> (payable days, amount) by the hand-written SQL."""
    rules = payment_rules_for(municipality_id)
    reasons = sorted(rules["absence_payment_reasons"] or ())
    sql = _sql(len(reasons))
    values = {
        "dim": period.days,
        "first": (period.first - EPOCH).days,
        "last": (period.last - EPOCH).days,
        "paid": int(rules["absence_payment_days"]),
        "municipality": municipality_id,
        "first_date": period.first,
        "last_date": period.last,
    }
    values.update({f"reason{i}": reason for i, reason in enumerate(reasons)})
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    return {
        (order, type_id, price): (int(days), Decimal(str(amount)).quantize(Decimal("0.01")))
        for order, type_id, price, days, amount in rows
    }


def app_basis(municipality_id: int, period: Period) -> dict[tuple, tuple[int, Decimal]]:
    """The same answer from the app's basis: its priced lines of granted time."""
    basis = compute_basis(BasisScope(municipality_id, None), period)
    return {
        (ln.order_id, ln.service_type_id, ln.price_id): (ln.days, ln.amount)
        for ln in basis.lines
        if ln.kind == LineKind.GRANTED and ln.price_id is not None and not ln.flag
    }


def measure_basis(municipality, period: Period, runs: int = 5) -> dict:
    """Median and p95 of the app's basis and of the SQL, interleaved; the answers compared."""
    m = municipality.pk
    with measure.count_queries() as queries:
        app = app_basis(m, period)
    sql = sql_basis(m, period)
    app_samples, sql_samples, same = [], [], app == sql
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        app = app_basis(m, period)
        t1 = time.perf_counter()
        sql = sql_basis(m, period)
        sql_samples.append(time.perf_counter() - t1)
        app_samples.append(t1 - t0)
        same = same and app == sql
    app_s, sql_s = measure.summary(app_samples), measure.summary(sql_samples)
    return {
        "period": period.label,
        "lines": len(app),
        "amount": str(sum((amount for _days, amount in app.values()), Decimal("0"))),
        "queries": queries[0],
        "same_answer": same,
        "app": app_s,
        "sql": sql_s,
        "ratio_median": round(app_s["median_ms"] / max(sql_s["median_ms"], 1e-6), 2),
        "ratio_p95": round(app_s["p95_ms"] / max(sql_s["p95_ms"], 1e-6), 2),
    }
