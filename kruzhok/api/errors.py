"""Every API error is `{"error": code, "detail": text}` (DESIGN.md «JSON API v1»).

`detail` is a sentence for a person, in the visitor's language (Russian unless they chose
English with the site's language switch); `error` is a stable code for programs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger("django.request")

MALFORMED_REQUEST = "malformed_request"  # 400: the query string cannot be read at all
NOT_FOUND = "not_found"  # 404
METHOD_NOT_ALLOWED = "method_not_allowed"  # 405: the API is read-only for now
INVALID_PARAMETER = "invalid_parameter"  # 422: a parameter's value is not allowed
TOO_MANY_REQUESTS = "too_many_requests"  # 429: over API_REQUESTS_PER_MINUTE, with Retry-After
SERVER_ERROR = "server_error"  # 500: a bug on our side, logged


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail, **extra}


def error_response(status: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse(
        error_body(code, detail, **extra), status=status, json_dumps_params={"ensure_ascii": False}
    )


def server_error(request: HttpRequest, exc: BaseException) -> JsonResponse:
    """A bug on our side as a JSON 500, logged the way Django logs an unhandled exception, so
    error reports still reach the admins."""
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return error_response(500, SERVER_ERROR, _("Внутренняя ошибка сервера. Попробуйте позже."))
