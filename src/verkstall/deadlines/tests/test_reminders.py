"""The daily reminder mails (deadlines/reminders.py, tasks.py, `send_reminders`), SPEC R11.

Due items are made by walking orders through the real services under a moved clock; a run
queues its mails in the outbox (verkstall.outbox, issue 18) and the outbox's delivery sends
them to a real SMTP server (aiosmtpd) on 127.0.0.1, read back and decoded in full.

The scenario (profile stockholm-hv): a decision of 2024-12-05 makes the officer's item
"ivo-ej-verkstallt" due 2025-03-05 (three months); an order sent on Wednesday 2025-03-05
makes the provider's item "kvittens-och-start" due Monday 2025-03-10 (three weekdays).
"""

from __future__ import annotations

import email
import re
import socket
from datetime import date, datetime
from email import policy
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import CommandError, call_command

from verkstall.access.models import User
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.deadlines import reminders
from verkstall.deadlines.models import DueItem, Reminder, Rule, RuleProfile
from verkstall.deadlines.reminders import send_reminders
from verkstall.deadlines.services import update_rule
from verkstall.orders.services import register_start
from verkstall.outbox.delivery_services import deliver_due
from verkstall.outbox.models import OutgoingMail
from verkstall.outbox.tasks import deliver_soon
from verkstall.tooling import testing as build

DECIDED = date(2024, 12, 5)
SENT_AT = datetime(2025, 3, 5, 9, 0)
OFFICER_DUE = date(2025, 3, 5)
PROVIDER_DUE = date(2025, 3, 10)
MORNING_PROVIDER_DUE = datetime(2025, 3, 10, 7, 0)
MORNING_AFTER = datetime(2025, 3, 11, 7, 0)
BASE_URL = "https://verkstall.example.se"


# --- a real SMTP server ------------------------------------------------------------------


class Collector:
    """An aiosmtpd handler that keeps every message it accepts and refuses some recipients."""

    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(raw, policy=policy.default)
            for rcpts, raw in self.messages
            if address in rcpts
        ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.VERKSTALL_BASE_URL = BASE_URL


# --- the scenario ------------------------------------------------------------------------


def forget_order_notices() -> None:
    """The sends above queued the provider's "an order waits" notices (orders.notify_services)
    in the same outbox; these tests count the reminders only."""
    OutgoingMail.objects.exclude(kind=reminders.MAIL_KIND).delete()


class Scene:
    """Two clients of one officer: Elsa's order goes to provider A's home-care unit (which
    has a manager), Karl's to provider B (no manager; its only user has no e-mail)."""

    def __init__(self, world):
        self.world = world
        self.unit_a = build.provider_unit(world.provider_a, "Hemtjänst Väster")
        self.manager_a = build.user(
            Role.PROVIDER_MANAGER, world.muni, provider=world.provider_a, username="chef_a"
        )
        self.manager_a.provider_unit = self.unit_a
        self.manager_a.email = "chef.a@omsorg-a.example"
        self.manager_a.save()
        User.objects.filter(pk=world.officer.pk).update(email="handlaggare@teststad.example")
        User.objects.filter(pk=world.staff_a.pk).update(email="personal.a@omsorg-a.example")
        with clock.travel_to(SENT_AT):
            self.elsa = world.person(first_name="Elsa", last_name="Testsson")
            self.karl = world.person(first_name="Karl", last_name="Provsson")
            self.elsa_order = world.order(
                decision=world.decision(self.elsa, decided_on=DECIDED),
                provider_unit=self.unit_a,
                state="sent",
            )
            self.karl_order = world.order(
                decision=world.decision(self.karl, decided_on=DECIDED),
                provider=world.provider_b,
                state="sent",
            )
        forget_order_notices()

    def item(self, person, responsible) -> DueItem:
        return DueItem.objects.get(person=person, responsible=responsible)


@pytest.fixture
def scene(world):
    return Scene(world)


def _number_pattern(person) -> re.Pattern:
    """The client's personnummer in any form: 12 or 10 digits, with or without - or +."""
    n = person.personal_number  # YYYYMMDDNNNC
    return re.compile(rf"(?<!\d)(?:{n[:2]})?{n[2:8]}\s?[-+]?\s?{n[8:]}(?!\d)")


def _everything(message: email.message.EmailMessage) -> str:
    """Every header and every part of the message, decoded."""
    texts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        texts.extend(f"{name}: {value}" for name, value in part.items())
        if not part.is_multipart():
            texts.append(part.get_content())
    return "\n".join(texts)


def _readable(message: email.message.EmailMessage) -> str:
    """What a person reads: the subject, the addresses and every text part."""
    texts = [str(message[h]) for h in ("Subject", "From", "To") if message[h]]
    texts += [p.get_content() for p in message.walk() if not p.is_multipart()]
    return "\n".join(texts)


def _assert_no_personal_numbers(text: str, *people) -> None:
    for person in people:
        assert not _number_pattern(person).search(text), "a personnummer is in the mail"


def run(**kw) -> dict:
    """A reminder run, then the outbox's delivery of what it queued (the task worker's job)."""
    result = send_reminders(**kw)
    deliver_due()
    return result


# --- R11: one mail per responsible person ------------------------------------------------


def test_officer_and_provider_manager_each_get_one_mail_with_their_items(scene, smtp):  # R11.1
    with clock.travel_to(MORNING_PROVIDER_DUE):
        result = run()

    assert result["mails"] == 2
    assert result["recipients"] == 2
    assert result["items"] == 3
    assert result["skipped_without_email"] == 1  # provider B's only user has no address

    officer_mails = smtp.to("handlaggare@teststad.example")
    manager_mails = smtp.to("chef.a@omsorg-a.example")
    assert len(officer_mails) == 1
    assert len(manager_mails) == 1
    assert smtp.to("personal.a@omsorg-a.example") == []  # the unit's manager is told, not staff
    assert len(smtp.messages) == 2

    officer_text = _everything(officer_mails[0])
    assert "Elsa Testsson" in officer_text and "Karl Provsson" in officer_text
    assert "Försenade (2)" in officer_text
    for person in (scene.elsa, scene.karl):
        item = scene.item(person, "officer")
        assert f"{BASE_URL}/watchlist/{item.pk}/" in officer_text
    assert officer_mails[0]["Subject"] == "Verkställ: 2 försenade bevakningar"

    manager_text = _everything(manager_mails[0])
    assert "Elsa Testsson" in manager_text
    assert "Karl Provsson" not in manager_text  # provider B's client
    assert "Förfaller i dag (1)" in manager_text
    assert f"{BASE_URL}/watchlist/{scene.item(scene.elsa, 'provider').pk}/" in manager_text
    assert manager_mails[0]["Subject"] == "Verkställ: 1 bevakning förfaller i dag"
    assert manager_mails[0]["Auto-Submitted"] == "auto-generated"
    # Both a plain text and an HTML part, both in Swedish.
    types = [p.get_content_type() for p in manager_mails[0].walk() if not p.is_multipart()]
    assert types == ["text/plain", "text/html"]
    assert "Bekräfta mottagande och att uppdraget påbörjats" in manager_text


def test_mail_never_contains_a_personnummer(scene, smtp):  # R11, ARCHITECTURE Conventions, R11.1
    with clock.travel_to(MORNING_PROVIDER_DUE):
        run()
    with clock.travel_to(MORNING_AFTER):
        run()

    assert len(smtp.messages) == 3
    for _rcpts, raw in smtp.messages:
        message = email.message_from_bytes(raw, policy=policy.default)
        _assert_no_personal_numbers(_everything(message), scene.elsa, scene.karl)
        # The raw bytes on the wire too (nothing hides in an encoding the check skipped).
        _assert_no_personal_numbers(raw.decode("utf-8", "replace"), scene.elsa, scene.karl)
        # Nothing a person reads is shaped like any personnummer at all (Message-ID and
        # MIME boundaries are random digits, so they are left out of this one).
        assert not re.search(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)", _readable(message))
        assert "Elsa Testsson" in _readable(message) or "Karl Provsson" in _readable(message)


def test_second_run_on_the_same_day_sends_nothing(scene, smtp):  # R11.1
    with clock.travel_to(MORNING_PROVIDER_DUE):
        first = run()
    with clock.travel_to(datetime(2025, 3, 10, 15, 30)):
        second = run()

    assert first["mails"] == 2
    assert second["mails"] == 0 and second["items"] == 0
    assert len(smtp.messages) == 2
    assert Reminder.objects.count() == 3


def test_item_due_yesterday_is_sent_once_more_as_overdue(scene, smtp):  # R11.1
    provider_item = scene.item(scene.elsa, "provider")
    with clock.travel_to(MORNING_PROVIDER_DUE):
        run()
    with clock.travel_to(MORNING_AFTER):
        next_day = run()
    with clock.travel_to(datetime(2025, 3, 11, 12, 0)):
        again = run()
    with clock.travel_to(datetime(2025, 3, 12, 7, 0)):
        day_after = run()

    assert next_day["mails"] == 1 and next_day["items"] == 1  # the officer has nothing new
    assert again["mails"] == 0
    assert day_after["mails"] == 0
    manager_mails = smtp.to("chef.a@omsorg-a.example")
    assert len(manager_mails) == 2
    overdue_text = _everything(manager_mails[1])
    assert "Försenade (1)" in overdue_text and "Förfaller i dag" not in overdue_text
    assert f"/watchlist/{provider_item.pk}/" in overdue_text
    assert manager_mails[1]["Subject"] == "Verkställ: 1 försenad bevakning"
    assert list(
        Reminder.objects.filter(due_item=provider_item)
        .order_by("sent_on")
        .values_list("kind", "sent_on")
    ) == [("due", PROVIDER_DUE), ("overdue", date(2025, 3, 11))]


def test_item_due_today_is_sent_as_due_on_its_day(scene, smtp):  # R11.1
    with clock.travel_to(datetime(2025, 3, 5, 7, 0)):
        result = run()

    # Only the officer's items are due on 5 March; the providers' are due on the 10th.
    assert result["mails"] == 1 and result["items"] == 2
    [officer_mail] = smtp.to("handlaggare@teststad.example")
    assert "Förfaller i dag (2)" in _everything(officer_mail)
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"due"}


def test_user_without_email_is_skipped_and_counted(scene, smtp):  # R11.1
    User.objects.filter(pk=scene.manager_a.pk).update(email="")
    with clock.travel_to(MORNING_PROVIDER_DUE):
        result = run()

    # The manager holds the role: the staff are not mailed in her place.
    assert result["skipped_without_email"] == 2
    assert smtp.to("personal.a@omsorg-a.example") == []
    assert not Reminder.objects.filter(user=scene.manager_a).exists()
    assert result["mails"] == 1  # the officer


def test_refused_mail_waits_in_the_outbox_and_goes_once_accepted(scene, smtp):  # R11.1
    # Issue 18: the log is written with the queued mail; a refused mail is retried by the
    # outbox, not queued again by the next run.
    smtp.refuse.add("chef.a@omsorg-a.example")
    with clock.travel_to(MORNING_PROVIDER_DUE):
        refused = run()
    assert refused["mails"] == 2
    assert Reminder.objects.filter(user=scene.manager_a).count() == 1
    waiting = OutgoingMail.objects.get(sent_at__isnull=True)
    assert waiting.recipients == ["chef.a@omsorg-a.example"] and waiting.attempts == 1
    assert waiting.last_error == "SMTPRecipientsRefused"

    smtp.refuse.clear()
    with clock.travel_to(datetime(2025, 3, 10, 9, 0)):
        retried = run()
    assert retried["mails"] == 0  # nothing new to queue; the outbox sent the waiting one
    assert len(smtp.to("chef.a@omsorg-a.example")) == 1
    assert len(smtp.to("handlaggare@teststad.example")) == 1
    with clock.travel_to(datetime(2025, 3, 10, 12, 0)):
        assert deliver_due()["claimed"] == 0
    assert len(smtp.messages) == 2


def test_a_reminder_the_outbox_gives_up_is_sent_again_by_a_later_run(scene, settings, smtp):
    # R11.1, issue 18: a given-up mail leaves no log rows that count its items as told, so
    # the overdue reminder (sent once) goes again on a later day within the lookback.
    with clock.travel_to(MORNING_PROVIDER_DUE):
        run()
    settings.VERKSTALL_OUTBOX_MAX_ATTEMPTS = 1
    smtp.refuse.add("chef.a@omsorg-a.example")
    with clock.travel_to(MORNING_AFTER):
        assert run()["mails"] == 1
    given_up = OutgoingMail.objects.get(given_up_at__isnull=False)
    assert given_up.recipients == ["chef.a@omsorg-a.example"]
    assert not Reminder.objects.filter(user=scene.manager_a, kind="overdue").exists()
    smtp.refuse.clear()
    with clock.travel_to(datetime(2025, 3, 12, 7, 0)):
        assert run()["mails"] == 1  # the manager's overdue item, queued again
    assert len(smtp.to("chef.a@omsorg-a.example")) == 2  # due on its day, then overdue
    assert Reminder.objects.filter(user=scene.manager_a, kind="overdue").count() == 1


def test_unreachable_mail_server_loses_nothing(scene, settings, smtp):  # R11.1, issue 18
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nobody listens
    with clock.travel_to(MORNING_PROVIDER_DUE):
        result = run()
    assert result["mails"] == 2
    assert OutgoingMail.objects.filter(attempts=1, sent_at__isnull=True).count() == 2
    assert smtp.messages == []
    settings.EMAIL_PORT = port  # the server is back
    with clock.travel_to(datetime(2025, 3, 10, 7, 5)):
        assert run()["mails"] == 0
    assert len(smtp.messages) == 2
    assert Reminder.objects.count() == 3


# --- who is responsible (locmem complements the SMTP tests) -------------------------------


def _recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_unit_without_manager_goes_to_provider_wide_manager(world):  # R11.1
    unit = build.provider_unit(world.provider_a, "Hemtjänst Öster")
    boss = build.user(Role.PROVIDER_MANAGER, world.muni, provider=world.provider_a)
    User.objects.filter(pk=boss.pk).update(email="vd@omsorg-a.example")
    User.objects.filter(pk=world.staff_a.pk).update(email="personal.a@omsorg-a.example")
    with clock.travel_to(SENT_AT):
        world.order(
            decision=world.decision(decided_on=date(2025, 3, 1)),
            provider_unit=unit,
            state="sent",
        )
    forget_order_notices()
    with clock.travel_to(MORNING_PROVIDER_DUE):
        result = run()
    assert result["mails"] == 1
    assert _recipients() == {"vd@omsorg-a.example"}
    assert len(mail.outbox) == 1


def test_provider_without_manager_falls_back_to_all_its_users(world):  # R11.1
    User.objects.filter(pk=world.staff_a.pk).update(email="personal.a@omsorg-a.example")
    second = build.user(Role.PROVIDER_STAFF, world.muni, provider=world.provider_a)
    User.objects.filter(pk=second.pk).update(email="personal2.a@omsorg-a.example")
    with clock.travel_to(SENT_AT):
        world.order(decision=world.decision(decided_on=date(2025, 3, 1)), state="sent")
    with clock.travel_to(MORNING_PROVIDER_DUE):
        result = run()
    assert result["mails"] == 2
    assert _recipients() == {"personal.a@omsorg-a.example", "personal2.a@omsorg-a.example"}
    assert all("Elsa Testsson" in m.body for m in mail.outbox)


def test_role_items_go_to_the_role_in_the_municipality(world):  # R11, "Actors"
    """A LOV administrator hands the acknowledgement deadline to the fee office (as seed 001
    does for providers outside the system); the fee officers of that municipality are told,
    not those of another."""
    admin = build.user(Role.LOV_ADMIN, world.muni)
    RuleProfile.objects.filter(slug="stockholm-hv").update(owner=world.muni)  # R11.3: its own
    rule = Rule.objects.get(profile__slug="stockholm-hv", code="kvittens-och-start")
    update_rule(admin, rule, responsible="fee_officer")
    User.objects.filter(pk=world.fee_officer.pk).update(email="avgift@teststad.example")
    elsewhere = build.municipality()
    other_fee = build.user(Role.FEE_OFFICER, elsewhere)
    User.objects.filter(pk=other_fee.pk).update(email="avgift@annanstad.example")
    User.objects.filter(pk=world.staff_a.pk).update(email="personal.a@omsorg-a.example")
    with clock.travel_to(SENT_AT):
        world.order(decision=world.decision(decided_on=date(2025, 3, 1)), state="sent")
    assert DueItem.objects.get(rule=rule).responsible == "fee_officer"
    with clock.travel_to(MORNING_PROVIDER_DUE):
        result = run()
    assert _recipients() == {"avgift@teststad.example"}
    assert result["mails"] == 1


def test_met_items_and_inactive_users_are_not_reminded(world):  # R11.1
    User.objects.filter(pk=world.officer.pk).update(email="handlaggare@teststad.example")
    User.objects.filter(pk=world.staff_a.pk).update(email="personal.a@omsorg-a.example")
    with clock.travel_to(SENT_AT):
        started = world.order(decision=world.decision(decided_on=DECIDED), state="acknowledged")
        register_start(world.staff_a, started, start_date=clock.today())
    with clock.travel_to(MORNING_PROVIDER_DUE):
        assert run()["mails"] == 0  # started: both clocks stopped
    with clock.travel_to(SENT_AT):
        world.order(decision=world.decision(decided_on=DECIDED), state="sent")
    User.objects.filter(pk=world.officer.pk).update(is_active=False)
    with clock.travel_to(MORNING_PROVIDER_DUE):
        result = run()
    assert _recipients() == {"personal.a@omsorg-a.example"}
    assert result["items_without_recipient"] == 1


def test_overdue_items_older_than_the_lookback_are_left_to_the_watchlist(scene):  # R11.1
    with clock.travel_to(datetime(2025, 3, 20, 7, 0)):
        assert run()["mails"] == 0
    with clock.travel_to(datetime(2025, 3, 20, 7, 0)):
        assert run(lookback_days=30)["mails"] == 2


def test_anything_shaped_like_a_personnummer_is_masked():  # ARCHITECTURE Conventions, R11.1
    for text in ("19121212-1212", "191212121212", "121212-1212", "1212121212", "121212+1212"):
        assert reminders._mask(f"Klient {text}.") == f"Klient {reminders.MASK}."
    assert reminders._mask("senast 2025-03-10 kl. 14:00") == "senast 2025-03-10 kl. 14:00"


# --- the task and the command ------------------------------------------------------------


def test_task_enqueued_on_the_database_backend_sends_the_mails(scene, smtp, monkeypatch):  # R11.1
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    from verkstall.deadlines.tasks import send_daily_reminders

    result = send_daily_reminders.enqueue("2025-03-10")
    assert DBTaskResult.objects.get(id=result.id).status == "READY"
    assert smtp.messages == []  # nothing runs until a worker picks it up

    # One pass of `db_worker --batch`, in this process and this test's transaction (the
    # worker's close_old_connections would drop the test database's connection).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with clock.travel_to(MORNING_PROVIDER_DUE):
        worker.run()
        done = DBTaskResult.objects.get(id=result.id)
        assert done.status == "SUCCESSFUL", done.traceback
        assert done.return_value["mails"] == 2
        assert smtp.messages == []  # queued, not sent by the reminder task
        # What the commit of the queued mails runs (this test's transaction never commits):
        # the outbox's delivery is queued, and the worker runs it.
        deliver_soon()
        worker.run()

    [delivery] = DBTaskResult.objects.filter(task_path="verkstall.outbox.tasks.deliver_mail")
    assert delivery.status == "SUCCESSFUL" and delivery.return_value["sent"] == 2
    assert len(smtp.to("handlaggare@teststad.example")) == 1
    assert len(smtp.to("chef.a@omsorg-a.example")) == 1


def test_task_on_the_immediate_backend(scene, settings):  # R11.1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from verkstall.deadlines.tasks import send_daily_reminders

    with clock.travel_to(MORNING_PROVIDER_DUE):
        result = send_daily_reminders.enqueue()
        assert mail.outbox == []
        # What the commit of the queued mails runs: on this backend, the delivery itself.
        deliver_soon()
    assert result.status == "SUCCESSFUL"
    assert result.return_value["mails"] == 2
    assert len(mail.outbox) == 2


def test_command_queues_directly_and_prints_counts(scene, smtp):  # R11.1
    out = StringIO()
    with clock.travel_to(MORNING_PROVIDER_DUE):
        call_command("send_reminders", stdout=out)
        assert smtp.messages == []
        deliver_due()
    assert (
        "2025-03-10: queued 2 e-mail(s) to 2 person(s), 3 due item(s); the outbox sends them."
        in out.getvalue()
    )
    assert "Skipped 1 person(s) without an e-mail address." in out.getvalue()
    assert len(smtp.messages) == 2


def test_command_date_option_runs_for_that_day(scene):  # R11.1
    out = StringIO()
    call_command("send_reminders", "--date", "2025-03-05", stdout=out)
    assert out.getvalue().startswith("2025-03-05: queued 1 e-mail(s) to 1 person(s), 2 due")
    assert set(Reminder.objects.values_list("sent_on", flat=True)) == {OFFICER_DUE}
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "5/3/2025")


def test_command_enqueue_queues_the_task_for_the_worker(scene):  # R11.1
    from django_tasks_db.models import DBTaskResult

    out = StringIO()
    call_command("send_reminders", "--enqueue", "--date", "2025-03-10", stdout=out)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "verkstall.deadlines.tasks.send_daily_reminders"
    assert queued.args_kwargs == {"args": ["2025-03-10"], "kwargs": {}}
    assert "db_worker" in out.getvalue()
    assert mail.outbox == []


def test_a_refused_mail_no_longer_fails_the_command_the_outbox_retries_it(scene, smtp):
    # R11.1, issue 18: the run only queues; `deliver_mail` reports what the server refused.
    smtp.refuse.add("chef.a@omsorg-a.example")
    out = StringIO()
    with clock.travel_to(MORNING_PROVIDER_DUE):
        call_command("send_reminders", stdout=StringIO())
        call_command("deliver_mail", stdout=out)
    assert out.getvalue().strip() == "1 sent, 1 failed, 0 given up; 1 waiting"
