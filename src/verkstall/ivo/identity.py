"""How the IVO report names a person: never by name or personnummer (SPEC R9.5, R10.4). Pure.

IVO's e-service for ej verkställda beslut asks for the person's birth date followed by "-T"
and three digits of the reporter's choosing, `ÅÅÅÅMMDD-T123`, where the third position (the
middle digit) gives the sex: even for a woman, odd for a man, whatever the municipality's own
number says; the same number is used for the person for as long as the case is reported
(ivo.se, "Frågor och svar om ej verkställda beslut"). The personnummer itself is not asked
for. Here the free digits are a serial the person keeps in every case (stored on the case),
the lowest not used by another person of the municipality with the same birth date and sex, so
the number is the same every quarter, never shared, and tells nothing beyond the birth date and
the sex.
"""

from __future__ import annotations

from datetime import date

from verkstall.core.personal_number import PersonalNumber

FEMALE, MALE = "female", "male"
SEX_LABELS = {FEMALE: "Kvinna", MALE: "Man"}


def sex_of(personal_number: str) -> str:
    """The sex the number gives: its ninth digit (of ten), odd for a man, even for a woman;
    the same in a samordningsnummer."""
    return MALE if int(personal_number[10]) % 2 else FEMALE


def birth_date_of(personal_number: str) -> date:
    return PersonalNumber(personal_number).birth_date


#: The serials a birth date and sex allow: two free digits, and five choices of the sex digit.
SERIALS = 500


def ivo_number(personal_number: str, serial: int) -> str:
    """`ÅÅÅÅMMDD-Txyz`: the birth date, then T, a digit, the sex digit, a digit; `serial` (0 to
    499) is the person's own among the municipality's persons of that birth date and sex
    (`free_serial`), so two persons never share a number."""
    born = birth_date_of(personal_number)
    odd = 1 if sex_of(personal_number) == MALE else 0
    first, last = serial % 10, (serial // 10) % 10
    sex_digit = 2 * ((serial // 100) % 5) + odd
    return f"{born:%Y%m%d}-T{first}{sex_digit}{last}"


def identity_key(personal_number: str) -> tuple[date, str]:
    """What two persons must not share a serial within: the birth date and the sex."""
    return birth_date_of(personal_number), sex_of(personal_number)


def free_serial(taken: set[int]) -> int:
    """The lowest serial not taken by another person of the same birth date and sex."""
    serial = next((n for n in range(SERIALS) if n not in taken), None)
    if serial is None:
        raise ValueError("every IVO serial of this birth date and sex is taken")
    return serial
