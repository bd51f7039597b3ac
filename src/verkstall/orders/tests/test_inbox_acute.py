"""An acute oral order in the provider's inbox (SPEC R3.2, issue 17 item 6): the provider is
already at work on it when the written order arrives, so the inbox puts it first and says
so in words ("Akut – muntlig beställning"), not by colour alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from verkstall.core import clock
from verkstall.orders import casework_selectors, selectors
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

MARK = "Akut – muntlig beställning"


def acute(world, state="sent", **kw):
    """An order given orally two hours ago, whose written order then went out."""
    return world.order(state=state, acute_oral_at=clock.now() - timedelta(hours=2), **kw)


def rows(html: str, heading: str) -> list[str]:
    table = html.split(heading)[1].split("</table>")[0]
    return table.split("<tbody>")[1].split("</tr>")[:-1]


def test_an_acute_oral_order_comes_first_and_is_marked(world, client):  # R3.2
    older = world.order(state="sent")
    oral = acute(world)
    newer = world.order(state="sent")  # the newest order would come first otherwise
    client.force_login(world.staff_a)
    html = client.get(reverse("provider-inbox")).content.decode()
    new = rows(html, "Nya beställningar att kvittera")
    assert len(new) == 3
    for row, order in zip(new, [oral, newer, older], strict=True):
        assert f'href="/orders/{order.pk}/"' in row
    assert MARK in new[0] and 'class="acute-oral"' in new[0]
    assert f"muntligt {localtime(oral.acute_oral_at):%Y-%m-%d %H:%M}" in new[0]
    assert all(MARK not in row for row in new[1:])


def test_acknowledged_it_still_leads_the_orders_to_start(world, client):  # R3.2
    oral = acute(world, state="acknowledged")
    plain = world.order(state="acknowledged")
    client.force_login(world.staff_a)
    html = client.get(reverse("provider-inbox")).content.decode()
    to_start = rows(html, "Kvitterade, registrera startdatum")
    assert f'href="/orders/{oral.pk}/"' in to_start[0] and MARK in to_start[0]
    assert f'href="/orders/{plain.pk}/"' in to_start[1] and MARK not in to_start[1]


def test_the_earliest_oral_order_first_then_the_newest_orders(world):  # R3.2
    first = world.order(state="sent", acute_oral_at=clock.now() - timedelta(hours=5))
    second = world.order(state="sent", acute_oral_at=clock.now() - timedelta(hours=1))
    plain_old, plain_new = world.order(state="sent"), world.order(state="sent")
    inbox = list(selectors.provider_inbox(world.staff_a).values_list("pk", flat=True))
    assert inbox == [first.pk, second.pk, plain_new.pk, plain_old.pk]


def test_the_units_lists_put_it_first_too(world):  # R3.2, seed 002 "Utföraren fördelar"
    nord = build.provider_unit(world.provider_a, "Enhet Nord")
    plain = world.order(state="sent")
    oral = acute(world)
    assert list(casework_selectors.unrouted(world.staff_a))[:2] == [oral, plain]
    world.staff_a.provider_unit = nord
    world.staff_a.save()
    routed = [world.order(state="sent", provider_unit=nord), acute(world, provider_unit=nord)]
    assert list(casework_selectors.of_my_unit(world.staff_a)) == routed[::-1]


def test_other_order_lists_are_unmarked(world, client):  # R3.2: the inbox's mark only
    acute(world)
    client.force_login(world.staff_a)
    assert MARK not in client.get(reverse("order-list")).content.decode()
