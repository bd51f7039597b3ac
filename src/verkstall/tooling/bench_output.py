"""What the small benchmark commands share (bench_lists, bench_contract_import): the request
log kept quiet while they measure, and their results written as a table or as JSON lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable


def run_quietly(measure: Callable[[], list[dict]]) -> list[dict]:
    """`measure()` without the request log's line per request (restored afterwards)."""
    request_log = logging.getLogger("verkstall.request")
    level = request_log.level
    request_log.setLevel(logging.WARNING)
    try:
        return measure()
    finally:
        request_log.setLevel(level)


def write(stdout, results: list[dict], *, as_json: bool, table: Callable[[list[dict]], str]):
    """One JSON object per line with `as_json`, else the table."""
    if as_json:
        for row in results:
            stdout.write(json.dumps(row, ensure_ascii=False))
    else:
        stdout.write(table(results))
