"""What the screens say of work registered on a not connected provider's behalf (issue 17
item 10, SPEC R3.3): the channel in Swedish and never a dangling "via", and the officer on the
watchlist named as the officer, not as the provider."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from verkstall.orders import services
from verkstall.orders.models import OrderEvent
from verkstall.orders.templatetags.order_events import channel_label, on_behalf_note

pytestmark = pytest.mark.django_db


def test_an_acknowledgement_by_fax_says_so_in_swedish(world):  # R3.3
    order = world.order(provider=world.offline, state="sent")
    event = services.acknowledge_order(world.officer, order, channel="fax")
    assert event.on_behalf_of == world.offline
    note = on_behalf_note(event)
    assert note == "registrerat för utförarens räkning (Faxomsorg HB), via fax"
    rendered = Template("{% load order_events %}{% on_behalf_note e %}").render(
        Context({"e": event})
    )
    assert rendered == note


def test_without_a_channel_there_is_no_via(world):  # R3.3, issue 17 item 10
    event = OrderEvent(on_behalf_of=world.offline, channel="")
    assert on_behalf_note(event) == "registrerat för utförarens räkning (Faxomsorg HB)"
    assert "via" not in on_behalf_note(OrderEvent(on_behalf_of=world.offline, channel="system"))
    assert on_behalf_note(OrderEvent(on_behalf_of=None, channel="fax")) == ""


def test_channel_codes_become_swedish_labels():  # issue 17 item 9
    assert [channel_label(c) for c in ("phone", "email", "fax", "post", "", "okänd")] == [
        "Telefon",
        "E-post",
        "Fax",
        "Post",
        "",
        "okänd",
    ]


def test_the_watchlist_names_the_officer_who_answers_for_a_fax_provider(world, client):
    """R3.3, R11: the acknowledgement of an order to a provider not connected is the provider's
    item on the officer's own list; the responsible column says who does it."""
    world.order(provider=world.offline, state="sent")
    client.force_login(world.officer)
    page = client.get(reverse("watchlist")).content.decode()
    name = world.officer.get_full_name()
    assert f"Handläggare: {name} (för utförarens räkning)" in page
    assert f"Utförare: {name}" not in page
