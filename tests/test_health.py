"""`/healthz` and `/readyz` (issue 18 item 3): the process answers; the database, the task
queue and the mail outbox are checked; no login, no personal data, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from verkstall.core import clock
from verkstall.outbox.models import OutgoingMail
from verkstall.outbox.services import enqueue

pytestmark = pytest.mark.django_db


def _ready(client=None):
    response = (client or Client()).get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_without_login_or_database():  # issue 18
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_is_ok_with_a_working_database_queue_and_outbox():  # issue 18
    status, body = _ready()
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "tasks", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())


def test_a_mail_due_too_long_is_reported_as_degraded(settings):  # issue 18
    settings.VERKSTALL_READY_MAIL_AGE_SECONDS = 60
    enqueue(kind="test", recipients=["someone@example.org"], subject="Hej", body="Text")
    status, body = _ready()
    assert status == 200 and body["checks"]["outbox"]["due"] == 1
    # In a backoff's wait the mail is not due: nothing is behind.
    OutgoingMail.objects.update(next_attempt_at=clock.now() + timedelta(minutes=30))
    assert _ready()[1]["status"] == "ok"
    # Due for five minutes and nobody delivers it: degraded, still serving.
    OutgoingMail.objects.update(next_attempt_at=clock.now() - timedelta(minutes=5))
    status, body = _ready()
    assert status == 200 and body["status"] == "degraded"
    outbox = body["checks"]["outbox"]
    assert not outbox["ok"] and outbox["oldest_seconds"] >= 300
    assert "someone@example.org" not in str(body)  # counts and ages only


def test_a_task_queue_that_does_not_move_is_reported_as_degraded():  # issue 18
    from verkstall.outbox.tasks import deliver_mail

    with override_settings(VERKSTALL_READY_TASK_AGE_SECONDS=60):
        deliver_mail.enqueue()
        assert _ready()[1]["status"] == "ok"
        DBTaskResult.objects.update(enqueued_at=clock.now() - timedelta(minutes=10))
        status, body = _ready()
    assert status == 200 and body["status"] == "degraded"
    assert body["checks"]["tasks"]["oldest_seconds"] >= 600


def test_production_lets_the_probes_through_without_the_https_redirect(monkeypatch):
    import importlib
    import re

    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 60)
    settings_production = importlib.import_module("verkstall.settings_production")

    for path in ("healthz", "readyz"):
        assert any(re.search(p, path) for p in settings_production.SECURE_REDIRECT_EXEMPT)


def test_a_database_error_is_a_503_not_a_500(monkeypatch):  # issue 18
    def broken():
        raise DatabaseError("connection refused")

    monkeypatch.setattr("verkstall.health._database", broken)
    status, body = _ready(Client(raise_request_exception=False))
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"] == {"database": {"ok": False, "error": "DatabaseError"}}
