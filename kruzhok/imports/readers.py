"""Turn an uploaded file into a header and rows of text cells, refusing anything hostile early.

Formats, chosen by content first (an XLSX is a zip, whatever its name) and then by extension:

* CSV — UTF-8 with or without BOM; UTF-16 with BOM (Excel's «Текст Юникод»); the delimiter
  (`;`, `,` or tab) is sniffed from the header line. **Windows-1251 is decoded, not refused**:
  it is what Russian Excel writes for «CSV (разделители — запятые)», so most files from schools
  and departments arrive in it. A file is read as cp1251 only when charset-normalizer says so or
  nearly every non-ASCII character decodes to a Cyrillic letter; the report then carries a
  warning. Any other encoding, NUL bytes or undecodable bytes are refused with a message
  that says how to save the file as «CSV UTF-8».
* XLSX — the first sheet, header on row 1. Before openpyxl sees the file its zip directory is
  checked: number of parts, total declared uncompressed size
  (settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES) and each part's compression ratio. Python's
  zipfile never inflates a part beyond its declared size (the CRC check fails), so the declared
  sizes are a real bound. XML parts with a DOCTYPE/ENTITY are refused; openpyxl also parses
  through defusedxml, which forbids entity expansion (billion laughs) anyway.
* JSON — a list of objects whose keys are the column names (what `export_catalog` writes), or
  OpenActive / schema.org data (an RPDE page, a `@graph`, objects with `@type`): its
  SessionSeries, CourseInstance and Event items are mapped to the same columns
  (kruzhok/imports/openactive.py), so they are validated and reported like any row.

Every format is limited by settings.IMPORT_MAX_BYTES (checked before reading a path),
settings.IMPORT_MAX_ROWS and MAX_COLUMNS. Cells are stripped; a leading apostrophe that the
export added in front of `= + - @` (formula-injection escaping) is removed, so exported files
import back unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import IO, Any

import charset_normalizer
from django.conf import settings
from django.utils.translation import gettext as _

from kruzhok.imports import openactive
from kruzhok.imports.validation import COLUMNS, normalize_header

MAX_COLUMNS = 200
MAX_ZIP_ENTRIES = 2000
# Sheet XML compresses well (often 10–30x); a part inflating more than this is a bomb.
MAX_ZIP_RATIO = 150
_RATIO_CHECK_FROM_BYTES = 1024 * 1024
DELIMITERS = (";", ",", "\t")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Source = str | os.PathLike[str] | IO[bytes]


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    columns: list[str]
    # (row number as a spreadsheet shows it — the header is row 1, cells)
    rows: Iterator[tuple[int, list[str]]]
    format: str
    notes: list[str] = field(default_factory=list)
    # Problems found while reading, before any cell is validated: (row, column, message).
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)


def source_name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "upload")).name


def open_table(source: Source) -> Table:
    """Read `source` (a path or a binary file object) into a Table, or raise ImportFileError."""
    data = _read_limited(source)
    name = source_name(source).lower()
    if not data.strip():
        raise ImportFileError(_("файл пуст: в нём нет ни заголовка, ни строк"))
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            _("старый формат Excel (.xls) не поддерживается: сохраните файл как .xlsx или «CSV UTF-8»")
        )
    if name.endswith(".json"):
        return _read_json(data)
    return _read_csv(data)


def _read_limited(source: Source) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    too_big = _("файл больше %(mb)s МБ; разделите его на части и загрузите по очереди") % {
        "mb": limit // (1024 * 1024)
    }
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            if path.stat().st_size > limit:
                raise ImportFileError(too_big)
            return path.read_bytes()
        except OSError as exc:
            raise ImportFileError(
                _("не удаётся открыть файл «%(name)s»: %(reason)s") % {"name": path, "reason": exc.strerror}
            ) from exc
    data = source.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(too_big)
    return data


# --- text cells ----------------------------------------------------------------------------


def clean_cell(value: str) -> str:
    value = value.replace("\x00", "").strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        value = value[1:]
    return value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dtime):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return clean_cell(str(value))


def _check_header(columns: list[str]) -> None:
    if len(columns) > MAX_COLUMNS:
        raise ImportFileError(
            _(
                "в первой строке %(count)s столбцов, а в формате каталога их около двадцати: "
                "проверьте, что это тот файл и что первая строка — заголовки"
            )
            % {"count": len(columns)}
        )


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("в файле больше %(limit)s строк; разделите его на части") % {"limit": settings.IMPORT_MAX_ROWS}
    )


# --- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, list[str]]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("файл повреждён: он начинается как UTF-16, но не читается")) from exc
    if b"\x00" in data:
        raise ImportFileError(
            _("это не текстовый файл (внутри двоичные данные); загрузите CSV в UTF-8 или XLSX")
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    if _looks_like_cp1251(data):
        return data.decode("cp1251"), [
            _("файл в кодировке Windows-1251 — прочитан как кириллица; в следующий раз сохраните «CSV UTF-8»")
        ]
    raise ImportFileError(
        _(
            "не удаётся определить кодировку файла: это не UTF-8 и не Windows-1251. "
            "В Excel выберите «Сохранить как» → «CSV UTF-8 (разделитель — запятая)»"
        )
    )


def _looks_like_cp1251(data: bytes) -> bool:
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    if any(ch < " " and ch not in "\r\n\t" for ch in text):
        return False
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is not None and best.encoding == "cp1251":
        return True
    non_ascii = [ch for ch in text if ord(ch) > 127]
    cyrillic = sum(1 for ch in non_ascii if "А" <= ch <= "я" or ch in "Ёё")
    return bool(non_ascii) and cyrillic / len(non_ascii) >= 0.95


def _sniff_delimiter(first_line: str) -> str:
    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        known = sum(1 for cell in cells if normalize_header(cell) in COLUMNS)
        return known, len(cells)

    return max(DELIMITERS, key=score)


def _read_csv(data: bytes) -> Table:
    text, notes = _decode(data)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise ImportFileError(_("первая строка не читается как CSV: %(reason)s") % {"reason": exc}) from exc
    _check_header(header)
    return Table(columns=[clean_cell(c) for c in header], rows=_csv_rows(reader), format="csv", notes=notes)


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    number = 1
    limit = settings.IMPORT_MAX_ROWS
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(
                _("строка %(row)s не читается как CSV (%(reason)s): проверьте кавычки")
                % {"row": number + 1, "reason": exc}
            ) from exc
        number += 1
        if number - 1 > limit:
            raise _too_many_rows()
        if len(cells) > MAX_COLUMNS * 5:
            cells = cells[: MAX_COLUMNS * 5]
        yield number, [clean_cell(c) for c in cells]


# --- XLSX ----------------------------------------------------------------------------------


def check_xlsx_archive(data: bytes) -> None:
    """Refuse zip bombs and DTDs by looking at the zip directory, before any XML is parsed."""
    broken = _("файл повреждён: это не настоящий XLSX; откройте его в Excel и сохраните заново")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(broken) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ImportFileError(broken)
        declared = sum(info.file_size for info in infos)
        limit = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
        bomb = _(
            "XLSX-файл после распаковки занял бы %(mb)s МБ (допустимо %(limit)s МБ) — "
            "такой файл не принимается; сохраните данные как CSV"
        )
        if declared > limit:
            raise ImportFileError(bomb % {"mb": declared // 2**20, "limit": limit // 2**20})
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_CHECK_FROM_BYTES and ratio > MAX_ZIP_RATIO:
                raise ImportFileError(bomb % {"mb": declared // 2**20, "limit": limit // 2**20})
            if info.filename.endswith((".xml", ".rels")):
                try:
                    with archive.open(info) as part:
                        head = part.read(8192).upper()
                except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                    raise ImportFileError(broken) from exc
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ImportFileError(
                        _(
                            "XLSX-файл содержит XML-объявления (DOCTYPE/ENTITY), которых не бывает в Excel; файл отклонён"
                        )
                    )


def _read_xlsx(data: bytes) -> Table:
    check_xlsx_archive(data)
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it skips (data validation, styles); irrelevant here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, ())
    except ImportFileError:
        raise
    except Exception as exc:  # a hostile workbook can make the parser raise anything
        raise ImportFileError(_xlsx_error(exc)) from exc
    header_cells = [_cell_text(v) for v in header]
    while header_cells and not header_cells[-1]:
        header_cells.pop()
    _check_header(header_cells)
    return Table(columns=header_cells, rows=_xlsx_rows(book, rows), format="xlsx")


def _xlsx_error(exc: BaseException) -> str:
    # openpyxl wraps parser errors in its own ValueError; defusedxml's refusal is in the chain.
    cause: BaseException | None = exc
    while cause is not None:
        if type(cause).__module__.startswith("defusedxml"):
            return _("XLSX-файл содержит XML-сущности (возможная «XML-бомба»); файл отклонён")
        cause = cause.__cause__ or cause.__context__
    return _("файл не читается как XLSX (%(reason)s); откройте его в Excel и сохраните заново") % {
        "reason": type(exc).__name__
    }


def _xlsx_rows(book: Any, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[str]]]:
    number = 1
    limit = settings.IMPORT_MAX_ROWS
    try:
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # see _read_xlsx
                raise ImportFileError(_xlsx_error(exc)) from exc
            number += 1
            if number - 1 > limit:
                raise _too_many_rows()
            yield number, [_cell_text(v) for v in values[: MAX_COLUMNS * 5]]
    finally:
        book.close()


# --- JSON ----------------------------------------------------------------------------------


def _read_json(data: bytes) -> Table:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ImportFileError(_("файл не читается как JSON в UTF-8: %(reason)s") % {"reason": exc}) from exc
    if openactive.looks_like_openactive(payload):
        return _read_openactive(payload)
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise ImportFileError(_('JSON-файл должен быть списком объектов: [{"external_id": …}, …]'))
    if len(payload) > settings.IMPORT_MAX_ROWS:
        raise _too_many_rows()
    columns: list[str] = []
    for item in payload:
        for key in item:
            if key not in columns:
                columns.append(str(key))
        if len(columns) > MAX_COLUMNS:
            break
    _check_header(columns)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for index, item in enumerate(payload, start=2):
            yield index, [_json_cell(item.get(column)) for column in columns]

    return Table(columns=columns, rows=rows(), format="json")


def _read_openactive(payload: Any) -> Table:
    items = payload.get("items") or payload.get("@graph") if isinstance(payload, dict) else payload
    if isinstance(items, list) and len(items) > settings.IMPORT_MAX_ROWS:
        raise _too_many_rows()
    mapped = openactive.map_items(payload)
    columns = list(openactive.OPENACTIVE_COLUMNS)
    rows = ((number, [clean_cell(row[name]) for name in columns]) for number, row in mapped.rows)
    return Table(
        columns=columns,
        rows=iter(rows),
        format="openactive",
        notes=mapped.notes,
        errors=mapped.errors,
        warnings=mapped.warnings,
    )


def _json_cell(value: Any) -> str:
    if isinstance(value, list | dict):
        return clean_cell(json.dumps(value, ensure_ascii=False))
    return _cell_text(value)
