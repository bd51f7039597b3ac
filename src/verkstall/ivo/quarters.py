"""The calendar quarters the IVO report is made for (SPEC R9.5). Pure: no Django.

A quarter is written `2026Q3` in addresses, the API and the database; it sorts as text in
the order of time (four-digit years).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

_TEXT = re.compile(r"^\s*(\d{4})\s*[-\s]?\s*[Qq]\s*([1-4])\s*$", re.ASCII)
FIRST_YEAR = 1990  # as core.dates: no report of decisions from before the system's window
LAST_YEAR = 9999


class InvalidQuarter(ValueError):
    """Raised with a Swedish message."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise InvalidQuarter("Ett kvartal har nummer 1–4.")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise InvalidQuarter(f"Året måste ligga mellan {FIRST_YEAR} och {LAST_YEAR}.")

    @classmethod
    def parse(cls, text) -> Quarter:
        """`2026Q3`, `2026-q3` or `2026 Q3`; anything else is InvalidQuarter."""
        match = _TEXT.match(str(text or ""))
        if match is None:
            raise InvalidQuarter("Ange kvartalet som år och kvartal, till exempel 2026Q3.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        month = 3 * self.number
        return date(self.year, month, monthrange(self.year, month)[1])

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"kvartal {self.number} {self.year}"

    def next(self) -> Quarter:
        """The following quarter (InvalidQuarter after the last supported year)."""
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return self.code
