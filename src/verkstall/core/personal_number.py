"""Swedish personnummer and samordningsnummer (R1.1), with a specific message for each fault.

The `personnummer` package does the final validation; the checks before it exist to tell the
officer *what* is wrong (length, date, check digit) instead of only "invalid".

Every number that enters (registration, search, the access-log reviewer's lookup, hospital
notices) goes through `normalise_number_text` first: Unicode NFKC, so that a number typed or
pasted in fullwidth digits (`１９５００１０１９８２６`) is the same number as in ASCII and never a
second client; dashes of any kind become the hyphen, and spaces and invisible characters go.
Digits of other scripts (Arabic-Indic, Devanagari, ...) that NFKC leaves as they are are
refused: a stored number is always twelve ASCII digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from personnummer import personnummer

_DIGITS_ONLY = re.compile(r"^(\d{6}|\d{8})[-+]?(\d{4})$", re.ASCII)
_SEARCH_NUMBER = re.compile(r"[0-9+-]*", re.ASCII)


#: (YY)YYMMDD, an optional separator, four digits: anything shaped like a personnummer, masked
#: in every mail as a last guard (ARCHITECTURE Conventions: no personnummer in a mail).
NUMBER_SHAPE = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
MAIL_MASK = "[dolt nummer]"


def mask_numbers(text: str) -> str:
    """`text` with anything shaped like a personnummer replaced by MAIL_MASK."""
    return NUMBER_SHAPE.sub(MAIL_MASK, text)


def normalise_number_text(raw: str | None) -> str:
    """The text of a typed or pasted number in one form: NFKC (fullwidth digits and signs
    become ASCII), every dash (Unicode category Pd, and the minus sign) the hyphen, and no
    whitespace or invisible (format) characters. Digits of other scripts stay as they are,
    for the caller to refuse."""
    text = unicodedata.normalize("NFKC", raw or "")
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch.isspace() or category == "Cf":
            continue
        kept.append("-" if category == "Pd" or ch == "\u2212" else ch)
    return "".join(kept)


def has_digits(text: str | None) -> bool:
    """Does the text hold a digit of any script, once normalised? What may not travel in an
    address: a search text with digits may be (part of) a personnummer."""
    return any(ch.isdecimal() for ch in normalise_number_text(text))


def search_digits(text: str | None) -> str | None:
    """The ASCII digits of a search text that is (part of) a personnummer: after normalising,
    at least four digits and nothing but digits, hyphens and plus signs. None otherwise (a
    name, or digits of another script, which no stored number holds)."""
    normalised = normalise_number_text(text)
    if not _SEARCH_NUMBER.fullmatch(normalised):
        return None
    digits = normalised.replace("-", "").replace("+", "")
    return digits if len(digits) >= 4 else None


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

    @property
    def masked(self) -> str:
        """The birth date with the last four digits hidden (19500101-****): where a client is
        only recognised, not identified, such as the header's recently opened clients."""
        return f"{self.value[:8]}-****"

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
    text = normalise_number_text(raw)
    if not text:
        raise InvalidPersonalNumber("Ange personnummer eller samordningsnummer.")
    if any(ch.isdecimal() and not ch.isascii() for ch in text):
        raise InvalidPersonalNumber("Skriv numret med siffrorna 0–9.")
    match = _DIGITS_ONLY.match(text)
    if not match:
        digits = re.sub(r"[^0-9]", "", text)
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
