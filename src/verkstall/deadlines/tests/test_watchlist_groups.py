"""The watchlist screens in groups, over a horizon the user chooses, and the unit manager's
list (issue 17 item 6; SPEC R11, glossary "bevakning": per officer, provider and unit).

The screen shows overdue items first (marked by a sign and a word, not by colour alone), then
today's, then "snarast", then the rest by date; the query behind it, and the API's list, keep
the index's order ("snarast" first) and its seven days. The dates are the real 2026 calendar
(test_watchlists.py): March 2026 has no public holiday, 7-8 March is a weekend.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.core.errors import ValidationFailed
from verkstall.deadlines import selectors
from verkstall.deadlines.models import DueItem
from verkstall.deadlines.tests.test_watchlists import (
    ACK,
    PLAN,
    acute_order,
    at,
    item_of,
    page,
    sent_order,
)
from verkstall.deadlines.views import HORIZON_SESSION_KEY
from verkstall.orders import services
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

FRIDAY = at("2026-03-06", 12)
_copies = itertools.count(1)
GROUP_IDS = ['id="wl-group-overdue"', 'id="wl-group-today"', 'id="wl-group-asap"']


def copy_item(template: DueItem, **changes) -> DueItem:
    """A due item like `template` (its rule, client and order) with other columns."""
    columns = {
        f.attname: getattr(template, f.attname)
        for f in DueItem._meta.concrete_fields
        if f.name != "id"
    }
    columns.update(subject_key=f"test:copy:{next(_copies)}")
    columns.update(changes)
    return DueItem.objects.create(**columns)


class Provider:
    """Provider A on Friday 6 March 2026: one item overdue (sent 23 February), one due today
    (sent Tuesday 3 March), one later (sent Wednesday 4 March, due Monday 9 March) and one
    "snarast" (without a due date)."""

    def __init__(self, world):
        self.overdue = sent_order(world, "2026-02-23")
        self.today = sent_order(world, "2026-03-03")
        self.later = sent_order(world, "2026-03-04")
        self.asap = sent_order(world, "2026-03-04")
        copy_item(item_of(self.asap, ACK), due_at=None, due_date=None)
        DueItem.objects.filter(order=self.asap, due_at__isnull=False).update(status="closed")


def section(html: str, bucket: str) -> str:
    return html.split(f'id="wl-group-{bucket}"')[1].split("</section>")[0]


def test_the_provider_screen_shows_overdue_then_today_then_snarast_then_later(world, client):
    # R11, issue 17 item 6
    p = Provider(world)
    response, html = page(client, world.staff_a, "/watchlist/", FRIDAY)
    assert response.status_code == 200
    positions = [html.index(g) for g in [*GROUP_IDS, 'id="wl-group-week"']]
    assert positions == sorted(positions)
    for bucket, order in [("overdue", p.overdue), ("today", p.today), ("asap", p.asap)]:
        assert order.person.full_name in section(html, bucket), bucket
    assert p.later.person.full_name in section(html, "week")
    assert "Kommande 7 dagar" in section(html, "week").split("</h3>")[0]
    # Overdue is marked by a sign and a word, not by colour alone.
    heading = section(html, "overdue").split("</h3>")[0]
    assert "⚠" in heading and "Försenade" in heading and "(1)" in heading
    overdue_row = section(html, "overdue").split("<tbody>")[1]
    assert "⚠" in overdue_row and "Försenad" in overdue_row
    assert "⚠" not in section(html, "today")
    # The counts in the same order as the groups.
    counts = html.split('class="wl-counts"')[1].split("</ul>")[0]
    words = ["Försenade", "I dag", "Snarast", "Kommande 7 dagar"]
    assert [counts.index(w) for w in words] == sorted(counts.index(w) for w in words)


def test_the_query_and_the_api_keep_their_order_and_seven_days(world, api):  # R11
    p = Provider(world)
    with travel_to(FRIDAY):
        wl = selectors.watchlist(world.staff_a, "provider")
        body = api(world.staff_a).get("/api/due-items/", {"scope": "provider"}).json()
    # The query's order (the index's: "snarast" first, then by due moment) is unchanged...
    assert [i.bucket for i in wl.items] == ["asap", "overdue", "today", "week"]
    assert [r["bucket"] for r in body["results"]] == ["asap", "overdue", "today", "week"]
    assert [r["order"] for r in body["results"]] == [
        p.asap.pk,
        p.overdue.pk,
        p.today.pk,
        p.later.pk,
    ]
    assert body["counts"] == {"asap": 1, "overdue": 1, "today": 1, "week": 1}
    # ...and only the screen regroups it.
    assert [b for b, _items in wl.groups] == ["overdue", "today", "asap", "week"]
    assert [i.order_id for i in wl.screen_items] == [
        p.overdue.pk,
        p.today.pk,
        p.asap.pk,
        p.later.pk,
    ]


def test_the_officer_screen_groups_the_same_way(world, client):  # R11, R3.2
    acute = acute_order(world, "2026-03-04")  # its written order: "snarast", the officer's
    template = item_of(sent_order(world, "2026-03-04"), ACK)
    officer_side = {
        "responsible": "officer",
        "responsible_user_id": world.officer.pk,
        "responsible_unit_id": world.unit.pk,
        "responsible_provider_id": None,
    }
    late = copy_item(template, due_at=at("2026-03-02", 17), due_date=None, **officer_side)
    today = copy_item(template, due_at=at("2026-03-06", 16), due_date=None, **officer_side)
    response, html = page(client, world.officer, "/watchlist/?scope=mine", FRIDAY)
    assert response.status_code == 200
    positions = [html.index(g) for g in GROUP_IDS]
    assert positions == sorted(positions)
    assert f"/watchlist/{late.pk}/" in section(html, "overdue")
    assert f"/watchlist/{today.pk}/" in section(html, "today")
    assert f'href="/orders/{acute.pk}/"' in section(html, "asap")
    assert 'id="wl-group-week"' not in html  # an empty group is left out


def test_the_inbox_top_ten_start_with_the_overdue(world, client):  # R11, issue 17 item 6
    p = Provider(world)
    _, html = page(client, world.staff_a, "/inbox/", FRIDAY)
    compact = html.split('class="card wl-compact"')[1].split("</section>")[0]
    names = [p.overdue, p.today, p.asap, p.later]
    spots = [compact.index(o.person.full_name) for o in names]
    assert spots == sorted(spots)


# --- the horizon -----------------------------------------------------------------------------


@pytest.fixture
def planned(world):
    """An order started Monday 9 March: its plan is due Monday 30 March (15 working days)."""
    order = sent_order(world, "2026-03-04")
    with travel_to(at("2026-03-09", 14)):
        services.acknowledge_order(world.staff_a, order)
        services.register_start(world.staff_a, order, start_date=date(2026, 3, 9))
    assert item_of(order, PLAN).due_date == date(2026, 3, 30)
    return order


FRIDAY_20 = at("2026-03-20", 12)  # seven days end Friday 27 March, fourteen Friday 3 April


def test_the_user_chooses_7_14_or_30_days_and_the_choice_is_remembered(
    world, client, planned
):  # R11, issue 17 item 6
    name = planned.person.full_name
    _, html = page(client, world.staff_a, "/watchlist/", FRIDAY_20)
    assert name not in html.split("<h2>Bevakningar</h2>")[1]  # the default: seven days
    assert '<option value="7" selected>' in html
    _, html = page(client, world.staff_a, "/watchlist/?horizon=14", FRIDAY_20)
    assert name in section(html, "week")
    assert "Kommande 14 dagar" in html and "de kommande 14 dagarna" in html
    assert client.session[HORIZON_SESSION_KEY] == 14
    # Remembered: the list without a horizon in the address, a tab, clearing the filters.
    for url in ("/watchlist/", "/watchlist/?scope=provider", "/watchlist/?rule="):
        with travel_to(FRIDAY_20):
            html = client.get(url).content.decode()
        assert name in section(html, "week"), url
        assert '<option value="14" selected>' in html
    # The client filter offers the clients of the list as it is shown.
    with travel_to(FRIDAY_20):
        offered = selectors.person_choices(world.staff_a, "provider", 14)
        assert str(planned.person_id) in {pk for pk, _name in offered}
        offered = selectors.person_choices(world.staff_a, "provider")
        assert str(planned.person_id) not in {pk for pk, _name in offered}


@pytest.mark.parametrize("value", ["99", "abc", "-7", "7.5", "1e3", "１４"])
def test_a_horizon_not_offered_gives_the_default_and_says_why(
    world, client, planned, value
):  # R11, issue 17 item 6
    name = planned.person.full_name
    page(client, world.staff_a, "/watchlist/?horizon=30", FRIDAY_20)
    response, html = page(client, world.staff_a, f"/watchlist/?horizon={value}", FRIDAY_20)
    assert response.status_code == 200
    assert "Välj 7, 14 eller 30 dagar." in html
    assert name not in html.split("<h2>Bevakningar</h2>")[1]  # seven days
    assert "Kommande 7 dagar" in html
    assert client.session[HORIZON_SESSION_KEY] == 30  # the choice before is kept


def test_the_selector_refuses_a_horizon_not_offered(world):  # R11
    for days in (0, 8, 31, "x", None):
        with pytest.raises(ValidationFailed) as caught:
            selectors.watchlist(world.staff_a, "provider", horizon_days=days)
        assert "horizon" in caught.value.errors
    assert selectors.watchlist(world.staff_a, "provider", horizon_days="30").horizon_days == 30


def test_thirty_days_reach_thirty_days_and_no_further(world, planned):  # R11
    item = item_of(planned, PLAN)
    with travel_to(at("2026-02-28", 12)):  # 30 days end Monday 30 March
        wl = selectors.watchlist(world.staff_a, "provider", horizon_days=30)
    assert item.pk in {i.pk for i in wl.items}
    with travel_to(at("2026-02-27", 12)):
        wl = selectors.watchlist(world.staff_a, "provider", horizon_days=30)
    assert item.pk not in {i.pk for i in wl.items}


# --- the unit manager (enhetschef) ---------------------------------------------------------


class Units:
    """Provider A with two units, Nord and Syd, an order routed to each, the unit manager of
    Nord, and an order of provider B."""

    def __init__(self, world):
        self.nord = build.provider_unit(world.provider_a, "Enhet Nord")
        self.syd = build.provider_unit(world.provider_a, "Enhet Syd")
        self.manager = build.user(Role.PROVIDER_MANAGER, world.muni, provider=world.provider_a)
        self.manager.provider_unit = self.nord
        self.manager.save()
        self.in_nord = sent_order(world, "2026-03-04", provider_unit=self.nord)
        self.in_syd = sent_order(world, "2026-03-04", provider_unit=self.syd)
        self.unrouted = sent_order(world, "2026-03-04")
        self.of_b = sent_order(world, "2026-03-04", provider=world.provider_b)


def test_the_unit_manager_has_the_units_watchlist_from_the_menu(world, client):
    # R11 ("per officer, provider and unit"), Actors, issue 17 item 6
    u = Units(world)
    response, html = page(client, u.manager, "/", FRIDAY)  # the start page: the inbox
    if response.status_code == 302:
        response, html = page(client, u.manager, response["Location"], FRIDAY)
    menu = html.split('aria-label="Huvudmeny"')[1].split("</nav>")[0]
    assert 'href="/watchlist/"' in menu
    response, html = page(client, u.manager, "/watchlist/", FRIDAY)
    assert response.status_code == 200
    listed = html.split("<h2>Bevakningar</h2>")[1]
    assert u.in_nord.person.full_name in listed
    for other in (u.in_syd, u.unrouted, u.of_b):
        assert other.person.full_name not in listed
    assert "Min enhet" in html and "Hela utföraren" in html
    # The whole provider's list is the manager's too; never another provider's.
    _, html = page(client, u.manager, "/watchlist/?scope=provider", FRIDAY)
    listed = html.split("<h2>Bevakningar</h2>")[1]
    assert u.in_syd.person.full_name in listed and u.unrouted.person.full_name in listed
    assert u.of_b.person.full_name not in listed


def test_the_unit_managers_list_uses_the_provider_units_scope(world):  # R11, Actors
    u = Units(world)
    assert selectors.scopes_for(u.manager) == ("provider_unit", "provider")
    with travel_to(FRIDAY):
        wl = selectors.watchlist(u.manager)
    assert wl.scope == "provider_unit"
    assert {i.order_id for i in wl.items} == {u.in_nord.pk}
    # A manager of no unit manages the provider: the provider's list.
    whole = build.user(Role.PROVIDER_MANAGER, world.muni, provider=world.provider_a)
    assert selectors.scopes_for(whole) == ("provider",)
    with travel_to(FRIDAY):
        orders = {i.order_id for i in selectors.watchlist(whole).items}
    assert orders == {u.in_nord.pk, u.in_syd.pk, u.unrouted.pk}


def test_another_providers_manager_is_refused_the_units_list(world, client):  # Actors
    u = Units(world)
    other = build.user(Role.PROVIDER_MANAGER, world.muni, provider=world.provider_b)
    response, _ = page(client, other, "/watchlist/?scope=provider_unit", FRIDAY)
    assert response.status_code == 403  # no unit: the scope is not theirs
    other.provider_unit = u.nord  # a unit of another provider: the scope checks both
    other.save()
    with travel_to(FRIDAY):
        assert selectors.watchlist(other, "provider_unit").items == []


def test_the_horizon_reaches_the_unit_managers_list_too(world, client):  # R11
    u = Units(world)
    later = copy_item(item_of(u.in_nord, ACK), due_at=at("2026-03-16", 12), due_date=None)
    link = f"/watchlist/{later.pk}/"
    _, html = page(client, u.manager, "/watchlist/", FRIDAY)  # seven days end 13 March
    assert link not in html
    _, html = page(client, u.manager, "/watchlist/?horizon=14", FRIDAY)  # ...14 end 20 March
    assert link in section(html, "week")
