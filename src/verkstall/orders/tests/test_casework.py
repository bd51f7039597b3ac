"""Case work without gaps in the order's own flow (issue 16 items 3, 5, 8, 9, 11): the order
reaches the provider and the officer hears back (R3.3, R3.7; seeds 001, 004), a new client
(R3.4; seed 003), support not received as ordered (R7.2; seed 003), ending with its reason
and a client's death (seed 004 "brukaren flyttar eller avlider"), and the provider routing an
order to one of its own units (seed 002 "Utföraren fördelar")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import (
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from verkstall.deadlines.models import DueItem
from verkstall.journal.models import CaseJournalEntry, Message
from verkstall.orders import casework_services, death_services, services
from verkstall.orders.models import EventKind, Order
from verkstall.orders.receipt_services import needs_receipt
from verkstall.orders.selectors import get_order, is_new_client
from verkstall.outbox.delivery_services import deliver_due
from verkstall.outbox.models import OutgoingMail
from verkstall.providers.models import Channel
from verkstall.tooling import testing as build
from verkstall.tooling.testing import confirmed

pytestmark = pytest.mark.django_db


def fresh(order) -> Order:
    return Order.objects.get(pk=order.pk)


def events_of(order, kind):
    return list(order.events.filter(kind=kind).order_by("seq"))


def client_data(person) -> list[str]:
    """What an e-mail must never hold about the client."""
    digits = re.sub(r"\D", "", person.personal_number)
    return [person.first_name, person.last_name, person.street_address, digits[2:], digits[-4:]]


# --- R3.3: the provider is told that an order waits; the fee officer of one not connected ----


def test_r3_3_a_connected_provider_is_mailed_a_link_to_the_order_and_no_personal_data(
    world, django_capture_on_commit_callbacks
):
    """R3.3 (seed 004 "meddelar ... att uppdrag finns att hämta i systemet")."""
    world.provider_a.email = "inkorg@omsorg-a.example"
    world.provider_a.save(update_fields=["email"])
    order = world.order(provider=world.provider_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_order(world.officer, order)
    # Queued in the send's transaction, sent by the outbox's worker (issue 19).
    assert mail.outbox == []
    assert OutgoingMail.objects.get().reference == str(order.pk)
    deliver_due()
    [message] = mail.outbox
    assert message.to == ["inkorg@omsorg-a.example"]
    assert f"/orders/{order.pk}/" in message.body
    assert str(order.pk) in message.subject
    assert message.attachments == []
    for secret in client_data(order.person):
        assert secret not in message.subject + message.body, secret
    assert not re.search(r"\d{6}[-+ ]?\d{4}", message.subject + message.body)


def test_r3_3_without_an_order_address_the_providers_unit_managers_are_mailed(
    world, django_capture_on_commit_callbacks
):
    """R3.3: the provider's managers are told when it has no order address."""
    manager = build.user(Role.PROVIDER_MANAGER, world.muni, provider=world.provider_a)
    manager.email = "chef@omsorg-a.example"
    manager.save(update_fields=["email"])
    order = world.order(provider=world.provider_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_order(world.officer, order)
    deliver_due()
    assert [m.to for m in mail.outbox] == [["chef@omsorg-a.example"]]


def test_r3_3_a_send_that_rolls_back_mails_nothing(world, django_capture_on_commit_callbacks):
    """R3.3: the notice goes once the send is committed, never for a send that rolled back."""
    world.provider_a.email = "inkorg@omsorg-a.example"
    world.provider_a.save(update_fields=["email"])
    order = world.order(provider=world.provider_a)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.send_order(world.officer, order)
        raise RuntimeError("rolled back")
    assert callbacks == [] and mail.outbox == []
    assert not OutgoingMail.objects.exists()
    assert deliver_due()["sent"] == 0 and mail.outbox == []
    assert fresh(order).state == "draft"


def test_seed_001_the_fee_officer_is_told_of_an_order_to_a_provider_not_connected(
    world, client, django_capture_on_commit_callbacks
):
    """R3.3, seed 001 "faxas beställningen och avgiftshandläggaren informeras": by e-mail and
    on the fee officer's list of orders to register for providers not connected."""
    world.fee_officer.email = "avgift@teststad.example"
    world.fee_officer.save(update_fields=["email"])
    order = world.order(provider=world.offline)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_order(world.officer, order)
    deliver_due()
    [message] = mail.outbox
    assert message.to == ["avgift@teststad.example"]
    assert f"/orders/{order.pk}/" in message.body and "fax" in message.body
    for secret in client_data(order.person):
        assert secret not in message.subject + message.body, secret
    client.force_login(world.fee_officer)
    page = client.get(reverse("order-on-behalf-list")).content.decode()
    assert f"/orders/{order.pk}/" in page
    inbox = client.get(reverse("fee-notice-inbox")).content.decode()
    assert reverse("order-on-behalf-list") in inbox
    # Once started, it is no longer waiting for a registration.
    services.acknowledge_order(world.fee_officer, order, channel="fax")
    services.register_start(world.fee_officer, order, start_date=clock.today(), channel="phone")
    page = client.get(reverse("order-on-behalf-list")).content.decode()
    assert f"/orders/{order.pk}/" not in page


# --- seed 004: personal contact as a channel --------------------------------------------------


def test_seed_004_personal_contact_is_a_channel_and_the_order_is_received_when_handed_over(
    world, client
):
    """R3.3, seed 004 "överlämnande av uppdrag via personlig kontakt eller faxmeddelande"."""
    provider = build.provider(world.muni, "Städhjälpen HB", connected=False)
    provider.channel = Channel.PERSONAL
    provider.phone = "08-555 12 34"
    provider.save(update_fields=["channel", "phone"])
    order = world.order(provider=provider, state="sent")
    assert fresh(order).provider.get_channel_display() == "Personlig kontakt"
    assert not needs_receipt(fresh(order))  # handed over: received as it is sent
    client.force_login(world.officer)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Skriv ut för personlig kontakt." in page
    assert "08-555 12 34" in page
    assert "Skriv ut för fax/post." not in page


# --- R3.7: the officer is told of the start, and of a service not started ---------------------


def test_r3_7_the_officer_is_told_verkstallt_fran_och_med_the_date(world, client):
    """R3.7 (seed 004 "skickar meddelande till handläggarna om att beslutet är verkställt från
    och med datum xxx"): a message to the officer's unit, from the provider."""
    order = world.order(state="started")
    start = fresh(order).start_date
    [message] = Message.objects.filter(order=order)
    assert message.from_provider and message.unit_id == world.unit.pk
    assert message.subject == f"Verkställt från och med {start:%Y-%m-%d}"
    assert f"verkställd från och med {start:%Y-%m-%d}" in message.body
    client.force_login(world.officer)
    inbox = client.get(reverse("message-list")).content.decode()
    assert f"Verkställt från och med {start:%Y-%m-%d}" in inbox


def test_r3_7_a_start_the_fee_officer_registers_is_noted_in_the_case_journal(world):
    """R3.7, R3.3: registered for a provider not connected by the fee officer, the officer
    reads it in the client's journal; by the officer, nobody needs telling."""
    order = world.order(provider=world.offline, state="sent")
    services.acknowledge_order(world.fee_officer, order, channel="fax")
    services.register_start(world.fee_officer, order, start_date=clock.today(), channel="fax")
    note = CaseJournalEntry.objects.get(person=order.person, title__startswith="Verkställt")
    assert note.title == f"Verkställt från och med {clock.today():%Y-%m-%d}"
    assert not Message.objects.filter(order=order).exists()
    by_officer = world.order(provider=world.offline, state="started")  # the officer did it
    assert not Message.objects.filter(order=by_officer).exists()


def test_r3_7_the_provider_reports_not_started_and_why_and_the_officer_sees_it(world, client):
    """R3.7 (seed 002 "Om insatsen ej verkställs dokumenteras och kontaktar utföraren
    handläggaren"): the event with its reason, a message, the order page and the start
    page."""
    order = world.order(state="acknowledged")
    client.force_login(world.staff_a)
    response = client.post(
        reverse("order-not-started", args=[order.pk]),
        {"reason": "Brukaren vill vänta tills dottern är hemma."},
    )
    assert response.status_code == 302
    [event] = events_of(order, EventKind.NOT_STARTED)
    assert event.data["reason"] == "Brukaren vill vänta tills dottern är hemma."
    assert event.actor == world.staff_a
    [message] = Message.objects.filter(order=order, subject__contains="inte påbörjats")
    assert message.from_provider and "dottern" in message.body
    client.force_login(world.officer)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Rapporterat av utföraren" in page and "dottern" in page
    start = client.get("/").content.decode()
    assert "dottern" in start and f"/orders/{order.pk}/" in start
    client.force_login(world.other_officer)  # another unit sees none of it
    assert "dottern" not in client.get("/").content.decode()


def test_r3_7_not_started_needs_a_reason_the_right_state_and_the_orders_provider(world, api):
    """R3.7: a clear field error, a 409 for a started order, nothing for another provider."""
    order = world.order(state="sent")
    url = f"/api/orders/{order.pk}/not-started/"
    response = api(world.staff_a).post(url, {"reason": "  "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert api(world.staff_b).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api(world.officer).post(url, {"reason": "x"}, format="json").status_code == 403
    ok = api(world.staff_a).post(url, {"reason": "Personalbrist."}, format="json")
    assert ok.status_code == 200
    assert ok.json()["event"]["kind"] == "not_started"
    started = world.order(state="started")
    response = api(world.staff_a).post(
        f"/api/orders/{started.pk}/not-started/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert not events_of(started, EventKind.NOT_STARTED)


def test_r3_7_not_started_for_a_provider_not_connected_is_registered_with_its_channel(world):
    """R3.3, R3.7: the officer registers what a provider not connected reported, and how."""
    order = world.order(provider=world.offline, state="sent")
    with pytest.raises(ValidationFailed) as exc:
        casework_services.report_not_started(world.officer, order, reason="Sjuk personal.")
    assert "channel" in exc.value.errors
    event = casework_services.report_not_started(
        world.officer, order, reason="Sjuk personal.", channel="phone"
    )
    assert event.on_behalf_of == world.offline and event.channel == "phone"


# --- R3.4: a new client -------------------------------------------------------------------------


def test_r3_4_the_system_knows_whether_the_order_is_the_clients_first_with_the_provider(world):
    """R3.4 (seed 003 "Vid ny kund kontaktas utföraren"): the first order sent to a provider
    makes the client new to it; a later one to the same provider does not; another provider
    is new again."""
    first = world.order(provider=world.provider_a)
    person = first.person
    assert is_new_client(first)
    services.send_order(world.officer, first)
    assert is_new_client(fresh(first))
    second = world.order(provider=world.provider_a, decision=world.decision(person=person))
    assert not is_new_client(second)
    services.send_order(world.officer, second)
    assert not is_new_client(fresh(second))
    elsewhere = world.order(provider=world.provider_b, decision=world.decision(person=person))
    assert is_new_client(elsewhere)
    services.cancel_order(world.officer, second, reason="Fel beställning.")
    assert not is_new_client(
        world.order(provider=world.provider_a, decision=world.decision(person=person))
    )  # an order that was sent counts, whatever became of it


def test_r3_4_the_officers_hint_is_a_registered_step_once_per_order(world, client):
    """R3.4: the officer registers that the provider was told, how and when; once."""
    order = world.order(provider=world.offline, state="sent")
    client.force_login(world.officer)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "meddela utföraren per e-post eller telefon att beställningen är på väg" in page
    response = client.post(reverse("order-new-client-told", args=[order.pk]), {"how": "phone"})
    assert response.status_code == 302
    [event] = events_of(order, EventKind.NEW_CLIENT_NOTIFIED)
    assert event.data["how"] == "phone" and event.data["new_client"] is True
    assert event.actor == world.officer
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'id="new-client-told"' in page
    assert reverse("order-new-client-told", args=[order.pk]) not in page
    again = client.post(reverse("order-new-client-told", args=[order.pk]), {"how": "email"})
    assert again.status_code == 400
    assert len(events_of(order, EventKind.NEW_CLIENT_NOTIFIED)) == 1


def test_r3_4_the_step_through_the_api_checks_how_when_and_who(world, api):
    """R3.4: e-mail or phone, not in the future, the officer of the client's unit only."""
    order = world.order(state="draft")
    url = f"/api/orders/{order.pk}/new-client-told/"
    assert api(world.officer).get(f"/api/orders/{order.pk}/").json()["new_client"] is True
    bad = api(world.officer).post(url, {"how": "fax"}, format="json")
    assert bad.status_code == 400 and "how" in bad.json()
    later = (clock.now() + timedelta(hours=2)).isoformat()
    future = api(world.officer).post(url, {"how": "email", "told_at": later}, format="json")
    assert future.status_code == 400 and "told_at" in future.json()
    assert api(world.other_officer).post(url, {"how": "email"}, format="json").status_code == 404
    assert api(world.fee_officer).post(url, {"how": "email"}, format="json").status_code == 403
    ok = api(world.officer).post(url, {"how": "email"}, format="json")
    assert ok.status_code == 200
    assert api(world.officer).post(url, {"how": "email"}, format="json").status_code == 409


# --- R7.2: support not received as ordered ------------------------------------------------------


def test_r7_2_the_provider_reports_support_not_received_with_dates_and_reason(world, client):
    """R7.2 (seed 003 "om stödet ej tas emot enligt beställning"): the event, a message to the
    officer, and the order's page."""
    order = world.order(state="started")
    today = clock.today()
    client.force_login(world.staff_a)
    response = client.post(
        reverse("order-support-not-received", args=[order.pk]),
        {"from_date": today.isoformat(), "reason": "Brukaren öppnar inte dörren."},
    )
    assert response.status_code == 302
    [event] = events_of(order, EventKind.SUPPORT_NOT_RECEIVED)
    assert event.data["from_date"] == today.isoformat() and event.data["to_date"] is None
    assert event.data["reason"] == "Brukaren öppnar inte dörren."
    [message] = Message.objects.filter(order=order, subject__contains="stödet ges inte")
    assert message.from_provider and "öppnar inte dörren" in message.body
    client.force_login(world.officer)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Stöd inte givet enligt beställningen" in page and "öppnar inte dörren" in page


def test_r7_2_the_report_checks_its_dates_and_the_state(world, api):
    """R7.2: the period inside the service and not in the future; only while it runs."""
    order = world.order(state="started")
    url = f"/api/orders/{order.pk}/support-not-received/"
    today = clock.today()
    body = {"from_date": today.isoformat(), "to_date": (today - timedelta(days=1)).isoformat()}
    response = api(world.staff_a).post(url, {**body, "reason": "x"}, format="json")
    assert response.status_code == 400 and "to_date" in response.json()
    before = {"from_date": (today - timedelta(days=3)).isoformat(), "reason": "x"}
    response = api(world.staff_a).post(url, before, format="json")
    assert response.status_code == 400 and "from_date" in response.json()
    sent = world.order(state="sent")
    response = api(world.staff_a).post(
        f"/api/orders/{sent.pk}/support-not-received/",
        {"from_date": today.isoformat(), "reason": "x"},
        format="json",
    )
    assert response.status_code == 409
    ok = api(world.staff_a).post(
        url, {"from_date": today.isoformat(), "to_date": today.isoformat(), "reason": "Sjuk."}
    )
    assert ok.status_code == 200
    assert ok.json()["event"]["data"]["to_date"] == today.isoformat()


# --- seed 004: ending with its reason -----------------------------------------------------------


def test_seed_004_the_end_reason_is_required_on_the_screen_and_the_api_and_kept(world, client, api):
    """Seed 004 "brukaren flyttar eller avlider": the end form and the API ask why; the order
    and its ENDED event keep it, and the provider's message names it."""
    order = world.order(state="started")
    today = clock.today().isoformat()
    client.force_login(world.officer)
    refused = client.post(
        reverse("order-action", args=[order.pk, "end"]), confirmed({"end_date": today})
    )
    assert refused.status_code == 400
    assert 'id="id_end_reason_error"' in refused.content.decode()
    assert fresh(order).state == "started"
    done = client.post(
        reverse("order-action", args=[order.pk, "end"]),
        confirmed({"end_date": today, "end_reason": "moved"}),
    )
    assert done.status_code == 302
    assert fresh(order).end_reason == "moved"
    [event] = events_of(order, EventKind.ENDED)
    assert event.data["end_reason"] == "moved"
    assert "Orsak: Flyttat." in Message.objects.filter(order=order).latest("id").body
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'id="end-reason">Flyttat<' in page
    other = world.order(state="started")
    url = f"/api/orders/{other.pk}/end/"
    response = api(world.staff_a).post(url, {"end_date": today}, format="json")
    assert response.status_code == 400 and "end_reason" in response.json()
    response = api(world.staff_a).post(
        url, {"end_date": today, "end_reason": "gone"}, format="json"
    )
    assert response.status_code == 400 and "end_reason" in response.json()
    response = api(world.staff_a).post(
        url, {"end_date": today, "end_reason": "declined"}, format="json"
    )
    assert response.status_code == 200 and response.json()["end_reason"] == "declined"


def _death_world(world):
    """A client with a started order, a sent one, a draft, and a decision without an order."""
    person = world.person()
    started = world.order(state="started", decision=world.decision(person=person))
    sent = world.order(
        provider=world.provider_b, state="sent", decision=world.decision(person=person)
    )
    draft = world.order(state="draft", decision=world.decision(person=person))
    lone = world.decision(person=person)
    return person, started, sent, draft, lone


def test_seed_004_a_death_ends_every_order_and_closes_the_clients_clocks_in_one_step(world):
    """Seed 004 "brukaren flyttar eller avlider": started orders end on the day of death with
    the reason "died", the others are withdrawn, every service ends and no clock of the client
    stays open; the providers are told and the case journal records it."""
    person, started, sent, draft, lone = _death_world(world)
    assert DueItem.objects.filter(person=person, status="open").exists()
    day = clock.today()
    result = death_services.register_death(world.officer, person, died_on=day, note="Sjukhuset.")
    assert [o.pk for o in result.ended] == [started.pk]
    assert sorted(o.pk for o in result.cancelled) == sorted([sent.pk, draft.pk])
    assert (fresh(started).state, fresh(started).end_date) == ("ended", day)
    for order in (started, sent, draft):
        assert fresh(order).end_reason == "died"
    assert fresh(sent).state == fresh(draft).state == "cancelled"
    assert not DueItem.objects.filter(person=person, status="open").exists()
    services_left = [s for d in person.decisions.all() for s in d.services.all()]
    assert services_left and all(s.valid_to == day for s in services_left)
    assert lone.services.get().valid_to == day
    # The providers are told: the end (started) and the withdrawal (sent); not the draft.
    told = Message.objects.filter(person=person, from_provider=False)
    assert {m.order_id for m in told} == {started.pk, sent.pk}
    assert CaseJournalEntry.objects.filter(person=person, title=death_services.DEATH_TITLE).exists()


def test_seed_004_a_refused_death_changes_nothing(world):
    """Seed 004: one transaction; a start after the day of death is refused with a field
    error, and nothing was ended or withdrawn."""
    person, started, sent, draft, lone = _death_world(world)
    with pytest.raises(ValidationFailed) as exc:
        death_services.register_death(
            world.officer, person, died_on=clock.today() - timedelta(days=2)
        )
    assert "died_on" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        death_services.register_death(
            world.officer, person, died_on=clock.today() + timedelta(days=1)
        )
    assert "died_on" in exc.value.errors
    assert [fresh(o).state for o in (started, sent, draft)] == ["started", "sent", "draft"]
    assert lone.services.get().valid_to is None
    with pytest.raises(PermissionDenied):
        death_services.register_death(world.other_officer, person, died_on=clock.today())
    with pytest.raises(PermissionDenied):
        death_services.register_death(world.staff_a, person, died_on=clock.today())


def test_seed_004_the_death_screen_and_api(world, client, api):
    """Seed 004: the officer's screen lists what happens to each order and does it; the API
    does the same; another unit's officer does not find the client."""
    person, started, *_ = _death_world(world)
    client.force_login(world.officer)
    detail = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert reverse("client-death", args=[person.pk]) in detail
    page = client.get(reverse("client-death", args=[person.pk])).content.decode()
    assert f"#{started.pk}" in page and "makulerad" in page
    bad = client.post(reverse("client-death", args=[person.pk]), {"died_on": ""})
    assert bad.status_code == 400 and fresh(started).state == "started"
    client.force_login(world.other_officer)
    assert client.get(reverse("client-death", args=[person.pk])).status_code == 404
    other = world.person()
    other_order = world.order(state="started", decision=world.decision(person=other))
    assert (
        api(world.other_officer)
        .post("/api/client-deaths/", {"person": other.pk, "died_on": clock.today()})
        .status_code
        == 400
    )
    response = api(world.officer).post(
        "/api/client-deaths/",
        {"person": other.pk, "died_on": clock.today().isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["ended_orders"] == [other_order.pk]
    client.force_login(world.officer)
    done = client.post(
        reverse("client-death", args=[person.pk]), {"died_on": clock.today().isoformat()}
    )
    assert done.status_code == 302 and fresh(started).state == "ended"


# --- seed 002: the provider routes an order to one of its own units -----------------------------


def test_seed_002_the_provider_routes_an_order_to_its_own_unit_and_the_unit_answers_for_it(
    world, client
):
    """Seed 002 "Utföraren fördelar och verkställer": the event with from and to, the order's
    unit, the order's clocks move to the unit, and the unit's manager finds it."""
    north = build.provider_unit(world.provider_a, "Norr")
    south = build.provider_unit(world.provider_a, "Söder")
    manager = build.user(Role.PROVIDER_MANAGER, world.muni, provider=world.provider_a)
    manager.provider_unit = south
    manager.save(update_fields=["provider_unit"])
    order = world.order(state="sent")
    client.force_login(world.staff_a)
    inbox = client.get(reverse("provider-inbox")).content.decode()
    assert "Att fördela till en enhet" in inbox
    response = client.post(reverse("order-route", args=[order.pk]), {"provider_unit": north.pk})
    assert response.status_code == 302
    response = client.post(reverse("order-route", args=[order.pk]), {"provider_unit": south.pk})
    assert response.status_code == 302
    assert fresh(order).provider_unit == south
    routed = events_of(order, EventKind.ROUTED_TO_UNIT)
    assert [(e.data["from_unit"], e.data["to_unit"]) for e in routed] == [
        (None, north.pk),
        (north.pk, south.pk),
    ]
    items = DueItem.objects.filter(order=order, responsible="provider")
    assert items and {i.responsible_provider_unit_id for i in items} == {south.pk}
    client.force_login(manager)
    inbox = client.get(reverse("provider-inbox")).content.decode()
    assert "Fördelade till Söder" in inbox and f"/orders/{order.pk}/" in inbox


def test_seed_002_only_the_providers_own_users_route_and_only_to_its_own_units(world, api):
    """Seed 002: another provider's unit is refused; the officer does not route; a user of one
    unit does not take an order from another unit."""
    north = build.provider_unit(world.provider_a, "Norr")
    south = build.provider_unit(world.provider_a, "Söder")
    elsewhere = build.provider_unit(world.provider_b, "Annan")
    order = world.order(state="acknowledged")
    url = f"/api/orders/{order.pk}/route/"
    response = api(world.staff_a).post(url, {"provider_unit": elsewhere.pk}, format="json")
    assert response.status_code == 400 and "provider_unit" in response.json()
    assert api(world.officer).post(url, {"provider_unit": north.pk}).status_code == 403
    assert api(world.staff_b).post(url, {"provider_unit": north.pk}).status_code == 404
    response = api(world.staff_a).post(url, {"provider_unit": north.pk}, format="json")
    assert response.status_code == 200 and response.json()["provider_unit"] == north.pk
    same = api(world.staff_a).post(url, {"provider_unit": north.pk}, format="json")
    assert same.status_code == 400
    southern = build.user(Role.PROVIDER_STAFF, world.muni, provider=world.provider_a)
    southern.provider_unit = south
    southern.save(update_fields=["provider_unit"])
    with pytest.raises(PermissionDenied):
        casework_services.route_to_unit(southern, order, provider_unit=south.pk)
    draft = world.order(state="draft")
    with pytest.raises(NotFound):
        get_order(world.staff_a, draft.pk)  # a draft is not the provider's yet
    with pytest.raises(TransitionNotAllowed):
        casework_services.route_to_unit(world.staff_a, draft, provider_unit=north.pk)
