"""The API's pagination: DRF's limit and offset, bounded.

DRF's LimitOffsetPagination passes any integer on to the database, and an offset or limit
beyond a 64-bit integer is a server error there (SQLite "datatype mismatch", PostgreSQL
"bigint out of range"): found by schemathesis (tests/test_schemathesis.py). Used as
REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"].
"""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination as DrfLimitOffsetPagination

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1  # far beyond any list; well inside every database's integer


class LimitOffsetPagination(DrfLimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)
