"""The API's watchlist rows (selectors.watchlist_rows + api.watchlist_row) say exactly what
DueItemSerializer says of the same items: the fast path changes no byte of the answer."""

from __future__ import annotations

import json

import pytest

from verkstall.core.errors import PermissionDenied
from verkstall.deadlines import selectors
from verkstall.deadlines.api import DueItemSerializer, watchlist_row
from verkstall.tooling import generator_services as generator
from verkstall.tooling.bench_selectors import subjects

pytestmark = pytest.mark.django_db


def test_rows_serialize_as_the_item_serializer_does(django_assert_num_queries):  # R11.1
    generator.generate(40, seed=5, code="9992")
    found = subjects("9992")
    cases = [
        (found["officer"], "mine"),
        (found["officer"], "unit"),
        (found["provider_user"], "provider"),
        (found["provider_unit_user"], "provider_unit"),
    ]
    seen = 0
    for user, scope in cases:
        items = selectors.watchlist(user, scope)
        first = items.items[0] if items.items else None
        variants = [{}]
        if first is not None:  # each optional filter, on a value the list holds
            variants += [
                {"rule": first.rule.code},
                {"service_type": first.service_type.code if first.service_type else "x"},
                {"person": first.person_id},
                {"responsible_user": first.responsible_user_id or 0},
                {"rule": first.rule.code, "person": first.person_id},
            ]
        for filters in variants:
            items = selectors.watchlist(user, scope, **filters)
            with django_assert_num_queries(1):
                rows = selectors.watchlist_rows(user, scope, **filters)
            slow = json.loads(json.dumps(DueItemSerializer(items.items, many=True).data))
            fast = json.loads(json.dumps([watchlist_row(row) for row in rows.items]))
            assert fast == slow, (scope, filters)
            assert rows.counts == items.counts
            assert rows.filters == items.filters
            seen += len(fast)
    assert seen > 0


def test_rows_refuse_a_scope_the_role_may_not_use():  # R11, Actors
    generator.generate(5, seed=5, code="9993")
    found = subjects("9993")
    with pytest.raises(PermissionDenied):
        selectors.watchlist_rows(found["provider_user"], "unit")
    with pytest.raises(PermissionDenied):
        selectors.watchlist_rows(found["officer"], "provider")
