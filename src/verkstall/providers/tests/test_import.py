"""Importing the LOV contract spreadsheet (SPEC R2.1): CSV or XLSX, all rows or none, every
bad row reported by line, column and a Swedish message; the command and the upload screen."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from verkstall.access.roles import Role
from verkstall.core.errors import PermissionDenied
from verkstall.providers import import_services, importing, services
from verkstall.providers.models import Contract
from verkstall.tooling import testing as build

pytestmark = pytest.mark.django_db

CARE = "hemtjanst-omvardnad"
HEADER = "utförare;insats;område;från;till;ickeval;tar_emot_nya;skäl;till_och_med"


@pytest.fixture
def lov_admin(world):
    user = build.user(Role.LOV_ADMIN, world.muni, username="lovadmin")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def east(world):
    return build.area(world.muni, "Östra området")


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def run(actor, content: bytes, filename: str = "avtal.csv", dry_run: bool = False):
    return import_services.import_contracts(
        actor, filename=filename, content=content, dry_run=dry_run
    )


def errors(report) -> list[tuple[int, str]]:
    return [(e.line, e.field) for e in report.errors]


def test_bad_rows_are_each_reported_by_line_and_nothing_is_written(world, lov_admin, east):  # R2.1
    content = csv_bytes(
        "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;ja;ja;;",  # 2: good
        "Okänd Omsorg AB;hemtjanst-omvardnad;Västra området;2026-01-01;;ja;ja;;",  # 3
        "Omsorg B AB;städning;Västra området;2026-01-01;;ja;ja;;",  # 4
        "Omsorg B AB;matdistribution;Västra området;2026-01-01;;ja;ja;;",  # 5: not LOV
        "Omsorg B AB;hemtjanst-service;Söder;2026-01-01;;ja;ja;;",  # 6
        "Omsorg B AB;hemtjanst-service;Östra området;1 januari;;ja;ja;;",  # 7
        "Omsorg B AB;hemtjanst-stad;Östra området;2026-03-01;2026-02-01;ja;ja;;",  # 8
        "Omsorg B AB;hemtjanst-omvardnad;Östra området;2026-01-01;;kanske;ja;;",  # 9
        "Omsorg B AB;hemtjanst-omvardnad;Västra området;2026-01-01;;ja;nej;;",  # 10
        "",  # 11: blank lines are skipped, and do not shift the numbers
        "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-06-01;;ja;ja;;",  # 12: overlaps 2
        "Omsorg A AB;hemtjanst-service;Östra området;2026-01-01;;ja;ja;;",  # 13: good
    )
    report = run(lov_admin, content)
    assert errors(report) == [
        (3, "utförare"),
        (4, "insats"),
        (5, "insats"),
        (6, "område"),
        (7, "från"),
        (8, "till"),
        (9, "ickeval"),
        (10, "skäl"),
        (12, "från"),
    ]
    by_line = {e.line: e.message for e in report.errors}
    assert by_line[3] == "«Okänd Omsorg AB» finns inte i kommunen."
    assert "LOV" in by_line[5]
    assert "ÅÅÅÅ-MM-DD" in by_line[7]
    assert by_line[12] == "Perioden överlappar avtalsraden på rad 2."
    assert str(report.errors[0]) == "Rad 3, utförare: «Okänd Omsorg AB» finns inte i kommunen."
    assert Contract.objects.count() == 0  # not even the good rows 2 and 13


def test_a_good_semicolon_csv_with_bom_is_imported_and_a_second_run_updates(
    world, lov_admin, east
):  # R2.1
    content = csv_bytes(
        "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;ja;ja;;",
        "Omsorg B AB;Hemtjänst – personlig omvårdnad;västra området;2026-01-01;2027-12-31;"
        "nej;nej;Kapacitetstak nått;2026-06-30",
        "omsorg b ab;HEMTJANST-SERVICE;Östra området;2026-02-01;;;;;",
        bom=True,
    )
    report = run(lov_admin, content)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    capped = Contract.objects.get(provider=world.provider_b, service_type__code=CARE)
    assert (capped.in_no_choice, capped.accepts_new_clients) == (False, False)
    assert (capped.capacity_reason, capped.capacity_until) == (
        "Kapacitetstak nått",
        date(2026, 6, 30),
    )
    assert capped.valid_to == date(2027, 12, 31)
    service = Contract.objects.get(service_type__code="hemtjanst-service")
    assert (service.in_no_choice, service.accepts_new_clients, service.area) == (True, True, east)

    # The same file again changes nothing; a row with a new capacity updates its line.
    assert (run(lov_admin, content).created, run(lov_admin, content).unchanged) == (0, 3)
    again = run(
        lov_admin,
        csv_bytes("Omsorg B AB;hemtjanst-omvardnad;Västra området;2026-01-01;2027-12-31;nej;ja;;"),
    )
    assert (again.created, again.updated) == (0, 1)
    capped.refresh_from_db()
    assert (capped.accepts_new_clients, capped.capacity_reason) == (True, "")
    assert Contract.objects.count() == 3


def test_a_comma_csv_without_bom_and_loose_headers_is_imported(world, lov_admin):  # R2.1
    content = (
        "Utförare,Insats,Omrade,Från,Tar emot nya,Skal,Till och med\n"
        "Omsorg A AB,hemtjanst-omvardnad,Västra området,2026-01-01,nej,Fullt,2026-12-31\n"
    ).encode()
    report = run(lov_admin, content)
    assert report.ok, report.errors
    contract = Contract.objects.get()
    assert (contract.accepts_new_clients, contract.capacity_until) == (False, date(2026, 12, 31))


def test_an_xlsx_workbook_is_imported(world, lov_admin, east):  # R2.1
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(
        ["Omsorg A AB", "hemtjanst-omvardnad", "Västra området", date(2026, 1, 1), None, True]
    )
    sheet.append(
        [
            "Omsorg B AB",
            "Hemtjänst – serviceinsatser",
            "Östra området",
            datetime(2026, 2, 1),
            datetime(2026, 12, 31),
            "nej",
            False,
            "Kapacitetstak nått",
            date(2026, 8, 31),
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(lov_admin, buffer.getvalue(), filename="avtal.xlsx")
    assert report.ok, report.errors
    assert report.created == 2
    capped = Contract.objects.get(provider=world.provider_b)
    assert (capped.valid_from, capped.valid_to) == (date(2026, 2, 1), date(2026, 12, 31))
    assert (capped.in_no_choice, capped.accepts_new_clients) == (False, False)
    assert capped.capacity_until == date(2026, 8, 31)


def test_xlsx_errors_name_the_sheet_row(world, lov_admin):  # R2.1
    book = Workbook()
    sheet = book.active
    sheet.append(["Avtal 2026"])  # a title row above the header is not allowed...
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(lov_admin, buffer.getvalue(), filename="avtal.xlsx")
    assert report.errors and report.errors[0].line == 1
    sheet.delete_rows(1)
    sheet.append(HEADER.split(";"))
    sheet.append([])  # an empty row keeps its number
    sheet.append(["Omsorg A AB", "hemtjanst-omvardnad", "Ingenstans", "2026-01-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(lov_admin, buffer.getvalue(), filename="avtal.xlsx")
    assert errors(report) == [(3, "område")]


def test_an_overlap_with_a_registered_line_is_refused(world, lov_admin):  # R2.1
    services.create_contract(
        lov_admin,
        provider=world.provider_a,
        service_type=CARE,
        area=world.area,
        valid_from=date(2025, 1, 1),
    )
    report = run(
        lov_admin, csv_bytes("Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;;;;")
    )
    assert errors(report) == [(2, "från")]
    assert "2025-01-01 – tills vidare" in report.errors[0].message
    # Ending the registered line in the same file makes room for the new one.
    report = run(
        lov_admin,
        csv_bytes(
            "Omsorg A AB;hemtjanst-omvardnad;Västra området;2025-01-01;2025-12-31;;;;",
            "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;;;;",
        ),
    )
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen är tom."),
        ("utförare;insats;från\n".encode(), "Kolumnen saknas i rubrikraden."),
        (
            (HEADER + ";kommentar\n").encode(),
            "Okänd kolumn; tillåtna är",
        ),
        (HEADER.encode("cp1252") + b"\n", "inte UTF-8"),
        (HEADER.encode() + b"\n", "Filen har inga avtalsrader."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(
    world, lov_admin, content, message
):  # R2.1
    report = run(lov_admin, content)
    assert report.errors
    assert message in report.errors[0].message


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(world, lov_admin):  # R2.1
    content = csv_bytes("Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;;;;")
    report = run(lov_admin, content, dry_run=True)
    assert (report.ok, report.dry_run, report.created) == (True, True, 1)
    assert Contract.objects.count() == 0


def test_only_the_lov_administrator_may_import(world):  # Actors, R2.1
    with pytest.raises(PermissionDenied):
        run(world.officer, csv_bytes())


def test_swedish_yes_and_no():  # R2.1
    report = importing.ImportReport()
    values = ["ja", "Nej", "J", "n", "1", "0", "sant", "FALSKT", "", True, False, 1, 0]
    assert [importing._bool(v, "ickeval", 2, report) for v in values] == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        False,
    ]
    assert importing._bool("kanske", "ickeval", 2, report) is None
    assert report.errors == [importing.RowError(2, "ickeval", "Skriv ja eller nej, inte «kanske».")]


# --- The command and the screen -----------------------------------------------------------


def test_the_command_imports_a_file(world, lov_admin, tmp_path, capsys):  # R2.1
    path = tmp_path / "avtal.csv"
    path.write_bytes(csv_bytes("Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;;;;"))
    call_command("import_contracts", str(path), "--municipality", world.muni.code, "--dry-run")
    assert "Skulle ge: 1 nya" in capsys.readouterr().out
    assert Contract.objects.count() == 0
    call_command("import_contracts", str(path), "--municipality", world.muni.code)
    assert "Importerat: 1 nya" in capsys.readouterr().out
    assert Contract.objects.count() == 1


def test_the_command_reports_bad_rows_and_writes_nothing(world, lov_admin, tmp_path, capsys):
    # R2.1
    path = tmp_path / "avtal.csv"
    path.write_bytes(
        csv_bytes(
            "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;;;;",
            "Omsorg A AB;hemtjanst-omvardnad;Okänt;2026-01-01;;;;;",
        )
    )
    with pytest.raises(CommandError, match="1 fel; ingenting importerades"):
        call_command("import_contracts", str(path), "--municipality", world.muni.code)
    assert "Rad 3, område: «Okänt» finns inte i kommunen." in capsys.readouterr().err
    assert Contract.objects.count() == 0
    with pytest.raises(CommandError, match="inte LOV-administratör"):
        call_command(
            "import_contracts", str(path), "--municipality", world.muni.code, "--user", "officer"
        )


def test_the_upload_screen_imports_or_shows_every_error(client, world, lov_admin):  # R2.1
    client.force_login(lov_admin)
    assert client.get("/lov/contracts/import/").status_code == 200
    bad = csv_bytes(
        "Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;;;;",
        "Omsorg A AB;hemtjanst-omvardnad;Okänt;2026-01-01;;;;;",
        "Omsorg A AB;hemtjanst-service;Västra området;i morgon;;;;;",
    )
    page = client.post(
        "/lov/contracts/import/", {"file": SimpleUploadedFile("avtal.csv", bad)}
    ).content.decode()
    assert "Filen importerades inte" in page
    assert "«Okänt» finns inte i kommunen." in page and "Ogiltigt datum «i morgon»" in page
    assert Contract.objects.count() == 0
    good = csv_bytes("Omsorg A AB;hemtjanst-omvardnad;Västra området;2026-01-01;;;;;")
    response = client.post(
        "/lov/contracts/import/", {"file": SimpleUploadedFile("avtal.csv", good)}
    )
    assert response.status_code == 302
    assert Contract.objects.count() == 1
    for user in (world.officer, world.staff_a):
        client.force_login(user)
        assert client.get("/lov/contracts/import/").status_code == 403


# --- Zip bombs and bounded reading of XLSX (issue 11) ----------------------------------------


def xlsx_bytes(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def xlsx_bomb():
    """A workbook whose sheet unpacks to 200 MB of zeros, in some 200 KB."""
    return build.zip_bomb(
        "xl/worksheets/sheet1.xml",
        200 * 1024 * 1024,
        before={"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"},
    )


def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_reads_it(
    world, lov_admin, xlsx_bomb, monkeypatch
):  # issue 11 (Medium): an XLSX is a zip; R2.1
    build.refuse_zip_member_reads(monkeypatch)
    tracemalloc.start()
    try:
        report = run(lov_admin, xlsx_bomb, filename="avtal.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert errors(report) == [(0, "")]
    assert "zip-bomb" in report.errors[0].message
    assert peak < 20 * 1024 * 1024
    assert Contract.objects.count() == 0


def test_an_xlsx_zip_bomb_is_refused_on_the_upload_screen(
    client, world, lov_admin, xlsx_bomb
):  # issue 11; R2.1
    client.force_login(lov_admin)
    page = client.post(
        "/lov/contracts/import/", {"file": SimpleUploadedFile("avtal.xlsx", xlsx_bomb)}
    ).content.decode()
    assert "Filen importerades inte" in page and "zip-bomb" in page
    assert Contract.objects.count() == 0


def test_an_xlsx_with_too_many_rows_stops_being_read(world, lov_admin, monkeypatch):  # R2.1
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    row = ["Omsorg A AB", "hemtjanst-omvardnad", "Västra området", "2026-01-01"]
    report = run(lov_admin, xlsx_bytes(HEADER.split(";"), *[row] * 10), filename="avtal.xlsx")
    assert [e.message for e in report.errors] == ["Filen har fler än 3 rader."]


def test_an_xlsx_with_wrong_stated_dimensions_is_read_whole(world, lov_admin, east):  # R2.1
    """The sheet is streamed (read-only mode); a sheet whose <dimension> understates it must
    still be read to its last row and column."""
    content = xlsx_bytes(
        HEADER.split(";"),
        ["Omsorg A AB", "hemtjanst-omvardnad", "Västra området", "2026-01-01"],
        ["Omsorg B AB", "hemtjanst-omvardnad", "Östra området", "2026-01-01", None, "nej"],
    )
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:I3" />' in data
                data = data.replace(b'ref="A1:I3"', b'ref="A1:A1"')
            out.writestr(info, data)
    report = run(lov_admin, buffer.getvalue(), filename="avtal.xlsx")
    assert report.ok, report.errors
    assert report.created == 2
    assert Contract.objects.get(provider=world.provider_b).in_no_choice is False
