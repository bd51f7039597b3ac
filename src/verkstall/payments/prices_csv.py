"""Reading a price list from CSV (SPEC R9.4): the municipality's prices per service type, as its
LOV administrator keeps them in a spreadsheet. Pure: no Django. This module reads and checks
each row on its own; `services.import_prices` resolves the service types, checks the rows
against each other and against the prices already registered, and writes all rows or none.

The format
==========

CSV, UTF-8 with or without a byte order mark (Excel's "CSV UTF-8"), semicolons or commas. The
first non-empty row names the columns, in any order (case, spaces and å/ä/ö written as a/a/o
do not matter):

=========  =========  =================================================================
column     required   content
=========  =========  =================================================================
insats     yes        the service type's code (``avlosning``) or name (``Avlösning``)
prisenhet  yes        ``per beviljad timme``, ``per dag``, ``per månad`` or
                      ``per utförd timme`` (or the codes ``granted_hour``, ``day``,
                      ``month``, ``performed_hour``)
pris       yes        kronor, with a decimal comma or point: ``412,50``
från       yes        first day the price applies, ``ÅÅÅÅ-MM-DD``
till       no         last day; empty: until further notice
=========  =========  =================================================================

Example::

    insats;prisenhet;pris;från;till
    hemtjanst-omvardnad;per beviljad timme;412,50;2027-01-01;
    Avlösning;per utförd timme;395;2027-01-01;2027-12-31

Errors name the line (the file's row number; 0 for the file as a whole) and the column, in
Swedish.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from .basis_types import PRICE_UNIT_LABELS, PriceUnit

COLUMNS = ("insats", "prisenhet", "pris", "från", "till")
REQUIRED = ("insats", "prisenhet", "pris", "från")
MAX_ROWS = 5000
MAX_BYTES = 1024 * 1024
MAX_AMOUNT = Decimal("99999999.99")


def _simplify(text) -> str:
    text = str(text or "").replace("\ufeff", "").strip().casefold()
    for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), (" ", "_"), ("-", "_")):
        text = text.replace(a, b)
    return text


_HEADERS = {_simplify(c): c for c in COLUMNS}
UNIT_WORDS: dict[str, PriceUnit] = {}
for _unit, _label in PRICE_UNIT_LABELS.items():
    UNIT_WORDS[_simplify(_unit.value)] = _unit
    UNIT_WORDS[_simplify(_label)] = _unit
UNIT_WORDS.update(
    {
        _simplify("per dag"): PriceUnit.DAY,
        _simplify("dag"): PriceUnit.DAY,
        _simplify("per månad"): PriceUnit.MONTH,
        _simplify("månad"): PriceUnit.MONTH,
        _simplify("beviljad timme"): PriceUnit.GRANTED_HOUR,
        _simplify("utförd timme"): PriceUnit.PERFORMED_HOUR,
    }
)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Rad {self.line}" if self.line else "Filen"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass(frozen=True)
class PriceRow:
    line: int
    service: str
    unit: PriceUnit
    amount: Decimal
    valid_from: date
    valid_to: date | None


@dataclass
class Report:
    rows: list[PriceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0

    def add(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def sort(self) -> None:
        order = {c: i for i, c in enumerate(COLUMNS)}
        self.errors.sort(key=lambda e: (e.line, order.get(e.column, 99), e.message))


def _date(text: str, line: int, column: str, report: Report, *, required: bool) -> date | None:
    if not text:
        if required:
            report.add(line, column, "Ange ett datum (ÅÅÅÅ-MM-DD).")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        report.add(line, column, f"Ogiltigt datum «{text}»; skriv det som ÅÅÅÅ-MM-DD.")
        return None


def _amount(text: str, line: int, report: Report) -> Decimal | None:
    if not text:
        report.add(line, "pris", "Ange priset i kronor.")
        return None
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        report.add(line, "pris", f"«{text}» är inget belopp; skriv t.ex. 412,50.")
        return None
    if not value.is_finite() or value < 0:
        report.add(line, "pris", "Priset ska vara ett belopp från 0 kronor.")
        return None
    if value > MAX_AMOUNT or value.as_tuple().exponent < -2:
        report.add(line, "pris", "Priset får ha högst två decimaler och vara under 100 miljoner.")
        return None
    return value


def read(content: bytes) -> Report:
    """The file's rows, each checked on its own."""
    report = Report()
    if len(content) > MAX_BYTES:
        report.add(0, "", "Filen är för stor (högst 1 MB).")
        return report
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.add(0, "", 'Filen är inte UTF-8-kodad. Spara den i Excel som "CSV UTF-8".')
        return report
    if "\x00" in text:
        report.add(0, "", "Filen är ingen textfil.")
        return report
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = ";" if ";" in first or "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    raw: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                raw.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        report.add(line, "", f"Raden kan inte läsas som CSV ({exc}).")
        return report
    if not raw:
        report.add(0, "", "Filen är tom.")
        return report
    header_line, header = raw[0]
    columns: list[str | None] = []
    for cell in header:
        name = cell.strip()
        if not name:
            columns.append(None)
            continue
        column = _HEADERS.get(_simplify(name))
        if column is None:
            report.add(header_line, name, "Okänd kolumn; tillåtna är " + ", ".join(COLUMNS) + ".")
        elif column in columns:
            report.add(header_line, column, "Kolumnen finns två gånger.")
        columns.append(column)
    for column in REQUIRED:
        if column not in columns:
            report.add(header_line, column, "Kolumnen saknas i rubrikraden.")
    if report.errors:
        return report
    if len(raw) - 1 > MAX_ROWS:
        report.add(0, "", f"Filen har fler än {MAX_ROWS} rader.")
        return report
    for line, cells in raw[1:]:
        values = dict.fromkeys(COLUMNS, "")
        for index, cell in enumerate(cells):
            if index < len(columns) and columns[index]:
                values[columns[index]] = cell.strip()
            elif cell.strip():
                report.add(line, "", "Värde i en kolumn utan rubrik.")
        before = len(report.errors)
        service = values["insats"]
        if not service:
            report.add(line, "insats", "Ange insatsens kod eller namn.")
        unit = UNIT_WORDS.get(_simplify(values["prisenhet"]))
        if unit is None:
            report.add(
                line,
                "prisenhet",
                f"Okänd prisenhet «{values['prisenhet']}»; ange per beviljad timme, per dag, "
                "per månad eller per utförd timme.",
            )
        amount = _amount(values["pris"], line, report)
        valid_from = _date(values["från"], line, "från", report, required=True)
        valid_to = _date(values["till"], line, "till", report, required=False)
        if valid_from and valid_to and valid_to < valid_from:
            report.add(line, "till", "Priset kan inte upphöra innan det börjar gälla.")
        if len(report.errors) == before:
            report.rows.append(PriceRow(line, service, unit, amount, valid_from, valid_to))
    if not report.errors and not report.rows:
        report.add(0, "", "Filen har inga prisrader.")
    return report
