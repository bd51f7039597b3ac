"""A rule profile exported and imported as a versioned JSON file (SPEC R11.5, issue 13 §5):
`verkstall-rule-profile/2` (docs/rule-profiles.md). An import checks everything before it
writes anything, names every error by its path, and makes a new profile or nothing."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verkstall.access.roles import Role
from verkstall.core.errors import PermissionDenied, ValidationFailed
from verkstall.deadlines import rule_services, services
from verkstall.deadlines.models import THRESHOLDS, Rule, RuleProfile
from verkstall.deadlines.profile_io import FORMAT, export_profile, import_profile
from verkstall.deadlines.profiles import FIXTURE
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

BUILT_IN = [p["slug"] for p in json.loads(FIXTURE.read_text(encoding="utf-8"))["profiles"]]


def _export(slug: str) -> dict:
    return export_profile(RuleProfile.objects.get(slug=slug))


def _errors(data, **kwargs) -> dict[str, list[str]]:
    before = (RuleProfile.objects.count(), Rule.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        import_profile(None, data, **kwargs)
    assert (RuleProfile.objects.count(), Rule.objects.count()) == before  # nothing half-made
    return caught.value.errors


# --- The schema and the round trip -----------------------------------------------------------


def test_an_export_is_the_documented_schema():  # R11.5
    document = _export("gotland")
    assert document["format"] == FORMAT == "verkstall-rule-profile/2"
    profile = document["profile"]
    assert set(profile) == {
        "slug",
        "name",
        "sources",
        "includes",
        "thresholds",
        "absence_payment_reasons",
        "flags",
        "booked_staff_service_kinds",
        "rules",
    }
    assert profile["includes"] == ["nationell"]  # by reference, not copied
    assert set(profile["thresholds"]) == set(THRESHOLDS)
    rule = profile["rules"][0]
    assert set(rule) == set(Rule().as_dict())  # subject and every field of the rule
    assert {"due_time", "excluded_service_kinds", "channels", "source_text"} <= set(rule)
    json.dumps(document)  # plain JSON: times as "HH:MM", lists, no objects


@pytest.mark.parametrize("slug", BUILT_IN)
def test_each_built_in_profile_round_trips(slug):  # R11.5
    first = _export(slug)
    made = import_profile(None, first, slug=f"kopia-{slug}")
    assert made.owner is None and not made.is_library
    again = export_profile(made)
    assert again["profile"].pop("slug") == f"kopia-{slug}"
    first["profile"].pop("slug")
    assert again == first
    assert all(rule.version == 1 for rule in made.rules.all())


def test_an_edited_rule_round_trips_with_every_new_word(world):  # R11.4, R11.5
    profile = services.copy_profile(
        None, source=RuleProfile.objects.get(slug="kundval-004"), owner=world.muni
    )
    rule = profile.rules.order_by("id").first()
    services.update_rule(
        None,
        rule,
        amount=3,
        unit="weekdays",
        due_time="12:00",
        cutoff_time="11:00",
        receipt_window=True,
        opens_at="08:00",
        closes_at="17:00",
        end_inclusive=False,
        roll_to_weekday=False,
        excluded_service_kinds=["care_home"],
        first_order_only=True,
        daily_only=True,
        channels=["post", "fax"],
        start_event="order.received",
    )
    document = export_profile(profile)
    document["profile"]["thresholds"]["long_absence_days"] = 21
    made = import_profile(None, document, slug="kundval-kopia")
    assert made.long_absence_days == 21
    assert export_profile(made)["profile"]["rules"] == document["profile"]["rules"]


# --- Every error, by its path ----------------------------------------------------------------


def test_every_error_is_named_by_its_path_and_nothing_is_imported():  # R11.5
    document = _export("gotland")
    document["format"] = "verkstall-rule-profile/1"
    document["extra"] = True
    profile = document["profile"]
    profile["includes"] = ["nationell", "gotland", "atlantis"]
    profile["thresholds"]["long_absence_days"] = "30"
    profile["thresholds"]["temporary_change_days"] = 0
    profile["thresholds"]["snow_days"] = 3
    profile["colour"] = "blå"
    rules = profile["rules"]
    rules[0]["colour"] = "blå"
    rules[1]["due_time"] = "25:00"
    rules[2]["responsible"] = "chef"
    rules[3]["unit"] = "dygn"
    rules[3]["stop_events"].append("order.teleported")
    rules[4]["channels"] = ["brevduva"]
    rules[5]["service_kinds"] = ["trolleri"]
    rules[5]["service_types"] = ["hemtjanst-omvardnad", "trolleritjanst"]
    rules[6]["code"] = rules[7]["code"]
    del rules[8]["name"]
    rules[9].update(
        amount=24,
        unit="hours",
        due_time="12:00",
        roll_to_weekday=False,
        cutoff_time=None,
        end_inclusive=True,
        count_from_next_day=False,
    )
    rules[10]["amount"] = -1
    rules.append("en regel")
    errors = _errors(document)
    stop = len(rules[3]["stop_events"]) - 1
    expected = {
        "format",
        "extra",
        "profile.slug",  # "gotland" is taken: an import never overwrites
        "profile.colour",
        "profile.includes[1]",
        "profile.includes[2]",
        "profile.thresholds.long_absence_days",
        "profile.thresholds.temporary_change_days",
        "profile.thresholds.snow_days",
        "rules[0].colour",
        "rules[1].due_time",
        "rules[2].responsible",
        "rules[3].unit",
        f"rules[3].stop_events[{stop}]",
        "rules[4].channels[0]",
        "rules[5].service_kinds[0]",
        "rules[5].service_types[1]",
        "rules[8].name",
        "rules[9].due_time",  # the whole rule, as the engine reads it
        "rules[10].amount",
        f"rules[{len(rules) - 1}]",
    }
    assert expected <= set(errors), expected - set(errors)
    assert any(k in errors for k in ("rules[6].code", "rules[7].code"))
    assert "skriver aldrig över" in errors["profile.slug"][0]
    assert errors["rules[5].service_types[1]"] == ["Okänd insatstyp: 'trolleritjanst'."]
    assert "Okänt fält." in errors["extra"]
    for messages in errors.values():  # Swedish, never a Python message
        assert all("Traceback" not in m and "KeyError" not in m for m in messages)


def test_an_import_and_add_rules_name_a_fault_of_form_alike():  # R11.1, R11.5
    # One checker (rule_services.rule_form_errors) serves the import, the admin and add_rules.
    rule = _export("gotland")["profile"]["rules"][0]
    faults = {
        "unit": "dygn",
        "due_time": "9:00",  # "TT:MM" exactly
        "stop_events": [*rule["stop_events"], "order.teleported"],
        "cutoff_day": 32,
        "repeats": "ja",
        "name": "x" * 201,
    }
    bad = {**rule, **faults}
    stop = f"stop_events[{len(rule['stop_events'])}]"
    expected = {"unit", "due_time", stop, "cutoff_day", "repeats", "name"}
    assert set(rule_services.rule_form_errors(bad)) == expected
    document = {"format": FORMAT, "profile": {"slug": "ny", "name": "Ny", "rules": [bad]}}
    imported = _errors(document)
    target = RuleProfile.objects.create(slug="mal", name="Mål", owner=build.municipality())
    with pytest.raises(ValidationFailed) as added:
        services.add_rules(target, [bad])
    assert (
        imported
        == added.value.errors
        == {f"rules[0].{path}": [rule_services.rule_form_errors(bad)[path]] for path in expected}
    )


def test_service_type_codes_are_checked_only_against_a_catalogue_given():  # R11.5
    rule = {**_export("gotland")["profile"]["rules"][0], "service_types": ["trolleritjanst"]}
    assert rule_services.rule_form_errors(rule) == {}  # the admin keeps a rule's old codes
    assert rule_services.rule_form_errors(rule, type_codes={"hemtjanst"}) == {
        "service_types[0]": "Okänd insatstyp: 'trolleritjanst'."
    }


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], "format"),
        ("verkstall-rule-profile/2", "format"),
        ({"profile": {}}, "format"),
        ({"format": FORMAT}, "profile"),
        ({"format": FORMAT, "profile": {"slug": "x", "name": "X"}}, "profile.rules"),
        ({"format": FORMAT, "profile": {"slug": "Ä ö", "name": "X", "rules": []}}, "profile.slug"),
        ({"format": FORMAT, "profile": {"slug": "x", "name": " ", "rules": []}}, "profile.name"),
        (
            {"format": FORMAT, "profile": {"slug": "x", "name": "X", "rules": [], "includes": "a"}},
            "profile.includes",
        ),
    ],
)
def test_a_document_of_the_wrong_shape_is_named(document, path):  # R11.5
    assert path in _errors(document)


def test_a_slug_given_replaces_the_files_and_a_taken_one_is_refused():  # R11.5
    document = _export("solna-boendestod")
    errors = _errors(document)
    assert list(errors) == ["profile.slug"]
    assert _errors(document, slug="kundval-004") == {
        "profile.slug": [errors["profile.slug"][0].replace("solna-boendestod", "kundval-004")]
    }
    assert import_profile(None, document, slug="solna-2").slug == "solna-2"
    # The profile whose code was asked for is untouched.
    assert RuleProfile.objects.get(slug="solna-boendestod").rules.count() == 12


def test_a_minimal_profile_gets_the_defaults():  # R11.5
    rule = {
        "code": "kvittens",
        "name": "Kvittens",
        "start_event": "order.sent",
        "stop_events": ["order.acknowledged"],
        "amount": 1,
        "unit": "weekdays",
        "responsible": "provider",
        "source": "Rutin §2",
    }
    document = {"format": FORMAT, "profile": {"slug": "liten", "name": "Liten", "rules": [rule]}}
    made = import_profile(None, document)
    assert made.thresholds() == {name: default for name, (default, _) in THRESHOLDS.items()}
    assert list(made.includes.all()) == []
    saved = made.rules.get().as_dict()
    assert (saved["subject"], saved["end_inclusive"], saved["stop_by"]) == (
        "order",
        True,
        "occurred",
    )


# --- Who owns what is imported (R11.3) --------------------------------------------------------


def test_the_lov_administrator_imports_into_their_own_municipality(world):  # R11.3, R11.5
    lov = build.user(Role.LOV_ADMIN, world.muni)
    made = import_profile(lov, _export("gotland"), slug="var-gotland")
    assert made.owner == world.muni
    other = build.municipality()
    with pytest.raises(PermissionDenied):
        import_profile(lov, _export("gotland"), slug="deras-gotland", owner=other)
    officer = build.user(Role.OFFICER, world.muni, unit=world.unit)
    with pytest.raises(PermissionDenied):
        import_profile(officer, _export("gotland"), slug="handlaggarens")
    assert not RuleProfile.objects.filter(slug__in=["deras-gotland", "handlaggarens"]).exists()


def test_the_system_administrator_gives_an_owner_or_none(world):  # R11.3
    system = build.user(Role.SYSTEM_ADMIN, None)
    system.is_superuser = True
    assert import_profile(system, _export("gotland"), slug="g1", owner=world.muni).owner == (
        world.muni
    )
    assert import_profile(system, _export("gotland"), slug="g2").owner is None


# --- The commands ----------------------------------------------------------------------------


def test_export_profile_prints_or_writes_the_file(tmp_path):  # R11.5
    out = StringIO()
    call_command("export_profile", "kundval-004", stdout=out)
    assert json.loads(out.getvalue()) == _export("kundval-004")
    target = tmp_path / "kundval.json"
    call_command("export_profile", "kundval-004", "--output", str(target), stderr=StringIO())
    assert json.loads(target.read_text(encoding="utf-8")) == _export("kundval-004")
    with pytest.raises(CommandError) as caught:
        call_command("export_profile", "atlantis", stdout=StringIO())
    assert caught.value.returncode == 2 and "Ingen regelprofil har koden 'atlantis'" in str(
        caught.value
    )


def test_import_profile_makes_the_profile_with_owner_and_slug(world, tmp_path):  # R11.5
    file = tmp_path / "gotland.json"
    file.write_text(json.dumps(_export("gotland")), encoding="utf-8")
    out = StringIO()
    call_command(
        "import_profile", str(file), "--owner", world.muni.code, "--slug", "ny-gotland", stdout=out
    )
    made = RuleProfile.objects.get(slug="ny-gotland")
    assert made.owner == world.muni and "ny-gotland importerades" in out.getvalue()


def _refused(*args) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("import_profile", *args, stdout=StringIO(), stderr=StringIO())
    assert caught.value.returncode == 2
    return str(caught.value)


def test_import_profile_errors_are_one_per_line(tmp_path):  # R11.5
    document = copy.deepcopy(_export("gotland"))
    document["profile"]["rules"][3]["unit"] = "dygn"
    file = tmp_path / "fel.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    lines = _refused(str(file)).splitlines()
    assert lines[0].startswith("profile.slug: ") and "rules[3].unit: Okänd enhet: 'dygn'." in lines
    assert "Ingen kommun har kommunkoden '9999'" in _refused(str(file), "--owner", "9999")
    assert "filen finns inte" in _refused(str(tmp_path / "saknas.json"))
    (tmp_path / "trasig.json").write_text("{ inte json", encoding="utf-8")
    assert "ogiltig JSON på rad 1" in _refused(str(tmp_path / "trasig.json"))
    (tmp_path / "stor.json").write_bytes(b" " * (1024 * 1024 + 1))
    assert "större än 1 MB" in _refused(str(tmp_path / "stor.json"))


def test_from_the_shell_errors_exit_2_without_a_traceback(tmp_path):  # R11.5
    """The real `python -m verkstall`, on a database of its own."""
    env = {**os.environ, "VERKSTALL_DATA_DIR": str(tmp_path), "PYTHONPATH": _src()}
    env.pop("DATABASE_URL", None)

    def run(*args):
        return subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "verkstall", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
            check=False,
        )

    assert run("migrate", "-v0").returncode == 0
    file = tmp_path / "solna.json"
    exported = run("export_profile", "solna-boendestod", "--output", str(file))
    assert exported.returncode == 0, exported.stderr
    again = run("import_profile", str(file))
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert "profile.slug: Det finns redan en regelprofil" in again.stderr
    done = run("import_profile", str(file), "--slug", "solna-kopia")
    assert done.returncode == 0 and "solna-kopia importerades" in done.stdout


def _src() -> str:
    return str(Path(__file__).resolve().parents[3])
