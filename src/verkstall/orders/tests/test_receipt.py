"""Clocks from receipt (SPEC R11.4, issue 13 §2: "a clock that starts when the order was
received (registered arrival date for post and fax), not when it was sent").

An order sent in the system or by e-mail is received when it is sent: the engine derives
"order.received" from the sending, no row is stored. For post and fax the officer registers
the arrival date (orders.receipt_services), once per sending, and the clocks counting from the
receipt start that day. Typical clause: "Utföraren kvitterar beställningen inom två vardagar
från att den kommit fram".
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines import engine
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import DueItem, Rule, RuleProfile
from verkstall.orders import services
from verkstall.orders.models import EventKind, Order
from verkstall.orders.receipt_services import ReceiptNotRegistered, register_receipt
from verkstall.providers.models import Channel
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

MON_2_MAR, WED_4_MAR, THU_5_MAR = date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 5)
FRI_6_MAR = date(2026, 3, 6)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


@pytest.fixture
def profile(world):
    """A profile whose acknowledgement counts from the receipt: 2 weekdays from the day after
    the order came to the provider; and a decision clock met when an order was received."""
    profile = RuleProfile.objects.create(slug="mottagande", name="Mottagandekommunen")
    common = {"profile": profile, "source": "test", "amount": 2, "unit": "weekdays"}
    Rule.objects.create(code="kvittens-fran-mottagande", name="Kvittens från mottagandet",
                        start_event="order.received", stop_events=["order.acknowledged"],
                        responsible="provider", **common)  # fmt: skip
    Rule.objects.create(code="beslut-till-mottagen", name="Beställningen framme",
                        subject="decision", start_event="decision.granted",
                        stop_events=["order.received"], responsible="officer",
                        **{**common, "amount": 1, "unit": "months"})  # fmt: skip
    world.muni.rule_profile = profile.slug
    world.muni.save()
    return profile


@pytest.fixture
def post(world):
    return build.provider(world.muni, "Postomsorg AB", connected=False, channel=Channel.POST)


def send_on_monday(world, provider) -> Order:
    decision = None
    with travel_to(at(MON_2_MAR, 9)):
        decision = world.decision(decided_on=MON_2_MAR)
    with travel_to(at(MON_2_MAR, 10)):
        order = services.create_order(world.officer, decision=decision, provider=provider)
        services.send_order(world.officer, order)
    return Order.objects.get(pk=order.pk)


def receipt_item(order) -> DueItem | None:
    return DueItem.objects.filter(order=order, rule__code="kvittens-fran-mottagande").first()


def test_a_post_order_counts_from_the_registered_arrival_date(world, profile, post):  # R11.4
    order = send_on_monday(world, post)
    assert receipt_item(order) is None  # sent, not yet known to have arrived
    with travel_to(at(THU_5_MAR, 9)):
        event = register_receipt(world.officer, order, received_on=WED_4_MAR)
    assert event.kind == EventKind.RECEIVED and event.channel == "post"
    assert event.occurred_at == datetime.combine(WED_4_MAR, time.min, STOCKHOLM)
    item = receipt_item(order)
    # Two weekdays from the day after Wednesday 4 March: Thursday, Friday.
    assert item.status == "open" and item.due_date == FRI_6_MAR
    assert item.start_event == "order.received"
    assert item.started_at == datetime.combine(WED_4_MAR, time.min, STOCKHOLM)
    text = item.explanation["text"]
    assert "Beställningen kom fram till utföraren 2026-03-04" in text
    assert "Registrerades 2026-03-05" in text
    # The provider (registered on its behalf) acknowledges on Friday: on time.
    with travel_to(at(FRI_6_MAR, 11)):
        services.acknowledge_order(world.officer, order, channel="post")
    assert receipt_item(order).status == "met_on_time"


def test_a_system_order_counts_from_the_sending(world, profile):  # R11.4
    order = send_on_monday(world, world.provider_a)
    item = receipt_item(order)
    assert item.start_event == "order.received"
    assert item.started_at == Order.objects.get(pk=order.pk).sent_at
    assert item.due_date == WED_4_MAR  # Tuesday, Wednesday
    # Derived, not stored: the order's history is unchanged.
    assert list(order.events.values_list("kind", flat=True)) == ["created", "sent"]


def test_an_email_order_counts_from_the_sending(world, profile, settings):  # R11.4
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = build.provider(world.muni, "E-postomsorg AB", connected=False, channel=Channel.EMAIL)
    email.email = "bestallning@example.org"
    email.save()
    order = send_on_monday(world, email)
    assert receipt_item(order).due_date == WED_4_MAR
    assert not order.events.filter(kind=EventKind.RECEIVED).exists()


def test_the_decision_sees_the_receipt_too(world, profile, post):  # R11.4
    system = send_on_monday(world, world.provider_a)
    decision_item = DueItem.objects.get(
        decision=system.decision, order__isnull=True, rule__code="beslut-till-mottagen"
    )
    assert decision_item.status == "met_on_time"  # derived from the sending
    by_post = send_on_monday(world, post)
    decision_item = DueItem.objects.get(
        decision=by_post.decision, order__isnull=True, rule__code="beslut-till-mottagen"
    )
    assert decision_item.status == "open"
    with travel_to(at(THU_5_MAR, 9)):
        register_receipt(world.officer, by_post, received_on=WED_4_MAR)
    decision_item.refresh_from_db()
    assert decision_item.status == "met_on_time"
    assert decision_item.met_at == datetime.combine(WED_4_MAR, time.min, STOCKHOLM)


def test_order_events_derive_the_receipt_only_for_system_and_email(world, profile, post):
    # R11.4: the engine's clock events of an order.
    system = Order.objects.select_related("provider", "decision").get(
        pk=send_on_monday(world, world.provider_a).pk
    )
    kinds = [e.kind for e in engine.order_events(system)]
    assert kinds == ["decision.granted", "order.sent", "order.received"]
    by_post = Order.objects.select_related("provider", "decision").get(
        pk=send_on_monday(world, post).pk
    )
    assert [e.kind for e in engine.order_events(by_post)] == ["decision.granted", "order.sent"]


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        (date(2026, 3, 1), "före dagen beställningen skickades (2026-03-02)"),
        (FRI_6_MAR, "framtiden"),
        ("i går", None),
        (None, None),
    ],
)
def test_the_arrival_date_is_checked(world, profile, post, received_on, message):  # R11.4
    order = send_on_monday(world, post)
    with travel_to(at(THU_5_MAR, 9)), pytest.raises(ValidationFailed) as refused:
        register_receipt(world.officer, order, received_on=received_on)
    assert list(refused.value.errors) == ["received_on"]
    if message:
        assert message in refused.value.errors["received_on"][0]
    assert not order.events.filter(kind=EventKind.RECEIVED).exists()


def test_the_arrival_is_registered_once_per_sending(world, profile, post):  # R11.4
    order = send_on_monday(world, post)
    with travel_to(at(THU_5_MAR, 9)):
        register_receipt(world.officer, order, received_on=MON_2_MAR)
        with pytest.raises(ReceiptNotRegistered) as refused:
            register_receipt(world.officer, order, received_on=WED_4_MAR)
    assert "redan registrerad: 2026-03-02" in refused.value.message
    assert refused.value.status_code == 409


def test_no_arrival_is_registered_for_a_system_order(world, profile):  # R11.4
    order = send_on_monday(world, world.provider_a)
    with travel_to(at(THU_5_MAR, 9)), pytest.raises(ReceiptNotRegistered) as refused:
        register_receipt(world.officer, order, received_on=MON_2_MAR)
    assert "räknas som mottagen när den skickades" in refused.value.message


def test_only_the_officer_of_the_unit_registers_the_arrival(world, profile, post):  # R11.4
    order = send_on_monday(world, post)
    with travel_to(at(THU_5_MAR, 9)):
        for actor in (world.other_officer, world.staff_a, world.fee_officer):
            with pytest.raises(PermissionDenied):
                register_receipt(actor, order, received_on=WED_4_MAR)


def test_a_draft_has_not_arrived(world, profile, post):  # R11.4
    with travel_to(at(MON_2_MAR, 10)):
        order = services.create_order(world.officer, decision=world.decision(), provider=post)
        with pytest.raises(ValidationFailed) as refused:
            register_receipt(world.officer, order, received_on=MON_2_MAR)
    assert "inte skickad" in refused.value.errors["received_on"][0]


# --- the order page and the API -------------------------------------------------------------


def test_the_order_page_offers_the_arrival_date_for_post_and_fax(world, profile, post, client):
    # R11.4: a form for the officer, while no arrival is registered.
    order = send_on_monday(world, post)
    client.force_login(world.officer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="receipt-form"' in page and "Registrera ankomstdag" in page
    with travel_to(at(THU_5_MAR, 9)):
        bad = client.post(f"/orders/{order.pk}/receipt/", {"received_on": "2026-03-01"})
        assert bad.status_code == 400
        assert "före dagen beställningen skickades" in bad.content.decode()
        done = client.post(f"/orders/{order.pk}/receipt/", {"received_on": "2026-03-04"})
    assert done.status_code == 302
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="receipt-form"' not in page
    assert "Kom fram 2026-03-04" in page and "Mottagen av utföraren" in page
    # Not for an order in the system, nor for the provider's own staff.
    system = send_on_monday(world, world.provider_a)
    assert 'id="receipt-form"' not in client.get(f"/orders/{system.pk}/").content.decode()


def test_the_api_registers_the_arrival(world, profile, post, api):  # R11.4
    order = send_on_monday(world, post)
    url = f"/api/orders/{order.pk}/receipt/"
    with travel_to(at(THU_5_MAR, 9)):
        bad = api(world.officer).post(url, {"received_on": "2026-03-06"}, format="json")
        assert bad.status_code == 400 and "received_on" in bad.json()
        done = api(world.officer).post(url, {"received_on": "2026-03-04"}, format="json")
        assert done.status_code == 200
        assert done.json()["event"]["kind"] == "received"
        again = api(world.officer).post(url, {"received_on": "2026-03-04"}, format="json")
        assert again.status_code == 409 and again.json()["code"] == "receipt_not_registered"
        refused = api(world.staff_a).post(url, {"received_on": "2026-03-04"}, format="json")
        assert refused.status_code in (403, 404)
    assert receipt_item(order).due_date == FRI_6_MAR
