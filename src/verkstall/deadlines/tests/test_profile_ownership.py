"""Rule profiles owned by a municipality, the national library profile, and copies
(SPEC R11.3, issue 13 §1).

Who reads and who changes (profile_selectors), the services that write profiles
(services.add_rules, copy_profile, assign_profile, update_profile), the built-in fixture with
its library `nationell`, the demo's own copies, and the data migration 0005.
"""

from __future__ import annotations

import importlib
import json
from datetime import datetime

import pytest
from django.apps import apps

from verkstall.access.roles import Role
from verkstall.core.errors import NotFound, PermissionDenied, ValidationFailed
from verkstall.deadlines import profile_selectors as reads
from verkstall.deadlines import services
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import THRESHOLDS, DueItem, Rule, RuleProfile
from verkstall.deadlines.profiles import (
    BUILTIN,
    FIXTURE,
    LIBRARY,
    builtin_profiles,
    fixture_profiles,
    library_profiles,
)
from verkstall.tooling import testing as build

IVO = "ivo-ej-verkstallt"
FEE = "avgiftsmeddelande"  # the national rule of fee notices (R9.3)
IVO_FREE = "kvittens-och-start"  # a rule of stockholm-hv's own
GOTLAND_EXCLUDED = ("care_home", "short_term_stay", "profile_home")
#: The start rules by frequency leave out the services with their own start rules besides
#: (R3.6, seed 002: meal delivery ordered within 3 weekdays; R4.1: the safety alarm).
START_RULES_ALSO_EXCLUDE = ("safety_alarm", "meal_delivery")


def gotland_excluded(code: str) -> tuple[str, ...]:
    """What a rule of Gotland's routine leaves out (seed 002, R3.6)."""
    if code.startswith("start-"):
        return GOTLAND_EXCLUDED + START_RULES_ALSO_EXCLUDE
    return GOTLAND_EXCLUDED


def _lov(muni):
    return build.user(Role.LOV_ADMIN, muni)


def _system():
    user = build.user(Role.SYSTEM_ADMIN, None)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _template(slug="stockholm-hv") -> RuleProfile:
    return RuleProfile.objects.get(slug=slug)


# --- The fixture: a national library, included by reference (pure) -------------------------


def test_the_fixture_holds_the_ivo_rule_once_in_the_national_library():  # R11.3, R9.5
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert raw["format"] == "verkstall-rule-profiles/2"
    holders = [p["slug"] for p in raw["profiles"] for r in p["rules"] if r["code"] == IVO]
    assert holders == [LIBRARY]
    assert list(library_profiles()) == [LIBRARY]
    assert library_profiles()[LIBRARY].name == "Nationella regler"
    for slug in BUILTIN:
        assert fixture_profiles()[slug].includes == (LIBRARY,)
        assert IVO not in {r.code for _, r in fixture_profiles()[slug].rules}


def test_a_built_in_profile_gives_its_own_rules_then_the_librarys():  # R11.3, R11.1
    assert tuple(builtin_profiles()) == BUILTIN  # the library is no routine profile
    for slug in BUILTIN:
        profile = builtin_profiles()[slug]
        codes = [rule.code for _, rule in profile.rules]
        assert codes[-2:] == [IVO, FEE] and codes.count(IVO) == 1
        assert profile.spec_id(IVO) == "R9.5" and profile.spec_id(FEE) == "R9.3"
        assert not profile.is_library and profile.includes == (LIBRARY,)


def test_every_dated_fixture_rule_says_whether_it_moves_to_a_weekday():  # R11.4, issue 13
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    silent = [
        f"{p['slug']}/{r['code']}"
        for p in raw["profiles"]
        for r in p["rules"]
        if r.get("unit") and not isinstance(r.get("roll_to_weekday"), bool)
    ]
    assert silent == []


def test_gotlands_routine_does_not_apply_to_special_housing_or_short_term_places():
    # R11.4; seed 002: "Rutiner är gällande för samtliga biståndsbedömda insatser enligt
    # socialtjänstlagen ... bortsett från bostad med särskilt stöd, återhämtningsplats och
    # korttidsplats" (no kind for a recovery place exists in the catalogue).
    for _, rule in builtin_profiles()["gotland"].rules:
        if rule.code == IVO:
            assert rule.excluded_service_kinds == ()  # national, not Gotland's routine
            continue
        if rule.code == FEE:  # national too: the services that bear no fee (002, R9.3)
            assert rule.excluded_service_kinds == (
                "housing_support",
                "day_activity",
                "daily_activity_lss",
            )
            continue
        assert rule.excluded_service_kinds == gotland_excluded(rule.code), rule.code
        for kind in GOTLAND_EXCLUDED:
            assert not rule.applies_to([kind], []), (rule.code, kind)
    daily = dict((r.code, r) for _, r in builtin_profiles()["gotland"].rules)
    assert daily["start-dagliga-insatser"].applies_to(["personal_care"], [])
    assert daily["byte-kontakt"].applies_to(["service"], [])


# --- Who reads, who changes (R11.3) ----------------------------------------------------------


@pytest.mark.django_db
def test_a_lov_administrator_reads_their_own_and_the_unowned_profiles_only(world):  # R11.3
    other = build.municipality()
    mine = services.copy_profile(_lov(world.muni), source=_template())
    theirs = services.copy_profile(_lov(other), source=_template("gotland"))
    lov = _lov(world.muni)
    readable = set(RuleProfile.objects.filter(reads.profile_scope(lov)))
    assert mine in readable and theirs not in readable
    assert {p.slug for p in readable} >= {*BUILTIN, LIBRARY}
    assert set(RuleProfile.objects.filter(reads.own_profile_scope(lov))) == {mine}
    rules = Rule.objects.filter(reads.profile_scope(lov, "profile__"))
    assert not rules.filter(profile=theirs).exists() and rules.filter(profile=mine).exists()
    assert reads.may_read_profile(lov, _template()) and not reads.may_change_profile(
        lov, _template()
    )
    assert reads.may_change_profile(lov, mine) and not reads.may_read_profile(lov, theirs)


@pytest.mark.django_db
def test_other_roles_read_no_profile_and_the_system_administrator_every_one(world):  # R11.3
    theirs = services.copy_profile(None, source=_template(), owner=build.municipality())
    for user in (world.officer, world.fee_officer, world.staff_a):
        assert not RuleProfile.objects.filter(reads.profile_scope(user)).exists()
        assert not reads.may_read_profile(user, _template())
        assert not reads.may_change_profile(user, _template())
    system = _system()
    assert RuleProfile.objects.filter(reads.own_profile_scope(system)).count() == (
        RuleProfile.objects.count()
    )
    assert reads.may_change_profile(system, theirs) and reads.may_change_profile(
        build.user(Role.SYSTEM_ADMIN, world.muni), _template()
    )


@pytest.mark.django_db
def test_a_profile_used_by_one_municipality_only_is_not_thereby_its_own(world):  # R11.3
    # The old rule ("used by one municipality only: its own") is gone: ownership is `owner`.
    lonely = build.municipality(profile="kundval-004")
    assert not reads.may_change_profile(_lov(lonely), _template("kundval-004"))


# --- add_rules: the one way rules are made from data (R11.1, R11.5) --------------------------


def _rule(code="ny-regel", **changes) -> dict:
    data = {
        "code": code,
        "name": "Ny regel",
        "subject": "order",
        "start_event": "order.sent",
        "stop_events": ["order.started"],
        "amount": 3,
        "unit": "weekdays",
        "responsible": "provider",
        "source": "egen rutin",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_add_rules_makes_version_one_rules_from_their_stored_form(world):  # R11.1
    profile = services.copy_profile(_lov(world.muni), source=_template())
    [made] = services.add_rules(
        profile, [_rule(due_time="12:00", excluded_service_kinds=["care_home"])]
    )
    made.refresh_from_db()
    assert made.version == 1 and made.profile == profile
    assert made.as_dict()["due_time"] == "12:00"
    assert made.excluded_service_kinds == ["care_home"]
    assert made.roll_to_weekday is False  # the default rule_from_dict gives a weekday unit
    [monthly] = services.add_rules(profile, [_rule("manad", amount=1, unit="months")])
    assert monthly.roll_to_weekday is True  # ... and a calendar unit


@pytest.mark.django_db
def test_add_rules_names_every_error_and_makes_nothing(world):  # R11.1, R11.5
    profile = services.copy_profile(_lov(world.muni), source=_template())
    before = Rule.objects.count()
    taken = Rule.objects.filter(profile=profile).first().code
    with pytest.raises(ValidationFailed) as refused:
        services.add_rules(
            profile,
            [
                _rule("bra"),
                _rule("fel-dag", amount=40, unit="day_of_following_month"),
                _rule("bra"),
                _rule(taken),
                {**_rule("okand"), "colour": "blå"},
                {k: v for k, v in _rule("utan-namn").items() if k != "name"},
                _rule("fel-amne", subject="person"),
            ],
        )
    errors = refused.value.errors
    assert "rules[1].amount" in errors  # rules.RuleError names its field
    assert "rules[2].code" in errors and "rules[3].code" in errors
    assert errors["rules[4].colour"] == ["Okänt fält."]
    assert errors["rules[5].name"] == ["Måste anges."]
    assert "rules[6].subject" in errors
    assert "rules[0].code" not in errors
    assert Rule.objects.count() == before


# --- copy_profile (R11.3: "a municipality can copy a built-in as its starting point") --------


@pytest.mark.django_db
def test_a_lov_administrator_copies_a_template_into_their_own_profile(world):  # R11.3
    template = _template()
    template.long_absence_days = 21
    template.save()
    lov = _lov(world.muni)
    copy = services.copy_profile(lov, source=template)
    assert copy.owner == world.muni and not copy.is_library
    assert copy.slug == f"{world.muni.code}-stockholm-hv"
    assert copy.sources.startswith("kopia av stockholm-hv")
    assert copy.thresholds() == template.thresholds() and copy.long_absence_days == 21
    assert list(copy.includes.all()) == [RuleProfile.objects.get(slug=LIBRARY)]
    theirs = [r.as_dict() for r in reads.rules_of(copy)]
    assert theirs == [r.as_dict() for r in reads.rules_of(template)]
    assert {r.version for r in reads.rules_of(copy)} == {1}
    # The same rules in force, the library's by reference (not copied).
    assert [r.code for r in reads.rules_in_force(copy.slug)] == [
        r.code for r in reads.rules_in_force(template.slug)
    ]
    assert not Rule.objects.filter(profile=copy, code=IVO).exists()
    # A second copy gets a slug of its own; the template is untouched.
    again = services.copy_profile(lov, source=template, name="Andra försöket")
    assert again.slug == f"{world.muni.code}-stockholm-hv-2" and again.name == "Andra försöket"
    assert _template().owner is None


@pytest.mark.django_db
def test_a_copy_has_the_rules_as_they_are_now_at_version_one(world):  # R11.3, R11.1
    lov = _lov(world.muni)
    mine = services.copy_profile(lov, source=_template())
    rule = Rule.objects.get(profile=mine, code="kvittens-och-start")
    services.update_rule(lov, rule, amount=4)
    services.update_rule(lov, rule, amount=5)
    again = services.copy_profile(lov, source=mine)
    copied = Rule.objects.get(profile=again, code="kvittens-och-start")
    assert (copied.amount, copied.version) == (5, 1)
    assert again.owner == world.muni


@pytest.mark.django_db
def test_copy_refuses_a_taken_or_bad_slug_in_swedish(world):  # R11.3
    lov = _lov(world.muni)
    for slug, word in (("gotland", "används redan"), ("mitt profilnamn!", "bokstäver")):
        with pytest.raises(ValidationFailed) as refused:
            services.copy_profile(lov, source=_template(), slug=slug)
        assert word in refused.value.errors["slug"][0]
    assert not RuleProfile.objects.filter(owner=world.muni).exists()
    assert services.copy_profile(lov, source=_template(), slug="min-rutin").slug == "min-rutin"


@pytest.mark.django_db
def test_the_system_administrator_copies_to_a_municipality_or_to_a_new_template(world):
    system = _system()  # R11.3
    template = services.copy_profile(system, source=_template("gotland"))
    assert template.owner is None and template.slug == "kopia-gotland"
    owned = services.copy_profile(system, source=_template("gotland"), owner=world.muni)
    assert owned.owner == world.muni
    library = services.copy_profile(system, source=RuleProfile.objects.get(slug=LIBRARY))
    assert not library.is_library and [r.code for r in reads.rules_of(library)] == [IVO, FEE]
    with pytest.raises(ValidationFailed):
        services.copy_profile(system, source=_template(), owner="0180")


@pytest.mark.django_db
def test_only_administrators_copy_profiles(world):  # R11.3, Actors
    for user in (world.officer, world.fee_officer, world.staff_a):
        with pytest.raises(PermissionDenied):
            services.copy_profile(user, source=_template())
    assert not RuleProfile.objects.filter(owner=world.muni).exists()


# --- assign_profile (R11.3: "the system administrator assigns profiles") ---------------------


@pytest.mark.django_db
def test_the_system_administrator_assigns_a_template_or_the_municipalitys_own(world):  # R11.3
    system = _system()
    other = build.municipality()
    mine = services.copy_profile(_lov(world.muni), source=_template("gotland"))
    theirs = services.copy_profile(_lov(other), source=_template("gotland"))
    services.assign_profile(system, municipality=world.muni, profile=mine)
    world.muni.refresh_from_db()
    assert world.muni.rule_profile == mine.slug
    assert [r.code for r in reads.municipality_rules(world.muni)] == [
        r.code for r in reads.rules_in_force("gotland")
    ]
    services.assign_profile(system, municipality=world.muni, profile=_template("solna-boendestod"))
    for profile in (theirs, RuleProfile.objects.get(slug=LIBRARY)):
        with pytest.raises(ValidationFailed) as refused:
            services.assign_profile(system, municipality=world.muni, profile=profile)
        assert "profile" in refused.value.errors
    with pytest.raises(PermissionDenied):
        services.assign_profile(_lov(world.muni), municipality=world.muni, profile=mine)
    world.muni.refresh_from_db()
    assert world.muni.rule_profile == "solna-boendestod"


@pytest.mark.django_db
def test_a_new_profile_applies_to_the_next_event(world):  # R11.3: nothing is recomputed
    system = _system()
    order = world.order(state="sent")
    before = set(DueItem.objects.filter(order=order).values_list("rule__code", flat=True))
    assert "kvittens-och-start" in before
    services.assign_profile(system, municipality=world.muni, profile=_template("kundval-004"))
    assert set(DueItem.objects.filter(order=order).values_list("rule__code", flat=True)) == (before)


# --- update_profile: names, thresholds, libraries (R11.3, R11.4) ----------------------------


@pytest.mark.django_db
def test_a_lov_administrator_changes_their_own_profiles_thresholds(world):  # R11.4, R11.3
    lov = _lov(world.muni)
    mine = services.copy_profile(lov, source=_template())
    changed = services.update_profile(
        lov,
        mine,
        name="Vår rutin",
        sources="Rutin 2026",
        long_absence_days="21",
        fee_hours_per_month=744,
        includes=[],
    )
    changed.refresh_from_db()
    assert (changed.name, changed.sources, changed.long_absence_days) == (
        "Vår rutin",
        "Rutin 2026",
        21,
    )
    assert changed.fee_hours_per_month == 744 and not changed.includes.exists()
    assert IVO not in {r.code for r in reads.rules_in_force(changed.slug)}
    services.update_profile(lov, mine, includes=[LIBRARY])
    assert IVO in {r.code for r in reads.rules_in_force(changed.slug)}


@pytest.mark.django_db
def test_update_profile_names_each_bad_field_in_swedish(world):  # R11.4
    lov = _lov(world.muni)
    mine = services.copy_profile(lov, source=_template())
    with pytest.raises(ValidationFailed) as refused:
        services.update_profile(
            lov,
            mine,
            name=" ",
            temporary_change_days=0,
            absence_register_days=366,
            long_absence_days="trettio",
            switch_notice_days=True,
            fee_hours_per_month=745,
            includes=["gotland"],
            colour="blå",
        )
    errors = refused.value.errors
    assert set(errors) == {
        "name",
        "temporary_change_days",
        "absence_register_days",
        "long_absence_days",
        "switch_notice_days",
        "fee_hours_per_month",
        "includes",
        "colour",
    }
    assert errors["long_absence_days"] == ["Ange ett heltal från 1 till 365 (dagar)."]
    assert errors["fee_hours_per_month"] == ["Ange ett heltal från 1 till 744 (timmar)."]
    assert "nationella bibliotek" in errors["includes"][0]
    mine.refresh_from_db()
    assert mine.thresholds() == {name: default for name, (default, _) in THRESHOLDS.items()}
    system = _system()
    with pytest.raises(ValidationFailed) as refused:
        services.update_profile(system, RuleProfile.objects.get(slug=LIBRARY), includes=[LIBRARY])
    assert "includes" in refused.value.errors


@pytest.mark.django_db
def test_update_profile_follows_who_may_change_the_profile(world):  # R11.3
    other = build.municipality()
    theirs = services.copy_profile(_lov(other), source=_template())
    lov = _lov(world.muni)
    with pytest.raises(NotFound):
        services.update_profile(lov, theirs, name="Vår nu")
    with pytest.raises(PermissionDenied):
        services.update_profile(lov, _template(), name="Vår nu")
    with pytest.raises(PermissionDenied):
        services.update_profile(world.officer, _template(), name="Vår nu")
    assert services.update_profile(_system(), _template(), long_absence_days=31)
    assert _template().long_absence_days == 31


# --- update_rule: 403 for a template or library, 404 for another municipality's -------------


@pytest.mark.django_db
def test_update_rule_refuses_by_the_rules_profile(world):  # R11.3
    other = build.municipality()
    theirs = services.copy_profile(_lov(other), source=_template())
    lov = _lov(world.muni)
    library_rule = Rule.objects.get(profile__slug=LIBRARY, code=IVO)
    with pytest.raises(NotFound):
        services.update_rule(lov, Rule.objects.get(profile=theirs, code=IVO_FREE), amount=4)
    for rule in (Rule.objects.get(profile__slug="stockholm-hv", code=IVO_FREE), library_rule):
        with pytest.raises(PermissionDenied):
            services.update_rule(lov, rule, amount=4)
    assert services.update_rule(_system(), library_rule, amount=4).version == 2
    assert Rule.objects.get(profile__slug=LIBRARY, code=IVO).amount == 4


@pytest.mark.django_db
def test_a_changed_time_of_day_is_a_new_version(world):  # R11.1, R11.4
    lov = _lov(world.muni)
    mine = services.copy_profile(lov, source=_template())
    rule = Rule.objects.get(profile=mine, code=IVO_FREE)
    changed = services.update_rule(lov, rule, due_time=datetime(2026, 1, 1, 12).time())
    assert changed.version == 2 and changed.as_dict()["due_time"] == "12:00"
    again = services.update_rule(lov, changed, due_time="12:00", name="Samma tid")
    assert again.version == 2
    with pytest.raises(ValidationFailed) as refused:
        services.update_rule(lov, again, due_time="tolv")
    assert "due_time" in refused.value.errors


# --- The built-ins in the database ----------------------------------------------------------


@pytest.mark.django_db
def test_the_database_holds_the_library_and_the_built_ins_include_it():  # R11.3
    library = RuleProfile.objects.get(slug=LIBRARY)
    assert library.is_library and library.owner is None
    assert [r.code for r in reads.rules_of(library)] == [IVO, FEE]
    for slug in BUILTIN:
        profile = _template(slug)
        assert profile.owner is None and not profile.is_library
        assert list(profile.includes.all()) == [library]
        assert not Rule.objects.filter(profile=profile, code=IVO).exists()


@pytest.mark.django_db
def test_syncing_recreates_a_missing_library():  # R11.3, R11.1
    RuleProfile.objects.filter(slug=LIBRARY).delete()
    assert services.sync_builtin_profiles() == 2  # the IVO rule and the fee rule
    library = RuleProfile.objects.get(slug=LIBRARY)
    assert library.is_library and Rule.objects.filter(profile=library, code=IVO).exists()
    assert services.sync_builtin_profiles() == 0


# --- The demo: each municipality works by its own copy (R11.3) -------------------------------


@pytest.mark.django_db
def test_each_demo_municipality_works_by_its_own_copy_of_its_routine():  # R11.3
    from verkstall.access.models import Municipality, User
    from verkstall.tooling.demo import seed
    from verkstall.tooling.demo_catalogue import MUNICIPALITIES

    seed()
    for spec in MUNICIPALITIES:
        muni = Municipality.objects.get(code=spec["code"])
        profile = RuleProfile.objects.get(slug=muni.rule_profile)
        assert profile.owner == muni and profile.sources.startswith(f"kopia av {spec['profile']}")
        assert _template(spec["profile"]).owner is None
        lov = User.objects.filter(role=Role.LOV_ADMIN, municipality=muni).first()
        if lov is not None:
            assert reads.may_change_profile(lov, profile)
    slugs = set(Municipality.objects.values_list("rule_profile", flat=True))
    seed()  # again: nothing new
    assert set(Municipality.objects.values_list("rule_profile", flat=True)) == slugs


# --- The data migration 0005 -----------------------------------------------------------------

MIGRATION = importlib.import_module(
    "verkstall.deadlines.migrations.0005_national_library_and_owners"
)


def _as_before_0005(world):
    """The database as 0004 left it: each built-in with its own IVO copy (one of them with the
    due item of a decision, one edited by its municipality), no includes, Gotland's rules
    without exclusions, an hour rule counting from the next day, profiles without owners."""
    library = RuleProfile.objects.get(slug=LIBRARY)
    national = Rule.objects.get(profile=library, code=IVO)
    decision = world.decision()
    item = DueItem.objects.get(decision=decision, rule=national)
    copies = {}
    for slug in BUILTIN:
        profile = _template(slug)
        profile.includes.clear()
        [copies[slug]] = services.add_rules(profile, [national.as_dict()])
    DueItem.objects.filter(pk=item.pk).update(rule=copies["stockholm-hv"])
    Rule.objects.filter(pk=copies["solna-boendestod"].pk).update(amount=4, version=2)
    Rule.objects.filter(profile__slug="gotland").update(excluded_service_kinds=[])
    Rule.objects.filter(unit="hours").update(count_from_next_day=True)
    own = RuleProfile.objects.create(slug="egen", name="Egen rutin")
    services.add_rules(own, [national.as_dict()])
    RuleProfile.objects.create(slug="delad", name="Delad rutin")
    build.municipality(profile="egen")
    build.municipality(profile="delad")
    build.municipality(profile="delad")
    return item, copies


@pytest.mark.django_db
def test_the_migration_moves_the_ivo_copies_to_the_library(world):  # R11.3, R9.5
    item, copies = _as_before_0005(world)
    MIGRATION.forward(apps, None)
    national = Rule.objects.get(profile__slug=LIBRARY, code=IVO)
    item.refresh_from_db()
    assert item.rule == national and item.rule_version == 1
    for slug in ("stockholm-hv", "gotland", "kundval-004"):
        assert not Rule.objects.filter(pk=copies[slug].pk).exists(), slug
    kept = Rule.objects.get(pk=copies["solna-boendestod"].pk)  # edited: stays, overriding
    assert kept.amount == 4
    in_force = reads.rules_in_force("solna-boendestod")
    assert kept in in_force and national not in in_force
    library = RuleProfile.objects.get(slug=LIBRARY)
    for slug in (*BUILTIN, "egen"):
        assert library in _template(slug).includes.all(), slug
    assert not Rule.objects.filter(profile__slug="egen", code=IVO).exists()


@pytest.mark.django_db
def test_the_migration_applies_gotlands_exclusions_hours_and_owners(world):  # R11.3, R11.4
    _as_before_0005(world)
    edited = Rule.objects.get(profile__slug="gotland", code="byte-kontakt")
    Rule.objects.filter(pk=edited.pk).update(version=2)
    MIGRATION.forward(apps, None)
    for rule in Rule.objects.filter(profile__slug="gotland").exclude(pk=edited.pk):
        assert tuple(rule.excluded_service_kinds) == gotland_excluded(rule.code), rule.code
    edited.refresh_from_db()
    assert edited.excluded_service_kinds == []  # the municipality's version is left alone
    assert not Rule.objects.filter(unit="hours", count_from_next_day=True).exists()
    egen = RuleProfile.objects.get(slug="egen")
    assert egen.owner is not None and egen.owner.rule_profile == "egen"
    assert RuleProfile.objects.get(slug="delad").owner is None  # two use it: nobody's
    assert all(_template(slug).owner is None for slug in BUILTIN)  # templates stay
    # Run again: nothing more changes.
    before = sorted(Rule.objects.values_list("pk", "profile_id", "code", "version"))
    MIGRATION.forward(apps, None)
    assert sorted(Rule.objects.values_list("pk", "profile_id", "code", "version")) == before


@pytest.mark.django_db
def test_a_built_in_rule_in_the_database_gives_the_fixtures_dates():  # R11.1, R11.3
    start = datetime(2026, 12, 22, 10, tzinfo=STOCKHOLM)
    for slug in BUILTIN:
        stored = {r.code: r.spec() for r in reads.rules_in_force(slug)}
        for _, spec in builtin_profiles()[slug].rules:
            assert stored[spec.code] == spec
            due, fixture_due = stored[spec.code].due_from(start), spec.due_from(start)
            assert (due and due.due_at) == (fixture_due and fixture_due.due_at)
