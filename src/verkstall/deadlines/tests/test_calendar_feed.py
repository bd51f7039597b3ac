"""One's own due items as a calendar subscription (issue 17 item 7; deadlines/calendar_views.py):
the feed at a secret address holds the items of the user's own watchlist and no one else's,
with initials and numbers only (never a name, personnummer or address); a revoked, replaced
or unknown secret, an inactive user and a changed role are a plain 404; every fetch is in the
access log as the subscription's user (R10.4). The screen makes, shows once, replaces and
revokes (after a confirmation) the subscription.

The municipality follows the Gotland routine (seed 002): a new home-care decision gets the
officer's simple follow-up after one month (R6.2), the IVO rule a date three months on
(R9.5), and a sent order of a daily service the provider's start within three days (R3.6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from verkstall.access.roles import Role
from verkstall.audit.models import AccessLogEntry
from verkstall.core import clock
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied
from verkstall.deadlines import calendar_feed_services as services
from verkstall.deadlines.calendar_feed_selectors import FEED_AHEAD_DAYS, FEED_PAST_DAYS
from verkstall.deadlines.feed_models import CalendarFeedToken
from verkstall.deadlines.ical import CRLF, MAX_OCTETS
from verkstall.deadlines.models import DueItem
from verkstall.decisions.services import record_decision
from verkstall.people.services import register_person
from verkstall.tooling import canaries
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

FOLLOW_UP = "uppfoljning-en-manad"  # gotland: the officer's, a month after the decision
START = "start-dagliga-insatser"  # gotland: the provider starts a daily service in 3 days
IVO = "ivo-ej-verkstallt"  # three months after the decision: outside the feed's window
HOME_CARE = [
    {
        "service_type": "hemtjanst-omvardnad",
        "scope_amount": "20",
        "scope_unit": "hours_per_month",
        "frequency": "morgon och kväll",  # daily (deadlines/facts.py)
    }
]


@pytest.fixture
def gotland(world):
    world.muni.rule_profile = "gotland"
    world.muni.save(update_fields=["rule_profile"])
    return world


def client_of(officer, world, *, first_name, last_name, street_address="Kanariegatan 9"):
    """A client registered and granted home care by `officer` a week ago."""
    person = register_person(
        officer,
        personal_number=build.test_number(),
        first_name=first_name,
        last_name=last_name,
        street_address=street_address,
        postal_code="62157",
        city="Visby",
        area=world.area.pk,
        phone="0498-123 45",
    )
    decision = record_decision(
        officer,
        person=person,
        decided_on=clock.today() - timedelta(days=7),
        services=HOME_CARE,
    )
    return person, decision


def sent_order(world, decision, provider=None):
    from verkstall.orders import services as orders

    order = orders.create_order(
        world.officer, decision=decision, provider=provider or world.provider_a
    )
    orders.send_order(world.officer, order)
    return order


def fetch(secret: str, client: Client | None = None):
    """The feed as a calendar program fetches it: no session."""
    return (client or Client()).get(reverse("calendar-feed", kwargs={"secret": secret}))


def body(response) -> str:
    return response.content.decode("utf-8")


def unfolded_text(text: str) -> list[str]:
    return text.replace(CRLF + " ", "").split(CRLF)


def unfolded(response) -> list[str]:
    return unfolded_text(body(response))


def uids(response) -> set[int]:
    """The due items of the feed, from the events' UIDs (bevakning-<pk>@verkstall)."""
    return {
        int(line.removeprefix("UID:bevakning-").removesuffix("@verkstall"))
        for line in unfolded(response)
        if line.startswith("UID:")
    }


def item(rule_code: str, **where) -> DueItem:
    return DueItem.objects.get(rule__code=rule_code, **where)


# --- what the feed holds -------------------------------------------------------------------------


def test_the_feed_holds_the_officers_own_items_and_not_another_units(gotland):  # R11, Actors
    world = gotland
    _mine, my_decision = client_of(world.officer, world, first_name="Alva", last_name="Berg")
    _theirs, their_decision = client_of(
        world.other_officer, world, first_name="Cilla", last_name="Dahl"
    )
    mine = item(FOLLOW_UP, decision=my_decision)
    theirs = item(FOLLOW_UP, decision=their_decision)
    assert mine.responsible_user_id == world.officer.pk
    assert theirs.responsible_user_id == world.other_officer.pk
    _feed, secret = services.create_feed(world.officer)

    response = fetch(secret)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert uids(response) == {mine.pk}
    lines = unfolded(response)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert f"DTSTART;VALUE=DATE:{mine.due_date:%Y%m%d}" in lines
    # No order: the decision's number (R6.2's follow-up is the decision's).
    assert f"SUMMARY:{mine.rule.name} – A.B. beslut #{my_decision.pk}" in lines
    # The other unit's officer has their own feed, with only their own item.
    _feed, other_secret = services.create_feed(world.other_officer)
    assert uids(fetch(other_secret)) == {theirs.pk}


def test_a_providers_feed_holds_its_own_orders_items_not_another_providers(gotland):  # Actors
    world = gotland
    _a, decision_a = client_of(world.officer, world, first_name="Alva", last_name="Berg")
    _b, decision_b = client_of(world.officer, world, first_name="Cilla", last_name="Dahl")
    order_a = sent_order(world, decision_a, world.provider_a)
    order_b = sent_order(world, decision_b, world.provider_b)
    start_a, start_b = item(START, order=order_a), item(START, order=order_b)
    _feed, secret = services.create_feed(world.staff_a)

    response = fetch(secret)

    assert uids(response) == {start_a.pk}
    assert start_b.pk not in uids(response)
    assert f"SUMMARY:{start_a.rule.name} – A.B. #{order_a.pk}" in unfolded(response)
    # The officer's feed holds neither provider's item (they are on the providers' lists).
    _feed, officer_secret = services.create_feed(world.officer)
    assert {start_a.pk, start_b.pk}.isdisjoint(uids(fetch(officer_secret)))


def test_no_name_personnummer_or_address_anywhere_in_the_feed(gotland):  # issue 17 item 7, R10.5
    world = gotland
    person, decision = client_of(
        world.officer,
        world,
        first_name="Ottilia",
        last_name="Zebrasdotter",
        street_address="Kanariegränd 77",
    )
    sent_order(world, decision)
    _feed, secret = services.create_feed(world.officer)

    text = body(fetch(secret))

    assert "O.Z." in text  # the client is there, by initials
    for forbidden in {
        "Ottilia",
        "Zebrasdotter",
        "Kanariegränd",
        "Visby",
        "0498",
        *canaries.number_forms(person.personal_number),
    }:
        assert forbidden not in text, forbidden
    assert "DESCRIPTION" not in text


def test_the_feed_is_folded_at_75_octets_with_crlf(gotland):  # RFC 5545 3.1
    world = gotland
    client_of(world.officer, world, first_name="Åsa", last_name="Öberg")
    _feed, secret = services.create_feed(world.officer)
    text = body(fetch(secret))
    assert text.endswith(CRLF) and "\n" not in text.replace(CRLF, "")
    assert all(len(line.encode()) <= MAX_OCTETS for line in text.split(CRLF))
    # The summary ("Enklare uppföljning efter en månad (ny hemtjänst) – Å.Ö. beslut #1",
    # 2-octet letters and a 3-octet dash) is longer than 75 octets: folded, and whole again.
    assert any(line.startswith(" ") for line in text.split(CRLF))
    assert any(line.startswith("SUMMARY:") and "Å.Ö." in line for line in unfolded_text(text))


def test_the_window_is_thirty_days_bstart_and_sixty_ahead(gotland):  # issue 17 item 7
    world = gotland
    _person, decision = client_of(world.officer, world, first_name="Alva", last_name="Berg")
    follow_up, ivo = item(FOLLOW_UP, decision=decision), item(IVO, decision=decision)
    _feed, secret = services.create_feed(world.officer)
    today = clock.today()
    assert (ivo.due_date - today).days > FEED_AHEAD_DAYS  # three months on: not yet
    assert uids(fetch(secret)) == {follow_up.pk}
    # When the follow-up is ten days overdue, the IVO date is within sixty days.
    ten_days_late = follow_up.due_date + timedelta(days=10)
    with travel_to(clock.now() + (ten_days_late - today)):
        assert uids(fetch(secret)) == {follow_up.pk, ivo.pk}
    # More than thirty days overdue, the follow-up has left the calendar (not the watchlist).
    long_late = follow_up.due_date + timedelta(days=FEED_PAST_DAYS + 1)
    with travel_to(clock.now() + (long_late - today)):
        assert uids(fetch(secret)) == {ivo.pk}


def test_a_met_item_leaves_the_feed(gotland):  # R11
    world = gotland
    _a, decision = client_of(world.officer, world, first_name="Alva", last_name="Berg")
    order = sent_order(world, decision)
    _feed, secret = services.create_feed(world.staff_a)
    start = item(START, order=order)
    assert start.pk in uids(fetch(secret))
    from verkstall.orders import services as orders

    orders.acknowledge_order(world.staff_a, order)
    orders.register_start(world.staff_a, order, start_date=clock.today())
    assert start.pk not in uids(fetch(secret))


# --- who may fetch it ----------------------------------------------------------------------------


def test_an_unknown_or_malformed_secret_is_a_plain_404(gotland):
    for secret in ("x", "0" * 43, "a" * 500, "%20"):
        response = Client().get(f"/calendar/{secret}.ics")
        assert response.status_code == 404, secret
        assert response["Content-Type"].startswith("text/plain")
        assert body(response) == "Hittades inte."


def test_a_revoked_subscription_is_404_and_says_no_more_than_an_unknown_one(gotland):
    world = gotland
    client_of(world.officer, world, first_name="Alva", last_name="Berg")
    _feed, secret = services.create_feed(world.officer)
    assert fetch(secret).status_code == 200
    assert services.revoke_feed(world.officer) == 1
    response = fetch(secret)
    assert response.status_code == 404
    assert response.content == fetch("0" * 43).content
    assert services.revoke_feed(world.officer) == 0


def test_a_new_subscription_revokes_the_old(gotland):  # one active per user
    world = gotland
    old, old_secret = services.create_feed(world.officer)
    new, new_secret = services.create_feed(world.officer)
    assert old_secret != new_secret
    assert fetch(old_secret).status_code == 404
    assert fetch(new_secret).status_code == 200
    old.refresh_from_db()
    assert old.revoked_at is not None
    active = CalendarFeedToken.objects.filter(user=world.officer, revoked_at__isnull=True)
    assert list(active) == [new]


def test_only_the_secrets_hash_is_stored(gotland):
    feed, secret = services.create_feed(gotland.officer)
    row = CalendarFeedToken.objects.filter(pk=feed.pk).values().get()
    assert secret not in repr(row)
    assert len(secret) >= 43 and len(feed.secret_hash) == 64


def test_an_inactive_user_or_one_with_another_role_gets_404(gotland):
    world = gotland
    _feed, secret = services.create_feed(world.officer)
    world.officer.is_active = False
    world.officer.save(update_fields=["is_active"])
    assert fetch(secret).status_code == 404
    world.officer.is_active = True
    world.officer.save(update_fields=["is_active"])
    # Revoked for good when it was refused: coming back needs a new address.
    assert fetch(secret).status_code == 404
    _feed, secret = services.create_feed(world.officer)
    assert fetch(secret).status_code == 200
    # Moved to the fee office: the officer's subscription does not become the fee officer's.
    world.officer.role = Role.FEE_OFFICER
    world.officer.save(update_fields=["role"])
    assert fetch(secret).status_code == 404
    # The address is revoked for good: the role given back does not bring it back.
    world.officer.role = Role.OFFICER
    world.officer.save(update_fields=["role"])
    assert fetch(secret).status_code == 404
    assert not CalendarFeedToken.objects.filter(user=world.officer, revoked_at__isnull=True)


def test_a_client_with_protected_data_goes_without_initials(gotland):  # R10.1
    world = gotland
    person, decision = client_of(world.officer, world, first_name="Siri", last_name="Skydd")
    sent_order(world, decision)
    person.protection = "confidentiality_marking"
    person.save(update_fields=["protection"])
    _feed, secret = services.create_feed(world.officer)
    summaries = [line for line in unfolded(fetch(secret)) if line.startswith("SUMMARY:")]
    assert summaries and not any("S.S." in line for line in summaries)
    # Every item of the client shows a dash where the initials would be (the order's and the
    # decision's items alike: which of them fall in the window depends on the day).
    assert all(" – – " in line for line in summaries), summaries


def test_the_secret_of_a_feed_never_reaches_a_log_line():  # issue 17 item 7
    from verkstall.core.log_redaction import redact

    line = redact("Not Found: /calendar/Zq8-abcDEF_123.ics")
    assert "Zq8-abcDEF_123" not in line and "/calendar/[hemlig].ics" in line


def test_a_role_without_a_watchlist_cannot_subscribe(gotland):
    lov = build.user(Role.LOV_ADMIN, gotland.muni)
    with pytest.raises(PermissionDenied):
        services.create_feed(lov)
    client = Client()
    client.force_login(lov)
    assert client.get(reverse("calendar-subscription")).status_code == 403
    assert client.post(reverse("calendar-feed-create")).status_code == 403
    assert not CalendarFeedToken.objects.exists()


# --- the access log ------------------------------------------------------------------------------


def test_each_fetch_writes_its_access_log_rows_as_the_subscriptions_user(gotland):  # R10.4
    world = gotland
    first, decision_1 = client_of(world.officer, world, first_name="Alva", last_name="Berg")
    second, _decision_2 = client_of(world.officer, world, first_name="Cilla", last_name="Dahl")
    sent_order(world, decision_1)  # a second item of the first client is on the provider's list
    feed, secret = services.create_feed(world.officer)
    assert feed.last_used_at is None

    response = fetch(secret)

    assert len(uids(response)) == 2
    rows = list(AccessLogEntry.objects.all())
    assert {row.person_id for row in rows} == {first.pk, second.pk}  # one row per client
    assert len({row.request_id for row in rows}) == 1  # one fetch, one statement
    for row in rows:
        assert row.user_id == world.officer.pk and row.role == Role.OFFICER.value
        assert row.action == "export"
        assert row.detail == f"Kalenderprenumeration {feed.pk}: 2 bevakningar, 2 klienter."
        assert row.path == "/calendar/<str:secret>.ics" and secret not in row.path
        assert row.route == "calendar-feed"
        assert row.outside_own is False
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_an_empty_fetch_is_logged_once_and_a_refused_one_not_at_all(gotland):  # R10.4
    world = gotland
    feed, secret = services.create_feed(world.staff_a)
    response = fetch(secret)
    assert response.status_code == 200 and uids(response) == set()
    row = AccessLogEntry.objects.get()
    assert row.person_id is None and row.user_id == world.staff_a.pk
    assert row.detail == f"Kalenderprenumeration {feed.pk}: 0 bevakningar, 0 klienter."
    # A logged-in user asking with a wrong secret: 404, and the secret is never in the log.
    client = Client()
    client.force_login(world.officer)
    assert fetch("wrong-secret", client).status_code == 404
    assert AccessLogEntry.objects.count() == 1
    assert not AccessLogEntry.objects.filter(path__contains="wrong-secret").exists()


# --- the screen ----------------------------------------------------------------------------------


def test_the_screen_is_linked_from_the_watchlist_of_every_role_with_one(gotland):
    world = gotland
    placement = build.user(Role.PLACEMENT_UNIT, world.muni)
    for user in (world.officer, world.staff_a, world.fee_officer, placement):
        client = Client()
        client.force_login(user)
        page = client.get(reverse("watchlist"))
        assert page.status_code == 200, user.role
        assert reverse("calendar-subscription").encode() in page.content, user.role
        screen = client.get(reverse("calendar-subscription"))
        assert screen.status_code == 200
        assert "Du har ingen kalenderprenumeration." in screen.content.decode()


def test_making_a_subscription_shows_its_address_once(gotland):
    world = gotland
    client = Client()
    client.force_login(world.officer)
    made = client.post(reverse("calendar-feed-create"))
    assert made.status_code == 200
    feed = CalendarFeedToken.objects.get(user=world.officer)
    text = made.content.decode()
    start = text.index("http://testserver/calendar/")
    address = text[start : text.index(".ics", start) + 4]
    secret = address.removeprefix("http://testserver/calendar/").removesuffix(".ics")
    assert fetch(secret).status_code == 200
    assert f"webcal://testserver/calendar/{secret}.ics" in text
    again = client.get(reverse("calendar-subscription")).content.decode()
    assert secret not in again
    assert "Du har en aktiv kalenderprenumeration" in again
    assert feed.revoked_at is None


def test_revoking_asks_first_and_then_revokes(gotland):
    world = gotland
    feed, secret = services.create_feed(world.officer)
    client = Client()
    client.force_login(world.officer)
    asked = client.post(reverse("calendar-feed-revoke"))
    assert asked.status_code == 200
    assert "Kontrollera innan du återkallar din kalenderprenumeration" in asked.content.decode()
    assert fetch(secret).status_code == 200  # not yet
    back = client.post(reverse("calendar-feed-revoke"), {"back": "1"})
    assert back.status_code == 302 and fetch(secret).status_code == 200
    done = client.post(reverse("calendar-feed-revoke"), {"confirmed": "yes"})
    assert done.status_code == 302 and done["Location"] == reverse("calendar-subscription")
    assert fetch(secret).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    page = client.get(reverse("calendar-subscription")).content.decode()
    assert "Du har ingen kalenderprenumeration." in page


def test_changes_are_posts_with_csrf(gotland):
    world = gotland
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    assert client.post(reverse("calendar-feed-create")).status_code == 403
    assert not CalendarFeedToken.objects.exists()
    # A GET of the action's address goes to the screen (core.middleware.FormPageMiddleware).
    response = client.get(reverse("calendar-feed-create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("calendar-subscription")
    assert not CalendarFeedToken.objects.exists()
