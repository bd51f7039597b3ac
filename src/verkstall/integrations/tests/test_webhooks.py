"""Webhooks (issue 20 item 2): a provider's receiver gets every event of its feed once, in
order, signed; when it is down the events wait (the feed is the outbox) and arrive after it
returns; a forged or replayed signature is refused by the example receiver; one provider's
webhook never carries another's events.

Transactional: on PostgreSQL the feed serves only committed transactions (orders.feed_selectors),
as in production."""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.core.errors import ValidationFailed
from verkstall.integrations import signing, webhook_services
from verkstall.integrations.client_services import create_client
from verkstall.integrations.models import WebhookDelivery, WebhookEndpoint
from verkstall.integrations.webhook_services import (
    deliver_due,
    deliver_endpoint,
    register_webhook,
    replay,
)
from verkstall.journal.models import Message
from verkstall.journal.services import send_message
from verkstall.orders import feed_selectors
from verkstall.orders import services as order_services
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXAMPLE = Path(__file__).resolve().parents[4] / "docs" / "examples" / "webhook_receiver.py"


def _receiver_module():
    spec = importlib.util.spec_from_file_location("webhook_receiver", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """The example receiver on 127.0.0.1:port, in a thread, writing to a file."""

    def __init__(self, port: int, secret: str, log: Path):
        self.server = _receiver_module().Receiver(("127.0.0.1", port), secret, str(log))
        self.log = log
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def taken(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def internal(settings):
    settings.VERKSTALL_WEBHOOK_ALLOW_INTERNAL = True


def _manager(world, provider):
    return build.user(
        Role.PROVIDER_MANAGER, world.muni, provider=provider, username=f"chef{provider.pk}"
    )


def _hook(world, provider, port, *, from_start=True):
    manager = _manager(world, provider)
    client, _ = create_client(manager, name=f"System {provider.pk}", can_write=True)
    endpoint, secret = register_webhook(
        manager, client, url=f"http://127.0.0.1:{port}/hook", from_start=from_start
    )
    return manager, client, endpoint, secret


def _feed_ids(user) -> list[int]:
    return [e.pk for e in feed_selectors.events_for(user)]


def test_a_receiver_that_is_down_gets_every_event_once_in_order_after_it_returns(
    world, internal, tmp_path
):
    port = _free_port()
    _, client, endpoint, secret = _hook(world, world.provider_a, port)
    order = world.order(state="sent")
    canary = world.order(provider=world.provider_b, state="sent")  # another provider's

    # Down: nothing listens. The attempt is logged, the cursor stays, the backoff starts.
    assert deliver_due() == {endpoint.pk: 0}
    endpoint.refresh_from_db()
    assert endpoint.cursor == "" and endpoint.failures == 1
    assert endpoint.next_attempt_at is not None
    failed = WebhookDelivery.objects.get()
    assert not failed.delivered and failed.status_code is None and failed.error
    # More happens while it is down.
    order_services.acknowledge_order(world.staff_a, order)
    order_services.register_start(world.staff_a, order, start_date=order.sent_at.date())
    # Within the backoff nothing is tried.
    assert deliver_due() == {}

    receiver = Running(port, secret, tmp_path / "events.jsonl")
    try:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(next_attempt_at=None)  # time passed
        delivered = deliver_due()
        expected = _feed_ids(client.user)
        assert delivered == {endpoint.pk: len(expected)}
        taken = receiver.taken()
        assert [e["id"] for e in taken] == expected  # every event, once, in feed order
        # The start tells the officer by a message (R3.7): its event is delivered too.
        assert [e["kind"] for e in taken] == ["sent", "acknowledged", "started", "message_sent"]
        assert [e["message"] for e in taken[:3]] == [None, None, None]
        assert taken[3]["message"] == Message.objects.get(order=order).pk
        assert {e["order"] for e in taken} == {order.pk}
        assert canary.pk not in {e["order"] for e in taken}
        # No personal data in a payload: ids, kinds, states, times.
        assert set(taken[0]) == {
            "id", "cursor", "order", "seq", "kind", "kind_label", "from_state", "to_state",
            "actor_organisation", "on_behalf_of", "channel", "occurred_at", "recorded_at",
            "message",
        }  # fmt: skip
        # Nothing new: nothing sent again.
        assert deliver_due() == {endpoint.pk: 0}
        assert len(receiver.taken()) == len(expected)
        # Replayed from the start (the manager's button): the receiver gets them again and
        # takes none twice.
        replay(_manager_of(client), endpoint)
        assert deliver_due() == {endpoint.pk: len(expected)}
        assert len(receiver.taken()) == len(expected)
    finally:
        receiver.stop()


def _manager_of(client):
    return client.created_by


def test_one_providers_webhook_never_carries_anothers_events(world, internal, tmp_path):
    """Isolation (issue 20): each provider's receiver gets its own orders' events only."""
    port_a, port_b = _free_port(), _free_port()
    _, client_a, _hook_a, secret_a = _hook(world, world.provider_a, port_a)
    _, client_b, _hook_b, secret_b = _hook(world, world.provider_b, port_b)
    mine = world.order(state="acknowledged")
    theirs = world.order(provider=world.provider_b, state="acknowledged")
    draft = world.order()  # a draft: nobody's feed but the officer's
    # Messages (R10.3): each provider's receiver gets the events of its own only.
    sent = {}
    for order in (mine, theirs, draft):
        sent[order.pk] = send_message(
            world.officer, person=order.person, order=order, subject="Kanarie", body="Kanarie"
        ).pk
    a = Running(port_a, secret_a, tmp_path / "a.jsonl")
    b = Running(port_b, secret_b, tmp_path / "b.jsonl")
    try:
        deliver_due()
        assert {e["order"] for e in a.taken()} == {mine.pk}
        assert {e["order"] for e in b.taken()} == {theirs.pk}
        assert [e["id"] for e in a.taken()] == _feed_ids(client_a.user)
        assert [e["id"] for e in b.taken()] == _feed_ids(client_b.user)
        assert [e["message"] for e in a.taken() if e["message"]] == [sent[mine.pk]]
        assert [e["message"] for e in b.taken() if e["message"]] == [sent[theirs.pk]]
        for receiver in (a, b):
            assert "Kanarie" not in receiver.log.read_text()
    finally:
        a.stop()
        b.stop()


def test_a_new_webhook_gets_what_happens_from_now_on_unless_asked_for_everything(
    world, internal, tmp_path
):
    before = world.order(state="sent")
    port = _free_port()
    _, _, _endpoint, secret = _hook(world, world.provider_a, port, from_start=False)
    receiver = Running(port, secret, tmp_path / "e.jsonl")
    try:
        order_services.acknowledge_order(world.staff_a, before)
        deliver_due()
        assert [e["kind"] for e in receiver.taken()] == ["acknowledged"]
    finally:
        receiver.stop()


def _post(port, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook", data=body, method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (a test URL)
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_example_receiver_refuses_a_forged_or_replayed_signature(tmp_path):
    port = _free_port()
    receiver = Running(port, "right-secret", tmp_path / "r.jsonl")
    body = json.dumps({"id": 7, "order": 1, "kind": "sent"}).encode()
    now = int(time.time())
    try:
        forged = signing.signature("wrong-secret", now, body)
        assert _post(port, body, {signing.HEADER: forged, signing.EVENT_HEADER: "7"}) == 401
        old = signing.signature("right-secret", now - 3600, body)  # captured an hour ago
        assert _post(port, body, {signing.HEADER: old, signing.EVENT_HEADER: "7"}) == 401
        tampered = signing.signature("right-secret", now, body)
        other_body = body.replace(b'"sent"', b'"ended"')
        assert _post(port, other_body, {signing.HEADER: tampered, signing.EVENT_HEADER: "7"}) == 401
        assert receiver.taken() == []
        good = signing.signature("right-secret", now, body)
        assert _post(port, body, {signing.HEADER: good, signing.EVENT_HEADER: "7"}) == 200
        # The same event again (a lost answer): answered, not taken twice.
        assert _post(port, body, {signing.HEADER: good, signing.EVENT_HEADER: "7"}) == 200
        assert len(receiver.taken()) == 1
    finally:
        receiver.stop()


def test_a_signature_verifies_only_with_its_secret_body_and_time():
    body = b'{"id": 1}'
    header = signing.signature("s", 1_000_000, body)
    assert signing.verify("s", header, body, now=1_000_100)
    assert not signing.verify("t", header, body, now=1_000_100)
    assert not signing.verify("s", header, body + b" ", now=1_000_100)
    assert not signing.verify("s", header, body, now=1_000_000 + 301)
    assert not signing.verify("s", "v1=abc", body, now=1_000_000)
    assert [webhook_services.retry_wait(n) for n in (1, 2, 3, 20)] == [10, 20, 40, 3600]


@pytest.mark.parametrize(
    ("url", "field_error"),
    [
        ("ftp://example.se/hook", "https://"),
        ("http://example.se/hook", "https://"),
        ("https://127.0.0.1/hook", "internt"),
        ("https://user:pw@example.se/hook", "inloggningsuppgifter"),
        ("", "https://"),
    ],
)
def test_a_webhook_address_must_be_https_to_a_public_host(world, url, field_error):
    manager = _manager(world, world.provider_a)
    client, _ = create_client(manager, name="Planering", can_write=False)
    with pytest.raises(ValidationFailed) as refused:
        register_webhook(manager, client, url=url)
    assert field_error in str(refused.value.errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_stops_when_its_client_ends(world, internal, tmp_path):
    from verkstall.integrations.client_services import end_client

    port = _free_port()
    manager, client, endpoint, _secret = _hook(world, world.provider_a, port)
    world.order(state="sent")
    end_client(manager, client)
    assert deliver_due() == {}
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.cursor == ""


def test_a_redirect_is_a_failed_delivery_not_a_request_elsewhere(world, internal):
    """A receiver answering 3xx cannot send the delivery on to another (internal) address."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits = []

    class Inside(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    inside = ThreadingHTTPServer(("127.0.0.1", 0), Inside)
    target = f"http://127.0.0.1:{inside.server_address[1]}/internal"

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

        def log_message(self, *args):
            pass

    outside = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    servers = [inside, outside]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _, _, endpoint, _ = _hook(world, world.provider_a, outside.server_address[1])
        world.order(state="sent")
        assert deliver_due() == {endpoint.pk: 0}
        failed = WebhookDelivery.objects.get()
        assert failed.status_code == 302 and not failed.delivered
        assert "HTTP 302" in failed.error
        assert hits == []
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


class _Watching:
    """A receiver on 127.0.0.1 that answers 200 and notes, while each POST is being made,
    whether the delivering worker's database connection (`main`) is inside a transaction;
    on PostgreSQL also as the server sees it (pg_stat_activity: no transaction started)."""

    def __init__(self, main):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from django.db import connections

        self.seen: list[dict] = []
        backend_pid = None
        if main.vendor == "postgresql":
            with main.cursor() as sql:
                sql.execute("SELECT pg_backend_pid()")
                backend_pid = sql.fetchone()[0]
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                note = {"atomic": main.in_atomic_block, "autocommit": main.get_autocommit()}
                if backend_pid is not None:
                    try:
                        with connections["default"].cursor() as sql:
                            sql.execute(
                                "SELECT xact_start FROM pg_stat_activity WHERE pid = %s",
                                [backend_pid],
                            )
                            note["server_transaction"] = sql.fetchone()[0]
                    finally:
                        connections.close_all()
                seen.append(note)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_no_transaction_is_open_while_a_receiver_is_called(world, internal):  # issue 20
    """The lease is taken and the events read in one short transaction, each POST is made
    outside any, and each outcome is recorded in its own: a slow receiver holds no lock."""
    from django.db import connections

    receiver = _Watching(connections["default"])  # this thread's connection, not a proxy
    try:
        _, client, endpoint, _ = _hook(world, world.provider_a, receiver.port)
        world.order(state="started")
        expected = _feed_ids(client.user)
        assert len(expected) >= 3
        assert deliver_due() == {endpoint.pk: len(expected)}
        assert len(receiver.seen) == len(expected)
        for note in receiver.seen:
            assert note["atomic"] is False and note["autocommit"] is True
            assert note.get("server_transaction") is None
        assert WebhookDelivery.objects.filter(delivered=True).count() == len(expected)
    finally:
        receiver.stop()


def test_a_held_lease_makes_another_run_skip_the_endpoint_until_it_expires(
    world, internal, tmp_path
):  # issue 20
    port = _free_port()
    _, client, endpoint, secret = _hook(world, world.provider_a, port)
    world.order(state="sent")
    receiver = Running(port, secret, tmp_path / "lease.jsonl")
    try:
        # Another worker is delivering the endpoint: its lease runs for a minute more.
        now = clock.now()
        held = {"claimed_until": now + timedelta(seconds=60), "lease_token": "another-worker"}
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**held)
        assert deliver_due() == {}
        assert deliver_endpoint(endpoint.pk) == 0  # a worker given it directly skips it too
        assert receiver.taken() == [] and not WebhookDelivery.objects.exists()
        endpoint.refresh_from_db()
        assert (endpoint.lease_token, endpoint.cursor) == ("another-worker", "")
        # That worker died: when its lease has expired, the next run delivers everything.
        expired = now - timedelta(seconds=1)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(claimed_until=expired)
        expected = _feed_ids(client.user)
        assert deliver_due() == {endpoint.pk: len(expected)}
        assert [e["id"] for e in receiver.taken()] == expected
        endpoint.refresh_from_db()
        assert endpoint.claimed_until is None and endpoint.lease_token == ""  # released
    finally:
        receiver.stop()


def test_a_run_started_during_a_delivery_skips_and_a_replay_takes_the_endpoint_back(
    world, internal, tmp_path, monkeypatch
):  # issue 20
    """While one run is POSTing, a second run finds the endpoint leased and delivers nothing.
    A replay during a run takes the lease away: that run records nothing more, and the
    replayed cursor stands (the events go again, from the start)."""
    from verkstall.integrations import webhook_services

    port = _free_port()
    manager, client, endpoint, secret = _hook(world, world.provider_a, port)
    world.order(state="started")
    expected = _feed_ids(client.user)
    assert len(expected) >= 3
    receiver = Running(port, secret, tmp_path / "run.jsonl")
    real_post, during = webhook_services._post, []

    def post(target, body, event_id):
        during.append(deliver_endpoint(endpoint.pk))  # a second worker, mid-delivery
        if len(during) == 2:
            replay(manager, endpoint)
        return real_post(target, body, event_id)

    monkeypatch.setattr(webhook_services, "_post", post)
    try:
        assert deliver_endpoint(endpoint.pk) == 1
        assert during == [0, 0]
        # Two POSTs were made, the first recorded; the second's outcome was not, by a run
        # that no longer held the endpoint.
        assert len(receiver.taken()) == 2
        assert WebhookDelivery.objects.count() == 1
        endpoint.refresh_from_db()
        assert endpoint.cursor == "" and endpoint.lease_token == ""
        monkeypatch.setattr(webhook_services, "_post", real_post)
        assert deliver_endpoint(endpoint.pk) == len(expected)
        assert [e["id"] for e in receiver.taken()] == expected  # each taken once, in order
    finally:
        receiver.stop()
