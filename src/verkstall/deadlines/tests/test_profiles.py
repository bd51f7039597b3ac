"""The built-in rule profiles as data: properties every rule keeps, the copy in the database,
versioned edits, and the admin pages for the LOV administrator (SPEC R11.1, R11.2).

The hypothesis properties run over every built-in rule; the rest needs the database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from verkstall.access.roles import Role
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines import services
from verkstall.deadlines.calendar import STOCKHOLM, Unit, is_weekday
from verkstall.deadlines.models import DueItem, Rule, RuleProfile, RuleRevision
from verkstall.deadlines.profile_selectors import rules_in_force
from verkstall.deadlines.profiles import BUILTIN, builtin_profiles
from verkstall.deadlines.rules import Event, RuleSpec, Status, evaluate
from verkstall.tooling import testing as build

ALL = [
    (slug, subject, rule)
    for slug, profile in builtin_profiles().items()
    for subject, rule in profile.rules
]
RULES = [rule for _, _, rule in ALL]
DATED = [rule for rule in RULES if rule.amount is not None]
WEEKDAY_RULES = [r for r in DATED if r.unit in (Unit.WEEKDAYS, Unit.WORKING_DAYS)]
ROLLED = [r for r in DATED if r.roll_to_weekday]

# Local Stockholm moments over many years (the holiday tables cover 1953-2100), whole minutes.
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=STOCKHOLM)
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def test_the_property_groups_are_not_empty():  # R11.1
    """Guard the properties below against passing over an empty list."""
    assert len(RULES) == 52 and len(DATED) == 39  # 4 x the fee rule (R9.3) has no length
    assert {r.code for r in WEEKDAY_RULES} >= {"kvittens-och-start", "genomforandeplan-skickad"}
    assert len(ROLLED) == 22


@settings(max_examples=300)
@given(rule=st.sampled_from(WEEKDAY_RULES), start=days)
def test_a_weekday_rule_always_falls_due_on_a_weekday(rule: RuleSpec, start):  # vardag, R11.1
    due = rule.due_from(start)
    assert is_weekday(due.due_date)
    assert due.due_date > start
    # Every day between that was not counted is listed with its reason, and no weekday is.
    assert all(not is_weekday(s.day) for s in due.skipped)


@settings(max_examples=300)
@given(rule=st.sampled_from(ROLLED), start=days)
def test_a_rolled_rule_always_falls_due_on_a_weekday(rule: RuleSpec, start):  # lag 1930:173, R11.1
    due = rule.due_from(start)
    assert is_weekday(due.due_date)
    if due.rolled_from is not None:
        assert not is_weekday(due.rolled_from) and due.rolled_from < due.due_date


@settings(max_examples=500)
@given(rule=st.sampled_from(DATED), a=moments, b=moments)
def test_the_due_moment_never_goes_backwards_when_the_start_moves_forward(rule, a, b):  # R11.1
    first, second = sorted([a, b], key=lambda m: m.astimezone(UTC))
    assert rule.due_from(first).due_at <= rule.due_from(second).due_at
    assert rule.due_from(first).due_at >= first


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=st.sampled_from(RULES),
    start=moments,
    happened_after=st.integers(min_value=0, max_value=200 * 24 * 60),
    recorded_after=st.integers(min_value=1, max_value=200 * 24 * 60),
)
def test_a_backdated_stop_is_judged_by_when_it_happened(
    rule, start, happened_after, recorded_after
):  # R11: "a late-registered event counts from when it happened", R11.1, R9.1
    """The stop is registered later than it happened (minutes). It is judged by when it
    happened, except by a rule about registration, which is judged by the registration."""
    happened = start + timedelta(minutes=happened_after)
    recorded = happened + timedelta(minutes=recorded_after)
    if rule.start_event in rule.stop_events:  # the event is its own registration
        events = [Event(rule.start_event, start, recorded)]
    else:
        events = [
            Event(rule.start_event, start, start),
            Event(rule.stop_events[-1], happened, recorded),
        ]
    [ev] = evaluate(rule, events, recorded)[:1]
    judged_by = recorded if rule.stop_by == "recorded" else happened
    assert ev.stop_at == judged_by
    due = rule.due_from(start)
    expected = Status.MET_ON_TIME if due is None or judged_by <= due.due_at else Status.MET_LATE
    assert ev.status == expected
    assert ev.explanation["stop_recorded_at"] == recorded.isoformat()


@settings(max_examples=200)
@given(rule=st.sampled_from([r for r in DATED if r.stop_by == "occurred"]), start=moments)
def test_registering_late_never_makes_a_stop_on_time_late(rule, start):  # R11.1
    due = rule.due_from(start)
    happened = min(due.due_at, start + timedelta(days=1))
    assume(happened >= start)
    events = [
        Event(rule.start_event, start, start),
        Event(rule.stop_events[0], happened, due.due_at + timedelta(days=90)),
    ]
    [ev] = evaluate(rule, events, due.due_at + timedelta(days=91))[:1]
    assert ev.status == Status.MET_ON_TIME


# --- The copy in the database ------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_loads_every_built_in_rule_as_the_fixture_says():  # R11.1
    assert set(RuleProfile.objects.values_list("slug", flat=True)) >= set(BUILTIN)
    # R11.3: a built-in's rules in force include the national library's (`nationell`).
    stored = {slug: {r.code: r for r in rules_in_force(slug)} for slug in BUILTIN}
    for slug, subject, spec in ALL:
        row = stored[slug][spec.code]
        assert row.spec() == spec, f"{slug}/{spec.code}"
        assert row.subject == subject
        assert row.version == 1


@pytest.mark.django_db
def test_syncing_again_creates_nothing_and_keeps_the_municipalitys_edits():  # R11.1
    rule = Rule.objects.get(profile__slug="solna-boendestod", code="kvittens-dagen-efter")
    services.update_rule(None, rule, amount=2)
    Rule.objects.filter(profile__slug="gotland", code="byte-kontakt").delete()
    assert services.sync_builtin_profiles() == 1  # only the missing rule
    rule.refresh_from_db()
    assert rule.amount == 2 and rule.version == 2
    assert Rule.objects.filter(profile__slug="gotland", code="byte-kontakt").exists()
    assert services.sync_builtin_profiles() == 0


@pytest.mark.django_db
def test_only_the_lov_and_system_administrators_may_change_a_rule(world):  # Actors, R11.1
    rule = Rule.objects.get(profile__slug="stockholm-hv", code="kvittens-och-start")
    with pytest.raises(PermissionDenied):
        services.update_rule(world.officer, rule, amount=5)
    lov = build.user(Role.LOV_ADMIN, world.muni, username="lov")
    RuleProfile.objects.filter(slug="stockholm-hv").update(owner=world.muni)  # R11.3: its own
    assert services.update_rule(lov, rule, amount=5).amount == 5


@pytest.mark.django_db
def test_a_rule_the_engine_could_not_compute_is_refused_and_nothing_changes():  # R11.1
    rule = Rule.objects.get(profile__slug="gotland", code="verkstallighetsdatum-registrerat")
    for bad in ({"amount": 40}, {"amount": None}, {"unit": "fortnights"}, {"subject": "x"}):
        with pytest.raises(ValidationFailed):
            services.update_rule(None, rule, **bad)
    with pytest.raises(ValidationFailed):
        services.update_rule(None, rule, stop_events=["order.teleported"])
    rule.refresh_from_db()
    assert (rule.amount, rule.unit, rule.version) == (5, "day_of_following_month", 1)
    assert not RuleRevision.objects.filter(rule=rule).exists()


@pytest.mark.django_db
def test_a_blank_unit_from_a_form_is_no_change_of_a_snarast_rule():  # R11.1
    rule = Rule.objects.get(profile__slug="stockholm-hv", code="skriftlig-bestallning")
    services.update_rule(None, rule, unit="", amount=None, name="Skriftlig beställning")
    rule.refresh_from_db()
    assert rule.version == 1 and rule.name == "Skriftlig beställning"
    assert not RuleRevision.objects.filter(rule=rule).exists()


# --- The admin ---------------------------------------------------------------------------


@pytest.fixture
def lov_admin(world):
    user = build.user(Role.LOV_ADMIN, world.muni, username="lovadmin")
    user.is_staff = True
    user.save()
    # R11.3: the LOV administrator changes the profile their municipality owns.
    RuleProfile.objects.filter(slug=world.muni.rule_profile).update(owner=world.muni)
    return user


def _lov_admin_using(profile: str):
    """The LOV administrator of a municipality whose own profile is `profile` (R11.3)."""
    user = build.user(Role.LOV_ADMIN, build.municipality(profile=profile))
    RuleProfile.objects.filter(slug=profile).update(owner=user.municipality)
    user.is_staff = True
    user.save()
    return user


def _change_data(rule: Rule, **overrides) -> dict:
    """The POST of the rule's change page with its current values, as a browser sends it."""
    values = {**rule.as_dict(), **overrides}
    data = {
        key: value
        for key, value in values.items()
        if key not in ("stop_events", "service_kinds", "service_types", "subject")
        and not isinstance(value, bool)
        and value is not None
    }
    data["subject"] = values["subject"]
    for key in ("stop_events", "service_kinds", "service_types"):
        data[key] = list(values[key])
    for key in ("count_from_next_day", "roll_to_weekday", "repeats"):
        if values[key]:
            data[key] = "on"
    revisions = list(rule.revisions.all())
    data.update(
        {
            "revisions-TOTAL_FORMS": str(len(revisions)),
            "revisions-INITIAL_FORMS": str(len(revisions)),
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
        }
    )
    for i, revision in enumerate(revisions):
        data[f"revisions-{i}-id"] = str(revision.pk)
        data[f"revisions-{i}-rule"] = str(rule.pk)
    return data


@pytest.mark.django_db
def test_the_lov_administrator_edits_a_rule_in_the_admin_through_update_rule(
    client, lov_admin
):  # R11.1, Actors "LOV administrator: ... rule profiles"
    rule = Rule.objects.get(profile__slug="stockholm-hv", code="kvittens-och-start")
    client.force_login(lov_admin)
    url = f"/admin/deadlines/rule/{rule.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "001 §Genomförande" in page.content.decode()

    response = client.post(url, _change_data(rule, amount=4))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert (rule.amount, rule.version) == (4, 2)
    [revision] = RuleRevision.objects.filter(rule=rule)
    assert revision.version == 1 and revision.snapshot["amount"] == 3
    assert revision.changed_by == lov_admin

    # Saving the page again unchanged is no new version.
    response = client.post(url, _change_data(rule))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.version == 2 and RuleRevision.objects.filter(rule=rule).count() == 1
    # The version and the old version are shown, not editable.
    page = client.get(url).content.decode()
    assert 'name="version"' not in page
    assert "tidigare versioner" in page.lower()


@pytest.mark.django_db
def test_the_admin_refuses_a_rule_the_engine_could_not_compute(client):  # R11.1
    rule = Rule.objects.get(profile__slug="gotland", code="verkstallighetsdatum-registrerat")
    client.force_login(_lov_admin_using("gotland"))
    response = client.post(
        f"/admin/deadlines/rule/{rule.pk}/change/", _change_data(rule, amount=40)
    )
    assert response.status_code == 200  # the form again, with the error
    assert "1-31" in response.content.decode()
    rule.refresh_from_db()
    assert rule.amount == 5 and rule.version == 1


@pytest.mark.django_db
def test_the_profile_page_lists_its_rules_read_only(client):  # R11.1
    profile = RuleProfile.objects.get(slug="solna-boendestod")
    client.force_login(_lov_admin_using("solna-boendestod"))
    page = client.get(f"/admin/deadlines/ruleprofile/{profile.pk}/change/").content.decode()
    for code in ("val-av-utforare", "kvittens-dagen-efter", "genomforandeplan-bekraftad"):
        assert code in page
    assert "2 månader" in page


@pytest.mark.django_db
def test_due_items_are_read_only_in_the_admin(client, lov_admin, world):  # R11, R10.4
    world.order(state="sent")
    item = DueItem.objects.first()
    assert item is not None
    # Due items are about clients: not the LOV administrator's (issue 11) ...
    client.force_login(lov_admin)
    assert client.get("/admin/deadlines/dueitem/").status_code == 403
    assert client.get(f"/admin/deadlines/dueitem/{item.pk}/change/").status_code in (302, 403)
    # ... and read-only for the system administrator.
    system = build.user(Role.SYSTEM_ADMIN, None, username="system")
    system.is_staff = system.is_superuser = True
    system.save()
    client.force_login(system)
    assert client.get("/admin/deadlines/dueitem/").status_code == 200
    page = client.get(f"/admin/deadlines/dueitem/{item.pk}/change/")
    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert client.get("/admin/deadlines/dueitem/add/").status_code == 403
    assert client.post(f"/admin/deadlines/dueitem/{item.pk}/delete/").status_code == 403
    assert DueItem.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_other_staff_do_not_reach_the_rule_pages(client, world):  # Actors
    staff = world.officer
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    rule = Rule.objects.get(profile__slug="gotland", code="byte-kontakt")
    assert client.get(f"/admin/deadlines/rule/{rule.pk}/change/").status_code == 403
    assert client.get("/admin/deadlines/dueitem/").status_code == 403
