"""Narrow screens (issue 17 item 11): every table on a screen sits in a div.table-scroll, which
scrolls sideways on its own (site.css, static/verkstall/table_scroll.js), so that a wide table
never makes the page scroll sideways at 320 px (tests/browser/test_narrow_screens.py looks at
the main screens in the browser; this looks at every template). Documents laid out for paper
(PDF, letters) have their own layout and are left out."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "verkstall" / "templates"
#: Laid out for A4 by WeasyPrint (and the order's print view, which has its own narrow rules).
PAPER = {
    "decisions/decision_letter.html",
    "ivo/report_pdf.html",
    "orders/order_pdf.html",
    "vouchers/report_form_pdf.html",
}
TABLE = re.compile(r"<table[\s>]")
WRAPPED = re.compile(r'<div class="table-scroll[^"]*"><table[\s>]')


def test_every_table_on_a_screen_scrolls_in_its_own_box():
    unwrapped = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PAPER or name.startswith("admin/"):
            continue
        text = path.read_text(encoding="utf-8")
        tables, wrapped = len(TABLE.findall(text)), len(WRAPPED.findall(text))
        if tables != wrapped:
            unwrapped.append(f"{name}: {tables - wrapped} of {tables} tables")
    assert not unwrapped, "tables outside a div.table-scroll: " + ", ".join(unwrapped)
