"""Export writes the import format: a round trip reproduces the file; formulas are defused."""

import json

import openpyxl
import pytest

from kruzhok.catalog.models import Activity, Organization, Venue
from kruzhok.catalog.tests import factories
from kruzhok.imports.export import catalog_export
from kruzhok.imports.services import catalog_import
from kruzhok.imports.validation import COLUMNS

from .conftest import row

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","Жми")'


def rich_rows():
    return [
        row(
            external_id="1",
            title=FORMULA,
            description="<script>alert(1)</script>\nвторая строка",
            category="football; Квиллинг",
            schedule="Пн-Пт 9:00-10:00; Сб 10:00-11:30",
        ),
        row(
            external_id="2",
            title="+7 способов",
            direction="arts",
            category="drawing",
            organization="Студия «Ёлочка»",
            inn="",
            organization_kind="private",
            address="пр-т Мира, 5",
            lat="",
            lon="",
            price_rub="2 500",
            ovz="да",
            enrollment="waitlist",
            email="",
            website="elochka.example.ru",
        ),
        row(
            external_id="3",
            title="@Шахматы",
            direction="social",
            category="chess",
            district="Советский",
            lat="55.0284",
            lon="73.2867",
            schedule="",
            description="- по субботам",
            phone="—",
            age_min="0",
            age_max="18",
        ),
        row(
            external_id="4",
            title="Туризм",
            direction="tourism",
            category="",
            lat="-33.8688",
            lon="151.2093",
            address="Sydney, George St 1",
        ),
    ]


def wipe():
    Activity.objects.all().delete()
    Venue.objects.all().delete()
    Organization.objects.all().delete()


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "json"])
def test_export_import_into_an_empty_catalog_export_gives_the_same_file(write, tmp_path, okrugs, suffix):
    report = catalog_import(path_or_file=write("in.csv", rich_rows()), source="dept", dry_run=False)
    assert report.ok, report.lines()
    first = tmp_path / f"first.{suffix}"
    assert catalog_export(path=first).rows == 4

    wipe()
    again = catalog_import(path_or_file=first, source="dept", dry_run=False)
    assert again.ok, again.lines()
    assert again.created == 4
    second = tmp_path / f"second.{suffix}"
    catalog_export(path=second)
    if suffix == "xlsx":
        assert sheet_values(first) == sheet_values(second)
    else:
        assert first.read_bytes() == second.read_bytes()

    # And the re-import of the first export over the catalog changes nothing.
    assert catalog_import(path_or_file=first, source="dept", dry_run=False).unchanged == 4


def sheet_values(path):
    book = openpyxl.load_workbook(path, read_only=True)
    values = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return values


def test_csv_export_has_bom_header_and_escapes_formula_cells(write, tmp_path, okrugs):
    catalog_import(path_or_file=write("in.csv", rich_rows()), source="dept", dry_run=False)
    path = tmp_path / "out.csv"
    catalog_export(path=path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfexternal_id,title,description,direction,category,")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK(" in text
    assert "'+7 способов" in text
    assert "'@Шахматы" in text
    assert "<script>alert(1)</script>" in text  # plain text; the page escapes it
    assert ",-33.8688,151.2093," in text  # numbers are never prefixed
    assert ",'- по субботам," in text  # text starting with a dash is escaped


def test_xlsx_export_escapes_formula_cells_as_text(write, tmp_path, okrugs):
    catalog_import(path_or_file=write("in.csv", rich_rows()), source="dept", dry_run=False)
    path = tmp_path / "out.xlsx"
    catalog_export(path=path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    title = sheet.cell(row=2, column=2)
    assert title.value == "'" + FORMULA
    assert title.data_type == "s"
    assert sheet.cell(row=2, column=13).value == 7  # age_min stays a number


def test_json_export_is_a_utf8_list_of_objects_with_the_import_columns(write, tmp_path, okrugs):
    catalog_import(path_or_file=write("in.csv", rich_rows()), source="dept", dry_run=False)
    path = tmp_path / "out.json"
    catalog_export(path=path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [list(item) for item in data] == [list(COLUMNS)] * 4
    first = data[0]
    assert first["title"] == FORMULA
    assert first["category"] == "football; Квиллинг"
    assert first["schedule"] == "Пн-Пт 09:00-10:00; Сб 10:00-11:30"
    assert first["district"] == "Кировский"
    assert data[1]["price_rub"] == 2500
    assert data[1]["website"] == "https://elochka.example.ru"


def test_activities_without_external_id_get_a_stable_one(tmp_path):
    activity = factories.activity()
    path = tmp_path / "out.json"
    catalog_export(path=path)
    assert json.loads(path.read_text())[0]["external_id"] == f"kruzhok-{activity.pk}"


def test_archived_activities_are_left_out_unless_asked(tmp_path):
    factories.activity(status="archived")
    factories.activity()
    assert catalog_export(path=tmp_path / "a.csv").rows == 1
    assert catalog_export(path=tmp_path / "b.csv", include_archived=True).rows == 2


def test_export_queries_do_not_grow_with_the_catalog(tmp_path, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.activity()
    with CaptureQueriesContext(connection) as small:
        catalog_export(path=tmp_path / "small.csv")
    for _ in range(30):
        factories.activity()
    with CaptureQueriesContext(connection) as large:
        catalog_export(path=tmp_path / "large.csv")
    assert len(large) == len(small)


def test_export_reports_progress_every_ten_thousand_rows(tmp_path, monkeypatch):
    from kruzhok.imports import export

    monkeypatch.setattr(export, "PROGRESS_EVERY", 2)
    for _ in range(5):
        factories.activity()
    seen: list[int] = []
    result = catalog_export(path=tmp_path / "c.json", progress=seen.append)
    assert result.rows == 5
    assert seen == [2, 4]
