"""Media on S3-compatible storage (S3_BUCKET), against a real S3 server (moto's, over HTTP):
photos uploaded through the page, the hidden photo's rename, and an import upload waiting between
its preview and the confirmation — the files every app machine must see."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kruzhok.catalog.models import Activity
from kruzhok.catalog.tests.personas import signed_in
from kruzhok.imports import uploads
from kruzhok.imports.tests.conftest import csv_bytes, okrugs, row  # noqa: F401 (okrugs: a fixture)
from kruzhok.promotion.models import OrganizationPhoto

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

pytestmark = pytest.mark.django_db

BUCKET = "kruzhok-media"
KEY, SECRET = "test-key", "test-secret"  # moto accepts any


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    """STORAGES["default"] as settings.py builds it from S3_BUCKET and friends, on a fresh bucket."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": KEY,
                "secret_key": SECRET,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def test_settings_build_the_s3_storage_and_allow_its_images(monkeypatch):
    import importlib

    from kruzhok import settings as site_settings

    monkeypatch.setenv("S3_BUCKET", "media")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://storage.example.net")
    try:
        reloaded = importlib.reload(site_settings)
        default = reloaded.STORAGES["default"]
        assert default["BACKEND"] == "storages.backends.s3.S3Storage"
        assert default["OPTIONS"]["bucket_name"] == "media"
        assert default["OPTIONS"]["endpoint_url"] == "https://storage.example.net"
        assert "https://storage.example.net" in reloaded.SECURE_CSP["img-src"]
        monkeypatch.setenv("S3_CUSTOM_DOMAIN", "media.kruzhok.example")
        reloaded = importlib.reload(site_settings)
        assert "https://media.kruzhok.example" in reloaded.SECURE_CSP["img-src"]
    finally:
        for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_CUSTOM_DOMAIN"):
            monkeypatch.delenv(name, raising=False)
        reloaded = importlib.reload(site_settings)
    assert reloaded.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_photo_uploaded_on_the_page_lands_in_the_bucket_and_hiding_renames_it(
    bucket, s3_endpoint, org_x, provider_x, editor, django_capture_on_commit_callbacks
):
    response = signed_in(provider_x).post(
        f"/manage/organizations/{org_x.pk}/news/photos/new/", {"image": _png(), "caption": "Зал"}
    )
    assert response.status_code == 302
    photo = OrganizationPhoto.objects.get(organization=org_x)
    old = photo.image.name
    assert old in _keys(bucket) and old.startswith("organizations/photos/")
    assert photo.image.url == f"{s3_endpoint}/{BUCKET}/{old}"
    page = signed_in(provider_x).get(f"/organizations/{org_x.pk}-{org_x.slug}/photos/")
    assert photo.image.url in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        hidden = signed_in(editor).post(f"/moderation/photos/{photo.pk}/hide/", {"reason": "Чужое фото"})
    assert hidden.status_code == 302
    photo.refresh_from_db()
    assert photo.is_hidden and photo.image.name != old
    assert _keys(bucket) == {photo.image.name}  # the old, public key is gone; the new one holds the bytes
    with default_storage.open(photo.image.name) as stored:
        assert stored.read().startswith(b"\xff\xd8")  # the re-encoded JPEG


@pytest.mark.usefixtures("okrugs")
def test_an_import_upload_waits_in_the_bucket_and_is_gone_after_the_confirmation(bucket, department_member):
    client = signed_in(department_member)
    content = csv_bytes([row(organization="ДЮСШ «Олимп»", inn="")])
    response = client.post(
        "/upload/department/education/",
        {"file": SimpleUploadedFile("catalog.csv", content, content_type="text/csv"), "source": "s3-test"},
    )
    assert response.status_code == 302
    (waiting,) = uploads.waiting_names()
    assert _keys(bucket) == {waiting} and waiting.startswith("uploads/")
    assert bucket.get_object(Bucket=BUCKET, Key=waiting)["Body"].read() == content
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and "проверка без записи — ошибок нет" in preview.content.decode()
    assert client.post(response["Location"], {"confirm": "1"}).status_code == 200
    assert Activity.objects.filter(organization__name="ДЮСШ «Олимп»").count() == 1
    assert _keys(bucket) == set() and uploads.waiting_names() == []


def test_waiting_uploads_in_the_bucket_are_purged_by_age(bucket, settings):
    import time

    from django.contrib.sessions.backends.db import SessionStore

    settings.IMPORT_UPLOAD_KEEP_HOURS = 1
    session = SessionStore()
    pending = uploads.upload_store(
        session=session, data=b"a,b\n", name="x.csv", scope="organization:1", source="t"
    )
    assert uploads.upload_get(session=session, key=pending.key, scope="organization:1") is not None
    assert uploads.uploads_purge(now=time.time()) == 0
    assert uploads.uploads_purge(now=time.time() + 2 * 3600) == 1
    assert _keys(bucket) == set()
    assert uploads.upload_get(session=session, key=pending.key, scope="organization:1") is None


def test_backup_media_refuses_to_archive_an_empty_media_root_when_files_are_in_the_bucket(bucket, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="бакете S3"):
        call_command("backup", "--media", "--dir", str(tmp_path / "backups"))
    assert not (tmp_path / "backups").exists()
