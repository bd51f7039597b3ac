"""CSV for download, written one way by every export: UTF-8 with a byte order mark (so that
Excel reads å, ä, ö), semicolons, CRLF line ends; and the one guard against spreadsheet
formulas (CSV injection): a cell that starts with "=", "+", "-", "@", a tab or a carriage
return gets an apostrophe in front, so that a spreadsheet shows it as text and never runs it.

Pure: no Django, so that a pure export (payments.exports) may use it.
csv_views.response() makes the download of it for a view.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from typing import Protocol

BOM = "\ufeff"
DELIMITER = ";"
LINE_END = "\r\n"
CONTENT_TYPE = "text/csv; charset=utf-8"
#: A cell starting with one of these is a formula, or the start of one, to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TextOut(Protocol):
    def write(self, text: str, /) -> object: ...


def guard(value) -> str:
    """The cell as text, with an apostrophe in front when a spreadsheet would read it as a
    formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def guard_row(row: Iterable, columns: Collection[int] | None = None) -> list:
    """The row with every cell guarded, or only the cells of `columns` (the text columns of an
    export whose other cells are numbers, which may start with a minus)."""
    if columns is None:
        return [guard(value) for value in row]
    return [guard(value) if i in columns else value for i, value in enumerate(row)]


def write(
    out: TextOut,
    header: Iterable[str],
    rows: Iterable[Iterable],
    *,
    columns: Collection[int] | None = None,
) -> None:
    """The byte order mark, the header and the rows to `out`, every row through guard_row().
    `rows` may be a generator: each row is written as it comes."""
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator=LINE_END)
    writer.writerow(header)
    writer.writerows(guard_row(row, columns) for row in rows)


def to_bytes(
    header: Iterable[str],
    rows: Iterable[Iterable],
    *,
    columns: Collection[int] | None = None,
) -> bytes:
    """The file as write() writes it, encoded as UTF-8."""
    out = io.StringIO(newline="")
    write(out, header, rows, columns=columns)
    return out.getvalue().encode("utf-8")
