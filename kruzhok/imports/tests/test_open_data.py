"""Open data files: the command, the /data/ page, the downloads and a round trip through the importer."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import override_settings

from kruzhok.catalog.models import Activity, Status
from kruzhok.imports import open_data
from kruzhok.imports.services import catalog_import
from kruzhok.imports.validation import COLUMNS

from .conftest import row
from .test_export import FORMULA, rich_rows, sheet_values, wipe

pytestmark = pytest.mark.django_db

NAMES = ("kruzhok-catalog.csv", "kruzhok-catalog.xlsx", "kruzhok-catalog.json")


@pytest.fixture
def catalog(write, okrugs):
    report = catalog_import(path_or_file=write("in.csv", rich_rows()), source="dept", dry_run=False)
    assert report.ok, report.lines()
    # What the public does not see stays out of the files.
    Activity.objects.filter(external_id="4").update(status=Status.DRAFT)
    hidden = catalog_import(
        path_or_file=write("more.csv", [row(external_id="gone", title="Закрытая секция")]),
        source="dept",
        dry_run=False,
    )
    assert hidden.ok
    Activity.objects.filter(external_id="gone").update(status=Status.ARCHIVED)


def closed(response):
    """Close a file response unread, as the server would after sending it, but without the
    end-of-request signal: that would close the test's database connection mid-transaction
    (the test client does the same for the responses it reads)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response


def generate(directory: Path | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--dir", str(directory)] if directory else []
    call_command("export_open_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_downloads_are_not_found_with_a_clear_page_before_the_first_generation(client):
    for name in NAMES:
        response = client.get(f"/data/{name}")
        assert response.status_code == 404
        assert "Файл ещё не готов" in response.content.decode()
        assert "manage.py export_open_data" in response.content.decode()
    page = client.get("/data/").content.decode()
    assert "Файлы ещё не сформированы" in page
    assert 'href="/data/kruzhok-catalog.csv"' not in page


def test_command_writes_three_files_and_a_manifest_with_only_public_activities(catalog, settings):
    out, _err = generate()
    directory = Path(settings.OPEN_DATA_DIR)
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [*NAMES, "manifest.json"]
    )  # no temporary files
    assert "Открытые данные обновлены: 3 занятий в 3 файлах" in out
    for name in NAMES:
        assert f"{directory / name}:" in out
    data = json.loads((directory / "kruzhok-catalog.json").read_text(encoding="utf-8"))
    assert [item["external_id"] for item in data] == ["1", "2", "3"]  # no draft (4), no archived
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == 3 and manifest["licence"] == "CC BY 4.0"
    assert manifest["files"]["csv"]["bytes"] == (directory / "kruzhok-catalog.csv").stat().st_size
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["files"]["xlsx"]["sha256"])
    assert oct((directory / "kruzhok-catalog.csv").stat().st_mode & 0o777) == "0o644"


def test_command_reports_progress_and_is_quiet_with_verbosity_zero(catalog, monkeypatch, tmp_path):
    from kruzhok.imports import export

    monkeypatch.setattr(export, "PROGRESS_EVERY", 2)
    _out, err = generate(tmp_path / "a")
    assert "записано строк: 2…" in err
    out, err = io.StringIO(), io.StringIO()
    call_command("export_open_data", "--dir", str(tmp_path / "b"), verbosity=0, stdout=out, stderr=err)
    assert out.getvalue() == err.getvalue() == ""
    assert (tmp_path / "b" / "kruzhok-catalog.csv").exists()


def test_command_names_the_directory_it_cannot_write(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CommandError, match=str(blocker)):
        generate(blocker / "open-data")


def test_a_failed_generation_leaves_the_previous_files_and_no_temporary_ones(catalog, settings, monkeypatch):
    generate()
    directory = Path(settings.OPEN_DATA_DIR)
    before = {name: (directory / name).read_bytes() for name in NAMES}

    def broken(**kwargs):
        for path in kwargs["paths"]:
            Path(path).write_text("half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(open_data, "catalog_export_files", broken)
    with pytest.raises(CommandError, match="No space left on device"):
        generate()
    assert {name: (directory / name).read_bytes() for name in NAMES} == before
    assert sorted(p.name for p in directory.iterdir()) == sorted([*NAMES, "manifest.json"])


def test_downloads_have_type_name_cache_validators_and_answer_304(client, catalog):
    generate()
    expected = {
        "kruzhok-catalog.csv": "text/csv; charset=utf-8",
        "kruzhok-catalog.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "kruzhok-catalog.json": "application/json",
    }
    for name, content_type in expected.items():
        response = client.get(f"/data/{name}")
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Cache-Control"] == "public, max-age=3600"
        body = b"".join(response.streaming_content)
        assert int(response["Content-Length"]) == len(body) > 0
        etag, modified = response["ETag"], response["Last-Modified"]
        assert client.get(f"/data/{name}", HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(f"/data/{name}", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        head = closed(client.head(f"/data/{name}"))
        assert head.status_code == 200 and head["ETag"] == etag
    # A regeneration is a new version.
    old = closed(client.get("/data/kruzhok-catalog.json"))["ETag"]
    Activity.objects.filter(external_id="1").update(title="Новое название")
    generate()
    assert closed(client.get("/data/kruzhok-catalog.json", HTTP_IF_NONE_MATCH=old)).status_code == 200


def test_spreadsheet_downloads_are_formula_safe_and_json_keeps_values(client, catalog):
    generate()
    csv_text = b"".join(client.get("/data/kruzhok-catalog.csv").streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == ",".join(COLUMNS)
    assert "'=HYPERLINK(" in csv_text and "'+7 способов" in csv_text and "'@Шахматы" in csv_text
    assert ',"=HYPERLINK' not in csv_text and ",=HYPERLINK" not in csv_text
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get("/data/kruzhok-catalog.xlsx").streaming_content))
    )
    title = book.active.cell(row=2, column=2)
    assert title.value == "'" + FORMULA and title.data_type == "s"
    data = json.loads(b"".join(client.get("/data/kruzhok-catalog.json").streaming_content))
    assert data[0]["title"] == FORMULA  # JSON is data, not a spreadsheet: unchanged


def test_round_trip_export_import_into_an_empty_catalog_export_gives_the_same_files(catalog, tmp_path):
    generate(tmp_path / "first")
    wipe()
    out = io.StringIO()
    call_command(
        "import_catalog", str(tmp_path / "first" / "kruzhok-catalog.csv"), "--source", "dept", stdout=out
    )
    assert Activity.objects.count() == 3
    generate(tmp_path / "second")
    for name in ("kruzhok-catalog.csv", "kruzhok-catalog.json"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
    first, second = tmp_path / "first" / "kruzhok-catalog.xlsx", tmp_path / "second" / "kruzhok-catalog.xlsx"
    assert sheet_values(first) == sheet_values(second)
    # The JSON and XLSX files import just as well as the CSV.
    wipe()
    call_command(
        "import_catalog", str(tmp_path / "first" / "kruzhok-catalog.json"), "--source", "dept", stdout=out
    )
    wipe()
    call_command("import_catalog", str(first), "--source", "dept", stdout=out)
    generate(tmp_path / "third")
    assert (tmp_path / "third" / "kruzhok-catalog.csv").read_bytes() == (
        tmp_path / "first" / "kruzhok-catalog.csv"
    ).read_bytes()


def test_data_page_lists_files_licence_osm_note_and_every_column(client, catalog):
    generate()
    response = client.get("/data/")
    html = response.content.decode()
    for name in NAMES:
        assert f'href="/data/{name}"' in html
    assert "Занятий: 3." in html
    assert "Сформировано " in html
    assert "CC BY 4.0" in html and 'rel="license"' in html
    assert "ODbL" in html and "участники OpenStreetMap" in html
    for column in COLUMNS:
        assert f"<code>{column}</code>" in html, column
    assert re.search(r"SHA-256: <code>[0-9a-f]{64}</code>", html)
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    dataset = json.loads(block)
    assert dataset["@type"] == "Dataset"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert [d["contentUrl"].rsplit("/", 1)[1] for d in dataset["distribution"]] == list(NAMES)
    assert {d["encodingFormat"] for d in dataset["distribution"]} == {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


@override_settings(LANGUAGE_CODE="en")
def test_data_page_speaks_english_when_chosen(client):
    client.cookies["django_language"] = "en"
    html = client.get("/data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Open data" in html and "Licence" in html


@pytest.mark.parametrize(
    "path",
    [
        "/data/manifest.json",
        "/data/kruzhok-catalog.CSV",
        "/data/kruzhok-catalog.xls",
        "/data/..%2F..%2Fkruzhok%2Fsettings.py",
        "/data/%2e%2e",
        "/data/" + "a" * 5000,
        "/data/kruzhok-catalog.csv%00.txt",
        "/data/<script>alert(1)</script>",
    ],
)
def test_other_names_under_data_are_not_found(client, catalog, path):
    generate()
    response = client.get(path)
    assert response.status_code == 404
    text = response.content.decode()
    assert "<script>alert" not in text
    if path.startswith("/data/kruzhok-catalog") or path == "/data/manifest.json":
        assert "Такого файла нет" in text


def test_downloads_take_no_posts(client):
    assert client.post("/data/kruzhok-catalog.csv").status_code == 405
    assert client.post("/data/").status_code == 405
