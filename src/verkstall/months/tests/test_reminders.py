"""The reminder before the 5th (SPEC R9.1: "a reminder before the 5th, not only a late mark
after it"): on the days the municipality's month settings name, once per person, month and
day, only to providers and units with something missing, with counts and a link and never a
client's name or personnummer."""

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
from verkstall.months.reminder_services import send_month_reminders
from verkstall.months.services import save_month_settings
from verkstall.orders import services
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
    return world


def send(day: date):
    with travel_to(at(day, 6)):
        return send_month_reminders()


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
    assert "sent 2 e-mail(s)" in out and f"{month.muni.pk}:2026-03" in out


class RefusingBackend(locmem.EmailBackend):
    """A mail server that takes the officer's mail and refuses every other."""

    refused: set[str] = set()

    def send_messages(self, messages):
        if any(address in self.refused for m in messages for address in m.to):
            return 0
        return super().send_messages(messages)


def test_a_refused_mail_is_counted_logged_and_sent_on_the_next_run(month, settings, caplog):
    # The loop is the daily reminder's (deadlines.reminders.deliver).
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.refused = {month.staff_a.email}
    with caplog.at_level(logging.WARNING, logger="verkstall.months.reminder_services"):
        refused = send(date(2026, 4, 2))
    assert refused.mails == 1 and refused.failed == 1 and refused.already_sent == 0
    assert f"Month reminder to user {month.staff_a.pk} not sent: NotAccepted" in caplog.text
    assert not MonthReminder.objects.filter(user=month.staff_a).exists()

    RefusingBackend.refused = set()
    retried = send(date(2026, 4, 2))
    assert retried.mails == 1 and retried.already_sent == 1 and retried.failed == 0
    assert MonthReminder.objects.filter(user=month.staff_a).count() == 1


def test_an_unreachable_mail_server_fails_every_mail_without_logging(month, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = s.getsockname()[1]
    with caplog.at_level(logging.WARNING, logger="verkstall.months.reminder_services"):
        result = send(date(2026, 4, 2))
    assert result.mails == 0 and result.failed == 2
    assert "Month reminders not sent, no mail server" in caplog.text
    assert not MonthReminder.objects.exists()
