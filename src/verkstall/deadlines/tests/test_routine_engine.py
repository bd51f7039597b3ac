"""The routines' frequency, new-client and booked-staff words through the real services, the
engine, the screens and the API (SPEC R3.6, R5.1; seeds 002 and 003).

- 002 §Verkställighet: "dagliga insatser verkställs snarast dock senast inom 3 dagar och ...
  övriga insatser verkställs inom aktuell frekvens" (Gotland).
- 003: "Utföraren informerar handläggaren via mail när insatsen påbörjas det vill säga när en
  faktisk personal är inbokad för insatsen"; "Upprättandet av en genomförandeplan påbörjas
  inom 14 dagar och skickas till OF senast inom 3 månader vid ny kund. Boendestödet behöver en
  viss kartläggningstid tillsammans med den enskilde, denna ska vara klar inom 3 månader"
  (Solna).

Monday 2 March 2026 is in a month with no public holiday.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime, time

import pytest
from django.apps import apps
from django.urls import reverse

from verkstall.core.clock import travel_to
from verkstall.core.errors import ValidationFailed
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.client_selectors import new_client
from verkstall.deadlines.models import DueItem, Rule, RuleProfile, RuleRevision
from verkstall.deadlines.routine_selectors import mapping_period, needs_booked_staff
from verkstall.deadlines.services import copy_profile
from verkstall.decisions.services import record_decision
from verkstall.orders import services
from verkstall.orders.models import EventKind, Order

pytestmark = pytest.mark.django_db

MON_2_MAR = date(2026, 3, 2)
BOOKED = "Boendestödjare A"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


def use_profile(world, slug: str) -> None:
    world.muni.rule_profile = slug
    world.muni.save()


def codes(order: Order) -> dict[str, str]:
    return dict(DueItem.objects.filter(order=order).values_list("rule__code", "status"))


def item(order: Order, code: str) -> DueItem:
    return DueItem.objects.get(order=order, rule__code=code, cycle=0)


def sent_order(world, code, unit, amount, frequency="", *, person=None, provider=None, day=None):
    day = day or MON_2_MAR
    with travel_to(at(day)):
        decision = record_decision(
            world.officer,
            person=person or world.person(),
            decided_on=day,
            services=[
                {
                    "service_type": code,
                    "scope_amount": amount,
                    "scope_unit": unit,
                    "frequency": frequency,
                }
            ],
        )
        order = services.create_order(
            world.officer, decision=decision, provider=provider or world.provider_a
        )
        services.send_order(world.officer, order)
    return Order.objects.get(pk=order.pk)


def started(world, order: Order, on: date, booked: str = BOOKED) -> Order:
    actor = world._provider_actor(order.provider)
    with travel_to(at(on, 14)):
        services.acknowledge_order(actor, order)
        services.register_start(actor, order, start_date=on, booked_staff=booked)
    return Order.objects.get(pk=order.pk)


def housing_support(world, *, person=None, provider=None, day=None) -> Order:
    return sent_order(
        world, "boendestod", "hours_per_month", "10", person=person, provider=provider, day=day
    )


# --- Gotland: daily within 3 days, others within their frequency (R3.6, 002) ----------------


def test_gotland_a_twice_daily_service_gets_the_3_day_clock(world):  # R3.6 [002]
    use_profile(world, "gotland")
    order = sent_order(world, "hemtjanst-service", "visits_per_day", "2")
    assert codes(order) == {"start-dagliga-insatser": "open"}
    assert item(order, "start-dagliga-insatser").due_date == date(2026, 3, 5)
    order = started(world, order, date(2026, 3, 4), booked="")
    assert codes(order)["start-dagliga-insatser"] == "met_on_time"


def test_gotland_a_weekly_service_gets_a_week(world):  # R3.6 [002]
    use_profile(world, "gotland")
    order = sent_order(world, "hemtjanst-stad", "visits_per_week", "1")
    assert codes(order) == {"start-insatser-varje-vecka": "open"}
    due = item(order, "start-insatser-varje-vecka")
    assert due.due_date == date(2026, 3, 9)
    assert "bara för insatser som ges varje vecka" in due.explanation["text"]


def test_gotland_the_decisions_frequency_text_decides_not_the_service_type(world):  # R3.6
    use_profile(world, "gotland")
    daily = sent_order(world, "hemtjanst-stad", "hours_per_month", "8", "morgon och kväll")
    fortnightly = sent_order(world, "hemtjanst-omvardnad", "hours_per_month", "4", "varannan vecka")
    assert codes(daily) == {"start-dagliga-insatser": "open"}
    assert codes(fortnightly) == {"start-insatser-varannan-vecka": "open"}
    assert item(fortnightly, "start-insatser-varannan-vecka").due_date == date(2026, 3, 16)


# --- Solna: the new client's plan and mapping period (R5.1, 003) -----------------------------


def test_solna_new_client_and_existing_client_plan_deadlines(world):  # R5.1 [003]
    use_profile(world, "solna-boendestod")
    person = world.person()
    first = started(world, housing_support(world, person=person), MON_2_MAR)
    assert item(first, "genomforandeplan-skickad").due_date == date(2026, 6, 2)
    assert "genomforandeplan-skickad-befintlig-kund" not in codes(first)
    assert new_client(first)

    # A new decision for the same client, to the same provider: a client it already has.
    again = housing_support(world, person=person, day=date(2026, 3, 20))
    again = started(world, again, date(2026, 3, 23))
    assert not new_client(again)
    assert "genomforandeplan-skickad" not in codes(again)
    existing = item(again, "genomforandeplan-skickad-befintlig-kund")
    assert existing.due_at is None and existing.status == "open"
    # Begun within 14 days, for every client: 6 April is annandag påsk, so the 7th.
    assert item(again, "genomforandeplan-paborjad").due_date == date(2026, 4, 7)

    # To another provider the client is new again.
    other = housing_support(world, person=person, provider=world.provider_b, day=date(2026, 3, 20))
    other = started(world, other, date(2026, 3, 23))
    assert new_client(other)
    assert item(other, "genomforandeplan-skickad").due_date == date(2026, 6, 23)


def test_solna_new_clients_mapping_period_is_the_profiles_and_shown(world, client):  # R5.1
    use_profile(world, "solna-boendestod")
    solna = RuleProfile.objects.get(slug="solna-boendestod")
    assert solna.mapping_period_months == 3
    person = world.person()
    first = started(world, housing_support(world, person=person), MON_2_MAR)
    period = mapping_period(first)
    assert (period.starts_on, period.ends_on, period.months) == (MON_2_MAR, date(2026, 6, 2), 3)
    again = housing_support(world, person=person, day=date(2026, 3, 3))
    again = started(world, again, date(2026, 3, 3))
    assert mapping_period(again) is None  # not a new client
    client.force_login(world.officer)
    page = client.get(reverse("order-detail", args=[first.pk])).content.decode()
    assert 'id="mapping-period"' in page and "2026-03-02 – 2026-06-02" in page
    page = client.get(reverse("order-detail", args=[again.pk])).content.decode()
    assert 'id="mapping-period"' not in page


def test_gotland_has_no_mapping_period(world):  # R5.1: only 003's routine has one
    use_profile(world, "gotland")
    order = started(world, sent_order(world, "hemtjanst-stad", "visits_per_week", "1"), MON_2_MAR)
    assert mapping_period(order) is None


# --- Solna: the start names the booked staff member (R3.6, 003) ------------------------------


def test_solna_housing_support_start_names_the_booked_staff(world):  # R3.6 [003]
    use_profile(world, "solna-boendestod")
    order = housing_support(world)
    assert needs_booked_staff(order)
    with travel_to(at(date(2026, 3, 4), 9)):
        services.acknowledge_order(world.staff_a, order)
        with pytest.raises(ValidationFailed) as refused:
            services.register_start(world.staff_a, order, start_date=date(2026, 3, 4))
    assert "inbokad" in refused.value.errors["booked_staff"][0]
    order.refresh_from_db()
    assert order.state == "acknowledged" and not order.events.filter(kind=EventKind.STARTED)
    with travel_to(at(date(2026, 3, 4), 14)):
        services.register_start(
            world.staff_a, order, start_date=date(2026, 3, 4), booked_staff=f"  {BOOKED} "
        )
    order = Order.objects.get(pk=order.pk)
    event = order.events.get(kind=EventKind.STARTED)
    assert event.data == {"start_date": "2026-03-04", "booked_staff": BOOKED}
    assert item(order, "start-rapporterad").status == "met_on_time"


def test_other_routines_need_no_booked_staff(world):  # R3.6: the profile's list decides
    use_profile(world, "gotland")
    order = sent_order(world, "boendestod", "hours_per_month", "10")
    assert not needs_booked_staff(order)
    order = started(world, order, MON_2_MAR, booked="")
    assert "booked_staff" not in order.events.get(kind=EventKind.STARTED).data


def test_the_booked_staff_is_asked_and_shown_on_the_order_page(world, client):  # R3.6 [003]
    use_profile(world, "solna-boendestod")
    order = housing_support(world)
    with travel_to(at(date(2026, 3, 3), 9)):
        services.acknowledge_order(world.staff_a, order)
    client.force_login(world.staff_a)
    url = reverse("order-action", args=[order.pk, "start"])
    response = client.post(url, {"start_date": "2026-03-03"})
    assert response.status_code == 400
    assert "Ange vilken personal som är inbokad" in response.content.decode()
    assert Order.objects.get(pk=order.pk).state == "acknowledged"
    response = client.post(url, {"start_date": "2026-03-03", "booked_staff": BOOKED})
    assert response.status_code == 302
    client.force_login(world.officer)  # the officer sees who was booked
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert f"inbokad personal: {BOOKED}" in page


def test_the_start_form_asks_for_booked_staff_only_where_the_routine_does(world, client):
    # R3.6 [003]
    use_profile(world, "gotland")
    order = world.order(state="acknowledged")
    client.force_login(world.staff_a)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'name="start_date"' in page and 'name="booked_staff"' not in page
    use_profile(world, "solna-boendestod")
    order = housing_support(world)
    with travel_to(at(date(2026, 3, 3), 9)):
        services.acknowledge_order(world.staff_a, order)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'name="booked_staff"' in page


def test_the_api_refuses_a_solna_start_without_booked_staff(world, api):  # R3.6 [003]
    use_profile(world, "solna-boendestod")
    order = housing_support(world)
    with travel_to(at(date(2026, 3, 3), 9)):
        services.acknowledge_order(world.staff_a, order)
    url = f"/api/orders/{order.pk}/start/"
    response = api(world.staff_a).post(url, {"start_date": "2026-03-03"}, format="json")
    assert response.status_code == 400 and "booked_staff" in response.json()
    body = {"start_date": "2026-03-03", "booked_staff": BOOKED}
    assert api(world.staff_a).post(url, body, format="json").status_code == 200
    event = Order.objects.get(pk=order.pk).events.get(kind=EventKind.STARTED)
    assert event.data["booked_staff"] == BOOKED


# --- The data migration 0011 ---------------------------------------------------------------

MIGRATION = importlib.import_module(
    "verkstall.deadlines.migrations.0011_routine_frequency_new_client"
)
OLD_DAILY = {"service_kinds": ["personal_care"], "service_frequencies": []}
NEW_GOTLAND = (
    "start-insatser-varje-vecka",
    "start-insatser-varannan-vecka",
    "start-insatser-varje-manad",
    "genomforandeplan-delgiven",
)


def test_the_migration_moves_unchanged_copies_to_the_frequency_rules(world):  # R3.6 R5.1
    """A database from before: Gotland's daily rule by service kind (the template and an
    unchanged copy, and an edited copy), no weekly rules; Solna's plan for every client."""
    template = RuleProfile.objects.get(slug="gotland")
    copy = copy_profile(None, source=template, slug="kopia-gotland", owner=world.muni)
    edited = copy_profile(None, source=template, slug="egen-gotland", owner=world.muni)
    solna_copy = copy_profile(
        None, source=RuleProfile.objects.get(slug="solna-boendestod"), slug="kopia-solna"
    )
    for profile in (template, copy, edited):
        Rule.objects.filter(profile=profile, code__in=NEW_GOTLAND).delete()
        Rule.objects.filter(profile=profile, code="start-dagliga-insatser").update(**OLD_DAILY)
    Rule.objects.filter(profile=edited, code="start-dagliga-insatser").update(amount=2, version=2)
    solna = Rule.objects.filter(code="genomforandeplan-skickad", profile__slug__contains="solna")
    solna.update(client_of_provider="", name="Genomförandeplan skickad (ny kund)")
    Rule.objects.filter(code="genomforandeplan-skickad-befintlig-kund").delete()
    RuleProfile.objects.filter(pk=solna_copy.pk).update(
        mapping_period_months=0, booked_staff_service_kinds=[]
    )

    MIGRATION.forward(apps, None)

    for profile in (template, copy):
        daily = Rule.objects.get(profile=profile, code="start-dagliga-insatser")
        assert (daily.version, daily.service_frequencies, daily.service_kinds) == (
            2,
            ["daily"],
            [],
        )
        assert RuleRevision.objects.get(rule=daily, version=1).snapshot["service_kinds"] == [
            "personal_care"
        ]
        assert set(NEW_GOTLAND) <= set(profile.rules.values_list("code", flat=True))
    kept = Rule.objects.get(profile=edited, code="start-dagliga-insatser")
    assert (kept.version, kept.amount, kept.service_frequencies) == (2, 2, [])
    assert not edited.rules.filter(code__in=NEW_GOTLAND).exists()
    for rule in Rule.objects.filter(
        code="genomforandeplan-skickad", profile__slug__contains="solna"
    ):
        assert (rule.version, rule.client_of_provider) == (2, "new")
        assert rule.profile.rules.filter(code="genomforandeplan-skickad-befintlig-kund").exists()
    solna_copy.refresh_from_db()
    assert solna_copy.mapping_period_months == 3
    assert solna_copy.booked_staff_service_kinds == ["housing_support"]

    before = sorted(Rule.objects.values_list("pk", "profile_id", "code", "version"))
    MIGRATION.forward(apps, None)  # again: nothing more changes
    assert sorted(Rule.objects.values_list("pk", "profile_id", "code", "version")) == before
