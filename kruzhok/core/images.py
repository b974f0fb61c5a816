"""Uploaded images (organization photos, ad pictures): checked, then stored as a new file.

Nothing a visitor uploads is served as sent. Pillow decodes the picture (so a script or an HTML
page renamed .jpg is refused), the pixel count is bounded before decoding (a «decompression
bomb» of a few KB that expands to gigabytes), the orientation is applied and every metadata
block (EXIF with GPS coordinates, comments) dropped, and the result is written as a fresh JPEG
(or PNG when it has transparency) under a random name. SVG is refused: it is a document that can
carry script, not a picture.
"""

from __future__ import annotations

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kruzhok.core.env import env_int

MAX_UPLOAD_BYTES = env_int("IMAGE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/gif"


def reencode_image(upload: UploadedFile, *, max_side: int = 2000) -> ContentFile:
    """The upload as a new JPEG/PNG at most `max_side` pixels wide and high; ValidationError
    with a message for the person who sent it otherwise."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Файл слишком большой: не больше %(mb)s МБ.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="too_large",
        )
    head = upload.read(512)
    upload.seek(0)
    if b"<svg" in head.lower() or b"<?xml" in head.lower():
        raise ValidationError(_("SVG не принимается: загрузите JPEG, PNG или WebP."), code="svg")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as source:
                if source.format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        _("Формат %(format)s не поддерживается: загрузите JPEG, PNG или WebP.")
                        % {"format": source.format or "?"},
                        code="format",
                    )
                if source.width * source.height > MAX_PIXELS:
                    raise ValidationError(_("Изображение слишком большое по числу пикселей."), code="pixels")
                source.seek(0)  # the first frame of an animation
                picture = ImageOps.exif_transpose(source)
                picture.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("Это не изображение или файл повреждён."), code="invalid") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ValidationError(_("Это не изображение или файл повреждён."), code="invalid") from None
    picture.thumbnail((max_side, max_side))
    transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    out = io.BytesIO()
    if transparent:
        picture.convert("RGBA").save(out, "PNG", optimize=True)
        extension = "png"
    else:
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{secrets.token_urlsafe(12)}.{extension}")
