"""Swedish personnummer and samordningsnummer (R1.1), with a specific message for each fault.

The `personnummer` package does the final validation; the checks before it exist to tell the
officer *what* is wrong (length, date, check digit) instead of only "invalid".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from personnummer import personnummer

_DIGITS_ONLY = re.compile(r"^(\d{6}|\d{8})[-+]?(\d{4})$")


class InvalidPersonalNumber(ValueError):
    """Raised with a Swedish message that says what is wrong with the number."""


@dataclass(frozen=True)
class PersonalNumber:
    """A validated number in its canonical twelve-digit form (YYYYMMDDNNNC)."""

    value: str

    @property
    def is_coordination_number(self) -> bool:
        return int(self.value[6:8]) > 60

    @property
    def birth_date(self) -> date:
        day = int(self.value[6:8])
        if day > 60:
            day -= 60
        return date(int(self.value[:4]), int(self.value[4:6]), day)

    def formatted(self) -> str:
        return f"{self.value[:8]}-{self.value[8:]}"

    def __str__(self) -> str:
        return self.formatted()


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit of a ten-digit number's first nine digits (weights 2,1,2,...)."""
    total = 0
    for i, ch in enumerate(nine_digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def parse_personal_number(raw: str, *, today: date | None = None) -> PersonalNumber:
    """Validate and normalise; raise InvalidPersonalNumber with a message naming the fault."""
    text = (raw or "").strip().replace(" ", "")
    if not text:
        raise InvalidPersonalNumber("Ange personnummer eller samordningsnummer.")
    match = _DIGITS_ONLY.match(text)
    if not match:
        digits = re.sub(r"\D", "", text)
        if len(digits) not in (10, 12):
            raise InvalidPersonalNumber(
                f"Numret har {len(digits)} siffror; det ska ha 10 eller 12 "
                "(ÅÅMMDD-NNNN eller ÅÅÅÅMMDD-NNNN)."
            )
        raise InvalidPersonalNumber("Skriv numret som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN.")
    date_part, tail = match.group(1), match.group(2)
    today = today or date.today()
    if len(date_part) == 6:
        yy = int(date_part[:2])
        century = (today.year // 100) * 100
        year = century + yy
        if year > today.year or "+" in text:
            year -= 100
        if "+" in text and year > today.year - 100:
            year -= 100
        full = f"{year:04d}{date_part[2:]}"
    else:
        full = date_part
    year, month, day = int(full[:4]), int(full[4:6]), int(full[6:8])
    coordination = day > 60
    birth_day = day - 60 if coordination else day
    try:
        born = date(year, month, birth_day)
    except ValueError:
        kind = "samordningsnumret" if coordination else "personnumret"
        raise InvalidPersonalNumber(
            f"Datumet i {kind} finns inte ({full[:4]}-{full[4:6]}-{birth_day:02d})."
        ) from None
    if born > today:
        raise InvalidPersonalNumber("Födelsedatumet ligger i framtiden.")
    expected = luhn_check_digit(full[2:8] + tail[:3])
    if int(tail[3]) != expected:
        raise InvalidPersonalNumber("Kontrollsiffran stämmer inte; kontrollera numret.")
    canonical = full + tail
    if not personnummer.valid(canonical):  # the package's own verdict must agree
        raise InvalidPersonalNumber("Numret är inte ett giltigt personnummer.")
    return PersonalNumber(canonical)


def make_test_personal_number(born: date, birth_number: int = 980) -> PersonalNumber:
    """A valid number in the birth-number range (980-999) of Skatteverket's test personnummer.

    Skatteverket publishes test personnummer as open data ("Testpersonnummer", skatteverket.se,
    öppna data); they use birth numbers 980-999, which are never given to real people. Demo and
    test data use only this range so that no real person's number is ever stored by mistake.
    """
    if not 980 <= birth_number <= 999:
        raise ValueError("test birth numbers are 980-999")
    nine = f"{born:%y%m%d}{birth_number:03d}"
    return PersonalNumber(f"{born:%Y%m%d}{birth_number:03d}{luhn_check_digit(nine)}")
