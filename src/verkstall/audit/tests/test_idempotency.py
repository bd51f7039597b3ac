"""`Idempotency-Key` on API writes (issue 20 item 5, issue 18 item 1): a retried request gets
the first answer and changes nothing more; a key belongs to one caller; a reused key with
another request is a 422; a refusal or a server error is not kept; a replay is logged."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client

from verkstall.access.token_services import issue_token
from verkstall.audit.idempotency import REPLAYED_HEADER
from verkstall.audit.models import AccessLogEntry, IdempotentResponse
from verkstall.core import clock
from verkstall.orders.models import EventKind, Order, OrderEvent

pytestmark = pytest.mark.django_db


def _caller(user):
    _, key = issue_token(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _post(client, path, body=None, *, key):
    return client.post(path, body or {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def _acknowledgements(order) -> int:
    return OrderEvent.objects.filter(order=order, kind=EventKind.ACKNOWLEDGED).count()


def test_a_retried_acknowledgement_gets_the_first_answer_and_acknowledges_once(world):
    order = world.order(state="sent")
    staff = _caller(world.staff_a)
    key = str(uuid.uuid4())
    first = _post(staff, f"/api/orders/{order.pk}/acknowledge/", key=key)
    assert first.status_code == 200, first.content
    assert REPLAYED_HEADER not in first
    again = _post(staff, f"/api/orders/{order.pk}/acknowledge/", key=key)
    assert again.status_code == 200
    assert again[REPLAYED_HEADER] == "true"
    assert again.content == first.content
    assert _acknowledgements(order) == 1
    # Without the key the same retry is a second request: the order is acknowledged already.
    plain = staff.post(f"/api/orders/{order.pk}/acknowledge/", {}, content_type="application/json")
    assert plain.status_code == 409
    assert _acknowledgements(order) == 1


def test_a_retried_create_makes_one_order(world):
    decision = world.decision()
    body = {
        "decision": decision.pk,
        "provider": world.provider_a.pk,
        "services": [decision.services.get().pk],
    }
    officer = _caller(world.officer)
    first = _post(officer, "/api/orders/", body, key="create-1")
    again = _post(officer, "/api/orders/", body, key="create-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.filter(decision=decision).count() == 1
    # A new key is a new request.
    third = _post(officer, "/api/orders/", body, key="create-2")
    assert third.status_code == 201
    assert Order.objects.filter(decision=decision).count() == 2


def test_the_same_key_with_another_request_is_a_422_naming_the_header(world):
    order = world.order(state="sent")
    other = world.order(state="sent")
    staff = _caller(world.staff_a)
    assert _post(staff, f"/api/orders/{order.pk}/acknowledge/", key="k1").status_code == 200
    reused = _post(staff, f"/api/orders/{other.pk}/acknowledge/", key="k1")
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json()
    assert _acknowledgements(other) == 0


@pytest.mark.parametrize("key", ["", "a" * 256, "med mellanslag", "åäö"])
def test_a_malformed_key_is_a_400_naming_the_header(world, key):
    order = world.order(state="sent")
    response = _caller(world.staff_a).post(
        f"/api/orders/{order.pk}/acknowledge/",
        {},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1"),
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert _acknowledgements(order) == 0


def test_a_key_belongs_to_its_caller(world):
    """Two callers sending one key are two requests: neither gets the other's answer."""
    order = world.order(state="sent")
    officer_order = world.order(state="sent", provider=world.offline)
    first = _post(_caller(world.staff_a), f"/api/orders/{order.pk}/acknowledge/", key="same")
    assert first.status_code == 200
    second = _post(
        _caller(world.officer),
        f"/api/orders/{officer_order.pk}/acknowledge/",
        {"channel": "phone"},
        key="same",
    )
    assert second.status_code == 200, second.content
    assert REPLAYED_HEADER not in second
    assert second.json()["id"] == officer_order.pk
    assert IdempotentResponse.objects.count() == 2


def test_a_refusal_is_not_kept_and_a_retry_runs_again(world):
    """A 403 (another provider's order) says the caller may not; nothing is kept, so a retry
    is judged again rather than replayed."""
    order = world.order(state="sent")
    other = _caller(world.staff_b)
    refused = _post(other, f"/api/orders/{order.pk}/acknowledge/", key="try")
    assert refused.status_code in (403, 404)
    assert not IdempotentResponse.objects.exists()


def test_a_conflict_is_kept_and_replayed(world):
    """A 409 is an answer: the retry gets the same one, and the kept answer says so."""
    order = world.order(state="acknowledged")
    staff = _caller(world.staff_a)
    first = _post(staff, f"/api/orders/{order.pk}/acknowledge/", key="late")
    assert first.status_code == 409
    again = _post(staff, f"/api/orders/{order.pk}/acknowledge/", key="late")
    assert again.status_code == 409 and again[REPLAYED_HEADER] == "true"
    assert again.content == first.content


def test_a_server_error_keeps_nothing_and_the_retry_runs(world, monkeypatch):
    from verkstall.orders import api as orders_api

    order = world.order(state="sent")
    _, token = issue_token(user=world.staff_a)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", raise_request_exception=False)
    real = orders_api.services.acknowledge_order

    def broken(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("after the write")

    monkeypatch.setattr(orders_api.services, "acknowledge_order", broken)
    failed = _post(client, f"/api/orders/{order.pk}/acknowledge/", key="boom")
    assert failed.status_code == 500
    assert not IdempotentResponse.objects.exists()
    assert _acknowledgements(order) == 0
    monkeypatch.setattr(orders_api.services, "acknowledge_order", real)
    retried = _post(client, f"/api/orders/{order.pk}/acknowledge/", key="boom")
    assert retried.status_code == 200
    assert _acknowledgements(order) == 1


def test_an_expired_answer_is_forgotten(world, settings):
    order = world.order(state="sent")
    staff = _caller(world.staff_a)
    assert _post(staff, f"/api/orders/{order.pk}/acknowledge/", key="old").status_code == 200
    IdempotentResponse.objects.update(created_at=clock.now() - timedelta(hours=25))
    again = _post(staff, f"/api/orders/{order.pk}/acknowledge/", key="old")
    assert again.status_code == 409  # judged again: the order is acknowledged already
    assert REPLAYED_HEADER not in again
    assert IdempotentResponse.objects.count() == 1  # the old answer is gone, the new one kept


def test_a_replay_is_logged_with_the_client_it_shows(world):
    """R10.4: the replayed answer shows the client again; the access log says so."""
    order = world.order(state="sent")
    staff = _caller(world.staff_a)
    _post(staff, f"/api/orders/{order.pk}/acknowledge/", key="logged")
    before = AccessLogEntry.objects.filter(person_id=order.person_id).count()
    _post(staff, f"/api/orders/{order.pk}/acknowledge/", key="logged")
    rows = AccessLogEntry.objects.filter(person_id=order.person_id)
    assert rows.count() == before + 1
    assert rows.order_by("-id").first().username == world.staff_a.username


def test_every_write_in_the_schema_documents_the_header(world, api):
    schema = api(world.officer).get("/api/schema/", {"format": "json"}).json()
    writes = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            writes += 1
            names = {p["name"] for p in operation.get("parameters", [])}
            assert "Idempotency-Key" in names, (method, path)
            assert "422" in operation["responses"], (method, path)
    assert writes > 10


def test_a_revoked_key_replays_nothing(world):
    """The caller is authenticated before a replay: a revoked API key gets a 401, not the
    first answer."""
    from verkstall.access.token_services import revoke_token

    order = world.order(state="sent")
    token, secret = issue_token(user=world.staff_a)
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert _post(client, f"/api/orders/{order.pk}/acknowledge/", key="r").status_code == 200
    revoke_token(prefix=token.prefix)
    again = _post(client, f"/api/orders/{order.pk}/acknowledge/", key="r")
    assert again.status_code == 401
    assert REPLAYED_HEADER not in again


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sendings_of_one_key_at_the_same_moment_acknowledge_once(world):
    """PostgreSQL: the second request waits on the key's unique index until the first
    commits, then replays its answer; the order is acknowledged once."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has one writer at a time (CI runs this there)")
    import threading

    order = world.order(state="sent")
    _, secret = issue_token(user=world.staff_a)
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def send():
        try:
            client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
            barrier.wait(timeout=30)
            answers.append(_post(client, f"/api/orders/{order.pk}/acknowledge/", key="twin"))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(a.status_code for a in answers) == [200, 200]
    assert sorted(a.get(REPLAYED_HEADER, "") for a in answers) == ["", "true"]
    assert answers[0].content == answers[1].content
    assert _acknowledgements(order) == 1


def test_the_daily_task_removes_expired_answers_without_a_new_key(world, settings):
    """The kept answers may name clients: they go when they expire, whatever comes next."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from verkstall.audit.tasks import purge_idempotent_responses

    order = world.order(state="sent")
    _post(_caller(world.staff_a), f"/api/orders/{order.pk}/acknowledge/", key="kept")
    assert purge_idempotent_responses.enqueue().return_value == 0
    IdempotentResponse.objects.update(created_at=clock.now() - timedelta(hours=25))
    assert purge_idempotent_responses.enqueue().return_value == 1
    assert not IdempotentResponse.objects.exists()
