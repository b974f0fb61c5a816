"""CSV files for people who open them in Excel: UTF-8 with a BOM (Russian Excel reads the
encoding from it) and CRLF lines. Text cells go through imports.export.escape_formula first."""

from __future__ import annotations

import csv
from typing import Any, TextIO

from django.http import HttpResponse

BOM = "\ufeff"


def excel_csv_writer(handle: TextIO) -> Any:
    """A csv.writer on `handle` after the BOM."""
    handle.write(BOM)
    return csv.writer(handle, lineterminator="\r\n")


def csv_attachment(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
