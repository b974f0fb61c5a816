"""Catalog export in the import format: what `export_catalog` writes imports back unchanged.

Activities are read in primary-key order, in chunks, as plain values (no model instances with
their relations); categories and schedules are fetched per chunk. A 200,000-row catalog
therefore streams with bounded memory.

Formula injection: a text cell that starts with `=`, `+`, `-`, `@`, tab or CR gets a leading
apostrophe in CSV and XLSX, so Excel shows it as text instead of running it; the importer
removes exactly that apostrophe again. Numbers (ages, price, coordinates) are not text and are
written as numbers. CSV is UTF-8 with BOM so that Russian Excel opens it in the right encoding.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Q

from kruzhok.catalog.models import Activity, ScheduleSlot, Status
from kruzhok.imports.readers import FORMULA_PREFIXES
from kruzhok.imports.schedule import format_schedule
from kruzhok.imports.validation import COLUMNS

CHUNK = 2000
NUMERIC = {"lat", "lon", "age_min", "age_max", "price_rub"}

_VALUES = {
    "id": "id",
    "external_id": "external_id",
    "source": "source",
    "title": "title",
    "description": "description",
    "direction": "direction__slug",
    "organization": "organization__name",
    "organization_kind": "organization__kind",
    "inn": "organization__inn",
    "address": "venue__address",
    "lat": "venue__lat",
    "lon": "venue__lon",
    "district": "venue__district__name",
    "age_min": "age_min",
    "age_max": "age_max",
    "price_rub": "price_rub",
    "phone": "phone",
    "email": "email",
    "website": "website",
    "ovz": "ovz",
    "enrollment": "enrollment",
    "tags": "tags",
}


class ExportFormatError(ValueError):
    pass


@dataclass
class ExportResult:
    path: Path
    rows: int


def escape_formula(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def catalog_rows(
    *, source: str | None = None, include_archived: bool = False, published_only: bool = False
) -> Iterator[dict[str, Any]]:
    """Rows in the import format (typed: ints, floats, bools, None) ordered by activity id.

    `published_only`: what the public site shows (the open data files), no drafts or entries
    waiting for moderation."""
    queryset = Activity.objects.all()
    if source is not None:
        queryset = queryset.filter(source=source)
    if published_only:
        queryset = queryset.filter(status=Status.PUBLISHED)
    elif not include_archived:
        queryset = queryset.filter(~Q(status=Status.ARCHIVED))
    seen_ids: set[str] = set()
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk).order_by("pk").values(*_VALUES.values())[:CHUNK])
        if not chunk:
            return
        last_pk = chunk[-1]["id"]
        ids = [values["id"] for values in chunk]
        categories: dict[int, list[str]] = {}
        Through = Activity.categories.through
        for activity_id, slug in (
            Through.objects.filter(activity_id__in=ids)
            .order_by("category__slug")
            .values_list("activity_id", "category__slug")
        ):
            categories.setdefault(activity_id, []).append(slug)
        slots: dict[int, list[Any]] = {}
        for activity_id, weekday, start, end in ScheduleSlot.objects.filter(
            group__activity_id__in=ids
        ).values_list("group__activity_id", "weekday", "starts_at", "ends_at"):
            slots.setdefault(activity_id, []).append((weekday, start, end))
        for values in chunk:
            yield _row(values, categories.get(values["id"], []), slots.get(values["id"], []), seen_ids)


def _row(
    values: dict[str, Any], categories: list[str], slots: list[Any], seen_ids: set[str]
) -> dict[str, Any]:
    row = {column: values.get(_VALUES.get(column, ""), "") for column in COLUMNS}
    external_id = values["external_id"] or f"kruzhok-{values['id']}"
    # Ids are unique per source; a whole-catalog export qualifies the rare clash with the source.
    if external_id in seen_ids:
        external_id = f"{values['source']}:{external_id}"
    seen_ids.add(external_id)
    tags = [str(tag) for tag in values["tags"] or [] if str(tag) not in categories]
    row.update(
        external_id=external_id,
        category="; ".join([*categories, *tags]),
        schedule=format_schedule(slots),
        ovz="да" if values["ovz"] else "нет",
    )
    for column in COLUMNS:
        if row[column] is None and column not in NUMERIC:
            row[column] = ""
    return row


_XML_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])


def _cell(column: str, value: Any) -> Any:
    if column in NUMERIC:
        return value
    # XML cannot hold most control characters; openpyxl would refuse the whole workbook.
    return escape_formula(str(value).translate(_XML_ILLEGAL))


def _csv_value(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in NUMERIC:
        return repr(value) if isinstance(value, float) else str(value)
    return escape_formula(str(value))


PROGRESS_EVERY = 10_000


def catalog_export(
    *,
    path: str | os.PathLike[str],
    source: str | None = None,
    include_archived: bool = False,
    published_only: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the catalog to `path`; the format follows the extension (.csv, .xlsx, .json).

    `progress`, when given, is called with the number of rows written every 10,000 rows.
    """
    target = Path(path)
    count = catalog_export_files(
        paths=[target],
        source=source,
        include_archived=include_archived,
        published_only=published_only,
        progress=progress,
    )
    return ExportResult(path=target, rows=count)


def catalog_export_files(
    *,
    paths: Sequence[str | os.PathLike[str]],
    source: str | None = None,
    include_archived: bool = False,
    published_only: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the catalog to every path in one pass over the database, so the files hold the same
    rows (and the database is read once, not once per format). Returns the number of rows."""
    targets = [Path(path) for path in paths]
    writers: list[type[_Writer]] = []
    for target in targets:
        writer = _WRITERS.get(target.suffix.lower())
        if writer is None:
            raise ExportFormatError(target.suffix.lower())
        writers.append(writer)
    rows = catalog_rows(source=source, include_archived=include_archived, published_only=published_only)
    count = 0
    with ExitStack() as stack:
        opened = [
            stack.enter_context(writer(target)) for writer, target in zip(writers, targets, strict=True)
        ]
        for row in rows:
            for sink in opened:
                sink.write(row)
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
        for sink in opened:
            sink.finish()
    return count


class _Writer:
    """One output file. `finish` completes it; leaving the `with` block without `finish` (an
    error in another writer or in the database) just closes what is open."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, row: dict[str, Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


class _CsvWriter(_Writer):
    def __init__(self, target: Path) -> None:
        super().__init__(target)
        self.handle = target.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow(COLUMNS)

    def write(self, row: dict[str, Any]) -> None:
        self.writer.writerow([_csv_value(column, row[column]) for column in COLUMNS])

    def close(self) -> None:
        self.handle.close()


class _XlsxWriter(_Writer):
    def __init__(self, target: Path) -> None:
        import openpyxl

        super().__init__(target)
        self.book = openpyxl.Workbook(write_only=True)
        self.sheet = self.book.create_sheet("catalog")
        self.sheet.append(list(COLUMNS))

    def write(self, row: dict[str, Any]) -> None:
        self.sheet.append([_cell(column, row[column]) for column in COLUMNS])

    def finish(self) -> None:
        self.book.save(self.target)

    def close(self) -> None:
        # A write-only workbook keeps its rows in a temporary file until it is saved.
        self.book.close()


class _JsonWriter(_Writer):
    def __init__(self, target: Path) -> None:
        super().__init__(target)
        self.handle = target.open("w", encoding="utf-8")
        self.handle.write("[")
        self.count = 0

    def write(self, row: dict[str, Any]) -> None:
        self.handle.write(",\n" if self.count else "\n")
        self.handle.write(json.dumps(row, ensure_ascii=False))
        self.count += 1

    def finish(self) -> None:
        self.handle.write("\n]\n" if self.count else "]\n")
        self.close()

    def close(self) -> None:
        self.handle.close()


_WRITERS: dict[str, type[_Writer]] = {".csv": _CsvWriter, ".xlsx": _XlsxWriter, ".json": _JsonWriter}
