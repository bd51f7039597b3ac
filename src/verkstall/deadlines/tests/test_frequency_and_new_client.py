"""The rule language's words for how often a service is given and for a new client of the
provider (SPEC R3.6, R5.1; seeds 002 and 003). Pure: no database.

- 002 §Verkställighet: "Utföraren ansvarar för att dagliga insatser verkställs snarast dock
  senast inom 3 dagar och att övriga insatser verkställs inom aktuell frekvens." Daily is about
  how often the service is given, not its type: twice a day is daily.
- 003: "Upprättandet av en genomförandeplan påbörjas inom 14 dagar och skickas till OF senast
  inom 3 månader vid ny kund."
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from verkstall.deadlines.calendar import STOCKHOLM, Unit
from verkstall.deadlines.explanations import conditions_text
from verkstall.deadlines.facts import (
    ClientOrder,
    facts_of,
    frequency_of,
    is_first_order,
    is_new_client,
    most_frequent,
)
from verkstall.deadlines.profiles import builtin_profiles, rule_from_dict
from verkstall.deadlines.rules import (
    Event,
    Facts,
    Responsible,
    RuleError,
    RuleSpec,
    Status,
    evaluate,
)

GOTLAND_START_RULES = {
    "start-dagliga-insatser",
    "start-insatser-varje-vecka",
    "start-insatser-varannan-vecka",
    "start-insatser-varje-manad",
    "start-ovriga-insatser",
}


def granted(unit: str, amount: str = "1", text: str = "", kind: str = "personal_care"):
    return SimpleNamespace(
        scope_unit=unit,
        scope_amount=Decimal(amount),
        frequency=text,
        service_type=SimpleNamespace(kind=kind, code=f"typ-{kind}"),
    )


def spec(**changes) -> RuleSpec:
    values = {
        "code": "r",
        "name": "Regel",
        "start_event": "order.sent",
        "stop_events": ("order.started",),
        "amount": 3,
        "unit": Unit.CALENDAR_DAYS,
        "responsible": Responsible.PROVIDER,
        "source": "test",
    }
    values.update(changes)
    return RuleSpec(**values)


def rules_of(slug: str) -> dict[str, RuleSpec]:
    return {rule.code: rule for _, rule in builtin_profiles()[slug].rules}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


# --- How often a service is given (R3.6) ------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "amount", "text", "expected"),
    [
        ("visits_per_day", "2", "", "daily"),  # twice a day is daily
        ("visits_per_day", "1", "", "daily"),
        ("days_per_week", "7", "", "daily"),  # 7 days a week
        ("hours_per_month", "30", "morgon och kväll", "daily"),
        ("hours_per_month", "30", "Dagligen", "daily"),
        ("hours_per_month", "30", "2 ggr/dag", "daily"),
        ("hours_per_month", "30", "sju dagar i veckan", "daily"),
        ("hours_per_month", "10", "två gånger i veckan", "weekly"),
        ("days_per_week", "5", "vardagar", "weekly"),  # every weekday is not every day
        ("visits_per_week", "3", "", "weekly"),
        ("hours_per_month", "4", "tisdagar", "weekly"),
        ("hours_per_month", "4", "varannan vecka", "every_other_week"),
        ("visits_per_month", "2", "varannan tisdag", "every_other_week"),
        ("visits_per_month", "1", "", "monthly"),
        ("hours_per_month", "2", "en gång i månaden", "monthly"),
        ("hours_per_month", "8", "", "unspecified"),  # hours say nothing of how often
        ("place", "1", "", "unspecified"),
    ],
)
def test_how_often_a_service_is_given(unit, amount, text, expected):  # R3.6 [002]
    assert frequency_of(granted(unit, amount, text)) == expected


def test_an_order_is_as_frequent_as_its_most_frequent_service():  # R3.6 [002]
    assert most_frequent(["monthly", "daily", "weekly"]) == "daily"
    assert most_frequent(["unspecified", "every_other_week"]) == "every_other_week"
    assert most_frequent(["unspecified"]) == "unspecified"
    assert most_frequent([]) == ""
    facts, _ = facts_of([granted("visits_per_month"), granted("visits_per_day", "2")])
    assert facts.frequency == "daily" and facts.daily


def test_the_frequency_condition_selects_by_how_often_not_by_type():  # R3.6 R11.4
    rule = spec(service_frequencies=("daily",))
    assert rule.applies(Facts(kinds=frozenset({"service"}), frequency="daily"))
    assert not rule.applies(Facts(kinds=frozenset({"personal_care"}), frequency="weekly"))
    assert not rule.applies(Facts(kinds=frozenset({"personal_care"})))  # nothing known
    assert spec().applies(Facts(frequency="monthly"))  # no condition: every frequency


def test_an_unknown_frequency_or_client_word_is_refused_at_its_field():  # R11.4
    with pytest.raises(RuleError) as caught:
        spec(service_frequencies=("dagligen",))
    assert caught.value.field == "service_frequencies"
    with pytest.raises(RuleError) as caught:
        spec(client_of_provider="ny")
    assert caught.value.field == "client_of_provider"


# --- Gotland: daily within 3 days, others within their frequency (R3.6, 002) -----------------


def _start_rules_for(frequency: str, kind: str = "personal_care") -> set[str]:
    facts = Facts(kinds=frozenset({kind}), frequency=frequency, daily=frequency == "daily")
    rules = rules_of("gotland")
    return {code for code in GOTLAND_START_RULES if rules[code].applies(facts)}


@pytest.mark.parametrize(
    ("frequency", "rule"),
    [
        ("daily", "start-dagliga-insatser"),
        ("weekly", "start-insatser-varje-vecka"),
        ("every_other_week", "start-insatser-varannan-vecka"),
        ("monthly", "start-insatser-varje-manad"),
        ("unspecified", "start-ovriga-insatser"),
    ],
)
def test_gotland_starts_each_service_within_its_frequency(frequency, rule):  # R3.6 [002]
    assert _start_rules_for(frequency) == {rule}
    assert _start_rules_for(frequency, kind="cleaning") == {rule}  # the type does not decide


def test_gotland_a_twice_daily_service_gets_three_days_a_weekly_one_a_week():  # R3.6 [002]
    rules = rules_of("gotland")
    sent = at(date(2026, 3, 2))  # a Monday
    events = [Event("order.sent", sent, sent)]
    twice_daily, _ = facts_of([granted("visits_per_day", "2", kind="cleaning")])
    weekly, _ = facts_of([granted("hours_per_month", "6", "en gång i veckan", kind="cleaning")])
    assert _start_rules_for(twice_daily.frequency, "cleaning") == {"start-dagliga-insatser"}
    assert _start_rules_for(weekly.frequency, "cleaning") == {"start-insatser-varje-vecka"}
    [daily] = evaluate(rules["start-dagliga-insatser"], events, sent)
    [week] = evaluate(rules["start-insatser-varje-vecka"], events, sent)
    assert daily.due.due_date == date(2026, 3, 5)  # Thursday: 3 days
    assert week.due.due_date == date(2026, 3, 9)  # the next Monday: a week
    assert "bara för insatser som ges dagligen" in daily.explanation["text"]
    assert "bara för insatser som ges varje vecka" in week.explanation["text"]


def test_gotland_start_rules_leave_meal_delivery_and_alarms_to_their_own_rules():  # R3.6 R4.1
    for kind in ("meal_delivery", "safety_alarm", "care_home"):
        assert _start_rules_for("daily", kind=kind) == set()


# --- Solna: a new client's plan and the mapping period (R5.1, 003) --------------------------


def _client_order(pk, provider, sent_days_ago, state="started"):
    now = datetime(2026, 3, 10, 9, tzinfo=UTC)
    sent = now - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    return ClientOrder(pk, provider, state, now - timedelta(days=40), sent)


def test_a_new_client_is_one_the_provider_has_had_no_order_for():  # R3.4 R5.1 [003]
    sent = datetime(2026, 3, 10, 9, tzinfo=UTC)
    assert is_new_client(7, sent, [])
    assert is_new_client(7, sent, [_client_order(1, 8, 100)])  # another provider's client
    assert not is_new_client(7, sent, [_client_order(1, 7, 100)])
    assert not is_new_client(7, sent, [_client_order(1, 7, 100, state="cancelled")])  # had it
    assert is_new_client(7, sent, [_client_order(1, 7, None, state="draft")])  # never sent
    assert is_new_client(7, sent - timedelta(days=200), [_client_order(1, 7, 100)])  # later one
    assert not is_new_client(7, None, [_client_order(1, 7, 100)])  # a draft: judged now


def test_a_first_order_does_not_count_cancelled_ones():  # R11.4
    made = datetime(2026, 3, 10, 9, tzinfo=UTC)
    earlier = ClientOrder(1, 7, "started", made - timedelta(days=1), None)
    assert not is_first_order(2, made, [earlier])
    assert is_first_order(2, made, [earlier._replace(state="cancelled")])
    assert is_first_order(2, made, [earlier._replace(created_at=made + timedelta(days=1))])


@pytest.mark.parametrize(
    ("new_client", "applies"),
    [
        (True, {"genomforandeplan-skickad"}),
        (False, {"genomforandeplan-skickad-befintlig-kund"}),
        (None, set()),  # not known (a decision): neither
    ],
)
def test_solna_sends_a_new_clients_plan_within_3_months(new_client, applies):  # R5.1 [003]
    rules = rules_of("solna-boendestod")
    facts = Facts(kinds=frozenset({"housing_support"}), new_client=new_client)
    codes = {"genomforandeplan-skickad", "genomforandeplan-skickad-befintlig-kund"}
    assert {code for code in codes if rules[code].applies(facts)} == applies
    assert rules["genomforandeplan-paborjad"].applies(facts)  # begun within 14 days: all


def test_solna_new_client_and_existing_client_plan_deadlines():  # R5.1 [003]
    rules = rules_of("solna-boendestod")
    started = at(date(2026, 3, 2))
    events = [Event("order.started", started, started)]
    later = started + timedelta(days=200)
    [new] = evaluate(rules["genomforandeplan-skickad"], events, later)
    [existing] = evaluate(rules["genomforandeplan-skickad-befintlig-kund"], events, later)
    assert new.due.due_date == date(2026, 6, 2) and new.status == Status.OVERDUE
    assert existing.due is None and existing.status == Status.OPEN  # no number in 003
    assert "bara för en ny kund hos utföraren" in new.explanation["text"]
    assert "bara för en kund som utföraren redan har" in existing.explanation["text"]


def test_the_new_words_are_said_and_read_back():  # R11.4 R11.5
    _, rule = rule_from_dict(
        {
            "code": "r",
            "name": "Regel",
            "start_event": "order.started",
            "stop_events": ["plan.sent"],
            "amount": 1,
            "unit": "weeks",
            "responsible": "provider",
            "source": "test",
            "service_frequencies": ["weekly", "every_other_week"],
            "client_of_provider": "new",
        }
    )
    assert rule.service_frequencies == ("weekly", "every_other_week")
    assert rule.client_of_provider == "new"
    text = conditions_text(rule)
    assert "varje vecka eller varannan vecka" in text and "ny kund hos utföraren" in text


def test_the_rule_profile_page_documents_every_word():  # R11.4 R11.5 R3.6 R5.1
    """docs/rule-profiles.md names every field of a rule, every threshold and profile list,
    every frequency and every event a rule may use."""
    from pathlib import Path

    from verkstall.deadlines.models import PROFILE_LISTS, THRESHOLDS, Rule
    from verkstall.deadlines.rules import EVENT_LABELS, FREQUENCY_LABELS

    text = (Path(__file__).parents[4] / "docs" / "rule-profiles.md").read_text(encoding="utf-8")
    words = [*Rule().as_dict(), *THRESHOLDS, *FREQUENCY_LABELS, *EVENT_LABELS]
    missing = [word for word in words if f"`{word}`" not in text]
    missing += [name for name in PROFILE_LISTS if f"`profile.{name}`" not in text]
    assert missing == []
