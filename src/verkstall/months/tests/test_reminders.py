"""The reminder before the 5th (SPEC R9.1: "a reminder before the 5th, not only a late mark
after it"): on the days the municipality's month settings name, once per person, month and
day, only to providers and units with something missing, with counts and a link and never a
client's name or personnummer. A run queues the mails in the outbox (issue 18), whose
delivery sends them."""

from __future__ import annotations

import logging
import socket
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.months import selectors
from verkstall.months.models import MonthReminder
from verkstall.months.reminder_services import MAIL_KIND, send_month_reminders
from verkstall.months.services import save_month_settings
from verkstall.orders import services
from verkstall.outbox.delivery_services import deliver_due
from verkstall.outbox.models import OutgoingMail
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


@pytest.fixture(autouse=True)
def _no_close(monkeypatch):
    # The payments app's close of the month plays no part in the reminders.
    monkeypatch.setattr(selectors, "month_close", lambda *a, **k: None)


@pytest.fixture
def month(world, settings):
    """March 2026 under Gotland's routine: provider A has an order with no start date."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.muni.rule_profile = "gotland"
    world.muni.save()
    for user in (world.staff_a, world.staff_b, world.officer, world.other_officer):
        user.email = f"{user.username}@example.se"
        user.save()
    with travel_to(at(date(2026, 3, 10), 9)):
        decision = world.decision(decided_on=date(2026, 3, 9))
        world.missing = world.order(state="acknowledged", decision=decision)
    # The send queued the provider's "an order waits" notice; these tests count reminders.
    OutgoingMail.objects.exclude(kind=MAIL_KIND).delete()
    return world


def send(day: date):
    """The day's run, then the outbox's delivery of what it queued."""
    with travel_to(at(day, 6)):
        result = send_month_reminders()
        deliver_due()
        return result


def test_reminders_go_out_three_and_one_day_before_the_5th(month):  # R9.1
    result = send(date(2026, 4, 2))
    assert result.mails == 2
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == [month.officer.email, month.staff_a.email]
    assert send(date(2026, 4, 3)).mails == 0  # not a reminder day
    assert send(date(2026, 4, 4)).mails == 2  # one day before
    assert send(date(2026, 4, 5)).mails == 0  # the day itself: late marks, no reminder
    assert MonthReminder.objects.filter(month=date(2026, 3, 1)).count() == 4


def test_each_person_is_reminded_once_a_day(month):  # R9.1
    assert send(date(2026, 4, 2)).mails == 2
    again = send(date(2026, 4, 2))
    assert again.mails == 0 and again.already_sent == 2
    assert len(mail.outbox) == 2


def test_the_mail_names_counts_and_a_link_never_the_client(month):  # R9.1, ARCHITECTURE
    send(date(2026, 4, 2))
    message = next(m for m in mail.outbox if m.to == [month.staff_a.email])
    person = month.missing.person
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert person.first_name not in text and person.last_name not in text
        assert person.personal_number[-4:] not in text
    assert "1 uppgift saknas för mars 2026" in message.subject
    assert "senast den 5 april" in message.subject
    assert "Beställningar utan startdatum: 1" in message.body
    assert "/months/?month=2026-03" in message.body and "om 3 dagar" in message.body
    # The outbox kept it as rendered: nothing of the client, and the greeting names nobody.
    row = OutgoingMail.objects.get(recipients=[month.staff_a.email])
    for text in (row.subject, row.body, row.html_body, row.reference):
        assert person.first_name not in text and person.last_name not in text
    assert row.body.startswith("Hej!\n")


def test_no_reminder_when_nothing_is_missing(month):  # R9.1
    with travel_to(at(date(2026, 3, 20))):
        services.register_start(month.staff_a, month.missing, start_date=date(2026, 3, 20))
    assert send(date(2026, 4, 2)).mails == 0
    assert mail.outbox == []


def test_another_provider_and_unit_get_nothing_of_it(month):  # R9.1, Actors
    send(date(2026, 4, 2))
    to = {m.to[0] for m in mail.outbox}
    assert month.staff_b.email not in to and month.other_officer.email not in to


def test_a_provider_manager_is_reminded_instead_of_the_staff(month):  # R9.1
    manager = build.user(Role.PROVIDER_MANAGER, month.muni, provider=month.provider_a)
    manager.email = "chef@example.se"
    manager.save()
    send(date(2026, 4, 2))
    to = {m.to[0] for m in mail.outbox}
    assert "chef@example.se" in to and month.staff_a.email not in to


def test_the_days_are_the_municipalitys_settings(month):  # R9.1, R11.4
    lov = build.user(Role.LOV_ADMIN, month.muni)
    save_month_settings(lov, reminder_days="5")
    assert selectors.reminder_days(month.muni.pk) == [5]
    assert send(date(2026, 4, 2)).mails == 0
    assert send(date(2026, 3, 31)).mails == 2
    save_month_settings(lov, reminder_days="")
    assert send(date(2026, 4, 4)).mails == 0


def test_only_the_lov_administrator_changes_the_days_and_bad_days_are_refused(month):  # R9.1
    with pytest.raises(PermissionDenied):
        save_month_settings(month.officer, reminder_days="3")
    lov = build.user(Role.LOV_ADMIN, month.muni)
    with pytest.raises(ValidationFailed) as exc:
        save_month_settings(lov, reminder_days="tre")
    assert "antal dagar" in exc.value.errors["reminder_days"][0]


def test_the_settings_screen(month, client):  # R9.1
    lov = build.user(Role.LOV_ADMIN, month.muni)
    client.force_login(lov)
    page = client.get("/months/settings/").content.decode()
    assert 'value="3, 1"' in page and "den 5:e" in page
    assert client.post("/months/settings/", {"reminder_days": "7, 2"}).status_code == 302
    assert selectors.reminder_days(month.muni.pk) == [7, 2]
    bad = client.post("/months/settings/", {"reminder_days": "x"})
    assert bad.status_code == 400 and "antal dagar" in bad.content.decode()
    client.force_login(month.officer)
    assert client.get("/months/settings/").status_code == 403


def test_the_command(month, capsys):  # R9.1
    with travel_to(at(date(2026, 4, 2) - timedelta(days=30))):
        call_command("month_reminders", "--today", "2026-04-02")
    out = capsys.readouterr().out
    assert "queued 2 e-mail(s)" in out and f"{month.muni.pk}:2026-03" in out
    assert mail.outbox == []  # the outbox sends them
    assert OutgoingMail.objects.filter(kind=MAIL_KIND).count() == 2


class RefusingBackend(locmem.EmailBackend):
    """A mail server that takes the officer's mail and refuses every other."""

    refused: set[str] = set()

    def send_messages(self, messages):
        if any(address in self.refused for m in messages for address in m.to):
            return 0
        return super().send_messages(messages)


def test_a_refused_mail_waits_in_the_outbox_and_goes_once_taken(month, settings, caplog):
    # Issue 18: the log is written with the queued mail; the outbox retries the refused one.
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.refused = {month.staff_a.email}
    with caplog.at_level(logging.WARNING, logger="verkstall.outbox.delivery_services"):
        refused = send(date(2026, 4, 2))
    assert refused.mails == 2 and refused.already_sent == 0
    waiting = OutgoingMail.objects.get(sent_at__isnull=True)
    assert f"Mail {waiting.pk} (month_reminder) attempt 1 failed: NotAccepted" in caplog.text
    assert [m.to for m in mail.outbox] == [[month.officer.email]]
    assert MonthReminder.objects.filter(user=month.staff_a).count() == 1

    RefusingBackend.refused = set()
    with travel_to(datetime.combine(date(2026, 4, 2), time(6, 30), STOCKHOLM)):
        retried = send_month_reminders()
        assert retried.mails == 0 and retried.already_sent == 2
        assert deliver_due()["sent"] == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [month.officer.email, month.staff_a.email]
    )
    assert MonthReminder.objects.filter(user=month.staff_a).count() == 1


def test_an_unreachable_mail_server_loses_no_mail(month, settings, caplog):  # issue 18
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = s.getsockname()[1]
    with caplog.at_level(logging.WARNING, logger="verkstall.outbox.delivery_services"):
        result = send(date(2026, 4, 2))
    assert result.mails == 2
    assert "ConnectionRefusedError" in caplog.text
    waiting = OutgoingMail.objects.filter(kind=MAIL_KIND, sent_at__isnull=True, attempts=1)
    assert waiting.count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with travel_to(at(date(2026, 4, 2), 7)):
        assert deliver_due()["sent"] == 2
    assert len(mail.outbox) == 2
