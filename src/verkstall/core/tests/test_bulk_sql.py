"""core.bulk_sql.update_rows: many rows, different values, one statement (issue 19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verkstall.core.bulk_sql import update_rows
from verkstall.deadlines.models import DueItem

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_in_one_statement(world):
    world.order(state="sent")
    world.order(state="sent")
    items = list(DueItem.objects.order_by("pk")[:3])
    assert len(items) == 3
    untouched = DueItem.objects.get(pk=items[2].pk)
    first, second = items[0], items[1]
    first.due_at = first.started_at + timedelta(days=3, hours=1)
    first.explanation = {"why": "första", "n": 1}
    first.status = "closed"
    second.due_at = None
    second.explanation = {"why": "andra; 'citat'", "n": [2, 3]}
    second.status = "met"
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(DueItem, [first, second], ["due_at", "explanation", "status"]) == 2
    assert len(queries) == 1
    again = {i.pk: i for i in DueItem.objects.filter(pk__in=[i.pk for i in items])}
    assert again[first.pk].due_at == first.due_at
    assert again[first.pk].explanation == {"why": "första", "n": 1}
    assert again[first.pk].status == "closed"
    assert again[second.pk].due_at is None
    assert again[second.pk].explanation == {"why": "andra; 'citat'", "n": [2, 3]}
    assert again[second.pk].status == "met"
    third = again[untouched.pk]
    assert (third.due_at, third.explanation, third.status) == (
        untouched.due_at,
        untouched.explanation,
        untouched.status,
    )


def test_nothing_to_write_sends_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(DueItem, [], ["status"]) == 0
    assert len(queries) == 0
