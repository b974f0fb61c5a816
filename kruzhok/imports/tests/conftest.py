"""Builders for catalog files: a valid row with Omsk defaults, written as CSV, XLSX or JSON."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kruzhok.imports.validation import COLUMNS
from kruzhok.places.models import District

_seq = itertools.count(1)

OKRUGS = [
    ("Центральный", "tsentralnyy", 54.98, 73.37),
    ("Советский", "sovetskiy", 55.05, 73.30),
    ("Кировский", "kirovskiy", 54.99, 73.27),
    ("Ленинский", "leninskiy", 54.93, 73.40),
    ("Октябрьский", "oktyabrskiy", 54.99, 73.45),
]


def row(**overrides: Any) -> dict[str, str]:
    """One valid catalog row; every column filled the way a department would fill it."""
    n = next(_seq)
    base = {
        "external_id": f"ext-{n}",
        "title": f"Футбольная секция «Старт» №{n}",
        "description": "Тренировки для начинающих: техника, игра в команде.",
        "direction": "sport",
        "category": "football",
        "organization": "ДЮСШ №1",
        "organization_kind": "public",
        "inn": "5501234567",
        "address": "улица Лукашевича, 10",
        "lat": "54.9947",
        "lon": "73.2739",
        "district": "",
        "age_min": "7",
        "age_max": "12",
        "price_rub": "0",
        "schedule": "Пн,Ср 15:00-16:30",
        "phone": "+7 (3812) 55-00-01",
        "email": "dush1@example.ru",
        "website": "https://dush1.example.ru",
        "ovz": "нет",
        "enrollment": "open",
    }
    base.update({key: str(value) for key, value in overrides.items()})
    return base


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    columns: list[str] | tuple[str, ...] = COLUMNS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for item in rows:
        writer.writerow([item.get(column, "") for column in columns])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, Any]], *, columns: list[str] | tuple[str, ...] = COLUMNS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(columns))
    for item in rows:
        sheet.append([item.get(column, "") for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(name, rows or bytes, **csv options) → path in tmp_path."""

    def _write(name: str, content: list[dict[str, Any]] | bytes, **options: Any) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif name.endswith(".xlsx"):
            path.write_bytes(xlsx_bytes(content, **options))
        elif name.endswith(".json"):
            path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        else:
            path.write_bytes(csv_bytes(content, **options))
        return path

    return _write


@pytest.fixture
def okrugs(db: None) -> dict[str, District]:
    """The five Omsk okrugs (the places migration may already have loaded them)."""
    result = {}
    for name, slug, lat, lon in OKRUGS:
        result[name] = District.objects.filter(kind="okrug", name=name).first() or District.objects.create(
            city="Омск", kind="okrug", name=name, slug=slug, lat=lat, lon=lon
        )
    return result
