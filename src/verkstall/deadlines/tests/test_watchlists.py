"""Watchlists (*insatsbevakningslista*, SPEC R11 and glossary "bevakning"): who sees which due
items, in which bucket, with which filters, in one query; through the selector, the API and
the screens.

Orders are walked through the real services on chosen days (core.clock.travel_to), so the due
items are the ones the engine itself computed. The dates are checked against the real 2026
calendar: March 2026 has no public holiday, 7-8 March is a weekend.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from verkstall.access.models import User
from verkstall.access.roles import Role
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines import selectors
from verkstall.deadlines.models import DueItem
from verkstall.decisions.services import record_decision
from verkstall.orders import services
from verkstall.people.services import register_person
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ACK = "kvittens-och-start"  # stockholm-hv: sent -> started within 3 weekdays, provider [001]
WRITTEN = "skriftlig-bestallning"  # stockholm-hv: oral order -> written order "snarast", officer
PLAN = "genomforandeplan-skickad"  # stockholm-hv: started -> plan within 15 working days


_names = itertools.cycle(
    ["Alva", "Bertil", "Cecilia", "Dag", "Ebba", "Folke", "Greta", "Hugo", "Ines", "Julius"]
)
_seq = itertools.count(1)


def new_person(world):
    """A new client with a name of its own, so screens can be checked for who is listed."""
    return world.person(first_name=next(_names), last_name=f"Klient{next(_seq)}")


def at(day: str, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    """A Stockholm moment on an ISO day."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), STOCKHOLM).replace(
        hour=hour, minute=minute, second=second
    )


def service(code: str = "hemtjanst-omvardnad") -> list[dict]:
    return [{"service_type": code, "scope_amount": "20", "scope_unit": "hours_per_month"}]


def sent_order(world, day: str, *, provider=None, provider_unit=None, person=None, code=None):
    """Decision and order on `day`, sent at 10:00 the same day."""
    with travel_to(at(day, 10)):
        person = person or new_person(world)
        decision = record_decision(
            world.officer,
            person=person,
            decided_on=date.fromisoformat(day),
            services=service(code or "hemtjanst-omvardnad"),
        )
        order = services.create_order(
            world.officer,
            decision=decision,
            provider=provider or world.provider_a,
            provider_unit=provider_unit,
        )
        services.send_order(world.officer, order)
    return order


def acute_order(world, day: str, officer=None):
    """An acute oral order given at 15:00 on `day` whose written order has not gone out."""
    officer = officer or world.officer
    with travel_to(at(day, 16)):
        person = new_person(world)
        decision = record_decision(
            officer, person=person, decided_on=date.fromisoformat(day), services=service()
        )
        return services.create_order(
            officer, decision=decision, provider=world.provider_a, acute_oral_at=at(day, 15)
        )


def keys(wl) -> set[tuple[str, int | None]]:
    return {(item.rule.code, item.order_id) for item in wl.items}


def on_day(user, scope, moment: datetime, **filters):
    with travel_to(moment):
        return selectors.watchlist(user, scope, **filters)


def item_of(order, code: str) -> DueItem:
    return DueItem.objects.get(order=order, rule__code=code)


class Scene:
    """Wednesday 4 March 2026: orders to provider A (one for its unit Nord), to provider B,
    and two acute oral orders of two officers of the same unit."""

    def __init__(self, world):
        self.world = world
        self.nord = build.provider_unit(world.provider_a, "Enhet Nord")
        self.colleague = build.user(Role.OFFICER, world.muni, unit=world.unit, username="colleague")
        self.staff_nord = build.user(
            Role.PROVIDER_STAFF, world.muni, provider=world.provider_a, username="staff_nord"
        )
        self.staff_nord.provider_unit = self.nord
        self.staff_nord.save()
        self.a_nord = sent_order(world, "2026-03-04", provider_unit=self.nord)
        self.a_plain = sent_order(world, "2026-03-04")
        self.b = sent_order(world, "2026-03-04", provider=world.provider_b)
        self.mine = acute_order(world, "2026-03-04")
        self.colleagues = acute_order(world, "2026-03-04", officer=self.colleague)
        self.friday = at("2026-03-06", 12)


@pytest.fixture
def scene(world):
    return Scene(world)


# --- scopes ----------------------------------------------------------------------------------


def test_mine_lists_the_officers_own_items_only(scene):  # R11, Actors
    wl = on_day(scene.world.officer, "mine", scene.friday)
    assert keys(wl) == {(WRITTEN, scene.mine.pk)}
    assert on_day(scene.colleague, "mine", scene.friday).items[0].order_id == scene.colleagues.pk


def test_unit_lists_every_officer_item_of_the_unit_and_no_provider_item(scene):  # R11, Actors
    wl = on_day(scene.world.officer, "unit", scene.friday)
    assert keys(wl) == {(WRITTEN, scene.mine.pk), (WRITTEN, scene.colleagues.pk)}
    assert {item.responsible for item in wl.items} == {"officer"}


def test_provider_sees_its_own_items_and_never_another_providers(scene):  # R11, Actors
    world = scene.world
    a = on_day(world.staff_a, "provider", scene.friday)
    b = on_day(world.staff_b, "provider", scene.friday)
    assert keys(a) == {(ACK, scene.a_nord.pk), (ACK, scene.a_plain.pk)}
    assert keys(b) == {(ACK, scene.b.pk)}
    assert {i.responsible_provider_id for i in a.items} == {world.provider_a.pk}


def test_provider_unit_lists_only_the_units_items(scene):  # R11, Actors
    unit_list = on_day(scene.staff_nord, "provider_unit", scene.friday)
    assert keys(unit_list) == {(ACK, scene.a_nord.pk)}
    whole = on_day(scene.staff_nord, "provider", scene.friday)
    assert keys(whole) == {(ACK, scene.a_nord.pk), (ACK, scene.a_plain.pk)}
    assert selectors.default_scope(scene.staff_nord) == "provider_unit"
    assert selectors.default_scope(scene.world.staff_a) == "provider"


def test_another_units_officer_sees_nothing(scene):  # R11, Actors
    other = scene.world.other_officer
    assert on_day(other, "mine", scene.friday).items == []
    assert on_day(other, "unit", scene.friday).items == []


def test_the_municipality_filter_holds_even_for_a_user_pointing_at_anothers_provider(
    scene,
):  # R11, ARCHITECTURE "Tenancy", R11.1, Actors
    elsewhere = build.municipality(name="Annanstad")
    stray = build.user(Role.PROVIDER_STAFF, elsewhere, provider=scene.world.provider_a)
    assert on_day(stray, "provider", scene.friday).items == []


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("officer", "provider"),
        ("officer", "provider_unit"),
        ("staff_a", "mine"),
        ("staff_a", "unit"),
        ("staff_a", "provider_unit"),  # staff_a belongs to no provider unit
        ("fee_officer", "mine"),
        ("fee_officer", "provider"),
    ],
)
def test_a_scope_the_role_may_not_use_is_refused(world, who, scope):  # R11, Actors
    with pytest.raises(PermissionDenied):
        selectors.watchlist(getattr(world, who), scope)


def test_an_unknown_scope_or_a_bad_filter_is_a_validation_error(world):  # R11.1
    with pytest.raises(ValidationFailed):
        selectors.watchlist(world.officer, "everything")
    with pytest.raises(ValidationFailed):
        selectors.watchlist(world.officer, "unit", person="Elsa")


# --- buckets ---------------------------------------------------------------------------------


def test_buckets_around_a_weekend(world):  # R11, R11.2
    # Sent Wednesday 4 March: 3 weekdays, not counting Saturday and Sunday -> Monday 9 March.
    order = sent_order(world, "2026-03-04")
    # Sent Monday 23 February: due Thursday 26 February, overdue a week later.
    late = sent_order(world, "2026-02-23")
    due = item_of(order, ACK)
    assert due.due_date == date(2026, 3, 9)
    assert [s["reason"] for s in due.explanation["skipped"]] == ["Lördag", "Söndag"]

    def bucket(moment):
        wl = on_day(world.staff_a, "provider", moment)
        return {item.order_id: item.bucket for item in wl.items}, wl.counts

    friday, counts = bucket(at("2026-03-06", 16))
    assert friday == {order.pk: "week", late.pk: "overdue"}
    assert counts == {"asap": 0, "overdue": 1, "today": 0, "week": 1}
    assert bucket(at("2026-03-07", 12))[0][order.pk] == "week"  # Saturday
    assert bucket(at("2026-03-09", 8))[0][order.pk] == "today"  # Monday morning
    assert bucket(at("2026-03-09", 23, 59, 59))[0][order.pk] == "today"  # the whole due day
    tuesday, counts = bucket(at("2026-03-10", 0, 0, 1))
    assert tuesday[order.pk] == "overdue"
    assert counts == {"asap": 0, "overdue": 2, "today": 0, "week": 0}


def test_snarast_items_have_no_due_date_and_come_first(world):  # R11.1, R3.2
    acute = acute_order(world, "2026-03-04")
    with travel_to(at("2026-03-04", 17)):
        decision = world.decision(decided_on=date(2026, 3, 4))
    with travel_to(at("2026-03-04", 17)):
        wl = selectors.watchlist(world.officer, "unit")
    assert [(i.rule.code, i.bucket) for i in wl.items] == [(WRITTEN, "asap")]
    assert wl.items[0].due_at is None and wl.items[0].order_id == acute.pk
    # The decision's IVO item (3 months) is far outside the seven days and is not listed.
    assert DueItem.objects.get(decision=decision, order=None).due_at is not None
    # Three months and a bit later it is overdue, and the snarast item still comes first.
    wl = on_day(world.officer, "unit", at("2026-06-10", 9))
    assert wl.items[0].bucket == "asap"
    assert wl.counts["asap"] == 1 and wl.counts["overdue"] == 2
    assert [i.due_at for i in wl.items[1:]] == sorted(i.due_at for i in wl.items[1:])


def test_the_list_reaches_seven_days_ahead_and_no_further(world):  # R11.1
    order = sent_order(world, "2026-03-04")
    with travel_to(at("2026-03-09", 14)):
        services.acknowledge_order(world.staff_a, order)
        services.register_start(world.staff_a, order, start_date=date(2026, 3, 9))
    plan = item_of(order, PLAN)
    assert plan.due_date == date(2026, 3, 30)  # 15 working days after Monday 9 March
    assert (PLAN, order.pk) not in keys(on_day(world.staff_a, "provider", at("2026-03-22", 12)))
    wl = on_day(world.staff_a, "provider", at("2026-03-23", 8))
    assert [(i.rule.code, i.bucket) for i in wl.items] == [(PLAN, "week")]


def test_an_hour_rule_is_overdue_the_moment_it_passes_even_on_its_day(world):  # R11, R3.6
    muni = build.municipality(name="Kundby", profile="kundval-004")
    unit = build.unit(muni)
    officer = build.user(Role.OFFICER, muni, unit=unit)
    provider = build.provider(muni, "Hemomsorg AB")
    staff = build.user(Role.PROVIDER_STAFF, muni, provider=provider)
    with travel_to(at("2026-03-03", 10)):
        person = register_person(
            officer, personal_number=build.test_number(), first_name="Maj", last_name="Val"
        )
        decision = record_decision(
            officer, person=person, decided_on=date(2026, 3, 3), services=service()
        )
        order = services.create_order(officer, decision=decision, provider=provider)
        services.send_order(officer, order)
    rule = "start-omvardnad-48h"  # personal care starts within 48 hours [004]
    before = on_day(staff, "provider", at("2026-03-05", 9), rule=rule)
    after = on_day(staff, "provider", at("2026-03-05", 11), rule=rule)
    assert [(i.bucket, i.due_date) for i in before.items] == [("today", None)]
    assert [i.bucket for i in after.items] == ["overdue"]
    # 48 real hours after sending (the moved clock runs on by a few milliseconds)
    assert abs((after.items[0].due_at - at("2026-03-05", 10)).total_seconds()) < 5


# --- what is not listed ----------------------------------------------------------------------


def test_items_met_or_closed_are_not_listed(world):  # R11.1
    started = sent_order(world, "2026-03-04")
    cancelled = sent_order(world, "2026-03-04")
    written = acute_order(world, "2026-03-04")
    with travel_to(at("2026-03-05", 11)):
        services.acknowledge_order(world.staff_a, started)
        services.register_start(world.staff_a, started, start_date=date(2026, 3, 5))
        services.cancel_order(world.officer, cancelled, reason="Klienten avböjde.")
        services.send_order(world.officer, written)
    assert item_of(started, ACK).status == "met_on_time"
    assert item_of(cancelled, ACK).status == "closed"
    assert item_of(written, WRITTEN).status == "met_on_time"
    moment = at("2026-03-06", 12)
    provider_list = keys(on_day(world.staff_a, "provider", moment))
    assert (ACK, started.pk) not in provider_list
    assert (ACK, cancelled.pk) not in provider_list
    assert (ACK, written.pk) in provider_list  # the written order went out: now it is due
    assert on_day(world.officer, "unit", moment).items == []


# --- filters ---------------------------------------------------------------------------------


def test_filters_by_rule_service_type_client_and_responsible_officer(scene):  # R11.1
    world, friday = scene.world, scene.friday
    service_order = sent_order(world, "2026-03-04", code="hemtjanst-service")
    with travel_to(at("2026-03-05", 11)):
        services.acknowledge_order(world.staff_a, scene.a_plain)
        services.register_start(world.staff_a, scene.a_plain, start_date=date(2026, 3, 5))
    moment = at("2026-03-20", 12)  # the plan for a_plain is due 26 March
    assert keys(on_day(world.staff_a, "provider", moment, rule=PLAN)) == {(PLAN, scene.a_plain.pk)}
    assert keys(on_day(world.staff_a, "provider", friday, rule=ACK)) == {
        (ACK, scene.a_nord.pk),
        (ACK, service_order.pk),
    }
    by_type = on_day(world.staff_a, "provider", friday, service_type="hemtjanst-service")
    assert keys(by_type) == {(ACK, service_order.pk)}
    by_person = on_day(world.staff_a, "provider", friday, person=scene.a_nord.person_id)
    assert keys(by_person) == {(ACK, scene.a_nord.pk)}
    by_officer = on_day(world.officer, "unit", friday, responsible_user=scene.colleague.pk)
    assert keys(by_officer) == {(WRITTEN, scene.colleagues.pk)}
    assert by_officer.filters == {"responsible_user": scene.colleague.pk}
    assert on_day(world.staff_a, "provider", friday, rule="no-such-rule").items == []


# --- one query -------------------------------------------------------------------------------


def test_each_list_is_one_query_at_demo_size(db, django_assert_num_queries):  # R11.1
    from verkstall.tooling.demo import seed

    seed()
    officer = User.objects.get(username="handlaggare")
    provider_user = User.objects.get(username="utforare")
    provider_user.provider_unit = provider_user.provider.units.first()
    provider_user.save()
    assert DueItem.objects.filter(status="open").count() > 50
    seen = 0
    for user, scope in [
        (officer, "mine"),
        (officer, "unit"),
        (provider_user, "provider"),
        (provider_user, "provider_unit"),
    ]:
        user = User.objects.get(pk=user.pk)  # nothing cached on the user
        with django_assert_num_queries(1):
            wl = selectors.watchlist(user, scope)
            rows = [
                (
                    i.person.full_name,
                    i.rule.name,
                    i.order_id,  # the list links the order by id; no join
                    i.service_type.name if i.service_type else None,
                    i.responsible_user.get_full_name() if i.responsible_user else None,
                    i.bucket,
                    i.explanation_text,
                )
                for i in wl.items
            ]
        assert sum(wl.counts.values()) == len(rows)
        seen += len(rows)
    assert seen > 0


def test_the_api_list_is_one_query_too(db, api, django_assert_num_queries):  # R11
    from verkstall.tooling.demo import seed

    seed()
    provider_user = User.objects.get(username="utforare")
    client = api(provider_user)
    # One query for the watchlist; the access log (R10.4) adds two of its own per request that
    # reads client data: which of the clients are the user's own, and one insert of the rows.
    with django_assert_num_queries(1 + 2):
        response = client.get("/api/due-items/", {"scope": "provider"})
    assert response.status_code == 200
    body = response.json()
    assert body["results"] and all(row["explanation_text"] for row in body["results"])


# --- items one by one ------------------------------------------------------------------------


def test_an_item_is_visible_to_its_unit_and_its_provider_only(scene):  # R11.2, Actors
    world = scene.world
    ack = item_of(scene.a_plain, ACK)
    written = item_of(scene.mine, WRITTEN)
    assert selectors.get_due_item(world.officer, ack.pk).pk == ack.pk
    assert selectors.get_due_item(world.staff_a, ack.pk).pk == ack.pk
    for user, pk in [
        (world.staff_b, ack.pk),
        (world.other_officer, ack.pk),
        (world.staff_a, written.pk),
        (world.fee_officer, ack.pk),
    ]:
        with pytest.raises(selectors.NotFound):
            selectors.get_due_item(user, pk)


def test_an_orders_items_for_its_page(world):  # R11.2
    order = sent_order(world, "2026-03-04")
    with travel_to(at("2026-03-05", 11)):
        services.acknowledge_order(world.staff_a, order)
        services.register_start(world.staff_a, order, start_date=date(2026, 3, 5))
        officer_view = selectors.due_items_for_order(world.officer, order)
        provider_view = selectors.due_items_for_order(world.staff_a, order)
    assert {i.rule.code: i.status for i in officer_view} == {ACK: "met_on_time", PLAN: "open"}
    assert [i.rule.code for i in provider_view] == [ACK, PLAN]
    assert selectors.due_items_for_order(world.staff_b, order) == []


# --- API -------------------------------------------------------------------------------------


def test_api_list_has_counts_and_results_without_personnummer(scene, api):  # R11, R10.5
    world = scene.world
    with travel_to(at("2026-03-10", 9)):
        response = api(world.staff_a).get("/api/due-items/", {"scope": "provider"})
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["scope"] == "provider"
    assert body["counts"] == {"asap": 0, "overdue": 2, "today": 0, "week": 0}
    row = body["results"][0]
    assert row["rule"] == ACK and row["status"] == "overdue" and row["bucket"] == "overdue"
    assert row["due_date"] == "2026-03-09"
    assert set(row["person"]) == {"id", "name"}
    assert "explanation" not in row and "Senast 2026-03-09." in row["explanation_text"]
    assert row["order"] in (scene.a_nord.pk, scene.a_plain.pk)
    assert row["service_type"] == "Hemtjänst – personlig omvårdnad"
    assert row["responsible"]["party"] == "provider"
    assert row["responsible"]["provider"] == world.provider_a.pk
    personal_number = scene.a_plain.person.personal_number
    assert personal_number not in response.content.decode()


def test_api_list_default_scope_and_filters(scene, api):  # R11.1
    world = scene.world
    with travel_to(scene.friday):
        mine = api(world.officer).get("/api/due-items/").json()
        unit = api(world.officer).get(
            "/api/due-items/", {"scope": "unit", "responsible_user": scene.colleague.pk}
        )
    assert mine["scope"] == "mine" and [r["order"] for r in mine["results"]] == [scene.mine.pk]
    assert mine["results"][0]["bucket"] == "asap" and mine["results"][0]["due_at"] is None
    assert [r["order"] for r in unit.json()["results"]] == [scene.colleagues.pk]


def test_api_refuses_a_foreign_scope_and_bad_filters(world, api):  # R11, Actors
    assert api(world.officer).get("/api/due-items/", {"scope": "provider"}).status_code == 403
    reviewer = build.user(Role.LOG_REVIEWER, world.muni)
    assert api(reviewer).get("/api/due-items/").status_code == 403
    assert api(world.officer).get("/api/due-items/", {"scope": "all"}).status_code == 400
    response = api(world.officer).get("/api/due-items/", {"person": "Elsa"})
    assert response.status_code == 400 and "person" in response.json()


def test_api_detail_has_the_stored_explanation_and_hides_other_providers_items(
    scene, api
):  # R11.2, Actors
    world = scene.world
    item = item_of(scene.a_plain, ACK)
    response = api(world.staff_a).get(f"/api/due-items/{item.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["explanation"] == item.explanation
    assert [s["date"] for s in body["explanation"]["skipped"]] == ["2026-03-07", "2026-03-08"]
    assert api(world.officer).get(f"/api/due-items/{item.pk}/").status_code == 200
    assert api(world.staff_b).get(f"/api/due-items/{item.pk}/").status_code == 404
    assert api(world.other_officer).get(f"/api/due-items/{item.pk}/").status_code == 404
    assert api(world.staff_a).get("/api/due-items/999999/").status_code == 404


# --- screens ---------------------------------------------------------------------------------


def page(client, user, url, moment):
    client.force_login(user)
    with travel_to(moment):
        response = client.get(url)
    return response, response.content.decode()


def test_the_watchlist_screen_for_an_officer(scene, client):  # R11.1
    world = scene.world
    response, html = page(client, world.officer, "/watchlist/?scope=unit", scene.friday)
    assert response.status_code == 200
    assert "<h1>Bevakning</h1>" in html
    for heading in ("Försenade", "I dag", "Kommande 7 dagar", "Snarast"):
        assert heading in html
    assert "Mina bevakningar" in html and "Enhetens bevakningar" in html
    assert 'aria-current="page"' in html
    assert scene.mine.person.full_name in html and scene.colleagues.person.full_name in html
    assert f'href="/orders/{scene.mine.pk}/"' in html
    assert "Skriftlig" in html or "skriftlig" in html  # the rule's name
    assert scene.mine.person.personal_number not in html


def test_the_watchlist_screen_filters(scene, client):  # R11.1
    world = scene.world
    url = f"/watchlist/?scope=unit&responsible_user={scene.colleague.pk}"
    response, html = page(client, world.officer, url, scene.friday)
    assert response.status_code == 200
    assert scene.colleagues.person.full_name in html
    assert scene.mine.person.full_name not in html.split("<h2>Bevakningar</h2>")[1]
    # A client who is not the user's to see is not a choice: an error, and the filter ignored.
    response, html = page(client, world.officer, "/watchlist/?person=999999", scene.friday)
    assert response.status_code == 200 and 'class="errorlist"' in html
    assert scene.mine.person.full_name in html


def test_the_watchlist_screen_for_a_provider(scene, client):  # R11, Actors
    world = scene.world
    response, html = page(client, world.staff_a, "/watchlist/", at("2026-03-10", 9))
    assert response.status_code == 200
    assert "<h1>Bevakning</h1>" in html and "Försenad" in html
    assert scene.a_plain.person.full_name in html
    assert scene.b.person.full_name not in html
    assert "Ansvarig handläggare" not in html  # no officer filter on a provider's list


def test_the_watchlist_screen_refuses_a_foreign_scope_and_roles_without_one(
    world, client
):  # R11, Actors
    response, _ = page(client, world.officer, "/watchlist/?scope=provider", at("2026-03-06"))
    assert response.status_code == 403
    reviewer = build.user(Role.LOG_REVIEWER, world.muni)
    response, _ = page(client, reviewer, "/watchlist/", at("2026-03-06"))
    assert response.status_code == 403
    response, _ = page(client, world.fee_officer, "/watchlist/", at("2026-03-06"))
    assert response.status_code == 200  # the fee officer's function list


def test_the_item_screen_explains_the_due_date(scene, client):  # R11.2
    world = scene.world
    item = item_of(scene.a_plain, ACK)
    response, html = page(client, world.staff_a, f"/watchlist/{item.pk}/", scene.friday)
    assert response.status_code == 200
    assert "Så räknades fristen" in html
    assert "2026-03-07 – Lördag" in html and "2026-03-08 – Söndag" in html
    assert "Senast 2026-03-09." in html
    assert item.rule.source in html
    response, _ = page(client, world.staff_b, f"/watchlist/{item.pk}/", scene.friday)
    assert response.status_code == 404


def test_start_page_and_inbox_show_the_watchlist_at_the_top(scene, client):  # R11, R5.4
    world = scene.world
    response, html = page(client, world.officer, "/", scene.friday)
    assert response.status_code == 200
    assert html.index('<h2 id="wl-heading">Bevakning</h2>') < html.index("Utkast att skicka")
    assert scene.mine.person.full_name in html
    response, html = page(client, world.staff_a, "/inbox/", scene.friday)
    assert response.status_code == 200
    top = html.index('<h2 id="wl-heading">Bevakning</h2>')
    assert top < html.index("Nya beställningar att kvittera")
    assert "Visa hela bevakningslistan (2 bevakningar)" in html


def test_function_roles_see_their_functions_items_in_their_municipality_only(scene):  # R4.1, R8.1
    """Aids-centre and placement-unit items belong to the function, not to a person."""
    world = scene.world
    template = item_of(scene.a_plain, ACK)
    install = DueItem.objects.create(
        municipality=world.muni,
        rule=template.rule,
        rule_version=1,
        subject_key="test:aids",
        person=template.person,
        responsible="aids_centre",
        start_event="alarm.ordered",
        started_at=template.started_at,
        start_recorded_at=template.start_recorded_at,
        due_at=template.due_at,
        due_date=template.due_date,
    )
    hmc = build.user(Role.AIDS_CENTRE, world.muni)
    other_hmc = build.user(Role.AIDS_CENTRE, build.municipality())
    with travel_to(datetime(2026, 3, 5, 9, tzinfo=STOCKHOLM)):
        mine = selectors.watchlist(hmc)
        assert [i.pk for i in mine.items] == [install.pk]
        assert selectors.watchlist(other_hmc).items == []
        assert selectors.get_due_item(hmc, install.pk) == install
        with pytest.raises(PermissionDenied):
            selectors.watchlist(hmc, "provider")


def test_the_screens_client_filter_offers_only_clients_on_the_list(world, client):
    """R11, R10.4: the filter is not a list of every client of the unit; the names it offers
    are those the list shows, and no other client's data is read (or logged)."""
    from verkstall.audit.models import AccessLogEntry
    from verkstall.core import clock

    on_list = world.order(provider=world.provider_a, state="sent")
    elsewhere = world.person(first_name="Utanför", last_name="Listan")
    later = clock.now() + timedelta(days=400)  # the officer's follow-ups are then overdue
    with travel_to(later):
        client.force_login(world.officer)  # a session ends after a working day (issue 11)
        page = client.get(reverse("watchlist"), {"scope": "unit"}).content.decode()
    assert on_list.person.last_name in page
    assert "Listan" not in page
    logged = set(AccessLogEntry.objects.values_list("person_id", flat=True))
    assert on_list.person_id in logged and elsewhere.pk not in logged
