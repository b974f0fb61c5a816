"""Pictures through the pages that take them: an organization's photos (provider) and an ad's
image (admin). What is stored is a new file re-encoded by kruzhok.core.images: no EXIF (no GPS),
no bytes of the upload riding along, a random name; a decompression bomb, an HTML page named
.jpg and an oversized file are refused with a Russian message and nothing saved. The re-encoder's
own cases are in core/tests/test_images.py; test_posts and test_ads_admin cover SVG and PDF."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kruzhok.core import images
from kruzhok.promotion.models import AdCampaign, OrganizationPhoto
from kruzhok.promotion.tests.test_ads_admin import ADD_URL, advertiser, form_data  # noqa: F401 (fixture)
from kruzhok.promotion.tests.test_posts import jpeg_with_gps, provider_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _bomb() -> SimpleUploadedFile:
    """A valid PNG header announcing 30000 × 30000 pixels, with a few hundred bytes of data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    ihdr = (30000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
    return SimpleUploadedFile("bomb.png", data + chunk(b"IEND", b""), content_type="image/png")


def _polyglot() -> SimpleUploadedFile:
    """A real JPEG with an HTML page after its end: a browser sniffing it could run the script."""
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "navy").save(out, "JPEG")
    data = out.getvalue() + b"<html><script>alert(document.cookie)</script></html>"
    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


def _html_as_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _assert_clean_picture(stored) -> None:
    with stored.open("rb") as handle:
        data = handle.read()
    assert b"<script" not in data and b"secret note" not in data
    picture = Image.open(io.BytesIO(data))
    assert picture.format in ("JPEG", "PNG") and not picture.getexif()
    assert not Path(stored.name).name.startswith(("camera", "photo"))


def _photo(client, org, upload):
    return client.post(f"/manage/organizations/{org.pk}/news/photos/new/", {"image": upload, "caption": ""})


@pytest.mark.parametrize("upload", [jpeg_with_gps, _polyglot], ids=["gps", "polyglot"])
def test_an_organization_photo_is_stored_re_encoded(provider_client, org_x, upload):  # noqa: F811
    response = _photo(provider_client, org_x, upload())
    assert response.status_code == 302
    _assert_clean_picture(OrganizationPhoto.objects.get().image)


@pytest.mark.parametrize(
    ("upload", "message"),
    [(_bomb, "Это не изображение или файл повреждён."), (_html_as_jpeg, "Это не изображение")],
    ids=["decompression bomb", "html as jpeg"],
)
def test_a_hostile_organization_photo_is_refused_and_nothing_saved(provider_client, org_x, upload, message):  # noqa: F811
    response = _photo(provider_client, org_x, upload())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OrganizationPhoto.objects.exists() and _stored_files() == []


def test_an_oversized_organization_photo_is_refused_by_its_size(provider_client, org_x, monkeypatch):  # noqa: F811
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    upload = jpeg_with_gps()
    upload.file = io.BytesIO(upload.read() + b"\0" * 2000)
    upload.size = len(upload.file.getvalue())
    response = _photo(provider_client, org_x, upload)
    assert response.status_code == 400
    assert "Файл слишком большой" in response.content.decode()
    assert not OrganizationPhoto.objects.exists() and _stored_files() == []


@pytest.mark.parametrize("upload", [jpeg_with_gps, _polyglot], ids=["gps", "polyglot"])
def test_an_ad_image_is_stored_re_encoded(admin_client, advertiser, upload):  # noqa: F811
    response = admin_client.post(ADD_URL, {**form_data(advertiser), "image": upload()})
    assert response.status_code == 302, response.content.decode()[:2000]
    _assert_clean_picture(AdCampaign.objects.get().image)


@pytest.mark.parametrize("upload", [_bomb, _html_as_jpeg], ids=["decompression bomb", "html as jpeg"])
def test_a_hostile_ad_image_is_refused_and_nothing_saved(admin_client, advertiser, upload):  # noqa: F811
    response = admin_client.post(ADD_URL, {**form_data(advertiser), "image": upload()})
    assert response.status_code == 200
    # Django's ImageField refuses it first ("Загрузите правильное изображение…"), before ours.
    (error,) = response.context["adminform"].form.errors["image"]
    assert "изображение" in error
    assert not AdCampaign.objects.exists() and _stored_files() == []
