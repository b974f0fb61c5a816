"""The public JSON API v1 (django-ninja): search, activities, organizations, venues, events and
the taxonomy, read-only; the schema at /api/v1/openapi.json and its docs page at /api/v1/docs.

Every error, ninja's own included, is `{"error": code, "detail": text}`; see `errors`. What
every answer shares (CORS, rate limit, ETag) is in `http`, wrapped around the routes in `urls`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer

from kruzhok.api import catalog, errors, events
from kruzhok.api.search import router as search_router


class Utf8JSONRenderer(JSONRenderer):
    # Russian text as UTF-8 instead of \u escapes: a third of the bytes.
    json_dumps_params = {"ensure_ascii": False}


class KruzhokAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        # Every query parameter given empty (`?age=`) counts as not given, as on the site's
        # pages, whose forms send empty fields: say so, so clients and schemathesis know.
        for operations in schema["paths"].values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "query":
                        parameter["allowEmptyValue"] = True
        return schema


_LIMIT = settings.API_REQUESTS_PER_MINUTE
api = KruzhokAPI(
    title="Кружок API",
    version="1",
    description=(
        "Открытые данные каталога кружков и секций: JSON, ключ не нужен, только GET. Ошибки — "
        "{error, detail}; detail по-русски (по-английски, если на сайте выбран английский).\n\n"
        "Open data of the catalog of after-school activities: JSON, no key, GET only. Errors are "
        "{error, detail}; detail is Russian (English once English is chosen on the site).\n\n"
        "Списки — страницами (count, page, page_count, page_size, next, previous). Каждый ответ "
        "с ETag и Last-Modified: повторный запрос с If-None-Match или If-Modified-Since получит 304, "
        f"если данные не менялись. CORS открыт для GET. Без ключа — до {_LIMIT} запросов в минуту "
        "с одного адреса; больше — 429 с Retry-After.\n\n"
        "Lists come in pages (count, page, page_count, page_size, next, previous). Every answer "
        "carries an ETag and Last-Modified: asking again with If-None-Match or If-Modified-Since "
        f"gives 304 when nothing changed. CORS is open for GET. Without a key: up to {_LIMIT} "
        "requests a minute from one address; more gives 429 with Retry-After."
    ),
    # Swagger UI from ninja's own static files ("ninja" is an installed app): no CDN, and its
    # settings travel as JSON in a data block read by a static script, so the CSP holds.
    docs_url="/docs",
    urls_namespace="api",
    renderer=Utf8JSONRenderer(),
)
api.add_router("", search_router)
api.add_router("", catalog.router)
api.add_router("", events.router)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Parameters are declared as text, so this only fires for shapes ninja itself refuses.
    first = exc.errors[0] if exc.errors else {}
    name = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
    return errors.error_response(
        422,
        errors.INVALID_PARAMETER,
        _("Неверный параметр «%(name)s».") % {"name": name[:60]},
        parameters=[{"name": name, "detail": str(first.get("msg", ""))}],
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return errors.error_response(404, errors.NOT_FOUND, _("Не найдено."))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Too many parameters and the like: Django would answer with an HTML page.
    return errors.error_response(400, errors.MALFORMED_REQUEST, _("Запрос слишком большой или повреждён."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = errors.NOT_FOUND if exc.status_code == 404 else errors.MALFORMED_REQUEST
    return errors.error_response(exc.status_code, code, str(exc))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return errors.server_error(request, exc)
