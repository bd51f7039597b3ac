"""The payment basis as files for the finance system (SPEC R9.4): CSV and XLSX, the same bytes
from the same lines. Pure: no Django.

Reproducible byte for byte: the lines come in the basis' fixed order; nothing in a file says
when it was made; the XLSX's document properties carry a fixed date (the first day of the
month the basis is for) and its zip members a fixed time stamp.

One row per line of the basis: one provider, service type, client and order, one kind of
payment, one price, and for an adjustment the month it concerns; with the amounts and the
trace (the ids of the price, granted services, order events, absences, temporary changes and
performed time the line came from). The client is named by personnummer: the finance system
needs it, and the file is the municipality's internal export for the roles that may see the
whole basis (views.py logs each export in the access log).

CSV: UTF-8 with a byte order mark (Excel reads å, ä, ö), semicolons, decimal comma; a text cell
that a spreadsheet would run as a formula is prefixed with an apostrophe (core/csv_export.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from verkstall.core import csv_export

from .basis_types import LINE_KIND_LABELS, PRICE_UNIT_LABELS, Line, LineKind, Period, PriceUnit

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Row:
    """A line with the names the finance system reads."""

    line: Line
    provider_name: str
    service_code: str
    service_name: str
    personal_number: str
    person_name: str


HEADERS = (
    "Underlagsmånad",
    "Avser månad",
    "Justering",
    "Utförare",
    "Utförar-id",
    "Insatskod",
    "Insats",
    "Personnummer",
    "Namn",
    "Beställning",
    "Radtyp",
    "Prisenhet",
    "Á-pris",
    "Dagar",
    "Frånvarodagar",
    "Antal",
    "Belopp",
    "Flagga",
    "Notering",
    "Pris-id",
    "Beviljade insatser",
    "Händelser",
    "Frånvaro",
    "Förändringar",
    "Utförd tid",
)
#: The columns that hold free text (guarded against formulas in CSV).
TEXT_COLUMNS = frozenset({3, 6, 8, 10, 11, 17, 18})


def filename(period: Period, extension: str, provider_id: int | None = None) -> str:
    suffix = f"-utforare-{provider_id}" if provider_id else ""
    return f"ersattningsunderlag-{period.label}{suffix}.{extension}"


def _ids(values: tuple[int, ...]) -> str:
    return " ".join(str(v) for v in values)


def cells(period: Period, row: Row) -> list:
    """One row's cells: text, ints and Decimals (None for an empty number)."""
    line = row.line
    unit = PRICE_UNIT_LABELS.get(PriceUnit(line.unit), line.unit) if line.unit else ""
    return [
        period.label,
        line.concerns,
        "ja" if line.adjustment else "",
        row.provider_name,
        line.provider_id,
        row.service_code,
        row.service_name,
        row.personal_number,
        row.person_name,
        line.order_id,
        LINE_KIND_LABELS.get(LineKind(line.kind), line.kind),
        unit,
        line.unit_price,
        line.days,
        line.absence_days,
        line.quantity,
        line.amount,
        line.flag,
        line.note,
        line.price_id,
        _ids(line.services),
        _ids(line.events),
        _ids(line.absences),
        _ids(line.changes),
        _ids(line.performed),
    ]


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return str(value)


#: A file's writing reports its progress every this many rows (`progress(done, total)`).
PROGRESS_EVERY = 1000

Report = Callable[[int, int], None]


def _reported(rows: list[Row], progress: Report | None) -> Iterator[Row]:
    """The rows, telling `progress` how many are written every PROGRESS_EVERY and at the end."""
    total = len(rows)
    for done, row in enumerate(rows):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        yield row
    if progress is not None:
        progress(total, total)


def csv_bytes(period: Period, rows: list[Row], progress: Report | None = None) -> bytes:
    return csv_export.to_bytes(
        HEADERS,
        ([_csv_text(v) for v in cells(period, row)] for row in _reported(rows, progress)),
        columns=TEXT_COLUMNS,
    )


def _xlsx_cell(sheet, index: int, value):
    """A text column is always a string cell: a client's name such as "=HYPERLINK(...)" must
    never become a formula in the finance department's spreadsheet."""
    if index not in TEXT_COLUMNS or value is None:
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def xlsx_bytes(period: Period, rows: list[Row], progress: Report | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    fixed = datetime(period.year, period.month, 1)
    book.properties.creator = "Verkställ"
    book.properties.title = f"Ersättningsunderlag {period.label}"
    book.properties.created = fixed
    book.properties.modified = fixed
    sheet = book.create_sheet(f"Underlag {period.label}")
    sheet.append(list(HEADERS))
    for row in _reported(rows, progress):
        sheet.append([_xlsx_cell(sheet, i, v) for i, v in enumerate(cells(period, row))])
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).save()
    return _repack(raw.getvalue())


def _repack(content: bytes) -> bytes:
    """The same zip with a fixed time stamp and attributes on every member, in the same
    order, so that the same workbook always gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()
