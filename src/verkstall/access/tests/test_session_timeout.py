"""Sessions end (issue 11, "sessions last 14 days with no idle timeout"; SPEC R10.1): after
VERKSTALL_SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE after sign-in
however active the user is. Time is moved with the project clock (core/clock.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from verkstall.access.session_timeout import LAST_SEEN
from verkstall.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, world):
    """The officer's session, started now; returns a function that requests a screen at a
    number of minutes after the start."""
    start = clock.now()

    def at(minutes: float, path: str | None = None, **kw):
        with clock.travel_to(start + timedelta(minutes=minutes)):
            return client.get(path or reverse("person-list"), **kw)

    with clock.travel_to(start):
        client.force_login(world.officer)
    return at


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_defaults_are_a_working_day_and_half_an_hour():  # R10.1
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60
    assert settings.VERKSTALL_SESSION_IDLE_MINUTES == 30


def test_an_idle_session_is_logged_out_with_a_swedish_message(client, signed_in):  # R10.1
    assert signed_in(0).status_code == 200
    assert signed_in(29).status_code == 200  # activity: the pause starts again
    assert signed_in(58).status_code == 200
    expired = signed_in(58 + 31)
    assert _is_login_redirect(expired)
    login = client.get(expired["Location"])
    assert login.status_code == 200
    assert "inte har varit aktiv på 30 minuter" in login.content.decode()
    # Logged out for good, not only for one request.
    assert _is_login_redirect(signed_in(58 + 32))


def test_an_idle_session_gets_no_api_answer(client, signed_in):  # R10.1
    assert signed_in(0, "/api/persons/").status_code == 200
    response = signed_in(45, "/api/persons/")
    assert response.status_code in (401, 403)
    assert signed_in(46, "/api/persons/").status_code in (401, 403)


def test_the_idle_timeout_is_a_setting(settings, signed_in):  # R10.1
    settings.VERKSTALL_SESSION_IDLE_MINUTES = 5
    assert signed_in(0).status_code == 200
    assert signed_in(4).status_code == 200
    assert _is_login_redirect(signed_in(10))


def test_an_active_session_ends_after_the_working_day(client, signed_in):  # R10.1
    minute = 0
    while minute < 10 * 60 - 20:
        assert signed_in(minute).status_code == 200, minute
        minute += 20
    expired = signed_in(10 * 60 + 1)
    assert _is_login_redirect(expired)
    assert "loggats ut" in client.get(expired["Location"]).content.decode()


def test_last_activity_is_written_at_most_once_a_minute(client, signed_in):  # R10.1
    signed_in(0)
    first = client.session[LAST_SEEN]
    signed_in(0.5)
    assert client.session[LAST_SEEN] == first  # no session write for this request
    signed_in(2)
    assert client.session[LAST_SEEN] >= first + 110


def test_a_new_login_starts_a_new_session_lifetime(client, world):  # R10.1
    """Signing in through the form (not force_login) stamps the session at once."""
    start = clock.now()
    with clock.travel_to(start):
        response = client.post(reverse("login"), {"username": "officer", "password": "pw-test-123"})
    assert response.status_code == 302
    assert client.session[LAST_SEEN] == pytest.approx(start.timestamp(), abs=5)
    with clock.travel_to(start + timedelta(minutes=31)):
        assert _is_login_redirect(client.get(reverse("person-list")))


def test_signing_in_again_restarts_the_clocks(client, world, signed_in):  # R10.1
    assert signed_in(0).status_code == 200
    with clock.travel_to(clock.now() + timedelta(minutes=9 * 60 + 50)):
        client.force_login(world.officer)  # the same user, the same browser session
    assert signed_in(9 * 60 + 55).status_code == 200
    assert signed_in(10 * 60 + 20).status_code == 200  # 30 min after the new sign-in
