"""The national file's records, validation and bytes, without Django (SPEC R9.6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from verkstall.national_statistics import record_format as fmt

NUMBER = "195001019826"  # a valid test personnummer (Luhn)
PERSONS = {1: fmt.Person(1, NUMBER, "AB")}


def span(kind="personal_care", first=date(2026, 1, 1), last=None, hours="31", **kw):
    return fmt.ServiceSpan(
        person_id=kw.pop("person_id", 1),
        kind=kind,
        law=kw.pop("law", "SoL"),
        unassessed=kw.pop("unassessed", False),
        first=first,
        last=last,
        hours=Decimal(hours) if hours is not None else None,
        scope_unit=kw.pop("scope_unit", "timmar per månad"),
    )


def build(spans, persons=PERSONS):
    return fmt.build_records("0980", 2026, 3, spans, persons)


def test_home_care_kinds_are_one_kind_with_their_hours_added():  # R9.6
    records, bad = build([span(), span("cleaning", hours="4.5"), span("safety_alarm", hours=None)])
    assert bad == []
    assert [r.line() for r in records] == [
        f"0980;202603;{NUMBER};01;036",
        f"0980;202603;{NUMBER};04;",
    ]


def test_a_start_and_an_end_in_the_month_go_to_file_two():  # R9.6
    records, _ = build(
        [
            span("care_home", first=date(2026, 3, 10), hours=None),
            span("meal_delivery", first=date(2025, 6, 1), last=date(2026, 3, 9), hours=None),
        ]
    )
    lines = {r.file: [] for r in records}
    for r in records:
        lines[r.file].append(r.line())
    assert lines[fmt.FileKind.ONGOING] == [f"0980;202603;{NUMBER};02;"]
    assert lines[fmt.FileKind.STARTED_OR_ENDED] == [
        f"0980;202603;{NUMBER};02;20260310;",
        f"0980;202603;{NUMBER};05;;20260309",
    ]


def test_orders_following_each_other_are_one_service():  # R9.6
    records, _ = build(
        [
            span(first=date(2026, 1, 1), last=date(2026, 3, 14)),
            span(first=date(2026, 3, 15), last=None),
        ]
    )
    assert [(r.file, r.line()) for r in records] == [
        (fmt.FileKind.ONGOING, f"0980;202603;{NUMBER};01;031")
    ]


def test_lss_and_unassessed_services_are_not_reported():  # R9.6
    records, _ = build(
        [span("daily_activity_lss", law="LSS", hours=None), span("service", unassessed=True)]
    )
    assert records == []


def test_home_care_not_in_hours_is_an_error():  # R9.6
    records, bad = build([span(hours=None, scope_unit="besök per vecka")])
    problems = fmt.validate(records, bad, PERSONS, 2026, 3)
    assert [(p.person_id, p.initials) for p in problems] == [(1, "AB")]
    assert "besök per vecka" in problems[0].messages[0]


def test_validation_catches_a_bad_personnummer_width_code_and_date():  # R9.6
    persons = {2: fmt.Person(2, "195001019827", "CD")}
    records, bad = build([span(person_id=2)], persons)
    problems = fmt.validate(records, bad, persons, 2026, 3)
    assert "Personnumret är ogiltigt" in problems[0].messages[0]
    wrong = fmt.Record(
        fmt.FileKind.STARTED_OR_ENDED, 1, "99", ("980", "202603", NUMBER, "99", "20260401", "")
    )
    messages = fmt.check(wrong, 2026, 3)
    assert "Kommunkod ska ha 4 tecken, har 3." in messages
    assert "Insatskoden 99 finns inte i kodlistan." in messages
    assert "Startdatum 20260401 ligger utanför månaden." in messages
    assert all(NUMBER not in m for m in messages)


def test_the_files_exact_bytes():  # R9.6
    records, _ = build(
        [
            span(first=date(2026, 3, 2), hours="7.5"),
            span("safety_alarm", first=date(2025, 1, 1), last=date(2026, 3, 31), hours=None),
        ]
    )
    assert fmt.file_bytes(records, fmt.FileKind.ONGOING) == (
        b"0980;202603;195001019826;01;008\r\n0980;202603;195001019826;04;\r\n"
    )
    assert fmt.file_bytes(records, fmt.FileKind.STARTED_OR_ENDED) == (
        b"0980;202603;195001019826;01;20260302;\r\n0980;202603;195001019826;04;;20260331\r\n"
    )
    assert fmt.filename("0980", 2026, 3, fmt.FileKind.ONGOING) == "SOL1_0980_202603.txt"
