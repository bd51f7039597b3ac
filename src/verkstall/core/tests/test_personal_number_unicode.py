"""A personnummer in other Unicode forms (issue 11): one number, one canonical form (pure).

195001019826 is Skatteverket's test personnummer born 1950-01-01, birth number 982.
"""

from __future__ import annotations

from datetime import date

import pytest

from verkstall.core.personal_number import (
    InvalidPersonalNumber,
    has_digits,
    normalise_number_text,
    parse_personal_number,
    search_digits,
)

TODAY = date(2026, 3, 10)
NUMBER = "195001019826"


def in_digits(text: str, zero: int) -> str:
    """The text with its ASCII digits written in another script's digits (zero's code point)."""
    return text.translate({ord(d): chr(zero + int(d)) for d in "0123456789"})


FULLWIDTH, ARABIC_INDIC, DEVANAGARI = 0xFF10, 0x0660, 0x0966


@pytest.mark.parametrize(
    "raw",
    [
        in_digits(NUMBER, FULLWIDTH),  # the finding: １９５００１０１９８２６
        in_digits("19500101", FULLWIDTH) + "－" + in_digits("9826", FULLWIDTH),
        "19500101\u20139826",  # en dash, as a word processor writes the hyphen
        "19500101\u22129826",  # minus sign
        "19500101\u20119826",  # non-breaking hyphen
        "1950\u00a00101\u00a0-\u00a09826",  # no-break spaces
        "\ufeff19500101-9826\u200b",  # byte order mark and zero-width space from a paste
        in_digits("500101", FULLWIDTH) + "-9826",
    ],
)
def test_a_number_in_compatibility_forms_is_the_ascii_number(raw):  # R1.1, issue 11
    number = parse_personal_number(raw, today=TODAY)
    assert number.value == NUMBER
    assert number.value.isascii() and number.value.isdigit()


@pytest.mark.parametrize("zero", [ARABIC_INDIC, DEVANAGARI, 0x06F0, 0x0E50])
def test_digits_of_another_script_are_refused_never_kept(zero):  # R1.1, issue 11
    with pytest.raises(InvalidPersonalNumber) as caught:
        parse_personal_number(in_digits(NUMBER, zero), today=TODAY)
    assert "siffrorna 0–9" in str(caught.value)
    mixed = NUMBER[:8] + in_digits(NUMBER[8:], zero)
    with pytest.raises(InvalidPersonalNumber):
        parse_personal_number(mixed, today=TODAY)


def test_the_normalised_text_keeps_other_digits_for_the_caller_to_refuse():  # R1.1
    assert normalise_number_text(in_digits("1950", FULLWIDTH) + " – ") == "1950-"
    assert normalise_number_text(in_digits("1950", ARABIC_INDIC)) == in_digits("1950", ARABIC_INDIC)


def test_search_text_in_fullwidth_is_searched_as_ascii_digits():  # R1.1, issue 11
    assert search_digits(in_digits(NUMBER, FULLWIDTH)) == NUMBER
    assert search_digits(in_digits("9826", FULLWIDTH)) == "9826"
    assert search_digits("500101\u20139826") == "5001019826"
    assert search_digits("Elsa") is None
    assert search_digits("123") is None
    assert search_digits(in_digits(NUMBER, ARABIC_INDIC)) is None  # no stored number has them


def test_any_digit_of_any_script_counts_as_a_possible_number_in_an_address():  # issue 11, R1.1
    assert has_digits("Elsa 1")
    assert has_digits(in_digits("9826", FULLWIDTH))
    assert has_digits(in_digits("9826", ARABIC_INDIC))
    assert not has_digits("Åsa Öberg-Lind")
    assert not has_digits("")
