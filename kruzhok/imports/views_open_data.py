"""/data/: the open data page and the files it links to (kruzhok/imports/open_data.py)."""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import condition, require_safe

from kruzhok.imports import open_data
from kruzhok.imports.validation import COLUMNS, REQUIRED_COLUMNS

# Portals and caches may keep a copy this long; the files change once a day at most.
DOWNLOAD_MAX_AGE_S = 3600


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    current = open_data.published()
    context = {
        "published": current,
        "structured_data": open_data.dataset_json_ld(current),
        "formats": open_data.FORMATS,
        "columns": [(name, open_data.COLUMN_HELP[name], name in REQUIRED_COLUMNS) for name in COLUMNS],
        "licence_name": open_data.LICENCE_NAME,
        "licence_url": open_data.LICENCE_DEED_URL,
        "osm_licence_url": open_data.OSM_LICENCE_URL,
    }
    return render(request, "imports/open_data.html", context)


def _etag(request: HttpRequest, name: str) -> str | None:
    # Size and modification time change with every regeneration (the file is replaced, not
    # rewritten), so they identify a version without reading the file.
    found = open_data.published_file(name)
    return f'"{found.bytes:x}-{int(found.modified.timestamp() * 1_000_000):x}"' if found else None


def _last_modified(request: HttpRequest, name: str) -> datetime | None:
    found = open_data.published_file(name)
    return found.modified if found else None


@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def download(request: HttpRequest, name: str) -> HttpResponseBase:
    found = open_data.published_file(name)
    try:
        handle = found.path.open("rb") if found is not None else None
    except FileNotFoundError:  # removed between the check and the open
        handle = None
    if found is None or handle is None:
        names = [fmt.file_name for fmt in open_data.FORMATS]
        context = {"known": name in names, "names": names}
        return render(request, "imports/open_data_missing.html", context, status=404)
    response = FileResponse(
        handle, as_attachment=True, filename=found.name, content_type=found.format.content_type
    )
    response["Cache-Control"] = f"public, max-age={DOWNLOAD_MAX_AGE_S}"
    # Open data: any site's scripts may fetch it.
    response["Access-Control-Allow-Origin"] = "*"
    return response
