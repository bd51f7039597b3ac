"""Rules that can never fire are visible (SPEC R11.4, issue 13 §4): which clock events the
system records, and by what (deadlines/event_sources.py), checked against the code itself;
`rule_reachability` for one rule; `python -m verkstall check_profile SLUG` for a profile."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verkstall.core.event_kinds import KIND_BY_CODE
from verkstall.deadlines.event_sources import (
    NOT_RECORDED,
    RECORDED,
    Reachability,
    is_recorded,
    rule_reachability,
)
from verkstall.deadlines.facts import clock_rows
from verkstall.deadlines.models import Rule, RuleProfile
from verkstall.deadlines.profiles import builtin_profiles
from verkstall.deadlines.rules import EVENT_LABELS, Responsible, RuleSpec

SRC = Path(__file__).resolve().parents[2]  # src/verkstall
#: Query methods: `kind=EventKind.X` passed to them reads events, it writes none.
READS = {"filter", "exclude", "get", "count", "exists", "first", "last", "values_list"}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts)


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def written_events() -> dict[str, set[str]]:
    """Clock event -> the modules whose code records it: a call (not a query) passing
    `kind=EventKind.<NAME>` for an order event (record_event, the transitions), and the engine
    building `Event("name", ...)` for the others. Not tests, not migrations, not the tooling
    (it replays what the services write)."""
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if {"tests", "migrations"} & set(parts) or parts[0] == "tooling":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _callee(node) in READS:
                continue
            events = []
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "kind"
                    and isinstance(value, ast.Attribute)
                    and isinstance(value.value, ast.Name)
                    and value.value.id == "EventKind"
                ):
                    events.append(KIND_BY_CODE[value.attr.lower()].clock_event)
            if _callee(node) == "Event" and node.args and isinstance(node.args[0], ast.Constant):
                events.append(node.args[0].value)
            for event in events:
                if event in EVENT_LABELS:  # an order kind that drives no clock is left out
                    found.setdefault(event, set()).add(_module(path))
    return found


def test_the_table_names_every_clock_event_once():  # R11.4
    assert not set(RECORDED) & set(NOT_RECORDED)
    assert set(RECORDED) | set(NOT_RECORDED) == set(EVENT_LABELS)
    assert all(source.by and source.writers for source in RECORDED.values())
    assert all(NOT_RECORDED.values())


def test_the_table_says_what_the_code_records_no_more_no_less():  # R11.4
    found = written_events()
    # The receipt of an order sent in the system or by e-mail is derived from the sending.
    sent = datetime(2026, 3, 2, 9, tzinfo=UTC)
    derived = list(clock_rows([("sent", sent, sent)], "system"))
    assert derived == [("sent", sent, sent), ("received", sent, sent)]
    found.setdefault("order.received", set()).add("deadlines.facts")
    assert len(found) > 20  # the scan finds the writers (a broken pattern would not)
    claimed = {event: set(source.writers) for event, source in RECORDED.items()}
    assert found == claimed
    assert not set(NOT_RECORDED) & set(found)


def test_the_alarm_and_meal_events_are_recorded():  # R4.1 R3.6 R11.4
    # The provider's order to the aids centre, the installation (or the contact move after a
    # switch) and the meal order each have a service that records them (alarms app).
    assert RECORDED["alarm.ordered"].writers == ("alarms.services",)
    assert RECORDED["alarm.installed"].writers == ("alarms.services",)
    assert RECORDED["meal.ordered"].writers == ("alarms.meal_services",)
    assert not {"alarm.ordered", "alarm.installed", "meal.ordered"} & set(NOT_RECORDED)


def _spec(start: str, stops: tuple[str, ...]) -> RuleSpec:
    return RuleSpec(
        code="r",
        name="Regel",
        start_event=start,
        stop_events=stops,
        amount=3,
        unit="weekdays",
        responsible=Responsible.PROVIDER,
        source="test",
    )


def test_a_rule_that_can_start_and_stop():  # R11.4
    reach = rule_reachability(_spec("order.sent", ("order.started", "alarm.installed")))
    assert reach == Reachability(
        starts=True,
        stops=True,
        start_by="Handläggaren skickar beställningen",
        stop_by=(RECORDED["order.started"].by, RECORDED["alarm.installed"].by),
        problem="",
    )


def test_a_rule_that_starts_but_can_never_be_met():  # R11.4
    # Every event of the vocabulary is recorded now (issue 14): a stop event nobody records.
    rule = SimpleNamespace(start_event="order.sent", stop_events=["larm.okand"], subject="order")
    reach = rule_reachability(rule)
    assert reach.starts and not reach.stops and reach.stop_by == ()
    assert reach.problem.startswith("Klockan kan starta men aldrig bli klar: ingen registrerar")
    assert "”larm.okand”" in reach.problem


def test_a_rule_that_can_never_start():  # R11.4
    rule = SimpleNamespace(start_event="okand.handelse", stop_events=["order.started"])
    reach = rule_reachability(rule)
    assert not reach.starts and reach.stops and reach.start_by == ""
    assert reach.problem.startswith("Klockan kan aldrig starta: ingen registrerar")
    assert "”okand.handelse”" in reach.problem


def test_the_queue_events_are_seen_by_the_decisions_clocks_only():  # R8.1 R8.2 R11.4
    # The urgent placement and the accepted place are recorded by the placements services and
    # read by engine.decision_events (the queue entry exists before any order).
    for event in ("placement.discharge_ready", "placement.place_accepted"):
        assert is_recorded(event, "decision") and not is_recorded(event, "order")
    subject, spec = next(
        (subject, spec)
        for subject, spec in builtin_profiles()["stockholm-hv"].rules
        if spec.code == "betalningsansvar"
    )
    assert subject == "decision"
    rule = SimpleNamespace(
        start_event=spec.start_event, stop_events=spec.stop_events, subject=subject
    )
    assert rule_reachability(rule).problem == ""


def test_a_choice_of_provider_is_seen_by_the_decisions_clocks_only(db):  # R11.4
    # engine.decision_events reads the choice; an order's clocks never see it.
    assert is_recorded("choice.registered", "decision")
    assert not is_recorded("choice.registered", "order")
    profile = RuleProfile.objects.create(slug="val", name="Val")
    common = {"profile": profile, "name": "Val", "amount": 1, "unit": "months",
              "responsible": "officer", "source": "test"}  # fmt: skip
    for_decision = Rule(code="a", subject="decision", start_event="decision.granted",
                        stop_events=["choice.registered"], **common)  # fmt: skip
    for_order = Rule(code="b", subject="order", start_event="order.sent",
                     stop_events=["choice.registered"], **common)  # fmt: skip
    assert rule_reachability(for_decision).problem == ""
    reach = rule_reachability(for_order)
    assert not reach.stops and "räknas bara för beslutets frister" in reach.problem


def test_the_built_in_profiles_rules_that_can_never_fire():  # R11.4
    found = {
        (slug, spec.code)
        for slug, profile in builtin_profiles().items()
        for _subject, spec in profile.rules
        if rule_reachability(spec).problem
    }
    assert found == set()  # the queue (R8) records stockholm-hv's betalningsansvar events


# --- python -m verkstall check_profile -----------------------------------------------------


def check(*args) -> tuple[str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("check_profile", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.mark.django_db
def test_check_profile_of_gotland_lists_no_alarm_rule_and_exits_0():  # R4.1 R3.6 R11.4
    # Issue 14: the provider records the order to the aids centre, the aids centre the
    # installation, the provider the meal order; every Gotland rule can start and be met.
    out, refused = check("gotland")
    assert not [line for line in out.splitlines() if line.startswith(("larm", "matdist"))]
    assert refused is None, out
    assert "gotland kan starta och bli klara" in out


@pytest.mark.django_db
def test_check_profile_lists_a_rule_that_can_never_be_met_and_exits_1():  # R11.4
    profile = RuleProfile.objects.create(slug="trasig-test", name="Trasig")
    Rule.objects.create(profile=profile, code="aldrig-klar", name="Aldrig klar",
                        start_event="order.sent", stop_events=["choice.registered"], amount=3,
                        unit="weekdays", responsible="provider", source="test")  # fmt: skip
    out, refused = check("trasig-test")
    assert out.split()[0] == "aldrig-klar" and "aldrig bli klar" in out
    assert refused is not None and refused.returncode == 1
    assert "1 av" in str(refused) and "trasig-test" in str(refused)


@pytest.mark.django_db
def test_check_profile_of_a_profile_whose_rules_all_fire_exits_0():  # R11.4
    out, refused = check("kundval-004")
    assert refused is None
    assert out.startswith("Alla ") and "kundval-004 kan starta och bli klara" in out


@pytest.mark.django_db
def test_check_profile_reads_the_rules_in_force_with_included_libraries():  # R11.3 R11.4
    library = RuleProfile.objects.create(slug="bibliotek-test", name="Bibliotek", is_library=True)
    Rule.objects.create(profile=library, code="val-pa-order", name="Val på beställningen",
                        start_event="order.sent", stop_events=["choice.registered"], amount=3,
                        unit="weekdays", responsible="provider", source="test")  # fmt: skip
    own = RuleProfile.objects.create(slug="egen-test", name="Egen")
    own.includes.add(library)
    out, refused = check("egen-test")
    assert out.split()[0] == "val-pa-order" and refused.returncode == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [(("malmo",), "Okänd regelprofil 'malmo'. Kända profiler:"), ((), "Ange regelprofilens kod")],
)
def test_check_profile_usage_errors_exit_2(args, message):  # R11.4
    out, refused = check(*args)
    assert out == "" and refused.returncode == 2 and message in str(refused)


def test_check_profile_from_the_shell(tmp_path):  # R11.4
    """The real `python -m verkstall check_profile`, on a migrated database of its own."""
    env = {**os.environ, "VERKSTALL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(SRC.parent)}
    env.pop("DATABASE_URL", None)

    def run(*args):
        return subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "verkstall", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    assert run("migrate", "-v0").returncode == 0
    gotland = run("check_profile", "gotland")  # R4.1: the alarm rules can be met
    assert gotland.returncode == 0 and "larm-" not in gotland.stdout, gotland.stdout
    assert "Traceback" not in gotland.stderr
    assert run("check_profile", "kundval-004").returncode == 0
    unknown = run("check_profile", "malmo")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "Okänd regelprofil 'malmo'" in unknown.stderr and "Traceback" not in unknown.stderr
