"""OpenActive: the RPDE feeds, the dataset page and our concept scheme. Views only parse and
render; what goes into a page is decided in `openactive_selectors`."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kruzhok.api import errors
from kruzhok.api import openactive_selectors as selectors
from kruzhok.api.http import allow_any_origin

# RPDE: a page with items never changes meaning, so caches may keep it an hour; the last page is
# what pollers ask for again and again, so it must be fresh (the validator wants ≤ 8 s).
FULL_PAGE_CACHE = "public, max-age=3600"
LAST_PAGE_CACHE = "public, max-age=8"


def _feed(request: HttpRequest, feed: str) -> HttpResponse:
    params = {key: request.GET.get(key, "") for key in ("afterTimestamp", "afterId") if key in request.GET}
    try:
        after = selectors.parse_cursor(feed, params)
    except selectors.FeedParameterError as error:
        response: HttpResponse = errors.error_response(422, errors.INVALID_PARAMETER, str(error))
        return allow_any_origin(response)
    if feed == selectors.SESSION_SERIES:
        page = selectors.session_series_page(after, limit=selectors.PAGE_SIZE)
    else:
        page = selectors.scheduled_sessions_page(after, limit=selectors.PAGE_SIZE)
    body: dict[str, Any] = {"next": page.next_url, "items": page.items, "license": selectors.LICENSE_URL}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json; charset=utf-8",
    )
    response["Cache-Control"] = LAST_PAGE_CACHE if page.is_last else FULL_PAGE_CACHE
    return allow_any_origin(response)


@require_safe
def session_series(request: HttpRequest) -> HttpResponse:
    return _feed(request, selectors.SESSION_SERIES)


@require_safe
def scheduled_sessions(request: HttpRequest) -> HttpResponse:
    return _feed(request, selectors.SCHEDULED_SESSIONS)


@require_safe
def categories(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(selectors.concept_scheme(), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Cache-Control"] = "public, max-age=3600"
    return allow_any_origin(response)


@require_safe
def dataset(request: HttpRequest) -> HttpResponse:
    context = {
        "dataset": selectors.dataset_jsonld(),
        "feeds": selectors.dataset_feeds(),
        "categories_url": selectors.concept_scheme_url(),
        "license_url": selectors.LICENSE_URL,
    }
    return render(request, "openactive/dataset.html", context)
