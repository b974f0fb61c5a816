"""Hostile XLSX files through the web upload and `import_catalog`: a zip bomb, a billion-laughs
entity bomb and an external entity (XXE) that would read a local file are refused with a Russian
message, quickly, with nothing imported and no file kept. The readers' own tests
(test_readers) cover the same files one level down; these prove the pages and the command use them.

openpyxl parses with defusedxml when it is installed (it checks at import): the first test proves
it does here, so an entity bomb hidden past the quick DOCTYPE scan is still refused."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.catalog.models import Activity, Department
from kruzhok.imports.tests.conftest import row, xlsx_bytes
from kruzhok.imports.tests.test_readers import LAUGHS, _replace_part
from kruzhok.imports.tests.test_upload import _media, _upload, _waiting_files  # noqa: F401 (_media: autouse)

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
CELL = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>%s</t></is></c></row></sheetData></worksheet>'
)


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(SHEET, "<sheetData>" + "<row/>" * 2_000_000 + "</sheetData>")
    return buffer.getvalue()


def _laughs() -> bytes:
    padded = b'<?xml version="1.0"?><!--' + b"x" * 20_000 + b"-->" + LAUGHS[len(b'<?xml version="1.0"?>') :]
    return _replace_part(xlsx_bytes([row()]), SHEET, padded + CELL % b"&lol3;")


def _xxe(path: str, *, past_the_scan: bool = False) -> bytes:
    comment = b"<!--" + b"x" * 20_000 + b"-->" if past_the_scan else b""
    doctype = f'<!DOCTYPE x [<!ENTITY secret SYSTEM "file://{path}">]>'.encode()
    sheet = b'<?xml version="1.0"?>' + comment + doctype + CELL % b"&secret;"
    return _replace_part(xlsx_bytes([row()]), SHEET, sheet)


def test_openpyxl_parses_with_defusedxml():
    import defusedxml.ElementTree
    import openpyxl.xml
    import openpyxl.xml.functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.fromstring is defusedxml.ElementTree.fromstring


def _hostile(kind: str, secret_file) -> bytes:
    if kind.startswith("xxe"):
        return _xxe(str(secret_file), past_the_scan=kind == "xxe past the scan")
    return {"zip bomb": _zip_bomb, "laughs": _laughs}[kind]()


@pytest.fixture
def dept_client(client):
    client.force_login(account_factories.department_member(Department.objects.get(slug="education")))
    return client


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-LINE\n")
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("zip bomb", "после распаковки"),
        ("laughs", "XML-сущности"),
        ("xxe", "XML-объявления \\(DOCTYPE/ENTITY\\)"),
        ("xxe past the scan", "XML-сущности"),
    ],
)
def test_hostile_xlsx_uploads_are_refused_with_nothing_kept(dept_client, okrugs, secret_file, kind, message):
    content = _hostile(kind, secret_file)
    response = _upload(dept_client, content, name="catalog.xlsx")
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(message, body), body[:2000]
    assert "TOP-SECRET" not in body and "lol" not in body
    assert Activity.objects.count() == 0 and _waiting_files() == []


@pytest.mark.parametrize("kind", ["zip bomb", "laughs", "xxe", "xxe past the scan"])
def test_import_catalog_refuses_the_same_files(tmp_path, okrugs, secret_file, kind):
    content = _hostile(kind, secret_file)
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        call_command("import_catalog", str(path), "--source", "bomb-test", stdout=io.StringIO())
    assert "TOP-SECRET" not in str(refused.value)
    assert Activity.objects.count() == 0
