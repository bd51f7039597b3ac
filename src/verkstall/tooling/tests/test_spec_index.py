"""SPEC traceability (issue 12 item 7): every built-in rule carries its SPEC id, every built id
has a test, docs/SPEC-INDEX.md is what `python -m verkstall spec_index` writes, and no code
cites a range of ids. Pure: reads files, no database.

SPEC.md is the `SPEC_PATH` setting (`<repo>/../shared/SPEC.md`, else /work/shared/SPEC.md); the
tests that need it are skipped where it is not on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from verkstall.deadlines import profiles
from verkstall.tooling import spec_index

REPO = settings.REPO_DIR
SPEC = Path(settings.SPEC_PATH)
needs_spec = pytest.mark.skipif(not SPEC.is_file(), reason=f"SPEC.md is not at {SPEC}")
PLANTED_RANGE = "R2.1" + "–R2.3"  # written so that this file itself cites no range


@pytest.fixture(scope="module")
def spec_text() -> str:
    return SPEC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def entries(spec_text) -> list[spec_index.Entry]:
    return spec_index.build(spec_text, REPO)


def test_every_fixture_rule_carries_one_valid_spec_id():  # R11.1
    raw = json.loads(profiles.FIXTURE.read_text(encoding="utf-8"))
    missing = [
        f"{p['slug']}/{r['code']}: {r.get('spec')!r}"
        for p in raw["profiles"]
        for r in p["rules"]
        if not isinstance(r.get("spec"), str) or not profiles.SPEC_ID.fullmatch(r["spec"])
    ]
    assert missing == []


def test_the_loader_keeps_the_spec_id_of_every_rule():  # R11.1
    for profile in profiles.builtin_profiles().values():
        assert set(profile.spec_ids) == {rule.code for _, rule in profile.rules}
    assert profiles.builtin_profiles()["gotland"].spec_id("larm-installerat") == "R4.1"
    assert profiles.builtin_profiles()["kundval-004"].spec_id("kvittens-nasta-dag") == "R3.5"


@pytest.mark.parametrize("spec", [None, "", "R3", "R3.5, R3.6", "3.5", "Actors"])
def test_the_loader_refuses_a_rule_without_a_valid_spec_id(spec):  # R11.1
    rule = {"code": "kvittens", "name": "Kvittens", "spec": spec}
    if spec is None:
        del rule["spec"]
    with pytest.raises(ValueError, match="no valid SPEC id"):
        profiles.spec_ids("gotland", [rule])


@needs_spec
def test_every_fixture_spec_id_is_an_id_of_spec_md(spec_text):  # R11.1
    known = {r.id for r in spec_index.parse_spec(spec_text)}
    cited = {
        f"{slug}/{code}": spec_id
        for slug, profile in profiles.builtin_profiles().items()
        for code, spec_id in profile.spec_ids.items()
    }
    assert {rule: i for rule, i in cited.items() if i not in known} == {}


@needs_spec
def test_spec_md_is_read_in_order_with_actors_and_every_section(spec_text):  # R11.1
    ids = [r.id for r in spec_index.parse_spec(spec_text)]
    assert ids[0] == "Actors"
    assert ids == ["Actors", *sorted(ids[1:], key=spec_index.sort_key)]
    assert {i.split(".")[0] for i in ids[1:]} == {f"R{n}" for n in range(1, 13)}
    assert all(r.text and "\n" not in r.text for r in spec_index.parse_spec(spec_text))


@needs_spec
def test_every_built_id_has_a_test(entries):  # R11.1
    untested = [e.requirement.id for e in entries if e.built and not e.tests]
    assert untested == [], "built (a module or rule cites it) but no test cites it"


@needs_spec
def test_an_id_without_a_test_is_one_that_is_not_built(entries):  # R11.1
    for entry in entries:
        if not entry.tests:
            assert not entry.modules and not entry.rules, entry.requirement.id
            assert entry.status == "not built"


@needs_spec
def test_not_built_ids_are_listed_never_hidden(entries):  # R11.1
    text = spec_index.render(entries)
    for entry in entries:
        assert f"\n## {entry.requirement.id}\n" in text
        if not entry.built and not entry.tests:
            assert entry.requirement.id in text.split("\n## ")[0]  # the "Not built:" line


@needs_spec
def test_code_and_tests_cite_only_ids_spec_md_gives(spec_text):  # R11.1
    assert spec_index.unknown_ids(spec_text, REPO) == {}


def test_no_code_or_test_cites_a_range_of_ids():  # R11.1
    assert spec_index.ranges(REPO) == [], "write each id out (R2.1, R2.2, R2.3), not a range"


def test_a_planted_range_and_planted_citations_are_found(tmp_path):  # R11.1
    src = tmp_path / "src" / "verkstall" / "app"
    (src / "tests").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    (src / "mod.py").write_text(f'"""Choice (SPEC {PLANTED_RANGE})."""\n# R10.4: logged\n')
    (src / "tests" / "test_x.py").write_text(
        "def test_a():  # R3.5\n    pass\n\n\n"
        'def test_b():\n    """Scope (Actors)."""\n\n\n'
        "class TestC:\n    def test_c(self):\n        # R9.1\n        pass\n\n\n"
        "def test_d():\n    pass\n"
    )
    assert spec_index.ranges(tmp_path) == [f"src/verkstall/app/mod.py:1: {PLANTED_RANGE}"]
    assert spec_index.module_citations(tmp_path / "src" / "verkstall") == {
        "R2.1": {"verkstall.app.mod"},  # a range counts only its two ends
        "R2.3": {"verkstall.app.mod"},
        "R10.4": {"verkstall.app.mod"},
    }
    found = {t.name.split("::", 1)[1]: t.ids for t in spec_index.all_tests(tmp_path)}
    assert found == {
        "test_a": ("R3.5",),
        "test_b": ("Actors",),
        "TestC::test_c": ("R9.1",),
        "test_d": (),
    }


def test_the_index_says_built_not_built_and_what_has_no_test():  # R11.1
    spec = "## Actors and what each may see\n\n## R1 X\n- R1.1 One. Two.\n  more\n- R1.2 Three.\n"
    entries = [spec_index.Entry(r) for r in spec_index.parse_spec(spec)]
    assert [(e.requirement.id, e.requirement.text) for e in entries][1:] == [
        ("R1.1", "One."),
        ("R1.2", "Three."),
    ]
    entries[1].modules.add("verkstall.x")
    entries[2].rules.add("gotland/y")
    entries[2].tests.add("tests/test_y.py::test_y")
    text = spec_index.render(entries)
    assert "3 ids: 2 built, 1 not built." in text
    assert "Not built: Actors." in text
    assert "## R1.1\n\nOne.\n\nStatus: built, NO TEST." in text
    assert "Rules: `gotland/y`." in text and "- `tests/test_y.py::test_y`" in text
    assert spec_index.render(entries) == text


@needs_spec
def test_the_committed_index_is_up_to_date():  # R11.1
    committed = REPO / spec_index.OUTPUT
    assert committed.is_file(), "run `python -m verkstall spec_index`"
    expected = spec_index.generate(SPEC, REPO)
    assert committed.read_text(encoding="utf-8") == expected, (
        "docs/SPEC-INDEX.md is out of date: run `python -m verkstall spec_index`"
    )


@needs_spec
def test_the_command_check_exits_1_when_the_file_differs(tmp_path):  # R11.1
    stale = tmp_path / "SPEC-INDEX.md"
    stale.write_text("# old\n", encoding="utf-8")
    command = [sys.executable, "-m", "verkstall", "spec_index", "--spec", str(SPEC)]
    run = subprocess.run(  # noqa: S603
        [*command, "--output", str(stale), "--check"], capture_output=True, text=True, cwd=REPO
    )
    assert run.returncode == 1 and "inaktuell" in run.stderr
    assert stale.read_text(encoding="utf-8") == "# old\n"
    subprocess.run([*command, "--output", str(stale)], check=True, cwd=REPO)  # noqa: S603
    run = subprocess.run(  # noqa: S603
        [*command, "--output", str(stale), "--check"], capture_output=True, text=True, cwd=REPO
    )
    assert run.returncode == 0, run.stderr
