"""`python -m verkstall due`: a rule's due date from the command line, explained the same way
as on a due item (SPEC R11.2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verkstall.deadlines import services
from verkstall.deadlines.calendar import STOCKHOLM
from verkstall.deadlines.models import Rule
from verkstall.deadlines.profiles import builtin_profiles
from verkstall.deadlines.rules import Event, explain

pytestmark = pytest.mark.django_db

KEYS = {
    "profile",
    "rule",
    "name",
    "version",
    "source",
    "source_text",
    "responsible",
    "responsible_label",
    "subject",
    "start_event",
    "stop_events",
    "start",
    "length",
    "due_date",
    "due_at",
    "skipped",
    "rolled_from",
    "explanation",
}
ALL = [(slug, rule) for slug, profile in builtin_profiles().items() for _, rule in profile.rules]


def due(*args) -> dict:
    out = StringIO()
    call_command("due", *args, stdout=out)
    return json.loads(out.getvalue())


def refused(*args) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("due", *args, stdout=StringIO(), stderr=StringIO())
    assert caught.value.returncode == 2
    return caught.value


@pytest.mark.parametrize(("slug", "rule"), ALL, ids=[f"{s}/{r.code}" for s, r in ALL])
def test_every_built_in_rule_answers_with_its_due_date_and_explanation(slug, rule):  # R11.2
    start = "2026-12-22T10:00"
    body = due(slug, rule.code, start)
    assert set(body) == KEYS
    assert (body["profile"], body["rule"], body["name"]) == (slug, rule.code, rule.name)
    assert (body["source"], body["source_text"]) == (rule.source, rule.source_text)
    assert body["responsible"] == rule.responsible.value
    assert body["start"] == "2026-12-22T10:00:00+01:00"
    # The same answer as the pure rule, and the same words as a due item's explanation.
    moment = datetime(2026, 12, 22, 10, 0, tzinfo=STOCKHOLM)
    expected = rule.due_from(moment)
    same = explain(rule, Event(rule.start_event, moment, moment), expected, None, None)
    assert body["explanation"] == same["text"]
    assert body["length"] == rule.length_text()
    if expected is None:
        assert body["due_date"] is None and body["due_at"] is None
        assert "snarast" in body["length"]
        return
    assert datetime.fromisoformat(body["due_at"]) == expected.due_at
    assert body["due_at"].endswith("+01:00") or body["due_at"].endswith("+02:00")
    assert body["due_date"] == (expected.due_date.isoformat() if expected.due_date else None)
    assert body["skipped"] == [
        {"date": s.day.isoformat(), "reason": s.reason} for s in expected.skipped
    ]


def test_the_answer_for_christmas_is_the_hand_checked_one():  # R3.5 [001], R11.2
    body = due("stockholm-hv", "kvittens-och-start", "2026-12-22")
    assert body["start"] == "2026-12-22"
    assert body["due_date"] == "2026-12-29"
    assert body["due_at"] == "2026-12-29T23:59:59.999999+01:00"
    assert [s["reason"] for s in body["skipped"]] == [
        "Julafton",
        "Juldagen",
        "Annandag jul",
        "Söndag",
    ]
    assert body["rolled_from"] is None
    assert body["explanation"].endswith("Senast 2026-12-29.")


def test_a_rolled_due_date_says_where_it_was_rolled_from():  # R11.2 [002]
    body = due("gotland", "uppfoljning-en-manad", "2026-01-31")
    assert body["due_date"] == "2026-03-02"
    assert body["rolled_from"] == "2026-02-28"
    assert "Flyttad från 2026-02-28 till närmaste vardag." in body["explanation"]


def test_a_start_with_an_offset_is_read_in_swedish_time():  # R11.2
    body = due("kundval-004", "start-omvardnad-48h", "2026-12-23T09:00:00+00:00")
    assert body["start"] == "2026-12-23T10:00:00+01:00"
    assert body["due_at"] == "2026-12-25T10:00:00+01:00" and body["due_date"] is None


def test_the_command_reads_the_rule_as_the_municipality_edited_it():  # R11.1
    rule = Rule.objects.get(profile__slug="solna-boendestod", code="start-rapporterad")
    services.update_rule(None, rule, amount=10)
    body = due("solna-boendestod", "start-rapporterad", "2026-03-02")
    assert (body["version"], body["length"], body["due_date"]) == (2, "10 dagar", "2026-03-12")


def test_service_checks_that_the_rule_applies_to_the_service_type():  # R11.1
    body = due(
        "kundval-004", "start-omvardnad-48h", "2026-03-02", "--service", "hemtjanst-omvardnad"
    )
    assert body["rule"] == "start-omvardnad-48h"
    error = refused(
        "kundval-004", "kvittens-nasta-dag", "2026-03-02", "--service", "hemtjanst-stad"
    )
    assert "gäller inte insatstypen hemtjanst-stad" in str(error)
    error = refused("gotland", "larm-installerat", "2026-03-02", "--service", "trollerilektioner")
    assert "Okänd insatstyp 'trollerilektioner'" in str(error)


def test_list_prints_one_line_per_rule_with_name_length_and_source():  # R11.1
    out = StringIO()
    call_command("due", "--list", "solna-boendestod", stdout=out)
    lines = out.getvalue().splitlines()
    rules = builtin_profiles()["solna-boendestod"].rules
    assert len(lines) == len(rules) == 14  # its 12, and the national IVO and fee rules
    for line, (_, rule) in zip(lines, rules, strict=True):
        assert line.startswith(rule.code + " ")
        assert rule.name in line and rule.length_text() in line and rule.source in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("malmo", "x", "2026-03-02"), "Okänd regelprofil 'malmo'"),
        (("gotland", "kvittens-och-start", "2026-03-02"), "ingen regel 'kvittens-och-start'"),
        (("gotland", "byte-kontakt", "2026-02-30"), "Ogiltigt START '2026-02-30'"),
        (("gotland", "byte-kontakt", "i morgon"), "Ogiltigt START 'i morgon'"),
        (("gotland", "byte-kontakt", "2026-03-02T25:00"), "Ogiltigt START"),
        (("gotland", "byte-kontakt", "1850-03-02"), "1850"),
        (("gotland", "byte-kontakt"), "Saknas: START"),
        ((), "Saknas: PROFILE, RULE, START"),
        (("--list", "malmo"), "Okänd regelprofil 'malmo'"),
        (("gotland", "--list", "gotland"), "--list PROFILE tar inga andra argument"),
    ],
)
def test_errors_name_the_problem_and_exit_with_code_2(args, message):  # R11.2
    assert message in str(refused(*args))


def test_from_the_shell_an_error_is_one_line_on_stderr_and_exit_code_2(tmp_path):  # R11.2
    """The real `python -m verkstall due`, on a database of its own (migrated, so the
    built-in profiles are loaded): JSON on stdout, or exit 2 and no traceback."""
    env = {**os.environ, "VERKSTALL_DATA_DIR": str(tmp_path), "PYTHONPATH": _src()}
    env.pop("DATABASE_URL", None)
    run = _runner(env)
    assert run("migrate", "-v0").returncode == 0
    ok = run("due", "gotland", "larm-installerat", "2026-12-31")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["due_date"] == "2027-01-07"
    bad = run("due", "gotland", "larm-installerat", "2026-12-32")
    assert bad.returncode == 2
    assert bad.stdout == "" and "Ogiltigt START '2026-12-32'" in bad.stderr
    assert "Traceback" not in bad.stderr
    wrong = run("due", "gotland", "larm-installerat", "2026-12-01", "--service", "boendestod")
    assert wrong.returncode == 2 and "gäller inte insatstypen boendestod" in wrong.stderr
    listed = run("due", "--list", "kundval-004")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 6


def _src() -> str:
    return str(Path(__file__).resolve().parents[3])


def _runner(env):
    def run(*args):
        return subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "verkstall", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    return run
