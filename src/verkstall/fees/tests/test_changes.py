"""The pure core of fee notices (SPEC R9.3): which order events are changes of the fee, and
which clients are under the threshold. No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from verkstall.deadlines.profiles import fixture_profiles
from verkstall.fees import changes
from verkstall.fees.changes import Hours, OrderContext

DAY = date(2026, 3, 9)
CTX = OrderContext(provider="Björkens Hemtjänst")


def service(kind: str, code: str, unit: str = "hours_per_month", amount="4", name="Insats"):
    return SimpleNamespace(
        service_type=SimpleNamespace(kind=kind, code=code, name=name),
        scope_unit=unit,
        scope_amount=amount,
    )


def national_specs():
    """The national rule as shipped (deadlines/fixtures/builtin_profiles.json)."""
    rules = fixture_profiles()["nationell"].rules
    return [spec for _subject, spec in rules if spec.start_event == "fee.change"]


def test_the_national_rule_excludes_housing_support_and_occupation():  # R9.3
    specs = national_specs()
    assert [s.code for s in specs] == ["avgiftsmeddelande"]
    assert [s.responsible.value for s in specs] == ["fee_officer"]
    for kind in ("housing_support", "day_activity", "daily_activity_lss"):
        assert not changes.bears_fee(service(kind, "x"), specs)
    for kind in ("service", "personal_care", "cleaning", "meal_delivery", "safety_alarm"):
        assert changes.bears_fee(service(kind, "x"), specs)


def test_a_start_an_end_and_a_new_version():  # R9.3 R3.10
    start = changes.change_of_event("started", DAY, {}, CTX)
    assert (start.kind, start.day) == ("started", DAY)
    assert start.text == "Insatsen verkställd från och med 2026-03-09 hos Björkens Hemtjänst."
    version = changes.change_of_event("started", DAY, {}, OrderContext("B", supersedes=7))
    assert version.kind == "new_version" and "ersätter beställning #7" in version.text
    end = changes.change_of_event("ended", DAY, {"end_date": "2026-03-10", "note": "Avliden."}, CTX)
    assert (end.kind, end.day) == ("ended", date(2026, 3, 10)) and end.text.endswith("Avliden.")
    # The end of a replaced version, or of a switched order, is told by that change instead.
    for told_elsewhere in (
        OrderContext("B", replaced_by_version=True),
        OrderContext("B", ended_by_switch=True),
    ):
        assert changes.change_of_event("ended", DAY, {}, told_elsewhere) is None


def test_a_switch_is_told_once_from_the_old_order():  # R9.3 R2.6
    old = {"new_order": 12, "new_provider": "Ängens Omsorg", "agreed_date": "2026-03-23"}
    change = changes.change_of_event("switch_completed", DAY, old, CTX)
    assert change.kind == "switch" and change.day == date(2026, 3, 23)
    assert "Ängens Omsorg tar över från Björkens Hemtjänst" in change.text
    assert changes.change_of_event("switch_completed", DAY, {"from_order": 3}, CTX) is None
    never_started = OrderContext("Björkens Hemtjänst", started=False)
    assert changes.change_of_event("switch_completed", DAY, old, never_started) is None


def test_a_temporary_change_an_absence_and_a_correction():  # R9.3 R3.8 R7.1 R9.1
    temporary = changes.change_of_event(
        "change_reported",
        DAY,
        {"change": "decrease", "from_date": "2026-03-09", "to_date": "2026-03-11", "days": 3},
        CTX,
    )
    assert (temporary.kind, temporary.until) == ("temporary_change", date(2026, 3, 11))
    assert temporary.text == "Tillfällig minskning 2026-03-09–2026-03-11 (3 dagar)."
    absence = changes.change_of_event(
        "absence_registered",
        DAY,
        {"from_date": "2026-03-09", "text": "Sjukhusvistelse 2026-03-09 – pågående"},
        CTX,
    )
    assert absence.kind == "absence" and absence.until is None
    assert absence.text == "Frånvaro: Sjukhusvistelse 2026-03-09 – pågående."
    corrected = changes.change_of_event(
        "start_corrected", DAY, {"new_date": "2026-03-05", "text": "Startdatum korrigerat."}, CTX
    )
    assert (corrected.kind, corrected.day) == ("date_corrected", date(2026, 3, 5))
    assert changes.change_of_event("acknowledged", DAY, {}, CTX) is None
    assert changes.change_of_event("plan_sent", DAY, {}, CTX) is None


def test_hours_count_only_services_in_hours():  # R9.3
    hours = changes.fee_hours(
        [
            service("service", "a", amount="4.5"),
            service("personal_care", "b", amount="2"),
            service("meal_delivery", "m", unit="days_per_week", amount="7", name="Mat"),
            service("safety_alarm", "l", unit="place", amount="1", name="Larm"),
        ]
    )
    assert hours == Hours(Decimal("6.5"), ("Larm", "Mat"))
    assert changes.in_scope(hours, 7) and not changes.in_scope(hours, 6)
    assert changes.hours_text(hours) == "6,5 timmar per månad (ej i timmar: Larm, Mat)"
    assert changes.in_scope(changes.fee_hours([]), 7)


@given(
    amounts=st.lists(st.integers(min_value=1, max_value=40), max_size=5),
    limit=st.integers(min_value=1, max_value=60),
)
def test_under_the_threshold_means_fewer_hours_than_it(amounts, limit):  # R9.3
    hours = changes.fee_hours([service("service", "s", amount=str(a)) for a in amounts])
    assert hours.counted == sum(amounts)
    assert changes.in_scope(hours, limit) == (sum(amounts) < limit)
