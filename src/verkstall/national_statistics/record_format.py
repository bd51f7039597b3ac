"""The monthly per-person report to the National Board of Health and Welfare (SPEC R9.6):
"Registret över insatser inom socialtjänsten för äldre och personer med funktionsnedsättning".
Pure Python, no Django: the selector (selectors.py) loads the month, `build_records` turns it
into records, `validate` checks each against the format and `file_bytes` writes the file.

The source
==========

Socialstyrelsens föreskrifter HSLF-FS 2016:86 om socialnämndernas skyldighet att lämna
statistiska uppgifter om insatser till äldre och personer med funktionshinder
(https://lagen.nu/hslf-fs/2016:86):

- 2 § every municipality reports the persons granted assistance under 4 kap. 1 § SoL (not LSS,
  not services given without needs assessment);
- 3 § bilaga 1: the decisions on services in force on the last day of the month before the
  month of submission; bilaga 2: those started or ended during that month; submitted by the
  15th every month;
- 4 § through the Board's electronic file transfer service (Filip).

Filip's help page (filip.socialstyrelsen.se/Home/Information) says that fields are separated by
semicolons and that a line must not end with one; it says so of a sister register's files (the
municipal health care of HSLF-FS 2017:67), not of these, and is carried over from there. Filip
receives this register as two files, SOL1 and SOL2 (bilaga 1 and 2), and marks a month wrong
when only one of them has come.

What was NOT to be had: the field list of bilagorna 1 and 2 (positions, widths and the code
list of the service kinds) was not in the reference material reachable from here. The layout
below is therefore the project's reading of the regulation's text: the fields §§ 2-3 name (the
municipality, the month, the person, the service kind, the granted home-care hours, the start
and end), each at a fixed width, digits only. The widths and `KIND_CODES` are in this one module
so that they are changed in one place once checked against the published bilaga. The
register as delivered to research is one row per person and month with a column per service
(hours 0-744, 777 round-the-clock care, 888 not applicable, 999 not known): the submission
file may well be shaped like that too, one line per person rather than per person and kind.

The records
===========

One record per person and national service kind (the home-care kinds service, personal care
and cleaning are one kind, "hemtjänst i ordinärt boende", and their hours add up):

- file 1 (bilaga 1, `ONGOING`): the kind is in force on the month's last day; home care
  carries the granted hours per month;
- file 2 (bilaga 2, `STARTED_OR_ENDED`): the kind started or ended during the month, with the
  start date (verkställighetsdatum, from the order) and the end date. Orders that follow each
  other (a provider switch, a new order version) are one unbroken service: no end and start.

Fields of the system that the format cannot take, and fields of the format the system cannot
fill, are named in `NOT_FILLED`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from verkstall.core.personal_number import InvalidPersonalNumber, parse_personal_number

SEPARATOR = ";"
LINE_END = "\r\n"
#: Every field is digits, so the bytes are the same in ASCII, Latin-1 and UTF-8.
ENCODING = "ascii"


class FileKind(StrEnum):
    ONGOING = "1"  # bilaga 1: in force on the month's last day
    STARTED_OR_ENDED = "2"  # bilaga 2: started or ended during the month


FILE_LABELS = {
    FileKind.ONGOING: "Bilaga 1 – pågående insatser sista dagen i månaden",
    FileKind.STARTED_OR_ENDED: "Bilaga 2 – insatser påbörjade eller avslutade under månaden",
}

HOME_CARE = "01"
#: The national service kinds: code -> Swedish name.
KIND_NAMES = {
    HOME_CARE: "Hemtjänst i ordinärt boende",
    "02": "Särskilt boende (permanent)",
    "03": "Korttidsvård/korttidsboende",
    "04": "Trygghetslarm",
    "05": "Matdistribution",
    "06": "Dagverksamhet",
    "07": "Boendestöd",
    "08": "Ledsagning",
    "09": "Avlösning i hemmet",
    "10": "Övriga insatser",
}
#: The catalogue's service kinds (decisions.catalogue.ServiceKind values) -> national code.
#: Not here: daily activity under LSS (not SoL; 2 §).
KIND_CODES = {
    "service": HOME_CARE,
    "personal_care": HOME_CARE,
    "cleaning": HOME_CARE,
    "care_home": "02",
    "profile_home": "02",
    "short_term_stay": "03",
    "safety_alarm": "04",
    "meal_delivery": "05",
    "day_activity": "06",
    "housing_support": "07",
    "escort": "08",
    "respite": "09",
    "special_care": "10",
}

NOT_FILLED = (
    "Insatser enligt LSS (daglig verksamhet) och insatser utan behovsprövning (IUB) "
    "rapporteras inte: föreskriften gäller bistånd enligt 4 kap. 1 § SoL.",
    "Beviljade hemtjänsttimmar kan bara lämnas för hemtjänst beviljad i timmar per månad; "
    "besök eller dagar kan inte räknas om till timmar och blir ett fel att rätta.",
    "Beslutsdatum rapporteras inte; start- och slutdatum tas från beställningen "
    "(verkställighetsdatum och avslutsdatum).",
)


@dataclass(frozen=True)
class Field:
    name: str  # Swedish, as the screen and the errors name it
    width: int
    numeric: bool = True
    optional: bool = False


FIELDS = {
    FileKind.ONGOING: (
        Field("Kommunkod", 4),
        Field("Period", 6),
        Field("Personnummer", 12),
        Field("Insatskod", 2),
        Field("Beviljade hemtjänsttimmar per månad", 3, optional=True),
    ),
    FileKind.STARTED_OR_ENDED: (
        Field("Kommunkod", 4),
        Field("Period", 6),
        Field("Personnummer", 12),
        Field("Insatskod", 2),
        Field("Startdatum", 8, optional=True),
        Field("Slutdatum", 8, optional=True),
    ),
}
MAX_HOURS = 10 ** FIELDS[FileKind.ONGOING][4].width - 1


# --- What goes in ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSpan:
    """One granted service of one order, as the month data has it: the days it is in force
    (`first`..`last`, None: until further notice) and its scope converted to hours per month
    (`hours`: None when the scope is not in hours)."""

    person_id: int
    kind: str  # decisions.catalogue.ServiceKind value
    law: str  # "SoL" | "LSS"
    unassessed: bool
    first: date
    last: date | None
    hours: Decimal | None = None
    scope_unit: str = ""


@dataclass(frozen=True)
class Person:
    id: int
    personal_number: str  # as stored: twelve digits
    initials: str


# --- What comes out --------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    file: FileKind
    person_id: int
    kind_code: str
    values: tuple[str, ...]  # the fields' text, in FIELDS order

    def line(self) -> str:
        return SEPARATOR.join(self.values)


@dataclass
class Problem:
    person_id: int
    initials: str
    messages: list[str] = field(default_factory=list)


def _d(day: date | None) -> str:
    return f"{day:%Y%m%d}" if day else ""


def _hours_text(hours: Decimal | None) -> str:
    if hours is None:
        return ""
    return f"{int(hours.quantize(Decimal(1), rounding=ROUND_HALF_UP)):03d}"


def _merge(spans: list[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """Spans that overlap or follow each other day by day become one."""
    merged: list[list] = []
    for first, last in sorted(spans, key=lambda s: (s[0], s[1] or date.max)):
        if merged:
            prev = merged[-1]
            if prev[1] is None or first <= prev[1] + timedelta(days=1):
                if prev[1] is not None and (last is None or last > prev[1]):
                    prev[1] = last
                continue
        merged.append([first, last])
    return [(a, b) for a, b in merged]


@dataclass
class Unreportable:
    person_id: int
    message: str


def build_records(
    municipality_code: str,
    year: int,
    month: int,
    spans: Iterable[ServiceSpan],
    persons: dict[int, Person],
) -> tuple[list[Record], list[Unreportable]]:
    """The month's records of both files (sorted by file, personnummer and kind), and the
    services whose hours cannot be given (home care not in hours per month)."""
    from calendar import monthrange

    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    period = f"{year:04d}{month:02d}"
    by_key: dict[tuple[int, str], list[ServiceSpan]] = defaultdict(list)
    for span in spans:
        if span.law != "SoL" or span.unassessed or span.kind not in KIND_CODES:
            continue
        if span.last is not None and span.last < span.first:
            continue
        by_key[(span.person_id, KIND_CODES[span.kind])].append(span)
    records: list[Record] = []
    unreportable: list[Unreportable] = []
    for (person_id, code), group in by_key.items():
        person = persons.get(person_id)
        number = person.personal_number if person else ""
        head = (municipality_code, period, number, code)
        for s_first, s_last in _merge([(s.first, s.last) for s in group]):
            if s_first > last or (s_last is not None and s_last < first):
                continue
            if s_last is None or s_last >= last:
                hours_text = ""
                if code == HOME_CARE:
                    on_last = [
                        s for s in group if s.first <= last and (s.last is None or s.last >= last)
                    ]
                    missing = [s for s in on_last if s.hours is None]
                    if missing:
                        units = sorted({s.scope_unit for s in missing})
                        unreportable.append(
                            Unreportable(
                                person_id,
                                "Hemtjänsten är beviljad i "
                                + ", ".join(units)
                                + "; timmar per månad behövs.",
                            )
                        )
                    granted = sum((s.hours or Decimal(0) for s in on_last), Decimal(0))
                    hours_text = _hours_text(granted)
                records.append(Record(FileKind.ONGOING, person_id, code, (*head, hours_text)))
            started = first <= s_first <= last
            ended = s_last is not None and first <= s_last <= last
            if started or ended:
                values = (*head, _d(s_first) if started else "", _d(s_last) if ended else "")
                records.append(Record(FileKind.STARTED_OR_ENDED, person_id, code, values))
    records.sort(key=lambda r: (r.file, r.values[2], r.kind_code, r.values[4:]))
    return records, unreportable


# --- Validation ------------------------------------------------------------------------------


def check(record: Record, year: int, month: int) -> list[str]:
    """What is wrong with one record against the format (Swedish messages; empty: nothing)."""
    from calendar import monthrange

    errors: list[str] = []
    fields = FIELDS[record.file]
    if len(record.values) != len(fields):
        return [f"Posten har {len(record.values)} fält; formatet har {len(fields)}."]
    for spec, value in zip(fields, record.values, strict=True):
        if value == "":
            if not spec.optional:
                errors.append(f"{spec.name} saknas.")
            continue
        if len(value) != spec.width:
            errors.append(f"{spec.name} ska ha {spec.width} tecken, har {len(value)}.")
        elif spec.numeric and not (value.isascii() and value.isdigit()):
            errors.append(f"{spec.name} får bara innehålla siffror.")
        if SEPARATOR in value or "\r" in value or "\n" in value:
            errors.append(f"{spec.name} innehåller otillåtna tecken.")
    period, number, code = record.values[1:4]
    if period and period != f"{year:04d}{month:02d}":
        errors.append(f"Perioden {period} är inte den rapporterade månaden.")
    if code and code not in KIND_NAMES:
        errors.append(f"Insatskoden {code} finns inte i kodlistan.")
    if number:
        try:
            parsed = parse_personal_number(number)
        except InvalidPersonalNumber as error:
            errors.append(f"Personnumret är ogiltigt: {error}")
        else:
            if parsed.value != number:
                errors.append("Personnumret ska anges med tolv siffror (ÅÅÅÅMMDDNNNN).")
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    if record.file == FileKind.ONGOING:
        hours = record.values[4]
        if code == HOME_CARE and hours == "":
            errors.append("Beviljade hemtjänsttimmar saknas för hemtjänst.")
        if code != HOME_CARE and hours != "":
            errors.append("Timmar lämnas bara för hemtjänst i ordinärt boende.")
    else:
        start, end = record.values[4], record.values[5]
        if not start and not end:
            errors.append("Start- eller slutdatum behövs.")
        for name, value in (("Startdatum", start), ("Slutdatum", end)):
            if len(value) == 8 and value.isdigit():
                try:
                    day = date(int(value[:4]), int(value[4:6]), int(value[6:]))
                except ValueError:
                    errors.append(f"{name} {value} är inget datum.")
                    continue
                if not first <= day <= last:
                    errors.append(f"{name} {value} ligger utanför månaden.")
    return errors


def validate(
    records: Iterable[Record],
    unreportable: Iterable[Unreportable],
    persons: dict[int, Person],
    year: int,
    month: int,
) -> list[Problem]:
    """The errors per person (by the internal id and initials, never the personnummer)."""
    problems: dict[int, Problem] = {}

    def add(person_id: int, message: str) -> None:
        person = persons.get(person_id)
        problem = problems.setdefault(
            person_id, Problem(person_id, person.initials if person else "")
        )
        if message not in problem.messages:
            problem.messages.append(message)

    for item in unreportable:
        add(item.person_id, item.message)
    for record in records:
        for message in check(record, year, month):
            kind = KIND_NAMES.get(record.kind_code, record.kind_code)
            add(record.person_id, f"{kind}: {message}")
    return [problems[k] for k in sorted(problems)]


# --- The file ----------------------------------------------------------------------------------


def file_text(records: Iterable[Record], kind: FileKind) -> str:
    return "".join(r.line() + LINE_END for r in records if r.file == kind)


def file_bytes(records: Iterable[Record], kind: FileKind) -> bytes:
    return file_text(records, kind).encode(ENCODING)


def filename(municipality_code: str, year: int, month: int, kind: FileKind) -> str:
    return f"SOL{kind.value}_{municipality_code}_{year:04d}{month:02d}.txt"


def counts(records: Iterable[Record]) -> list[tuple[str, str, int, int]]:
    """Per national kind: (code, name, ongoing on the last day, started or ended)."""
    table: dict[str, list[int]] = {code: [0, 0] for code in KIND_NAMES}
    for record in records:
        table[record.kind_code][0 if record.file == FileKind.ONGOING else 1] += 1
    return [(code, KIND_NAMES[code], *table[code]) for code in KIND_NAMES if any(table[code])]
