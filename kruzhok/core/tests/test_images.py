import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kruzhok.core import images


def _upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _picture(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, fmt, **save)
    return out.getvalue()


def test_a_photo_is_stored_as_a_new_jpeg_without_its_metadata():
    exif = Image.Exif()
    exif[0x010F] = "Camera"  # Make
    exif[0x0112] = 6  # rotated: applied, then dropped
    stored = images.reencode_image(_upload(_picture(size=(64, 48), exif=exif.tobytes())))
    with Image.open(io.BytesIO(stored.read())) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (48, 64)
        assert not picture.getexif()
    assert stored.name.endswith(".jpg") and "photo" not in stored.name


def test_transparency_is_kept_as_png_and_large_pictures_are_scaled_down():
    stored = images.reencode_image(_upload(_picture("PNG", (3000, 1500), "RGBA"), "logo.png"))
    with Image.open(io.BytesIO(stored.read())) as picture:
        assert picture.format == "PNG"
        assert picture.size == (2000, 1000)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<svg onload=alert(1)>",
        b"<html><script>alert(1)</script></html>",
        b"GIF89a not really",
        b"",
        _picture()[:200],  # truncated
        _picture("BMP"),  # decodable, but not a format we take
    ],
)
def test_what_is_not_a_usable_picture_is_refused_with_a_message(data):
    with pytest.raises(ValidationError) as refused:
        images.reencode_image(_upload(data))
    assert refused.value.messages[0]


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # A valid PNG header announcing 30000 × 30000 pixels, with a few bytes of data.
    header = b"\x89PNG\r\n\x1a\n"
    ihdr = (30000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])

    def chunk(kind, body):
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    bomb = header + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")
    with pytest.raises(ValidationError):
        images.reencode_image(_upload(bomb, "bomb.png"))


def test_an_oversized_file_is_refused_by_its_size(settings, monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(ValidationError) as refused:
        images.reencode_image(_upload(_picture(size=(400, 400)) + b"\0" * 2000))
    assert "МБ" in refused.value.messages[0]
