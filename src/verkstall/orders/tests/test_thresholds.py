"""The order's thresholds are the municipality's (SPEC R11.4, issue 13 §3): how many days of a
temporary change fit in the payment (R3.8, `temporary_change_days`), and the switch's notice
and contact when the profile has no rule for them (R2.6, `switch_notice_days`,
`switch_contact_weekdays`). A municipality whose routine says 3 days, 21 days' notice and 5
weekdays gets those behaviours; the built-in profiles keep the SPEC's numbers (their tests in
test_changes.py and test_switch.py are unchanged)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from verkstall.core.clock import travel_to
from verkstall.deadlines.models import DueItem, RuleProfile
from verkstall.journal.models import CaseJournalEntry
from verkstall.orders import change_services, switch_services
from verkstall.orders.tests.test_switch import THU_5_MAR, Gotland, at, journal

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_routine():
    """A municipality's own routine: no rules, only its thresholds."""
    return RuleProfile.objects.create(
        slug="egen-rutin",
        name="Egen rutin",
        temporary_change_days=3,
        switch_notice_days=21,
        switch_contact_weekdays=5,
    )


def use(muni, slug: str) -> None:
    muni.rule_profile = slug
    muni.save()


def report(world, order, days):
    start = date(2026, 2, 4)
    with travel_to(at(date(2026, 2, 13), 9)):
        return change_services.report_temporary_change(
            world.staff_a,
            order,
            kind="increase",
            from_date=start,
            to_date=start + timedelta(days=days - 1),
            reason="Anhörig bortrest",
        )


def test_a_temporary_change_fits_the_profiles_number_of_days(world, own_routine):  # R3.8
    use(world.muni, own_routine.slug)
    with travel_to(at(date(2026, 2, 3), 9)):
        order = world.order(state="started")
    assert report(world, order, 3).needs_reassessment is False
    change = report(world, order, 4)
    assert change.needs_reassessment is True
    assert "förändringen är längre än 3 dagar" in change.event.data["text"]
    entry = CaseJournalEntry.objects.get(title=change_services.REASSESSMENT_TITLE)
    assert "4 dagar" in entry.text


def test_the_change_page_names_the_profiles_days(world, own_routine, client):  # R3.8 R11.4
    use(world.muni, own_routine.slug)
    with travel_to(at(date(2026, 2, 3), 9)):
        order = world.order(state="started")
    client.force_login(world.staff_a)
    page = client.get(f"/orders/{order.pk}/change/report/").content.decode()
    assert "Upp till 3 dagar ryms i befintlig ersättning" in page


@pytest.fixture
def gotland_own_routine(db, own_routine):
    g = Gotland()
    use(g.muni, own_routine.slug)
    return g


def test_the_notice_without_a_rule_is_the_profiles(gotland_own_routine):  # R2.6 R11.4
    g = gotland_own_routine
    switch = g.request()
    assert switch.notice_ends_on == THU_5_MAR + timedelta(days=21)  # Thursday 26 March
    assert "Uppsägningstid 21 dagar: bytet kan ske tidigast 2026-03-26" in journal(g.bengt)[0].text
    assert not DueItem.objects.filter(order=g.order, rule__code="byte-uppsagningstid").exists()


def test_the_contact_without_a_rule_is_the_profiles_weekdays(gotland_own_routine):  # R2.6
    g = gotland_own_routine
    switch = g.request()
    with travel_to(at(THU_5_MAR, 14)):
        switch_services.inform_new_provider(g.officer, switch=switch)
    # 5 weekdays from Thursday 5 March: Fri 6, Mon 9, Tue 10, Wed 11, Thu 12.
    assert "kontaktar Björkens Hemtjänst för att komma överens om datum för bytet, senast " \
        "2026-03-12" in journal(g.bengt)[1].text  # fmt: skip


def test_a_rule_in_the_profile_wins_over_the_threshold(db):  # R2.6 R11.4
    # Gotland's own rules (14 calendar days, 3 weekdays) decide, whatever the thresholds say.
    RuleProfile.objects.filter(slug="gotland").update(
        switch_notice_days=30, switch_contact_weekdays=9
    )
    g = Gotland()
    switch = g.request()
    assert switch.notice_ends_on == date(2026, 3, 19)
    with travel_to(at(THU_5_MAR, 14)):
        switch_services.inform_new_provider(g.officer, switch=switch)
    assert "senast 2026-03-10" in journal(g.bengt)[1].text


def test_the_switch_form_names_the_profiles_notice(gotland_own_routine, client):  # R2.6
    g = gotland_own_routine
    client.force_login(g.officer)
    with travel_to(at(THU_5_MAR, 9)):
        page = client.get(f"/switches/new/{g.order.pk}/").content.decode()
    assert "21 dagars uppsägningstid gäller" in page and "tidigast 2026-03-26" in page
