"""Open data: the whole public catalog as CSV, XLSX and JSON files for open-data portals.

`manage.py export_open_data` (daily from cron) writes the three files in one pass over the
database (`export.catalog_export_files`, the import format, formula-safe), each first into a
temporary file beside the old one and then renamed over it: `os.replace` within one directory
is atomic, so a download in progress keeps the old file and the next one gets the new file,
never half of one. A manifest, written the same way and last, records when the files were made,
how many rows they hold and their SHA-256. /data/ (views_open_data.py) reads it and serves the
files from OPEN_DATA_DIR.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kruzhok.core.emails import site_url
from kruzhok.imports.export import catalog_export_files
from kruzhok.imports.validation import COLUMNS

BASENAME = "kruzhok-catalog"
MANIFEST = "manifest.json"
# README states no licence for the catalog data; CC BY 4.0 lets portals and journalists reuse it
# with attribution. Coordinates and okrugs derived from OpenStreetMap stay under ODbL.
LICENCE_NAME = "CC BY 4.0"
# The catalog's one data licence (the OpenActive feeds name it too); people read the Russian deed.
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_DEED_URL = f"{LICENCE_URL}deed.ru"
OSM_LICENCE_URL = "https://www.openstreetmap.org/copyright"


@dataclass(frozen=True)
class Format:
    key: str
    extension: str
    content_type: str
    label: str

    @property
    def file_name(self) -> str:
        return BASENAME + self.extension


FORMATS = (
    Format("csv", ".csv", "text/csv; charset=utf-8", "CSV"),
    Format("xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    Format("json", ".json", "application/json", "JSON"),
)
_BY_NAME = {fmt.file_name: fmt for fmt in FORMATS}

# What each column holds, for the /data/ page; a test keeps it in step with the import format.
COLUMN_HELP = {
    "external_id": _("идентификатор занятия у поставщика данных; у записей без него — kruzhok-<номер>"),
    "title": _("название занятия"),
    "description": _("описание, простой текст"),
    "direction": _("направленность: technical, science, sport, arts, tourism, social"),
    "category": _("категории (слаги) и метки через «;»"),
    "organization": _("организация, которая ведёт занятие"),
    "organization_kind": _("вид организации: public, private, ngo, individual"),
    "inn": _("ИНН организации, 10 или 12 цифр, если известен"),
    "address": _("адрес, где проходят занятия"),
    "lat": _("широта, WGS84"),
    "lon": _("долгота, WGS84"),
    "district": _("административный округ"),
    "age_min": _("возраст детей от, лет"),
    "age_max": _("возраст детей до, лет"),
    "price_rub": _("стоимость в месяц, ₽; 0 — бесплатно"),
    "schedule": _("еженедельное расписание, время местное: «Пн,Ср 15:00-16:30; Сб 10:00-11:30»"),
    "phone": _("телефон"),
    "email": _("электронная почта"),
    "website": _("сайт"),
    "ovz": _("подходит детям с ОВЗ: да или нет"),
    "enrollment": _("набор: open — открыт, closed — закрыт, waitlist — лист ожидания"),
}
assert set(COLUMN_HELP) == set(COLUMNS), "COLUMN_HELP must describe every column of the import format"  # noqa: S101 (a self-check of constants at import)  # nosec B101


def open_data_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR)


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedFile:
    format: str
    name: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Generation:
    directory: Path
    generated_at: datetime
    rows: int
    files: list[GeneratedFile]
    seconds: float


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _temporary(directory: Path, suffix: str) -> Path:
    """A fresh name in the target directory (same filesystem, so the rename is atomic); files are
    made readable by a web server running as another user, as a plainly written file would be."""
    handle, name = tempfile.mkstemp(dir=directory, prefix=f".{BASENAME}-", suffix=suffix)
    os.close(handle)
    os.chmod(name, 0o644)  # noqa: S103 (public data, meant to be read)
    return Path(name)


def open_data_generate(
    *, directory: Path | None = None, progress: Callable[[int], None] | None = None
) -> Generation:
    """Write the three files and the manifest into `directory` (default OPEN_DATA_DIR).

    Only published activities (what the public pages show). On any error the old files stay as
    they were and the temporary ones are removed."""
    target_dir = directory or open_data_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    generated_at = datetime.now(tz=UTC).replace(microsecond=0)
    temporary = {fmt.key: _temporary(target_dir, fmt.extension) for fmt in FORMATS}
    manifest_tmp = _temporary(target_dir, ".json")
    try:
        rows = catalog_export_files(
            paths=[temporary[fmt.key] for fmt in FORMATS], published_only=True, progress=progress
        )
        files = [
            GeneratedFile(
                format=fmt.key,
                name=fmt.file_name,
                bytes=temporary[fmt.key].stat().st_size,
                sha256=_sha256(temporary[fmt.key]),
            )
            for fmt in FORMATS
        ]
        manifest = {
            "generated_at": generated_at.isoformat().replace("+00:00", "Z"),
            "rows": rows,
            "licence": LICENCE_NAME,
            "files": {
                item.format: {"name": item.name, "bytes": item.bytes, "sha256": item.sha256} for item in files
            },
        }
        manifest_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for fmt in FORMATS:
            os.replace(temporary[fmt.key], target_dir / fmt.file_name)
        os.replace(manifest_tmp, target_dir / MANIFEST)
    finally:
        for leftover in [*temporary.values(), manifest_tmp]:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return Generation(
        directory=target_dir,
        generated_at=generated_at,
        rows=rows,
        files=files,
        seconds=time.monotonic() - started,
    )


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedFile:
    format: Format
    path: Path
    bytes: int
    modified: datetime
    sha256: str

    @property
    def name(self) -> str:
        return self.format.file_name


@dataclass(frozen=True)
class Published:
    files: list[PublishedFile]
    generated_at: datetime | None
    rows: int | None


def _manifest(directory: Path) -> dict[str, Any]:
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def published_file(name: str) -> PublishedFile | None:
    """The file with this public name, when it has been generated; None for any other name."""
    fmt = _BY_NAME.get(name)
    if fmt is None:
        return None
    path = open_data_dir() / fmt.file_name
    try:
        stat = path.stat()
    except OSError:
        return None
    return PublishedFile(
        format=fmt,
        path=path,
        bytes=stat.st_size,
        modified=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
        sha256="",
    )


def published() -> Published:
    """What /data/ lists: the generated files with their sizes and checksums, when and how many rows."""
    manifest = _manifest(open_data_dir())
    listed = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    files = []
    for fmt in FORMATS:
        found = published_file(fmt.file_name)
        if found is None:
            continue
        entry = listed.get(fmt.key) if isinstance(listed, dict) else None
        # A checksum is shown only while it belongs to the file on disk (same size).
        sha = entry.get("sha256", "") if isinstance(entry, dict) and entry.get("bytes") == found.bytes else ""
        files.append(
            PublishedFile(
                format=fmt, path=found.path, bytes=found.bytes, modified=found.modified, sha256=str(sha)
            )
        )
    generated_at = None
    with contextlib.suppress(KeyError, TypeError, ValueError):
        generated_at = datetime.fromisoformat(str(manifest["generated_at"]).replace("Z", "+00:00"))
    rows = manifest.get("rows")
    return Published(
        files=files,
        generated_at=generated_at if files else None,
        rows=rows if isinstance(rows, int) and files else None,
    )


def dataset_json_ld(current: Published) -> dict[str, Any]:
    """schema.org Dataset for /data/ (what Google Dataset Search and portals' harvesters read):
    the licence, the city it covers and each file as a DataDownload."""
    page = site_url(reverse("open_data:index"))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": f"{page}#dataset",
        "url": page,
        "name": str(
            _("Кружки и секции для детей: каталог «Кружок», %(city)s") % {"city": settings.CITY_NAME}
        ),
        "description": str(
            _(
                "Все опубликованные занятия для детей — кружки, секции, студии: организация, адрес и координаты, "
                "направленность и категории, возраст, цена в месяц, расписание, контакты, набор."
            )
        ),
        "inLanguage": "ru",
        "isAccessibleForFree": True,
        "license": LICENCE_URL,
        "creator": {"@type": "Organization", "name": str(_("Кружок")), "url": site_url("/")},
        "spatialCoverage": {"@type": "Place", "name": settings.CITY_NAME},
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": item.format.content_type.split(";")[0],
                "contentUrl": site_url(reverse("open_data:download", args=[item.name])),
                "contentSize": f"{item.bytes} B",
            }
            for item in current.files
        ],
    }
    if current.generated_at is not None:
        data["dateModified"] = current.generated_at.isoformat()
    return data
