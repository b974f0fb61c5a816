"""What every answer under /api/v1/ shares, wrapped around ninja's views in `urls`:

- CORS for reading from any site: `Access-Control-Allow-Origin: *` on every answer (errors
  too, so a page's script can read them), preflight OPTIONS answered here; no credentials.
- HEAD as GET without the body; any other method a JSON 405, on every path under the prefix
  (the API changes nothing, so it needs no CSRF token and refuses writes before any view).
- The anonymous rate limit: API_REQUESTS_PER_MINUTE per client address (0 = none), counted
  by `kruzhok.core.abuse` in Django's cache; over it, 429 with Retry-After.
- Conditional GET: an ETag and Last-Modified from the version of the data the answer reads
  (`selectors.data_version`), checked before the view runs, so a 304 costs a few indexed
  queries instead of the answer. The ETag also covers the language (texts such as error
  details follow it; the language comes from a cookie, hence Vary: Cookie) and the whole URL.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext as _

from kruzhok.api import errors, selectors
from kruzhok.core import abuse

View = Callable[..., HttpResponseBase]

METHODS = "GET, HEAD, OPTIONS"
RATE_PERIOD_S = 60
# Clients may keep a copy but must ask again before using it; an unchanged answer is then a
# 304 without a body.
CACHE_CONTROL = "public, no-cache"
_CORS = {
    "Access-Control-Allow-Origin": "*",
    # Readable by a page's script besides the always-readable ones (Content-Type, Last-Modified…).
    "Access-Control-Expose-Headers": "ETag, Retry-After",
}
_PREFLIGHT = {
    "Access-Control-Allow-Methods": METHODS,
    "Access-Control-Allow-Headers": (
        "Accept, Accept-Language, Cache-Control, Content-Type, If-Modified-Since, If-None-Match"
    ),
    "Access-Control-Max-Age": "86400",
}


def allow_any_origin[R: HttpResponseBase](response: R) -> R:
    """Open data is readable by a script on any site (the OpenActive feeds use this too)."""
    for name, value in _CORS.items():
        response[name] = value
    return response


def public(view: View, *, scope: str | None = None, content_etag: bool = False) -> View:
    """`view` as a public API answer; `scope` names the data it reads (see `selectors.SCOPES`);
    `content_etag`: an ETag from the body instead (the schema, which no data changes)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = _answer(view, request, args, kwargs, scope=scope, content_etag=content_etag)
        except Exception as exc:  # noqa: BLE001 — outside ninja's handlers: the API's errors are JSON too
            response = errors.server_error(request, exc)
        allow_any_origin(response)
        patch_vary_headers(response, ["Cookie"])
        return response

    # Nothing here changes state, and a cross-site POST must get the JSON 405, not a CSRF page.
    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


def _answer(
    view: View,
    request: HttpRequest,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    scope: str | None,
    content_etag: bool,
) -> HttpResponseBase:
    if request.method == "OPTIONS":
        return _preflight()
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed()
    head = request.method == "HEAD"
    if head:
        request.method = "GET"
    if not _within_rate(request):
        return _too_many()
    version = selectors.data_version(scope) if scope is not None and request.method == "GET" else None
    etag = _etag(request, version.token) if version is not None else None
    if version is not None and etag is not None and _not_modified(request, etag, version.last_modified):
        return _validators(HttpResponse(status=304), etag, version.last_modified)
    response = view(request, *args, **kwargs)
    if response.status_code == 200 and request.method == "GET":
        if version is not None and etag is not None:
            _validators(response, etag, version.last_modified)
        elif content_etag and isinstance(response, HttpResponse):
            etag = _etag(request, hashlib.sha1(response.content, usedforsecurity=False).hexdigest())
            if _not_modified(request, etag, None):
                return _validators(HttpResponse(status=304), etag, None)
            _validators(response, etag, None)
    if head and isinstance(response, HttpResponse):
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
    return response


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = METHODS
    for name, value in _PREFLIGHT.items():
        response[name] = value
    return response


def _within_rate(request: HttpRequest) -> bool:
    limit = settings.API_REQUESTS_PER_MINUTE
    return limit <= 0 or abuse.hit("api", abuse.client_ip(request), limit=limit, period=RATE_PERIOD_S)


def _too_many() -> HttpResponse:
    wait = abuse.seconds_left(RATE_PERIOD_S)
    response = errors.error_response(
        429,
        errors.TOO_MANY_REQUESTS,
        _(
            "Слишком много запросов: не больше %(limit)d в минуту с одного адреса. Повторите через "
            "%(seconds)d с."
        )
        % {"limit": settings.API_REQUESTS_PER_MINUTE, "seconds": wait},
    )
    response["Retry-After"] = str(wait)
    return response


def _etag(request: HttpRequest, token: str) -> str:
    # The whole URL and the language: the same data gives another answer on another page or in
    # English, and a client must not get one's 304 for the other.
    key = f"{token}|{translation.get_language()}|{request.get_full_path()}"
    return f'W/"{hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:24]}"'


def _not_modified(request: HttpRequest, etag: str, last_modified: Any) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison) decides when present; otherwise
    If-Modified-Since against Last-Modified."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        wanted = etag.removeprefix("W/")
        # No «*»: it matches only a resource that exists, and a 304 here comes before the view
        # has looked the id up.
        return any(tag.removeprefix("W/") == wanted for tag in parse_etags(if_none_match))
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and last_modified is not None and last_modified.timestamp() <= since


def _validators[R: HttpResponseBase](response: R, etag: str, last_modified: Any) -> R:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _method_not_allowed() -> HttpResponse:
    refused = errors.error_response(
        405,
        errors.METHOD_NOT_ALLOWED,
        _("Этот адрес API принимает только %(methods)s.") % {"methods": METHODS},
    )
    refused["Allow"] = METHODS
    return refused
