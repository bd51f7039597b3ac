"""The database refuses to change order events on PostgreSQL (SPEC R3, append-only)."""

import pytest
from django.db import DatabaseError, connection, transaction


@pytest.mark.django_db
def test_postgresql_refuses_update_and_delete_of_order_events(world):  # R10.2
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only; SQLite relies on the model guard")
    order = world.order(state="sent")
    event_id = order.events.order_by("seq").first().pk
    for sql in (
        "UPDATE orders_orderevent SET kind = 'ended' WHERE id = %s",
        "DELETE FROM orders_orderevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event_id])
    assert order.events.count() == 2
