"""File-level reading: encodings, delimiters, and the hostile files refused before parsing."""

import io
import os
import struct
import zipfile

import pytest

from kruzhok.imports.readers import ImportFileError, check_xlsx_archive, open_table

from .conftest import csv_bytes, row, xlsx_bytes


def read(path):
    table = open_table(path)
    return table, list(table.rows)


def test_utf8_with_bom_and_semicolons_is_read_with_spreadsheet_row_numbers(write):
    path = write("c.csv", b"\xef\xbb\xbf" + csv_bytes([row(title="Шахматы")], delimiter=";"))
    table, rows = read(path)
    assert table.columns[0] == "external_id"  # the BOM is not part of the first header
    assert rows[0][0] == 2
    assert rows[0][1][1] == "Шахматы"


def test_tab_delimited_file_is_sniffed(write):
    table, rows = read(write("c.tsv", csv_bytes([row(address="ул. Ленина, 5")], delimiter="\t")))
    assert len(table.columns) == 21
    assert rows[0][1][8] == "ул. Ленина, 5"


def test_cp1251_file_from_russian_excel_is_decoded_with_a_note(write):
    table, rows = read(
        write("c.csv", csv_bytes([row(title="Хоровая студия «Ёлочка»")], delimiter=";", encoding="cp1251"))
    )
    assert rows[0][1][1] == "Хоровая студия «Ёлочка»"
    assert any("Windows-1251" in note for note in table.notes)


def test_utf16_from_excel_unicode_text_is_read(write):
    _table, rows = read(
        write("c.txt", csv_bytes([row(title="Лепка")], delimiter="\t").decode().encode("utf-16"))
    )
    assert rows[0][1][1] == "Лепка"


def test_binary_garbage_is_refused(write):
    with pytest.raises(ImportFileError, match="не текстовый"):
        open_table(write("c.csv", os.urandom(4096) + b"\x00"))


def test_undecodable_text_is_refused_with_how_to_save_as_utf8(write):
    # Latin-1 accents and symbols: neither UTF-8 nor Cyrillic.
    data = "title,age\n" + "Café crème àéîõü ©®±µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉ\n" * 5
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        open_table(write("c.csv", data.encode("latin-1")))


def test_empty_file_is_refused(write):
    with pytest.raises(ImportFileError, match="пуст"):
        open_table(write("c.csv", b"  \r\n"))


def test_a_file_over_the_size_limit_is_refused_before_reading(write, tmp_path, settings):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.write(csv_bytes([row()]))
        handle.write(b"x" * (20 * 1024 * 1024))
    assert settings.IMPORT_MAX_BYTES == 20 * 1024 * 1024
    with pytest.raises(ImportFileError, match="больше 20 МБ"):
        open_table(path)


def test_an_uploaded_file_object_over_the_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1000
    upload = io.BytesIO(csv_bytes([row() for _ in range(20)]))
    upload.name = "upload.csv"
    with pytest.raises(ImportFileError, match="больше"):
        open_table(upload)


def test_ten_thousand_columns_are_refused(write):
    header = ",".join(f"c{i}" for i in range(10_000))
    with pytest.raises(ImportFileError, match="10000 столбцов"):
        open_table(write("wide.csv", (header + "\n" + "1," * 9999 + "1\n").encode()))


def test_too_many_rows_are_refused_while_reading(write, settings):
    settings.IMPORT_MAX_ROWS = 5
    table = open_table(write("c.csv", [row() for _ in range(6)]))
    with pytest.raises(ImportFileError, match="больше 5 строк"):
        list(table.rows)


def test_old_binary_xls_is_refused_with_advice(write):
    with pytest.raises(ImportFileError, match=r"\.xls"):
        open_table(write("c.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100))


def test_xlsx_numbers_become_plain_text_and_formulas_stay_text(write):
    path = write("c.xlsx", [row(age_min=7, lat=54.5, title='=HYPERLINK("http://evil.example","жми")')])
    _table, rows = read(path)
    cells = rows[0][1]
    assert cells[12] == "7"
    assert cells[9] == "54.5"
    assert cells[1] == '=HYPERLINK("http://evil.example","жми")'


def test_exported_apostrophe_escape_is_removed_on_read(write):
    _table, rows = read(write("c.csv", [row(title="'=1+2", description="'не формула")]))
    assert rows[0][1][1] == "=1+2"
    assert rows[0][1][2] == "'не формула"


# --- zip and XML bombs -----------------------------------------------------------------


def _patch_declared_size(data: bytes, size: int) -> bytes:
    """Rewrite the central directory so every part claims `size` uncompressed bytes."""
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) != -1:
        struct.pack_into("<I", out, start + 24, size)
        start += 4
    return bytes(out)


def test_xlsx_declaring_a_huge_uncompressed_size_is_refused_before_parsing(write):
    data = _patch_declared_size(xlsx_bytes([row()]), 3_000_000_000)
    with pytest.raises(ImportFileError, match="после распаковки"):
        open_table(write("bomb.xlsx", data))


def test_xlsx_with_a_highly_compressible_sheet_is_refused(write):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<sheetData>" + "<row/>" * 2_000_000 + "</sheetData>")
    assert len(buffer.getvalue()) < 200_000
    with pytest.raises(ImportFileError, match="после распаковки"):
        open_table(write("bomb.xlsx", buffer.getvalue()))


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return buffer.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_xml_entity_bomb_inside_xlsx_is_refused(write):
    sheet = (
        LAUGHS
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )
    data = _replace_part(xlsx_bytes([row()]), "xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(ImportFileError, match="DOCTYPE|сущност"):
        open_table(write("lol.xlsx", data))


def test_entity_bomb_hidden_after_a_long_comment_is_still_refused_by_defusedxml(write):
    # The quick DOCTYPE scan reads only the first 8 KB; defusedxml must catch the rest.
    padded = b'<?xml version="1.0"?><!--' + b"x" * 20_000 + b"-->" + LAUGHS[len(b'<?xml version="1.0"?>') :]
    sheet = (
        padded
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )
    data = _replace_part(xlsx_bytes([row()]), "xl/worksheets/sheet1.xml", sheet)
    check_xlsx_archive(data)  # passes the cheap scan…
    with pytest.raises(ImportFileError, match="сущност"):
        table = open_table(write("lol.xlsx", data))
        list(table.rows)


def test_a_zip_that_is_not_a_workbook_is_refused(write):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "привет")
    with pytest.raises(ImportFileError, match="XLSX"):
        open_table(write("c.xlsx", buffer.getvalue()))


def test_truncated_xlsx_is_refused(write):
    with pytest.raises(ImportFileError, match="XLSX"):
        open_table(write("c.xlsx", xlsx_bytes([row()])[:300]))


def test_json_must_be_a_list_of_objects(write):
    with pytest.raises(ImportFileError, match="списком объектов"):
        open_table(write("c.json", b'{"external_id": 1}'))
    table, rows = read(write("c.json", [{"external_id": "a", "age_min": 7, "ovz": True, "lat": None}]))
    assert table.columns == ["external_id", "age_min", "ovz", "lat"]
    assert rows == [(2, ["a", "7", "да", ""])]
