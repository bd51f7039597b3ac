"""Ending an order on its screen (SPEC R3.9)."""

from verkstall.core import clock
from verkstall.tooling.testing import confirmed


def test_officer_ending_on_the_order_screen_registers_the_end_in_the_decision(
    world, client
):  # R3.9
    order = world.order(state="started")
    client.force_login(world.officer)
    today = clock.today().isoformat()
    response = client.post(
        f"/orders/{order.pk}/end/",
        confirmed({"end_date": today, "note": "Flyttat.", "end_reason": "moved"}),
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "ended"
    assert {str(s.valid_to) for s in order.services.all()} == {today}


def test_provider_ending_on_the_order_screen_leaves_the_decision_to_the_officer(
    world, client
):  # R3.9
    order = world.order(state="started")
    client.force_login(world.staff_a)
    response = client.post(
        f"/orders/{order.pk}/end/",
        confirmed({"end_date": clock.today().isoformat(), "end_reason": "other"}),
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "ended"
    assert {s.valid_to for s in order.services.all()} == {None}
