"""The web upload: the importer's dry run and report as a preview, then the same file imported."""

from __future__ import annotations

import os
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.catalog.models import Activity, Department, Organization
from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.core.models import AuditLog
from kruzhok.imports import uploads
from kruzhok.imports.services import catalog_import
from kruzhok.imports.tests.conftest import csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db

DEPT_URL = "/upload/department/education/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def education():
    return Department.objects.get(slug="education")


@pytest.fixture
def dept_client(client, education):
    client.force_login(account_factories.department_member(education))
    return client


def _file(content: bytes, name: str = "catalog.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _upload(
    client, content: bytes, *, url: str = DEPT_URL, name: str = "catalog.csv", source: str = "web-test"
):
    return client.post(url, {"file": _file(content, name), "source": source})


def _waiting_files() -> list[str]:
    return uploads.waiting_names()


def test_upload_previews_without_writing_then_confirm_imports_the_same_file(dept_client, education, okrugs):
    content = csv_bytes([row(organization="ДЮСШ «Олимп»", inn=""), row(organization="ДЮСШ «Олимп»", inn="")])
    response = _upload(dept_client, content)
    assert response.status_code == 302
    preview_url = response["Location"]
    assert preview_url.startswith(DEPT_URL)
    assert Activity.objects.count() == 0 and not Organization.objects.filter(name="ДЮСШ «Олимп»").exists()
    assert len(_waiting_files()) == 1

    preview = dept_client.get(preview_url)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "проверка без записи — ошибок нет" in body
    assert "создано: 2" in body
    assert "Футбольная секция" in body  # the first rows
    assert Activity.objects.count() == 0

    report = dept_client.post(preview_url, {"confirm": "1"})
    assert report.status_code == 200
    assert "импорт выполнен" in report.content.decode()
    assert Activity.objects.filter(source="web-test").count() == 2
    assert Organization.objects.get(name="ДЮСШ «Олимп»").department == education
    assert AuditLog.objects.filter(action="imports.catalog.imported", object_id="web-test").count() == 1
    assert _waiting_files() == []

    # The confirmation cannot be replayed: the file is gone.
    again = dept_client.post(preview_url, {"confirm": "1"})
    assert again.status_code == 302 and again["Location"] == DEPT_URL
    assert Activity.objects.count() == 2


def test_reuploading_reports_updates_and_unchanged_as_the_command_does(dept_client, okrugs):
    first, second = row(inn=""), row(inn="")
    _confirm_upload(dept_client, csv_bytes([first, second]))
    changed = dict(first, title="Новое название секции")
    response = _upload(dept_client, csv_bytes([changed, second]))
    body = dept_client.get(response["Location"]).content.decode()
    assert "создано: 0, обновлено: 1, без изменений: 1" in body


def _confirm_upload(client, content: bytes, url: str = DEPT_URL):
    response = _upload(client, content, url=url)
    assert response.status_code == 302, response.content.decode()[:3000]
    return client.post(response["Location"], {"confirm": "1"})


def test_rows_with_errors_show_the_importers_lines_and_nothing_is_written_or_kept(dept_client, okrugs):
    content = csv_bytes([row(), row(age_max="99"), row(title="")])
    response = _upload(dept_client, content)
    assert response.status_code == 400
    body = response.content.decode()
    assert "строка 3, age_max:" in body
    assert "строка 4, title:" in body
    assert "ничего не записано" in body
    assert Activity.objects.count() == 0 and _waiting_files() == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "photo.png", "UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "старый формат Excel"),
        (b"<script>alert(1)</script>\n", "x.csv", "нет обязательных столбцов"),
        (b"", "empty.csv", "Файл пуст"),
    ],
)
def test_files_that_are_not_catalogs_are_refused_with_the_importers_message(
    dept_client, content, name, message
):
    response = _upload(dept_client, content, name=name)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "<script>alert(1)</script>" not in body
    assert _waiting_files() == []


def test_an_oversize_file_is_refused(dept_client, settings, okrugs):
    settings.IMPORT_MAX_BYTES = 2000
    content = csv_bytes([row() for _ in range(30)])
    assert len(content) > 2000
    response = _upload(dept_client, content)
    assert response.status_code == 400
    assert "разделите его на части" in response.content.decode()
    assert Activity.objects.count() == 0 and _waiting_files() == []


def test_an_xlsx_file_goes_through_the_same_way(dept_client, okrugs):
    response = _upload(dept_client, xlsx_bytes([row(inn="")]), name="catalog.xlsx")
    assert response.status_code == 302
    assert dept_client.post(response["Location"], {"confirm": "1"}).status_code == 200
    assert Activity.objects.count() == 1


def test_hostile_text_in_a_file_is_shown_escaped(dept_client, okrugs):
    payload = '<script>alert("x")</script>'
    response = _upload(dept_client, csv_bytes([row(title=payload, age_max="99", inn="")]))
    body = response.content.decode()
    assert "<script>alert" not in body
    response = _upload(dept_client, csv_bytes([row(title=payload, inn="")]))
    preview = dept_client.get(response["Location"]).content.decode()
    assert "<script>alert" not in preview and "&lt;script&gt;" in preview


def test_a_10k_character_source_is_refused(dept_client, okrugs):
    response = _upload(dept_client, csv_bytes([row()]), source="s" * 10_000)
    assert response.status_code == 400
    assert "Не длиннее 100 символов" in response.content.decode()


def test_a_department_cannot_upload_rows_for_an_organization_of_another_network(dept_client, okrugs):
    catalog_factories.organization(name="Театр «Галёрка»", department=Department.objects.get(slug="culture"))
    catalog_factories.organization(name="Частная студия", department=None)
    content = csv_bytes(
        [row(organization="Театр «Галёрка»", inn=""), row(organization="Частная студия", inn="")]
    )
    response = _upload(dept_client, content)
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "строка 2, organization: организация «Театр «Галёрка»» уже есть в каталоге и не входит в вашу сеть"
        in body
    )
    assert "строка 3, organization:" in body
    assert Activity.objects.count() == 0


def test_an_upload_cannot_take_over_another_organizations_activity_by_external_id(dept_client, okrugs):
    other = catalog_factories.activity(source="web-test", external_id="shared-1")
    content = csv_bytes([row(external_id="shared-1", inn="")])
    response = _upload(dept_client, content)
    assert response.status_code == 400
    assert "строка 2, external_id:" in response.content.decode()
    other.refresh_from_db()
    assert other.organization.name != "ДЮСШ №1"


def test_provider_uploads_for_their_organization_only(client, okrugs):
    own = catalog_factories.organization(name="Студия «Икс»")
    other = catalog_factories.organization(name="Клуб «Игрек»")
    client.force_login(account_factories.provider(own))
    url = f"/upload/organization/{own.pk}/"
    mixed = csv_bytes([row(organization="Студия «Икс»", inn=""), row(organization="Клуб «Игрек»", inn="")])
    response = _upload(client, mixed, url=url)
    assert response.status_code == 400
    assert "строка 3, organization: «Клуб «Игрек»» — не ваша организация" in response.content.decode()
    brand_new = csv_bytes([row(organization="Совсем новая студия", inn="")])
    assert _upload(client, brand_new, url=url).status_code == 400
    assert Activity.objects.count() == 0 and Organization.objects.count() == 2

    report = _confirm_upload(client, csv_bytes([row(organization="студия «икс»", inn="")]), url=url)
    assert report.status_code == 200
    assert Activity.objects.get().organization == own

    # Another organization's upload page is not there for this provider.
    assert client.get(f"/upload/organization/{other.pk}/").status_code == 404
    assert client.get("/upload/organization/abc/").status_code == 404
    assert client.get(DEPT_URL).status_code == 404


def test_a_waiting_file_belongs_to_the_session_and_scope_that_uploaded_it(
    client, dept_client, education, okrugs
):
    response = _upload(dept_client, csv_bytes([row(inn="")]))
    preview_url = response["Location"]
    key = preview_url.rstrip("/").rsplit("/", 1)[1]
    # Another member of the same department, in another session, cannot confirm it.
    from django.test import Client

    colleague = Client()
    colleague.force_login(account_factories.department_member(education))
    assert colleague.post(preview_url, {"confirm": "1"}).status_code == 302
    # Nor can a member of culture through culture's URL, nor the uploader through a scope not theirs.
    culture = Client()
    culture.force_login(account_factories.department_member(Department.objects.get(slug="culture")))
    assert culture.post(f"/upload/department/culture/{key}/", {"confirm": "1"}).status_code == 302
    assert dept_client.post(f"/upload/department/culture/{key}/", {"confirm": "1"}).status_code == 404
    for forged in ("../../etc/passwd", "x" * 500, "%00"):
        assert dept_client.post(f"{DEPT_URL}{forged}/", {"confirm": "1"}).status_code in (302, 404)
    assert Activity.objects.count() == 0
    assert len(_waiting_files()) == 1


def test_cancel_deletes_the_waiting_file(dept_client, okrugs):
    response = _upload(dept_client, csv_bytes([row(inn="")]))
    assert dept_client.post(response["Location"], {"cancel": "1"})["Location"] == DEPT_URL
    assert _waiting_files() == [] and Activity.objects.count() == 0


def test_waiting_files_older_than_a_day_are_purged(dept_client, settings, okrugs):
    settings.IMPORT_UPLOAD_KEEP_HOURS = 24
    response = _upload(dept_client, csv_bytes([row(inn="")]))
    (path,) = [default_storage.path(name) for name in _waiting_files()]
    old = time.time() - 25 * 3600
    os.utime(path, (old, old))
    assert uploads.uploads_purge() == 1
    follow = dept_client.get(response["Location"])
    assert follow.status_code == 302  # nothing to confirm any more


def test_catalog_import_department_scope_puts_new_organizations_in_the_department(education, write, okrugs):
    path = write("c.csv", [row(organization="Новый центр", inn="")])
    report = catalog_import(path_or_file=path, department=education)
    assert report.ok and report.organizations_created == 1
    assert Organization.objects.get(name="Новый центр").department == education


def test_uploads_are_rate_limited(dept_client, okrugs):
    statuses = [_upload(dept_client, b"x").status_code for _ in range(31)]
    assert statuses[-1] == 429


def test_a_storage_error_while_purging_never_fails_the_upload(dept_client, okrugs, monkeypatch):
    _upload(dept_client, csv_bytes([row(inn="")]))

    def hiccup(name):
        raise RuntimeError("the bucket did not answer")  # S3 raises its own errors, not OSError

    monkeypatch.setattr(default_storage, "get_modified_time", hiccup)
    response = _upload(dept_client, csv_bytes([row(inn="")]))
    assert response.status_code == 302 and len(_waiting_files()) == 2
    monkeypatch.setattr(uploads, "waiting_names", lambda: hiccup(""))
    assert uploads.uploads_purge() == 0
