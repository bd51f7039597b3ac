"""Reading and checking the LOV contract spreadsheet that municipalities keep (SPEC R2.1).

This module reads and checks; it writes nothing. `import_services.import_contracts` writes a
file only when every row passed, in one transaction, so nothing is ever half-imported.

The format
==========

One row per contract line: a provider offers a service type in a home-care area for a
period. A CSV file (comma or semicolon separated, UTF-8 with or without BOM, as Excel's
"CSV UTF-8" saves it) or an Excel workbook (.xlsx, the first sheet). The first non-empty row
names the columns, in any order; case, spaces for underscores and å/ä/ö written as a/a/o do
not matter (`tar emot nya`, `Till och med`, `omrade` are all understood).

=============  =========  ==============================================================
column         required   content
=============  =========  ==============================================================
utförare       yes        the provider's name exactly as registered in the municipality
insats         yes        service type code (``hemtjanst-omvardnad``) or Swedish name
                          (``Hemtjänst – personlig omvårdnad``); LOV must apply to it
område         yes        the home-care area's name
från           yes        first day of the line, ``ÅÅÅÅ-MM-DD`` (or an Excel date)
till           no         last day of the line; empty: until further notice
ickeval        no         ``ja``/``nej``: in the no-choice rotation (empty: ``ja``)
tar_emot_nya   no         ``ja``/``nej``: takes new clients (empty: ``ja``)
skäl           if nej     why the provider takes no new clients (capacity cap)
till_och_med   no         last day of the capacity cap; empty: until lifted
=============  =========  ==============================================================

Yes/no also accepts ``j``/``n``, ``1``/``0``, ``sant``/``falskt`` and Excel's TRUE/FALSE.
Example (semicolon CSV)::

    utförare;insats;område;från;till;ickeval;tar_emot_nya;skäl;till_och_med
    Björkens Hemtjänst;hemtjanst-service;Visby;2026-01-01;;ja;ja;;
    Ängens Omsorg;Hemtjänst – serviceinsatser;Visby;2026-01-01;;ja;nej;Kapacitetstak nått;2026-06-30

A row that names a line already registered (same provider, service type, area and first
day) updates that line; any other row adds one. Two lines of the same provider, service type
and area may not overlap in time, in the file or against lines already registered.

Errors name the line (the spreadsheet's row number; 0 for the file as a whole), the column
and say in Swedish what is wrong.
"""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from verkstall.core import uploads
from verkstall.core.dates import date_in_window, window_message
from verkstall.core.errors import ValidationFailed

COLUMNS = (
    "utförare",
    "insats",
    "område",
    "från",
    "till",
    "ickeval",
    "tar_emot_nya",
    "skäl",
    "till_och_med",
)
REQUIRED_COLUMNS = ("utförare", "insats", "område", "från")
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 64  # of an XLSX sheet; cells further right are not read
PROGRESS_EVERY = 100  # rows between two progress reports of check_file

TRUE_WORDS = {"ja", "j", "1", "sant", "true", "yes", "x"}
FALSE_WORDS = {"nej", "n", "0", "falskt", "false", "no"}


def _simplify(name: str) -> str:
    """A header as compared: case, spaces, dashes and å/ä/ö-as-a/a/o ignored."""
    text = str(name or "").replace("\ufeff", "").strip().casefold()
    for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), (" ", "_"), ("-", "_")):
        text = text.replace(a, b)
    return text


_HEADERS = {_simplify(c): c for c in COLUMNS}


@dataclass(frozen=True)
class RowError:
    line: int  # the spreadsheet's row number; 0 for the whole file
    field: str  # the column, in Swedish; "" for the whole row or file
    message: str

    def __str__(self) -> str:
        where = f"Rad {self.line}" if self.line else "Filen"
        if self.field:
            return f"{where}, {self.field}: {self.message}"
        return f"{where}: {self.message}"


@dataclass
class ContractLine:
    """One checked row: references resolved, values typed."""

    line: int
    provider: object
    service_type: object
    area: object
    valid_from: date
    valid_to: date | None
    in_no_choice: bool
    accepts_new_clients: bool
    capacity_reason: str
    capacity_until: date | None

    @functools.cached_property
    def key(self) -> tuple:
        return (self.provider.pk, self.service_type.pk, self.area.pk, self.valid_from)

    def values(self) -> dict:
        return {
            "provider": self.provider,
            "service_type": self.service_type,
            "area": self.area,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "in_no_choice": self.in_no_choice,
            "accepts_new_clients": self.accepts_new_clients,
            "capacity_reason": self.capacity_reason,
            "capacity_until": self.capacity_until,
        }


@dataclass
class ImportReport:
    """What an import found and did. Errors mean nothing was written."""

    rows: int = 0
    lines: list[ContractLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def add_error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    @property
    def ok(self) -> bool:
        return not self.errors


# Reading -------------------------------------------------------------------------------------


def is_xlsx(filename: str, content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


def read_table(filename: str, content: bytes, report: ImportReport) -> list[tuple[int, dict]]:
    """The rows of the file as (line, {column: raw value}), header checked; problems with the
    file as a whole go to the report (line 0)."""
    if len(content) > MAX_BYTES:
        report.add_error(0, "", "Filen är för stor (högst 5 MB).")
        return []
    if filename.lower().endswith(".xls") and content[:4] != b"PK\x03\x04":
        report.add_error(0, "", "Äldre Excel-format (.xls) stöds inte; spara som .xlsx eller CSV.")
        return []
    raw = _read_xlsx(content, report) if is_xlsx(filename, content) else _read_csv(content, report)
    if report.errors:
        return []
    raw = [(line, cells) for line, cells in raw if any(_text(c) for c in cells)]
    if not raw:
        report.add_error(0, "", "Filen är tom.")
        return []
    header_line, header = raw[0]
    columns: list[str | None] = []
    for cell in header:
        name = _text(cell)
        if not name:
            columns.append(None)
            continue
        column = _HEADERS.get(_simplify(name))
        if column is None:
            report.add_error(
                header_line, name, "Okänd kolumn; tillåtna är " + ", ".join(COLUMNS) + "."
            )
        elif column in columns:
            report.add_error(header_line, column, "Kolumnen finns två gånger.")
        columns.append(column)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            report.add_error(header_line, column, "Kolumnen saknas i rubrikraden.")
    if report.errors:
        return []
    rows = []
    for line, cells in raw[1:]:
        row = {c: None for c in COLUMNS}
        for index, cell in enumerate(cells):
            if index < len(columns) and columns[index]:
                row[columns[index]] = cell
            elif _text(cell):
                report.add_error(line, "", "Värde i en kolumn utan rubrik.")
        rows.append((line, row))
    if len(rows) > MAX_ROWS:
        report.add_error(0, "", f"Filen har fler än {MAX_ROWS} rader.")
        return []
    report.rows = len(rows)
    return rows


def _read_csv(content: bytes, report: ImportReport) -> list[tuple[int, list]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.add_error(
            0, "", 'Filen är inte UTF-8-kodad. Spara den i Excel som "CSV UTF-8" eller som .xlsx.'
        )
        return []
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        report.add_error(start, "", f"Raden kan inte läsas som CSV ({exc}).")
        return []
    return rows


def _read_xlsx(content: bytes, report: ImportReport) -> list[tuple[int, list]]:
    """The sheet's non-empty rows. An XLSX is a zip: its central directory is judged first
    (core.uploads.open_zip: size, compression ratio, members), before openpyxl decompresses
    anything. The sheet is then streamed (read-only mode), at most MAX_COLUMNS columns and one
    row more than MAX_ROWS kept, so memory stays bounded by the rows the import can take."""
    from openpyxl import load_workbook

    unreadable = "Filen kunde inte läsas som Excel-arbetsbok (.xlsx)."
    try:
        with uploads.open_zip(content, field="file"):
            pass
    except ValidationFailed as exc:
        report.add_error(0, "", exc.message)
        return []
    except zipfile.BadZipFile:
        report.add_error(0, "", unreadable)
        return []
    rows: list[tuple[int, list]] = []
    book = None
    try:
        book = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the stated dimensions may be wrong; read what is there
        cells_by_row = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for number, cells in enumerate(cells_by_row, start=1):
            if any(_text(c) for c in cells):
                rows.append((number, list(cells)))
                if len(rows) > MAX_ROWS + 1:  # the header and one row too many: read_table says so
                    break
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, EOFError):
        report.add_error(0, "", unreadable)
        return []
    finally:
        if book is not None:
            book.close()
    return rows


# Checking ------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _date(value, column: str, line: int, report: ImportReport, *, required: bool) -> date | None:
    day = _parsed_date(value, column, line, report, required=required)
    if day is not None and not date_in_window(day):
        report.add_error(line, column, window_message())
        return None
    return day


def _parsed_date(
    value, column: str, line: int, report: ImportReport, *, required: bool
) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        if required:
            report.add_error(line, column, "Ange ett datum (ÅÅÅÅ-MM-DD).")
        return None
    try:
        return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in " T" else text)
    except ValueError:
        report.add_error(line, column, f"Ogiltigt datum «{text}»; skriv det som ÅÅÅÅ-MM-DD.")
        return None


def _bool(value, column: str, line: int, report: ImportReport) -> bool | None:
    """Swedish yes/no; empty means yes (the model's default for both columns)."""
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value)) if value in (0, 1) else text
    if not text or text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    report.add_error(line, column, f"Skriv ja eller nej, inte «{_text(value)}».")
    return None


def _lookup(value, table: dict, column: str, line: int, report: ImportReport, what: str):
    text = _text(value)
    if not text:
        report.add_error(line, column, f"Ange {what}.")
        return None
    found = table.get(text.casefold())
    if found is None:
        report.add_error(line, column, f"«{text}» finns inte i kommunen.")
    return found


def check_row(line: int, row: dict, lookups: dict, report: ImportReport) -> ContractLine | None:
    """One row checked; its errors go to the report. None if it had any."""
    before = len(report.errors)
    provider = _lookup(row["utförare"], lookups["providers"], "utförare", line, report, "utförare")
    service_type = None
    text = _text(row["insats"])
    if not text:
        report.add_error(line, "insats", "Ange insats (kod eller namn).")
    else:
        service_type = lookups["service_types"].get(text.casefold())
        if service_type is None:
            report.add_error(
                line,
                "insats",
                f"Insatsen «{text}» finns inte; ange kod (t.ex. hemtjanst-omvardnad) eller namn.",
            )
        elif not service_type.lov:
            report.add_error(
                line, "insats", f"Insatsen «{text}» omfattas inte av valfrihetssystemet (LOV)."
            )
    area = _lookup(row["område"], lookups["areas"], "område", line, report, "område")
    valid_from = _date(row["från"], "från", line, report, required=True)
    valid_to = _date(row["till"], "till", line, report, required=False)
    if valid_from and valid_to and valid_to < valid_from:
        report.add_error(line, "till", "Avtalet kan inte upphöra före det börjar gälla.")
    in_no_choice = _bool(row["ickeval"], "ickeval", line, report)
    accepts = _bool(row["tar_emot_nya"], "tar_emot_nya", line, report)
    reason = _text(row["skäl"])
    until = _date(row["till_och_med"], "till_och_med", line, report, required=False)
    if accepts is False and not reason:
        report.add_error(line, "skäl", "Ange skälet när utföraren inte tar emot nya brukare.")
    if accepts is True and reason:
        report.add_error(line, "skäl", "Skäl anges bara när tar_emot_nya är nej.")
    if accepts is True and until:
        report.add_error(line, "till_och_med", "Datumet anges bara när tar_emot_nya är nej.")
    if until and valid_from and until < valid_from:
        report.add_error(line, "till_och_med", "Kapacitetstaket kan inte sluta före avtalet.")
    if len(reason) > 200:
        report.add_error(line, "skäl", "Skälet får vara högst 200 tecken.")
    if len(report.errors) > before:
        return None
    return ContractLine(
        line=line,
        provider=provider,
        service_type=service_type,
        area=area,
        valid_from=valid_from,
        valid_to=valid_to,
        in_no_choice=bool(in_no_choice),
        accepts_new_clients=bool(accepts),
        capacity_reason=reason if not accepts else "",
        capacity_until=until if not accepts else None,
    )


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def _period(valid_from: date, valid_to: date | None) -> str:
    return f"{valid_from.isoformat()} – {valid_to.isoformat() if valid_to else 'tills vidare'}"


def check_overlaps(lines: list[ContractLine], existing: list, report: ImportReport) -> None:
    """Duplicate rows, and lines of one provider, service type and area that overlap in time,
    in the file or against registered lines the file does not replace.

    Lines are compared only within their (provider, service type, area), found by a dict: a
    file of 5 000 rows once compared every line with every other and with every registered
    line, some 25 million comparisons (issue 17 item 8). The errors are the same, in the same
    order: each line against the earlier lines of its group in file order, then against the
    registered lines of its group in the order given."""
    seen: dict[tuple, ContractLine] = {}
    for ln in lines:
        first = seen.get(ln.key)
        if first is not None:
            report.add_error(ln.line, "från", f"Samma avtalsrad finns redan på rad {first.line}.")
        else:
            seen[ln.key] = ln
    replaced = set(seen)
    stored: dict[tuple, list] = {}
    for c in existing:
        if (c.provider_id, c.service_type_id, c.area_id, c.valid_from) not in replaced:
            stored.setdefault((c.provider_id, c.service_type_id, c.area_id), []).append(c)
    earlier: dict[tuple, list[ContractLine]] = {}
    for ln in seen.values():
        group = (ln.provider.pk, ln.service_type.pk, ln.area.pk)
        before = earlier.setdefault(group, [])
        for other in before:
            if _overlaps(ln.valid_from, ln.valid_to, other.valid_from, other.valid_to):
                report.add_error(
                    ln.line, "från", f"Perioden överlappar avtalsraden på rad {other.line}."
                )
        before.append(ln)
        for c in stored.get(group, ()):
            if _overlaps(ln.valid_from, ln.valid_to, c.valid_from, c.valid_to):
                report.add_error(
                    ln.line,
                    "från",
                    "Perioden överlappar en registrerad avtalsrad som gäller "
                    f"{_period(c.valid_from, c.valid_to)}.",
                )


def sort_errors(report: ImportReport) -> None:
    """Errors in the order of the file: by line, then by column."""
    report.errors.sort(key=lambda e: (e.line, COLUMNS.index(e.field) if e.field in COLUMNS else 99))


def check_file(
    filename: str, content: bytes, *, lookups: dict, existing: list, progress=None
) -> ImportReport:
    """Read and check a whole file. `lookups` resolves names (selectors.import_lookups);
    `existing` are the municipality's registered lines. The report's `lines` are usable only
    when it has no errors. `progress(done, total)`, if given, hears how many rows are checked:
    once the file is read, every PROGRESS_EVERY rows and at the end."""
    report = ImportReport()
    rows = read_table(filename, content, report)
    total = len(rows)
    if progress:
        progress(0, total)
    lines = []
    for done, (line, row) in enumerate(rows, start=1):
        if ln := check_row(line, row, lookups, report):
            lines.append(ln)
        if progress and done % PROGRESS_EVERY == 0 and done < total:
            progress(done, total)
    if progress:
        progress(total, total)
    check_overlaps(lines, existing, report)
    if not report.errors and not lines:
        report.add_error(0, "", "Filen har inga avtalsrader.")
    sort_errors(report)
    report.lines = lines if not report.errors else []
    return report
