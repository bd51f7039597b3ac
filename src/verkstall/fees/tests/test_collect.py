"""Fee notices derived from what the system records (SPEC R9.3, seed 002 §Verkställighet av
avgift): a start, an end, an absence, a temporary change, a new order version, a provider
switch and a corrected date each make one notice for a client under the profile's hours a
month; none over it, none for housing support; nothing twice; each on the fee officer's
watchlist until it is handled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from verkstall.absences import services as absences
from verkstall.core.clock import travel_to
from verkstall.core.errors import PermissionDenied
from verkstall.deadlines import selectors as watchlists
from verkstall.deadlines.models import DueItem, RuleProfile
from verkstall.deadlines.services import update_rule
from verkstall.fees import services
from verkstall.fees.models import FeeNotice
from verkstall.orders import change_services
from verkstall.orders import services as orders

from .conftest import (
    CARE_10H,
    HOUSING_2H,
    MEALS,
    MON_9_MAR,
    MON_16_MAR,
    MON_23_MAR,
    SERVICE_4H,
    TUE_3_MAR,
    at,
)


def collect(w, day=MON_23_MAR):
    with travel_to(at(day, 12)):
        return services.collect_fee_notices(municipality=w.muni)


def kinds(order) -> list[str]:
    return list(FeeNotice.objects.filter(order=order).order_by("id").values_list("kind", flat=True))


def test_a_start_makes_one_notice_for_a_client_under_the_threshold(w):  # R9.3
    order = w.started(SERVICE_4H)
    assert collect(w) == 1
    notice = FeeNotice.objects.get(order=order)
    assert notice.kind == "started" and notice.effective_from == TUE_3_MAR
    assert "verkställd från och med 2026-03-03 hos Björkens Hemtjänst" in notice.text
    assert notice.reported_by == w.staff and notice.reported_by_organisation == "Björkens Hemtjänst"
    assert notice.hours_per_month == 4 and notice.hours_text == "4 timmar per månad"
    assert notice.person_id == order.person_id and notice.municipality_id == w.muni.pk


def test_an_end_makes_one_notice(w):  # R9.3
    order = w.started(SERVICE_4H)
    collect(w, MON_9_MAR)
    with travel_to(at(MON_16_MAR)):
        orders.end_order(w.staff, order, end_date=MON_16_MAR, note="Flyttar till annan kommun.")
    assert collect(w) == 1
    assert kinds(order) == ["started", "ended"]
    end = FeeNotice.objects.get(order=order, kind="ended")
    assert end.effective_from == MON_16_MAR and "Flyttar till annan kommun." in end.text


def test_an_absence_and_its_later_end_each_make_one_notice(w):  # R9.3 R7.1
    order = w.started(SERVICE_4H)
    with travel_to(at(MON_9_MAR)):
        absence = absences.register_absence(w.staff, order, reason="hospital", from_date=MON_9_MAR)
    assert collect(w, MON_9_MAR) == 2  # the start and the absence
    notice = FeeNotice.objects.get(order=order, kind="absence")
    assert notice.effective_from == MON_9_MAR and notice.effective_to is None
    assert "Sjukhusvistelse" in notice.text and "pågående" in notice.text
    with travel_to(at(MON_16_MAR)):
        absences.end_absence(w.staff, absence, to_date=MON_16_MAR)
    assert collect(w) == 1
    ended = FeeNotice.objects.get(order=order, kind="absence_ended")
    assert ended.effective_from == MON_16_MAR and ended.absence_id == absence.pk
    assert collect(w) == 0
    # A corrected end is a change again; the same end is not.
    with travel_to(at(MON_23_MAR)):
        absences.end_absence(w.staff, absence, to_date=MON_16_MAR + timedelta(days=2))
    assert collect(w) == 1
    assert kinds(order).count("absence_ended") == 2


def test_an_absence_registered_with_its_end_is_one_notice(w):  # R9.3 R7.1
    order = w.started(SERVICE_4H)
    with travel_to(at(MON_16_MAR)):
        absences.register_absence(
            w.staff, order, reason="own_choice", from_date=MON_9_MAR, to_date=MON_16_MAR
        )
    collect(w)
    collect(w)
    notice = FeeNotice.objects.get(order=order, kind="absence")
    assert (notice.effective_from, notice.effective_to) == (MON_9_MAR, MON_16_MAR)
    assert kinds(order) == ["started", "absence"]


def test_a_temporary_change_makes_one_notice(w):  # R9.3 R3.8
    order = w.started(SERVICE_4H)
    with travel_to(at(MON_9_MAR)):
        change_services.report_temporary_change(
            w.staff,
            order,
            kind="increase",
            from_date=MON_9_MAR,
            to_date=MON_9_MAR + timedelta(days=4),
            reason="Anhörig bortrest.",
        )
    collect(w)
    notice = FeeNotice.objects.get(order=order, kind="temporary_change")
    assert notice.effective_from == MON_9_MAR
    assert notice.effective_to == MON_9_MAR + timedelta(days=4)
    assert notice.text.startswith("Tillfällig ökning 2026-03-09–2026-03-13 (5 dagar)")


def test_nothing_for_a_client_over_the_threshold_or_for_housing_support(w):  # R9.3
    over = w.started(CARE_10H)
    housing = w.started(HOUSING_2H)
    both = w.started(SERVICE_4H, CARE_10H)  # 14 hours a month together
    with travel_to(at(MON_9_MAR)):
        absences.register_absence(w.staff, over, reason="hospital", from_date=MON_9_MAR)
        absences.register_absence(w.staff, housing, reason="hospital", from_date=MON_9_MAR)
    assert collect(w) == 0
    assert not FeeNotice.objects.filter(order__in=[over, housing, both]).exists()


def test_the_hours_are_the_clients_fee_bearing_services_on_the_day(w):  # R9.3
    # Housing support bears no fee (002: "gäller ej boendestöd"): 4 + 2 counts as 4.
    order = w.started(SERVICE_4H, HOUSING_2H)
    collect(w)
    assert FeeNotice.objects.get(order=order).hours_per_month == 4
    # Meals are granted in days a week: no hours to count, so the client is told about and
    # the notice names what was not counted.
    meals = w.started(MEALS)
    collect(w)
    notice = FeeNotice.objects.get(order=meals)
    assert notice.hours_text == "0 timmar per månad (ej i timmar: Matdistribution)"


def test_collecting_again_makes_nothing_twice(w):  # R9.3
    order = w.started(SERVICE_4H)
    with travel_to(at(MON_9_MAR)):
        absences.register_absence(w.staff, order, reason="hospital", from_date=MON_9_MAR)
    assert collect(w) == 2
    assert collect(w) == 0
    # Even when the watermark is forgotten, the source rows are told once.
    services.FeeScan.objects.filter(municipality=w.muni).update(last_event_id=0)
    assert collect(w) == 0
    assert FeeNotice.objects.filter(order=order).count() == 2


def test_the_threshold_is_the_profiles(w):  # R9.3 R11.4
    order = w.started(CARE_10H)
    collect(w, MON_9_MAR)
    assert not FeeNotice.objects.exists()
    RuleProfile.objects.filter(slug="gotland").update(fee_hours_per_month=12)
    with travel_to(at(MON_16_MAR)):
        orders.end_order(w.staff, order, end_date=MON_16_MAR)
    collect(w)
    assert kinds(order) == ["ended"]


def test_which_services_bear_a_fee_is_the_profiles_rule(w):  # R9.3 R11.3
    # The municipality's own rule of the same code overrides the national one: here housing
    # support bears a fee too.
    from verkstall.deadlines.models import Rule

    national = Rule.objects.get(profile__slug="nationell", code="avgiftsmeddelande")
    own = Rule.objects.create(
        **{
            f.name: getattr(national, f.name)
            for f in Rule._meta.concrete_fields
            if f.name not in ("id", "profile", "updated_at")
        },
        profile=RuleProfile.objects.get(slug="gotland"),
    )
    update_rule(None, own, excluded_service_kinds=[])
    housing = w.started(HOUSING_2H)
    collect(w)
    assert kinds(housing) == ["started"]
    assert DueItem.objects.get(subject_key=f"fee_notice:{housing.fee_notices.get().pk}").rule == own


def test_a_profile_without_the_fee_rule_makes_no_notices(w):  # R9.3 R11.3
    RuleProfile.objects.get(slug="gotland").includes.clear()
    w.started(SERVICE_4H)
    assert collect(w) == 0


def test_a_new_order_version_is_one_notice(w):  # R9.3 R3.10
    from verkstall.decisions.services import record_decision

    order = w.started(SERVICE_4H)
    collect(w, MON_9_MAR)
    with travel_to(at(MON_9_MAR)):
        decision = record_decision(
            w.officer,
            person=order.person,
            decided_on=MON_9_MAR,
            services=[dict(SERVICE_4H, scope_amount="6", valid_from=MON_9_MAR)],
        )
        new = change_services.reissue_order(
            w.officer, order, decision=decision, change_summary="Utökad serviceinsats."
        )
    with travel_to(at(MON_16_MAR)):
        orders.acknowledge_order(w.staff, new)
        orders.register_start(w.staff, new, start_date=MON_16_MAR)
    collect(w)
    assert kinds(order) == ["started"]  # its end is the new version's change
    [version] = FeeNotice.objects.filter(order=new)
    assert version.kind == "new_version" and f"ersätter beställning #{order.pk}" in version.text


def test_a_provider_switch_is_one_notice_and_the_new_start_another(w):  # R9.3 R2.6
    from verkstall.orders import switch_services

    order = w.started(SERVICE_4H)
    collect(w, MON_9_MAR)
    new_provider = w.angen
    with travel_to(at(MON_9_MAR)):
        switch = switch_services.request_switch(
            w.officer, order=order, new_provider=new_provider, requested_on=MON_9_MAR
        )
        switch_services.inform_new_provider(w.officer, switch=switch)
        agreed = MON_23_MAR
        switch_services.register_agreed_date(
            w.officer, switch=switch, agreed_date=agreed, channel="phone"
        )
    with travel_to(at(agreed)):
        switch = switch_services.complete_switch(w.officer, switch=switch)
        orders.acknowledge_order(w.officer, switch.new_order, channel="phone")
        orders.register_start(w.officer, switch.new_order, start_date=agreed, channel="phone")
    collect(w, agreed)
    assert kinds(order) == ["started", "switch"]
    assert "Ängens Omsorg tar över från Björkens Hemtjänst från och med 2026-03-23" in (
        FeeNotice.objects.get(order=order, kind="switch").text
    )
    started = FeeNotice.objects.get(order=switch.new_order)
    assert "efter byte från Björkens Hemtjänst" in started.text
    assert started.on_behalf_of == new_provider and started.channel == "phone"


def test_the_fee_officers_watchlist_shows_the_notices_until_handled(w):  # R9.3 R11
    order = w.started(SERVICE_4H)
    collect(w)
    notice = FeeNotice.objects.get(order=order)
    listed = watchlists.watchlist(w.fee_officer)
    assert [(i.rule.code, i.order_id, i.bucket) for i in listed.items] == [
        ("avgiftsmeddelande", order.pk, "asap")
    ]
    item = listed.items[0]
    assert item.responsible == "fee_officer" and item.subject_key == f"fee_notice:{notice.pk}"
    # Not on the provider's list, and the order's own clocks leave it alone.
    assert all(i.rule.code != "avgiftsmeddelande" for i in watchlists.watchlist(w.staff).items)
    with travel_to(at(MON_23_MAR, 13)):
        absences.register_absence(w.staff, order, reason="hospital", from_date=MON_23_MAR)
    assert DueItem.objects.get(pk=item.pk).status == "open"
    services.handle_fee_notice(w.fee_officer, notice=notice, note="Avgiften ändrad.")
    assert DueItem.objects.get(pk=item.pk).status == "met_on_time"
    assert order.pk not in [i.order_id for i in watchlists.watchlist(w.fee_officer).items]


def test_only_the_fee_officer_of_the_municipality_handles_a_notice(w):  # R9.3
    from verkstall.fees.tests.conftest import World

    w.started(SERVICE_4H)
    collect(w)
    notice = FeeNotice.objects.get()
    other = World(name="Annan kommun", profile="stockholm-hv")
    for actor in (w.officer, w.staff, other.fee_officer):
        with pytest.raises(PermissionDenied):
            services.handle_fee_notice(actor, notice=notice)
    handled = services.handle_fee_notice(w.fee_officer, notice=notice, note=" Klart. ")
    assert handled.handled_by == w.fee_officer and handled.handled_note == "Klart."
    with pytest.raises(services.AlreadyHandled):
        services.handle_fee_notice(w.fee_officer, notice=notice)


def test_the_migration_adds_the_fee_rule_to_the_national_library(db):  # R9.3 R11.3
    import importlib

    from django.apps import apps

    from verkstall.deadlines.models import Rule

    migration = importlib.import_module("verkstall.deadlines.migrations.0009_fee_notice_rule")
    Rule.objects.filter(code="avgiftsmeddelande").delete()  # a database from before it
    migration.forward(apps, None)
    migration.forward(apps, None)
    [rule] = Rule.objects.filter(code="avgiftsmeddelande")
    assert rule.profile.slug == "nationell" and rule.version == 1
    assert (rule.start_event, rule.stop_events, rule.responsible) == (
        "fee.change",
        ["fee.handled"],
        "fee_officer",
    )
    assert rule.excluded_service_kinds == ["housing_support", "day_activity", "daily_activity_lss"]


def test_the_command_collects_every_municipality(w):  # R9.3
    from io import StringIO

    from django.core.management import call_command

    w.started(SERVICE_4H)
    out = StringIO()
    call_command("collect_fee_notices", stdout=out)
    assert out.getvalue().strip() == "1 nya avgiftsmeddelanden."
    call_command("collect_fee_notices", stdout=out)
    assert FeeNotice.objects.count() == 1
