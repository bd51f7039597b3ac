"""No clock that can start without a way to stop (SPEC R11.4, issue 14 acceptance): every rule of
every built-in profile and of the national library can start and be met, and no due item in the
demo data or in generated benchmark data belongs to a rule whose stop event nothing records."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from verkstall.deadlines.event_sources import rule_reachability
from verkstall.deadlines.models import DueItem, RuleProfile
from verkstall.deadlines.profile_selectors import rules_in_force
from verkstall.deadlines.profiles import builtin_profiles, fixture_profiles
from verkstall.tooling import demo
from verkstall.tooling import generator_services as generator
from verkstall.tooling.generator_world import generated_municipality


def _problems(items) -> list[str]:
    """`profile/rule: problem` for each due item's rule that cannot start or cannot be met."""
    found = set()
    for item in items:
        reach = rule_reachability(item.rule)
        if reach.problem:
            found.add(f"{item.rule.profile.slug}/{item.rule.code}: {reach.problem}")
    return sorted(found)


def test_every_rule_of_every_built_in_profile_can_start_and_stop():  # R11.4
    # The specs as shipped, each read with its subject (order or decision): a rule whose
    # start event is recorded has at least one stop event that is recorded for that subject.
    # fixture_profiles: each profile's own rules and the national library's; builtin_profiles:
    # the rules in force of each routine profile (its own, then the library's it includes).
    walked, found = 0, []
    for slug, profile in [*fixture_profiles().items(), *builtin_profiles().items()]:
        for subject, spec in profile.rules:
            walked += 1
            rule = SimpleNamespace(
                start_event=spec.start_event, stop_events=spec.stop_events, subject=subject
            )
            reach = rule_reachability(rule)
            if reach.problem:
                found.append(f"{slug}/{spec.code}: {reach.problem}")
            if reach.starts:
                assert reach.stops, f"{slug}/{spec.code} starts but can never stop"
    assert fixture_profiles()["nationell"].is_library and walked > 20
    assert found == []


@pytest.mark.django_db
def test_every_profile_in_the_database_passes_check_profile():  # R11.3 R11.4
    # The rules in force (own rules and included libraries), as the engine reads them, and the
    # command an administrator runs (`python -m verkstall check_profile SLUG`), exit 0 for each.
    slugs = list(RuleProfile.objects.order_by("slug").values_list("slug", flat=True))
    assert set(builtin_profiles()) <= set(slugs)
    for slug in slugs:
        rules = rules_in_force(slug)
        assert rules, slug
        assert [r.code for r in rules if rule_reachability(r).problem] == [], slug
        out = StringIO()
        call_command("check_profile", slug, stdout=out, stderr=StringIO())
        assert f"{slug} kan starta och bli klara" in out.getvalue()


@pytest.mark.django_db
def test_no_due_item_of_the_demo_waits_for_an_event_nothing_records(settings, tmp_path):
    # R11.4 issue 14: every municipality of the demo, every due item (open or met).
    settings.DATA_DIR = tmp_path
    demo.seed()
    items = DueItem.objects.select_related("rule__profile")
    assert items.exists()
    assert len({i.municipality_id for i in items}) >= 3
    assert _problems(items) == []


@pytest.mark.django_db
@pytest.mark.parametrize("profile", ["gotland", "stockholm-hv", "solna-boendestod", "kundval-004"])
def test_no_due_item_of_generated_benchmark_data_waits_for_an_event_nothing_records(profile):
    # R11.4 issue 14: a small generated municipality per built-in profile.
    code = "9981"
    generator.generate(12, seed=5, profile=profile, code=code)
    muni = generated_municipality(code)
    items = DueItem.objects.filter(municipality=muni).select_related("rule__profile")
    assert items.exists()
    assert _problems(items) == []
