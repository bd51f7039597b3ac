"""The one CSV writer and formula guard of every download (core/csv_export.py, csv_views.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verkstall.core import csv_export, csv_views


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_gets_an_apostrophe(start):
    assert csv_export.guard(f"{start}SUM(A1)") == f"'{start}SUM(A1)"


@pytest.mark.parametrize("value", ["", "Omsorg A AB", "'=already text", " =x", "a=b", "Å-gården"])
def test_other_cells_are_left_as_they_are(value):
    assert csv_export.guard(value) == value


def test_a_value_that_is_not_text_is_written_as_its_text():
    assert csv_export.guard(12) == "12"
    assert csv_export.guard(-3) == "'-3"
    assert csv_export.guard(Decimal("1.50")) == "1.50"


@given(st.text())
def test_no_guarded_cell_starts_a_formula(value):
    guarded = csv_export.guard(value)
    assert not guarded.startswith(csv_export.FORMULA_STARTS)
    assert guarded in (value, "'" + value)


def test_only_the_named_columns_are_guarded():
    row = ["=Bo", "-1200,00", "@x", None]
    assert csv_export.guard_row(row) == ["'=Bo", "'-1200,00", "'@x", "None"]
    assert csv_export.guard_row(row, columns={0, 2}) == ["'=Bo", "-1200,00", "'@x", None]


def test_the_file_has_a_bom_semicolons_crlf_and_guarded_cells():
    content = csv_export.to_bytes(
        ("Namn", "Belopp"), iter([("=HYPERLINK()", "-5"), ("Björk; Ek", 'sa "hej"')])
    )
    assert (
        content
        == ('\ufeffNamn;Belopp\r\n\'=HYPERLINK();\'-5\r\n"Björk; Ek";"sa ""hej"""\r\n').encode()
    )
    only_names = csv_export.to_bytes(("Namn", "Belopp"), [("+46", "-5")], columns={0})
    assert only_names == "\ufeffNamn;Belopp\r\n'+46;-5\r\n".encode()


def test_the_response_is_an_attachment_with_the_same_bytes():
    header, rows = ("Utförare", "Antal"), [("@Omsorg", "3"), ("Ängen", "-")]
    response = csv_views.response("frister-i-tid.csv", header, rows)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="frister-i-tid.csv"'
    assert response.content == csv_export.to_bytes(header, rows)
    assert response.content.startswith("\ufeffUtförare;Antal\r\n'@Omsorg;3\r\n".encode())
