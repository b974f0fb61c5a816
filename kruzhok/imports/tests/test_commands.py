"""The management commands: exit codes, what goes to stdout and stderr."""

import io

import pytest
from django.core.management import CommandError, call_command

from kruzhok.catalog.models import Activity

from .conftest import row

pytestmark = pytest.mark.django_db


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_counts_and_succeeds(write, okrugs):
    out, err = call(
        "import_catalog", str(write("c.csv", [row(), row(category="Квиллинг")])), "--source", "dept"
    )
    assert "c.csv: импорт выполнен; строк: 2; создано: 2, обновлено: 0, без изменений: 0" in out
    assert "предупреждение: строка 3, category: категории «Квиллинг» нет в справочнике" in err
    assert Activity.objects.filter(source="dept").count() == 2

    out, _err = call("import_catalog", str(write("c.csv", [row(external_id="ext-x")])), "--source", "dept")
    assert "создано: 1" in out


def test_import_with_errors_exits_1_listing_each_problem_and_writes_nothing(write, okrugs):
    path = write("bad.csv", [row(), row(age_max="25"), row(lat="999")])
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path), stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "bad.csv: ошибок: 2, ничего не записано" in str(caught.value)
    lines = err.getvalue().splitlines()
    assert "строка 3, age_max: возраст должен быть целым числом от 0 до 18, а не «25»" in lines
    assert any(line.startswith("строка 4, lat: широта должна быть числом от -90 до 90") for line in lines)
    assert Activity.objects.count() == 0


def test_missing_file_is_a_clear_error(tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError, match="nope.csv: ошибок: 1") as caught:
        call_command("import_catalog", str(tmp_path / "nope.csv"), stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "не удаётся открыть файл" in err.getvalue()


def test_dry_run_validates_without_writing(write, okrugs):
    out, _err = call("import_catalog", str(write("c.csv", [row(), row()])), "--dry-run")
    assert "проверка без записи — ошибок нет; строк: 2; создано: 2" in out
    assert Activity.objects.count() == 0


def test_export_command_writes_the_requested_format(tmp_path, activity):
    for name in ("out.csv", "out.xlsx", "out.json"):
        out, _err = call("export_catalog", str(tmp_path / name))
        assert f"{name}: записано строк: 1" in out
        assert (tmp_path / name).stat().st_size > 0


def test_export_command_refuses_an_unknown_extension(tmp_path):
    with pytest.raises(CommandError, match=r"\.csv, \.xlsx или \.json"):
        call_command("export_catalog", str(tmp_path / "out.pdf"), stdout=io.StringIO())


def test_import_report_in_english_on_request(write, okrugs):
    path = write("bad.csv", [row(), row(age_max="25")])
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path), "--lang", "en", stdout=io.StringIO(), stderr=err)
    assert "row 3, age_max:" in err.getvalue()
    assert "строка" not in err.getvalue()
    assert "bad.csv" in str(caught.value) and "ошибок" not in str(caught.value)
