"""Measurements of the municipality-scale benchmark (`python -m verkstall bench`, bench/README).

* Watchlists through the real selector and serializer (`deadlines.selectors.watchlist`, then
  `deadlines.api.DueItemSerializer`, exactly what `GET /api/due-items/` returns), against the
  fastest hand-written SQL for the same answer: the same rows, in the same order, with the
  same columns. Both are timed end to end in this process (query, fetch, Python objects).
* Query counts of each watchlist and of each list page (HTML and API).
* Order transitions through the real HTTP stack: tooling/measure_http.py.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone

from verkstall.core import clock
from verkstall.deadlines import selectors
from verkstall.deadlines.api import serialized_moment, watchlist_row
from verkstall.deadlines.calendar import STOCKHOLM

# --- statistics -------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict:
    """Median, p95, p99 and max of samples in seconds, as milliseconds."""
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "runs": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(rank(0.95) * 1000, 3),
        "p99_ms": round(rank(0.99) * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def _timed(fn, runs: int, warmup: int = 5) -> tuple[list[float], object]:
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return samples, result


# --- watchlists -----------------------------------------------------------------------------

_SCOPE_SQL = {
    "mine": "d.responsible_user_id = %s",
    "unit": "d.responsible_unit_id = %s AND d.responsible = 'officer'",
    "provider": "d.responsible_provider_id = %s",
    "provider_unit": "d.responsible_provider_unit_id = %s AND d.responsible_provider_id = %s",
}

# Every column the API's watchlist rows carry, in one statement with the partial indexes; the
# client by primary key per row (LATERAL ... OFFSET 0): the fastest shape found, twice as fast
# as a plain join at 30 000 clients, where the planner hashes the whole client table.
_WATCHLIST_SQL = """
SELECT d.id, r.code, r.name, d.status,
       CASE WHEN d.due_at IS NULL THEN 'asap'
            WHEN d.due_at < %s THEN 'overdue'
            WHEN d.due_at <= %s THEN 'today'
            ELSE 'week' END AS bucket,
       d.due_at, d.due_date, d.person_id, p.first_name, p.last_name,
       d.order_id, d.decision_id, st.name, st.code, d.responsible,
       d.responsible_user_id, u.first_name, u.last_name, u.username,
       d.responsible_unit_id, d.responsible_provider_id, d.responsible_provider_unit_id,
       d.met_at, d.explanation ->> 'text'
FROM deadlines_dueitem d
JOIN deadlines_rule r ON r.id = d.rule_id
{lateral_person}LEFT JOIN decisions_servicetype st ON st.id = d.service_type_id
LEFT JOIN access_user u ON u.id = d.responsible_user_id
WHERE {scope} AND d.municipality_id = %s AND d.status = 'open'
  AND (d.due_at IS NULL OR d.due_at <= %s)
ORDER BY d.due_at ASC NULLS FIRST, d.id
"""


_LATERAL_PERSON = """CROSS JOIN LATERAL (SELECT p.first_name, p.last_name FROM people_person p
                   WHERE p.id = d.person_id OFFSET 0) p
"""
_WATCHLIST_SQL = _WATCHLIST_SQL.replace("{lateral_person}", _LATERAL_PERSON)


def _scope_params(user, scope: str) -> list:
    if scope == "mine":
        return [user.pk]
    if scope == "unit":
        return [user.unit_id]
    if scope == "provider":
        return [user.provider_id]
    return [user.provider_unit_id, user.provider_id]


def raw_watchlist(user, scope: str):
    """The same watchlist from hand-written SQL: rows as tuples, counts per bucket."""
    now = clock.now()
    today = now.astimezone(STOCKHOLM).date()
    end_of_today = selectors.end_of_day(today)
    horizon = selectors.end_of_day(today + timedelta(days=selectors.HORIZON_DAYS))
    sql = _WATCHLIST_SQL.format(scope=_SCOPE_SQL[scope])
    if connection.vendor != "postgresql":  # no LATERAL in SQLite: the plain join
        sql = sql.replace(_LATERAL_PERSON, "JOIN people_person p ON p.id = d.person_id\n")
    params = [now, end_of_today, *_scope_params(user, scope), user.municipality_id, horizon]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = dict.fromkeys(selectors.BUCKETS, 0)
    for row in rows:
        counts[row[4]] += 1
    return {"counts": counts, "rows": rows}


def api_watchlist(user, scope: str) -> dict:
    """What `GET /api/due-items/?scope=` answers, through its selector and serializer
    (deadlines.api.DueItemViewSet.list)."""
    tz = timezone.get_current_timezone()
    wl = selectors.watchlist_rows(user, scope)
    return {
        "scope": wl.scope,
        "today": wl.today.isoformat(),
        "horizon": serialized_moment(wl.horizon),
        "counts": wl.counts,
        "results": [watchlist_row(row, tz) for row in wl.items],
    }


def html_watchlist_selector(user, scope: str) -> list:
    """The screen's selector (model instances, for the template), as the HTML page reads it."""
    wl = selectors.watchlist(user, scope)
    return [
        (i.person.full_name, i.rule.name, i.service_type and i.service_type.name,
         i.responsible_user and i.responsible_user.get_full_name(), i.bucket)
        for i in wl.items
    ]  # fmt: skip


def measure_watchlist(name: str, user, scope: str, runs: int) -> dict:
    with count_queries() as queries:
        api_watchlist(user, scope)
    # Interleaved, so that a burst of load elsewhere on the machine hits both alike.
    api_samples, sql_samples = [], []
    for _ in range(5):
        api, raw = api_watchlist(user, scope), raw_watchlist(user, scope)
    for _ in range(runs):
        t0 = time.perf_counter()
        api = api_watchlist(user, scope)
        t1 = time.perf_counter()
        raw = raw_watchlist(user, scope)
        sql_samples.append(time.perf_counter() - t1)
        api_samples.append(t1 - t0)
    same = [r["id"] for r in api["results"]] == [row[0] for row in raw["rows"]] and api[
        "counts"
    ] == raw["counts"]
    html_samples, _ = _timed(lambda: html_watchlist_selector(user, scope), max(10, runs // 3))
    api_s, sql_s = summary(api_samples), summary(sql_samples)
    return {
        "name": name,
        "scope": scope,
        "rows": len(api["results"]),
        "counts": api["counts"],
        "queries": queries[0],
        "same_answer": same,
        "app": api_s,
        "sql": sql_s,
        "screen_selector": summary(html_samples),
        "ratio_median": round(api_s["median_ms"] / max(sql_s["median_ms"], 1e-6), 2),
        "ratio_p95": round(api_s["p95_ms"] / max(sql_s["p95_ms"], 1e-6), 2),
    }


# --- list pages -------------------------------------------------------------------------------

PAGES = {
    "officer": [
        ("html watchlist (mine)", "/watchlist/"),
        ("html watchlist (unit)", "/watchlist/?scope=unit"),
        ("html orders", "/orders/"),
        ("html clients", "/clients/"),
        ("html messages", "/messages/"),
        ("api orders", "/api/orders/"),
        ("api persons", "/api/persons/"),
        ("api decisions", "/api/decisions/"),
        ("api due-items (mine)", "/api/due-items/?scope=mine"),
        ("api due-items (unit)", "/api/due-items/?scope=unit"),
    ],
    "provider": [
        ("html watchlist (provider)", "/watchlist/?scope=provider"),
        ("html inbox", "/inbox/"),
        ("html orders", "/orders/"),
        ("api orders", "/api/orders/"),
        ("api due-items (provider)", "/api/due-items/?scope=provider"),
    ],
}


@contextmanager
def count_queries():
    """Count the statements this thread sends (robust across the request's connection
    handling, unlike the debug cursor)."""
    counter = [0]

    def wrapper(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def measure_pages(users: dict, runs: int = 5) -> list[dict]:
    """Query count, status and median time of each list page for the user it is meant for."""
    results = []
    for who, pages in PAGES.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users[who])
        for name, url in pages:
            with count_queries() as queries:
                response = client.get(url)
            samples, _ = _timed(lambda c=client, u=url: c.get(u), runs, warmup=0)
            results.append(
                {
                    "page": f"{who}: {name}",
                    "url": url,
                    "status": response.status_code,
                    "queries": queries[0],
                    "median_ms": summary(samples)["median_ms"],
                }
            )
    return results
