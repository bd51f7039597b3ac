"""The fault runs' checks find what they are meant to find (issue 18 item 1): a check that
cannot fail proves nothing, so each is shown a broken database here."""

from __future__ import annotations

from collections import Counter

import pytest

from verkstall.deadlines.models import DueItem
from verkstall.orders.models import Order
from verkstall.outbox import services as outbox
from verkstall.outbox.delivery_services import message_id
from verkstall.outbox.models import OutgoingMail
from verkstall.tooling import fault_selectors as checks
from verkstall.tooling.fault_load import Life
from verkstall.tooling.soak_load import memory_trend

pytestmark = pytest.mark.django_db


def test_orders_walked_by_the_services_pass_every_check(world):
    orders = [world.order(state="started"), world.order(state="sent"), world.order()]
    ids = [o.pk for o in orders]
    assert checks.fold_problems(ids) == []
    assert checks.due_differences(ids) == []


def test_an_order_whose_row_and_events_disagree_is_half_written(world):
    order = world.order(state="sent")
    Order.objects.filter(pk=order.pk).update(state="started")
    assert checks.fold_problems([order.pk]) == [
        f"order {order.pk}: state started, its events say sent"
    ]
    other = world.order(state="sent")
    Order.objects.filter(pk=other.pk).update(last_event_seq=other.last_event_seq + 1)
    assert "last_event_seq" in checks.fold_problems([other.pk])[0]


def test_a_due_item_a_recompute_would_change_is_found_and_nothing_is_kept(world):
    order = world.order(state="sent")
    item = DueItem.objects.filter(order=order).first()
    assert item is not None
    DueItem.objects.filter(pk=item.pk).delete()
    assert checks.due_differences([order.pk]) != []
    assert not DueItem.objects.filter(pk=item.pk).exists()  # the check rolled back its recompute


def test_an_answered_write_missing_is_lost_and_a_second_order_is_a_duplicate(world):
    decision = world.decision()
    order = world.order(decision=decision)
    life = Life(decision=decision.pk, provider=order.provider_id, key="k", order=order.pk)
    life.answered = {"create": 201, "send": 200}
    found = checks.life_problems([life])
    assert found["lost"] == [f"decision {decision.pk}: send answered 200, not stored"]
    assert found["duplicated"] == []
    world.order(decision=decision)  # a second order of the decision: made twice
    assert checks.life_problems([life])["duplicated"] == [f"decision {decision.pk}: 2 orders"]


def test_a_mail_never_received_is_lost_and_one_received_twice_is_a_duplicate(world):
    from verkstall.core import clock

    since = clock.now()
    first = outbox.enqueue(kind="test", recipients=["a@example.org"], subject="s", body="b")
    second = outbox.enqueue(kind="test", recipients=["b@example.org"], subject="s", body="b")
    OutgoingMail.objects.filter(pk__in=[first.pk, second.pk]).update(sent_at=clock.now())
    received = Counter({message_id(first): 2})
    found = checks.mail_problems(since, received, message_id)
    assert found["duplicated"] == [f"mail {first.pk} (test) received 2 times"]
    assert found["lost"] == [f"mail {second.pk} (test) marked sent, never received"]


def test_memory_growth_is_read_over_the_second_half():
    samples = [(0, [50.0, 60.0]), (60, [80.0, 90.0]), (300, [81.0, 90.0]), (600, [95.0, 90.5])]
    trend = memory_trend(samples)
    assert trend["after_first_minute_mib"] == [80.0, 90.0]
    assert trend["second_half_growth_mib"] == [14.0, 0.5]
