"""One route ends an order (SPEC R3.9): the order's screen and the API's `end` action both call
services.end_order, with the same cleaned input, for the officer and for the provider; that one
function decides what the end does (the decision's end date, the message to the other side)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from verkstall.core import clock
from verkstall.journal.models import Message
from verkstall.orders import services
from verkstall.orders.models import Order, OrderEvent
from verkstall.tooling.testing import confirmed


def _outcome(order: Order) -> tuple:
    order = Order.objects.get(pk=order.pk)
    events = OrderEvent.objects.filter(order=order).order_by("-seq")
    event = events.exclude(kind="message_sent").first()  # the messages' events: below (R10.3)
    return (
        order.state,
        order.end_date,
        sorted(str(s.valid_to) for s in order.services.all()),
        (event.kind, event.channel, event.on_behalf_of_id, event.data),
        list(Message.objects.filter(order=order).values_list("from_provider", "subject")),
        [(e.seq > event.seq, e.data["from_provider"]) for e in events.filter(kind="message_sent")],
    )


@pytest.mark.parametrize("who", ["officer", "staff_a"])
def test_the_screen_and_the_api_end_an_order_through_one_service_call(
    world, client, api, monkeypatch, who
):  # R3.9
    calls = []
    real = services.end_order

    def spy(actor, order, **cleaned):
        calls.append((actor.pk, cleaned))
        return real(actor, order, **cleaned)

    monkeypatch.setattr(services, "end_order", spy)
    user = getattr(world, who)
    on_screen = world.order(state="started")
    via_api = world.order(state="started", decision=world.decision(person=on_screen.person))
    today = clock.today()
    body = {"end_date": today.isoformat(), "note": "Flyttat.", "end_reason": "moved"}

    client.force_login(user)
    screen = reverse("order-action", args=[on_screen.pk, "end"])
    assert client.post(screen, confirmed(body)).status_code == 302
    assert api(user).post(f"/api/orders/{via_api.pk}/end/", body, format="json").status_code == 200

    expected = {"end_date": today, "note": "Flyttat.", "end_reason": "moved"}
    assert calls == [(user.pk, expected)] * 2
    assert _outcome(on_screen) == _outcome(via_api)
    assert _outcome(on_screen)[:2] == ("ended", today)
