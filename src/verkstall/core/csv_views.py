"""A CSV file as a download for a view: csv_export.py's file, guarded against formulas, in a
response that names the file."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from . import csv_export


def response(
    filename: str,
    header: Iterable[str],
    rows: Iterable[Iterable],
    *,
    columns: Collection[int] | None = None,
) -> HttpResponse:
    """The rows as an attachment named `filename`; every cell guarded, or only those of
    `columns` (csv_export.guard_row)."""
    result = HttpResponse(content_type=csv_export.CONTENT_TYPE)
    result["Content-Disposition"] = content_disposition_header(True, filename)
    csv_export.write(result, header, rows, columns=columns)
    return result
