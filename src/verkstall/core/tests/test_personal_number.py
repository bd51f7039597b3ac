"""Personnummer and samordningsnummer (pure: no database).

Only numbers in Skatteverket's test range (birth numbers 980-999) appear here. The literal
189001019802 is the test personnummer born 1890-01-01, birth number 980, check digit 2.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.core.personal_number import (
    InvalidPersonalNumber,
    PersonalNumber,
    luhn_check_digit,
    make_test_personal_number,
    parse_personal_number,
)

TODAY = date(2026, 3, 10)

# The message categories, by a phrase that only that category's message contains.
LENGTH = "siffror; det ska ha 10 eller 12"
DATE = "finns inte"
CHECK_DIGIT = "Kontrollsiffran stämmer inte"
EMPTY = "Ange personnummer eller samordningsnummer"
FUTURE = "ligger i framtiden"


def parse(raw: str) -> PersonalNumber:
    return parse_personal_number(raw, today=TODAY)


def refusal(raw: str) -> str:
    with pytest.raises(InvalidPersonalNumber) as caught:
        parse(raw)
    return str(caught.value)


def coordination_number(born: date, birth_number: int = 980) -> str:
    """A samordningsnummer: the day of birth plus 60, with its own check digit."""
    yymmdd = f"{born:%y%m}{born.day + 60:02d}"
    check = luhn_check_digit(f"{yymmdd}{birth_number:03d}")
    return f"{born:%Y%m}{born.day + 60:02d}{birth_number:03d}{check}"


# --- valid numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["189001019802", "18900101-9802", "900101+9802"])
def test_skatteverkets_test_number_born_1890_is_valid_in_every_written_form(raw):  # R1.1
    number = parse(raw)
    assert number.value == "189001019802"
    assert number.formatted() == "18900101-9802"
    assert number.birth_date == date(1890, 1, 1)
    assert not number.is_coordination_number


def test_the_1890_test_number_has_check_digit_2():  # R1.1
    assert luhn_check_digit("900101980") == 2


@pytest.mark.parametrize(
    "form",
    [
        lambda n: n.value,  # 12 digits, no hyphen
        lambda n: n.formatted(),  # 12 digits with hyphen
        lambda n: n.value[2:],  # 10 digits, no hyphen
        lambda n: f"{n.value[2:8]}-{n.value[8:]}",  # 10 digits with hyphen
        lambda n: f" {n.value[:8]} - {n.value[8:]} ",  # spaces are ignored
    ],
    ids=["12", "12-hyphen", "10", "10-hyphen", "spaces"],
)
@pytest.mark.parametrize("born", [date(1944, 5, 17), date(1987, 12, 31), date(2004, 2, 29)])
def test_a_valid_personnummer_parses_in_10_and_12_digit_forms(form, born):  # R1.1
    expected = make_test_personal_number(born, 987)
    parsed = parse(form(expected))
    assert parsed == expected
    assert parsed.birth_date == born
    assert not parsed.is_coordination_number


def test_a_samordningsnummer_has_day_plus_60_and_is_a_coordination_number():  # R1.1
    raw = coordination_number(date(1990, 1, 1))
    assert raw == "199001619809"
    for written in (raw, f"{raw[:8]}-{raw[8:]}", raw[2:], f"{raw[2:8]}-{raw[8:]}"):
        number = parse(written)
        assert number.value == raw
        assert number.is_coordination_number
        assert number.birth_date == date(1990, 1, 1)


def test_a_samordningsnummer_on_the_last_day_of_a_month_is_valid():  # R1.1
    number = parse(coordination_number(date(1975, 1, 31), 999))
    assert number.is_coordination_number
    assert number.birth_date == date(1975, 1, 31)


def test_a_ten_digit_number_with_plus_belongs_to_someone_aged_100_or_more():  # R1.1
    assert parse("260310+9808").value[:4] == "1926"
    assert parse("260310-9808").value[:4] == "2026"


# --- refusals, each with a message that says what is wrong ------------------------------------


def test_a_wrong_check_digit_is_refused_with_the_check_digit_message():  # R1.1
    assert CHECK_DIGIT in refusal("18900101-9803")
    assert CHECK_DIGIT in refusal("189001019801")
    assert CHECK_DIGIT in refusal("9001019800")


def test_a_wrong_check_digit_in_a_samordningsnummer_is_refused():  # R1.1
    good = coordination_number(date(1990, 1, 1))
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert CHECK_DIGIT in refusal(bad)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("20230230-9800", "2023-02-30"),  # 30 February
        ("19900431-9800", "1990-04-31"),  # April has 30 days
        ("19901301-9800", "1990-13-01"),  # month 13
        ("19900100-9800", "1990-01-00"),  # day 0
        ("230230-9800", "2023-02-30"),  # 10-digit form too
    ],
)
def test_a_date_that_does_not_exist_is_refused_with_the_date_message(raw, shown):  # R1.1
    message = refusal(raw)
    assert DATE in message
    assert "personnumret" in message
    assert shown in message
    assert CHECK_DIGIT not in message


def test_a_samordningsnummer_with_day_92_is_refused_as_a_bad_date():  # R1.1
    message = refusal("19900192-9800")  # 92 - 60 = 32 January
    assert DATE in message
    assert "samordningsnumret" in message
    assert "1990-01-32" in message


def test_a_day_between_32_and_60_is_neither_a_date_nor_a_samordningsnummer():  # R1.1
    assert DATE in refusal("19900145-9800")


def test_a_birth_date_after_today_is_refused():  # R1.1
    future = make_test_personal_number(TODAY + timedelta(days=1))
    assert FUTURE in refusal(future.value)


@pytest.mark.parametrize(
    ("raw", "count"),
    [
        ("900101980", 9),
        ("900101-980", 9),
        ("19900101980", 11),
        ("199001-01980", 11),
        ("1234567890123", 13),
    ],
)
def test_a_number_of_the_wrong_length_is_refused_with_the_length_message(raw, count):  # R1.1
    message = refusal(raw)
    assert LENGTH in message
    assert f"har {count} siffror" in message


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_an_empty_number_is_refused_asking_for_one(raw):  # R1.1
    assert EMPTY in refusal(raw)


@pytest.mark.parametrize(
    ("raw", "count"),
    [("abcdefghij", 0), ("ÅÅMMDD-NNNN", 0), ("19900101-98A2", 11), ("1990O101-9802", 11)],
)
def test_letters_are_refused_with_the_length_message_counting_only_digits(raw, count):  # R1.1
    message = refusal(raw)
    assert LENGTH in message
    assert f"har {count} siffror" in message


def test_twelve_digits_with_a_letter_added_are_refused_with_the_format_message():  # R1.1
    message = refusal("18900101-9802X")
    assert "Skriv numret som ÅÅÅÅMMDD-NNNN" in message
    assert LENGTH not in message


# --- the test-number maker -------------------------------------------------------------------


def test_make_test_personal_number_refuses_birth_numbers_outside_the_test_range():  # R1.1
    with pytest.raises(ValueError):
        make_test_personal_number(date(1950, 1, 1), 979)
    with pytest.raises(ValueError):
        make_test_personal_number(date(1950, 1, 1), 1000)


def ten_digit_form(number: PersonalNumber, today: date) -> str:
    """The ten-digit form with the separator Skatteverket uses: "+" from the year of 100."""
    separator = "+" if int(number.value[:4]) <= today.year - 100 else "-"
    return f"{number.value[2:8]}{separator}{number.value[8:]}"


@given(
    born=st.dates(min_value=date(1827, 1, 1), max_value=TODAY),
    birth_number=st.integers(min_value=980, max_value=999),
)
def test_every_generated_test_number_parses_back_to_itself(born, birth_number):  # R1.1
    number = make_test_personal_number(born, birth_number)
    assert len(number.value) == 12
    assert 980 <= int(number.value[8:11]) <= 999
    for written in (number.value, number.formatted(), ten_digit_form(number, TODAY)):
        parsed = parse(written)
        assert parsed == number
        assert parsed.birth_date == born
        assert not parsed.is_coordination_number
