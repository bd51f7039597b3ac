"""The day a person reaches an age, from the birth date in the personnummer (SPEC R1.4: the
transfer at 65). Pure Python."""

from __future__ import annotations

from datetime import date


def birthday_at(born: date, age: int) -> date:
    """The day the person born on `born` turns `age`; one born on 29 February turns it on 1
    March in a year that has no 29 February (as Swedish law counts the age)."""
    year = born.year + age
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)
