"""The outbox (issue 18 item 1: "SMTP down for a while: outgoing mail waits in an outbox in
the database and goes out, once each, when it returns"; issue 19: no mail inside a request).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction

from verkstall.core import clock
from verkstall.outbox import backoff, delivery_services, registry, selectors, tasks
from verkstall.outbox.delivery_services import deliver_due, purge_finished
from verkstall.outbox.models import OutgoingMail
from verkstall.outbox.services import enqueue

from .backends import DownBackend, RefusingBackend, SwitchableBackend

pytestmark = pytest.mark.django_db

BACKENDS = "verkstall.outbox.tests.backends"


def queue(**kw) -> OutgoingMail | None:
    values = {
        "kind": "test_notice",
        "recipients": ["a@example.se"],
        "subject": "Beställning nr 7",
        "body": "Logga in i Verkställ.",
    }
    values.update(kw)
    return enqueue(**values)


def later(minutes: float):
    return clock.travel_to(clock.now() + timedelta(minutes=minutes))


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.SwitchableBackend"
    SwitchableBackend.up = False
    yield SwitchableBackend
    SwitchableBackend.up = False


# --- enqueue -------------------------------------------------------------------------------


def test_a_mail_queued_in_a_transaction_that_rolls_back_does_not_exist(
    django_capture_on_commit_callbacks,
):  # issue 18: the mail exists iff the caller's write committed
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the caller's write failed")
    assert callbacks == []
    assert not OutgoingMail.objects.exists()
    assert deliver_due()["claimed"] == 0 and mail.outbox == []


def test_enqueue_sends_nothing_and_queues_one_delivery_per_transaction(
    django_capture_on_commit_callbacks,
):  # issue 19
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        queue()
        queue(recipients=["b@example.se"])
    assert mail.outbox == []
    assert len(callbacks) == 1
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "verkstall.outbox.tasks.deliver_mail"
    # Another commit while that run still waits queues no second one.
    with django_capture_on_commit_callbacks(execute=True):
        queue(recipients=["c@example.se"])
    assert DBTaskResult.objects.count() == 1


def test_the_same_dedupe_key_is_queued_once():  # issue 18: a reminder never goes twice
    first = queue(dedupe_key="month_reminder:1:2026-03:2026-04-02")
    assert first is not None
    assert queue(dedupe_key="month_reminder:1:2026-03:2026-04-02") is None
    assert queue(dedupe_key="month_reminder:1:2026-03:2026-04-04") is not None
    assert OutgoingMail.objects.count() == 2
    deliver_due()
    # Also once it was sent: the key still stops it.
    assert queue(dedupe_key="month_reminder:1:2026-03:2026-04-02") is None
    assert len(mail.outbox) == 2


def test_a_stored_mail_needs_recipients_and_content():
    with pytest.raises(ValueError):
        queue(recipients=[])
    with pytest.raises(ValueError):
        queue(subject="", body="")


# --- delivery ------------------------------------------------------------------------------


def test_a_stored_mail_goes_to_the_first_address_with_blind_copies():
    queue(recipients=["a@example.se", "b@example.se"], html_body="<p>Logga in</p>")
    assert deliver_due()["sent"] == 1
    [message] = mail.outbox
    assert message.to == ["a@example.se"] and message.bcc == ["b@example.se"]
    assert message.subject == "Beställning nr 7" and message.body == "Logga in i Verkställ."
    assert message.alternatives[0][0] == "<p>Logga in</p>"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_smtp_down_keeps_the_mail_and_backs_off(smtp_down, caplog):  # issue 18
    row = queue()
    with caplog.at_level(logging.WARNING):
        counts = deliver_due()
    assert counts["failed"] == 1 and counts["sent"] == 0
    row.refresh_from_db()
    assert row.pending and row.attempts == 1
    assert row.last_error == "SMTPServerDisconnected"
    first_wait = row.next_attempt_at - clock.now()
    assert timedelta(seconds=50) < first_wait <= timedelta(minutes=1)
    # Not due again before its wait is over.
    assert deliver_due()["claimed"] == 0
    with later(1.5):
        assert deliver_due()["failed"] == 1
        row.refresh_from_db()
        assert row.attempts == 2
        assert timedelta(seconds=110) < row.next_attempt_at - clock.now() <= timedelta(minutes=2)
    # The log names the row and the error, never the address or the content.
    assert "SMTPServerDisconnected" in caplog.text
    assert "a@example.se" not in caplog.text and "Beställning" not in caplog.text
    assert mail.outbox == []


def test_when_smtp_returns_each_mail_goes_out_exactly_once(smtp_down):  # issue 18
    rows = [queue(recipients=[f"p{i}@example.se"]) for i in range(3)]
    deliver_due()
    with later(3):
        deliver_due()
    assert mail.outbox == []
    smtp_down.up = True
    with later(10):
        counts = deliver_due()
        assert counts["sent"] == 3
        assert sorted(m.to[0] for m in mail.outbox) == [f"p{i}@example.se" for i in range(3)]
        assert deliver_due()["claimed"] == 0
    with later(24 * 60):  # a sent mail is never picked again
        assert deliver_due()["claimed"] == 0
    assert len(mail.outbox) == 3
    for row in rows:
        row.refresh_from_db()
        assert row.sent_at is not None and row.attempts == 3 and row.last_error == ""


def test_no_mail_server_fails_the_whole_batch_without_waiting_on_each(settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.DownBackend"
    DownBackend.calls = 0
    for i in range(5):
        queue(recipients=[f"p{i}@example.se"])
    assert deliver_due()["failed"] == 5
    assert DownBackend.calls == 1  # one refused connection, not five
    assert set(OutgoingMail.objects.values_list("last_error", flat=True)) == {
        "ConnectionRefusedError"
    }


def test_a_mail_the_server_does_not_accept_is_tried_again(settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.RefusingBackend"
    row = queue()
    assert deliver_due()["failed"] == 1
    row.refresh_from_db()
    assert row.last_error == "NotAccepted" and row.pending
    assert RefusingBackend  # the backend of this test


def test_the_outbox_gives_up_after_the_set_attempts_and_says_so(smtp_down, settings, caplog):
    settings.VERKSTALL_OUTBOX_MAX_ATTEMPTS = 3
    row = queue()
    with caplog.at_level(logging.WARNING, logger="verkstall.outbox.delivery_services"):
        for minutes in (0, 2, 5):
            with later(minutes):
                deliver_due()
    row.refresh_from_db()
    assert row.attempts == 3 and row.given_up_at is not None and row.sent_at is None
    assert f"Mail {row.pk} (test_notice) given up after 3 attempts" in caplog.text
    smtp_down.up = True
    with later(24 * 60):
        assert deliver_due()["claimed"] == 0
    assert mail.outbox == []


def test_a_claimed_mail_is_not_taken_by_a_second_worker(settings):
    row = queue()
    _at, lease_until, rows = delivery_services._claim(10)
    assert [r.pk for r in rows] == [row.pk]
    # The second worker finds nothing while the first holds it.
    assert deliver_due()["claimed"] == 0
    row.refresh_from_db()
    assert row.next_attempt_at == lease_until
    # A worker that died: after its lease the row is due again, and goes once.
    with later(settings.VERKSTALL_OUTBOX_LEASE_SECONDS / 60 + 1):
        assert deliver_due()["sent"] == 1
        assert deliver_due()["claimed"] == 0
    assert len(mail.outbox) == 1


def test_backoff_doubles_from_a_minute_up_to_an_hour_and_gives_up_after_about_two_days():
    waits = [backoff.retry_delay_seconds(n) for n in range(1, 10)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert backoff.retry_delay_seconds(0) == 0
    assert backoff.retry_delay_seconds(10_000) == 3600
    # The default of VERKSTALL_OUTBOX_MAX_ATTEMPTS: the last attempt about two days on.
    last = backoff.seconds_until_attempt(delivery_services.max_attempts())
    assert timedelta(hours=46) <= timedelta(seconds=last) <= timedelta(hours=50)


def test_sent_mails_are_purged_after_the_kept_days(settings):
    settings.VERKSTALL_OUTBOX_KEEP_DAYS = 30
    old, waiting = queue(), queue(recipients=["b@example.se"])
    deliver_due()
    OutgoingMail.objects.filter(pk=waiting.pk).update(sent_at=None, attempts=0)
    with later(29 * 24 * 60):
        assert purge_finished() == 0
    with later(31 * 24 * 60):
        assert purge_finished() == 1
    assert list(OutgoingMail.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert old.pk != waiting.pk
    assert tasks.purge_sent_mail.call() == 0


# --- builders ------------------------------------------------------------------------------


@pytest.fixture
def built_kind(monkeypatch):
    """A kind built at delivery from its reference, recording its hooks' calls."""
    seen: dict[str, list] = {"built": [], "sent": [], "given_up": []}

    def build(row):
        seen["built"].append(row.reference)
        if row.reference == "gone":
            return None
        if row.reference == "broken":
            raise KeyError("no such thing")
        return EmailMessage(subject=f"Nr {row.reference}", body="fresh", to=["x@example.se"])

    monkeypatch.setitem(
        registry._kinds,
        "test_built",
        registry.MailKind(
            build,
            lambda row: seen["sent"].append(row.pk),
            lambda row: seen["given_up"].append(row.pk),
        ),
    )
    return seen


def test_a_built_kind_is_made_at_delivery_and_its_hook_runs(built_kind):
    row = enqueue(kind="test_built", recipients=[], reference="12")
    assert built_kind["built"] == []  # nothing is built when queued
    assert deliver_due()["sent"] == 1
    assert built_kind == {"built": ["12"], "sent": [row.pk], "given_up": []}
    [message] = mail.outbox
    assert message.subject == "Nr 12"
    row.refresh_from_db()
    assert row.recipients == ["x@example.se"]  # who it really went to


def test_a_builder_with_nothing_left_to_send_closes_the_mail(built_kind):
    row = enqueue(kind="test_built", recipients=[], reference="gone")
    assert deliver_due()["withdrawn"] == 1
    row.refresh_from_db()
    assert row.given_up_at is not None and row.last_error == delivery_services.WITHDRAWN
    assert mail.outbox == [] and built_kind["given_up"] == []


def test_a_builder_that_fails_fails_that_mail_only(built_kind, caplog, settings):
    settings.VERKSTALL_OUTBOX_MAX_ATTEMPTS = 1
    broken = enqueue(kind="test_built", recipients=[], reference="broken")
    enqueue(kind="test_built", recipients=[], reference="13")
    with caplog.at_level(logging.ERROR):
        counts = deliver_due()
    assert counts["given_up"] == 1 and counts["sent"] == 1
    broken.refresh_from_db()
    assert broken.last_error == "KeyError"
    assert built_kind["given_up"] == [broken.pk]
    assert "no such thing" not in caplog.text  # the class only, never the text


# --- the task and the command --------------------------------------------------------------


def test_the_task_delivers_and_queues_the_next_run_for_a_retry(smtp_down):
    from django_tasks_db.models import DBTaskResult

    row = queue()
    result = tasks.deliver_mail.call()
    assert result["failed"] == 1
    row.refresh_from_db()
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after == row.next_attempt_at
    # Asked again, it does not queue a second retry for the same moment.
    tasks.schedule_next()
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    smtp_down.up = True
    with later(2):
        assert tasks.deliver_mail.call()["sent"] == 1
    assert selectors.backlog()["pending"] == 0


def test_the_command_delivers_once_and_prints_counts():
    queue()
    out = StringIO()
    call_command("deliver_mail", stdout=out)
    assert out.getvalue().strip() == "1 sent, 0 failed, 0 given up; 0 waiting"
    assert len(mail.outbox) == 1


def test_a_stored_mail_never_keeps_anything_shaped_like_a_personnummer(db):  # R10.5
    mail = enqueue(
        kind="test_masked",
        recipients=["a@example.org"],
        subject="Om 19121212-1212",
        body="Klient 191212121212 och 121212+1212, senast 2025-03-10.",
        html_body="<p>121212-1212</p>",
    )
    assert "1212" not in mail.subject + mail.html_body
    assert mail.body == "Klient [dolt nummer] och [dolt nummer], senast 2025-03-10."
