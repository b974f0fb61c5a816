"""Page views, counted as the response leaves: no cookie, no query, no write on the request path.

A page view is a person looking at an HTML page: a GET answered 200 with text/html, the whole
page (an htmx fragment is part of a page already counted; a history restore is a whole page),
from a browser (not a robot, a script or a prefetch: `collect.is_bot`), of the public site (not
the admin, the dashboard, static or media files, the API or the feeds). The buffer is written
after the response has been sent (`flush_after_response`, on `request_finished`), so no
visitor waits for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from kruzhok.analytics import collect

logger = logging.getLogger(__name__)

# URL namespaces that are not pages of the public site (tools, machine-readable data).
NOT_PAGES = frozenset({"admin", "analytics", "api", "openactive"})
# Views that answer with HTML but are pieces of a page, fetched by its scripts.
FRAGMENTS = frozenset({"search:places"})
# The pages whose views are also counted per object, for «most viewed» and the advertiser.
OBJECT_PAGES = {
    "catalog:activity": "activity",
    "catalog:organization": "organization",
    "events:event": "event",
}


def _object(view_name: str, kwargs: dict[str, Any]) -> tuple[str, int | None]:
    object_type = OBJECT_PAGES.get(view_name, "")
    pk = kwargs.get("pk")
    if not object_type or not isinstance(pk, int):
        return "", None
    return object_type, pk


class PageViewMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.skipped_prefixes = tuple(
            p for p in (settings.STATIC_URL, settings.MEDIA_URL, "/admin/") if p and p.startswith("/")
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        try:
            self.count(request, response)
        except Exception:  # counting must never cost a visitor their page
            logger.exception("analytics: could not count a page view")
        return response

    def count(self, request: HttpRequest, response: HttpResponseBase) -> None:
        if (
            request.method != "GET"
            or response.status_code != 200
            or not response.get("Content-Type", "").startswith("text/html")
            or request.path.startswith(self.skipped_prefixes)
        ):
            return
        match = request.resolver_match
        if match is None or match.view_name in FRAGMENTS or NOT_PAGES.intersection(match.namespaces):
            return
        if (
            request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true"
        ):
            return
        if collect.is_bot(request):
            return
        object_type, object_id = _object(match.view_name, match.kwargs)
        collect.record_page_view(request, route=match.view_name, object_type=object_type, object_id=object_id)


def flush_after_response(**kwargs: Any) -> None:
    """`request_finished` receiver: write the buffer once it is full or old enough. It runs after
    the server has sent the response, so the write delays no one."""
    try:
        collect.flush_if_due()
    except Exception:  # flush() already logs and drops a failed batch; this is a last guard
        logger.exception("analytics: flush after a response failed")
