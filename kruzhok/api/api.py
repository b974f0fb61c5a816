"""The public JSON API v1 (django-ninja): search now; activities, organizations and events follow.

Parameters are declared for the OpenAPI schema as strings and parsed by the same
`parse_params` the search page uses, so both accept and reject exactly the same input and the
errors read the same (Russian unless the visitor chose English).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError

from kruzhok.api import schemas
from kruzhok.search import selectors
from kruzhok.search.params import parse_params

MAX_PAGE_SIZE = 100

api = NinjaAPI(
    title="Кружок API",
    version="1",
    description=(
        "Открытые данные каталога кружков и секций. Ответы — JSON, ключ не нужен. "
        "/ Open data of the city's after-school activities. JSON, no key needed."
    ),
    docs_url=None,
    urls_namespace="api",
)


def error_response(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    return api.create_response(request, {"error": code, "detail": detail}, status=status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", []) if p not in ("query", "body"))
    return error_response(request, 422, "invalid_parameter", f"{where}: {first.get('msg', '')}".strip(": "))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))


class SearchQuery(Schema):
    q: str | None = None
    where: str | None = None
    lat: str | None = None
    lon: str | None = None
    radius_km: str | None = None
    age: str | None = None
    direction: str | None = None
    category: list[str] = []
    district: str | None = None
    free: str | None = None
    ovz: str | None = None
    open: str | None = None
    day: list[str] = []
    after: str | None = None
    before: str | None = None
    sort: str | None = None
    page: str | None = None
    page_size: str | None = None


_PARAM_HELP = {
    "q": "что ищем: слова по-русски или по-английски / free text",
    "where": "адрес, улица, микрорайон или округ / address, street, neighbourhood or okrug",
    "lat": "широта (вместе с lon; важнее where) / latitude (with lon; overrides where)",
    "lon": "долгота / longitude",
    "radius_km": "радиус вокруг места, км (0–100) / radius around the place, km",
    "age": "возраст ребёнка, 0–18 / the child's age",
    "direction": "слаг направленности / direction slug",
    "category": "слаг категории, можно несколько / category slug, repeatable",
    "district": "округ (название или слаг) / okrug name or slug",
    "free": "1 — только бесплатные / 1 = free only",
    "ovz": "1 — для детей с ОВЗ / 1 = adapted for children with disabilities",
    "open": "1 — набор открыт / 1 = enrolment open",
    "day": "mon…sun, можно несколько / weekday, repeatable",
    "after": "ЧЧ:ММ — занятие начинается не раньше / HH:MM, a session starts at or after",
    "before": "ЧЧ:ММ — занятие кончается не позже / HH:MM, a session ends by",
    "sort": "best | near | price | rating",
    "page": "номер страницы с 1 / page number from 1",
    "page_size": f"1–{MAX_PAGE_SIZE}, по умолчанию 20 / default 20",
}
for _name, _help in _PARAM_HELP.items():
    SearchQuery.model_fields[_name].description = _help
SearchQuery.model_rebuild(force=True)


def _card(request: HttpRequest, card: selectors.Card) -> dict[str, Any]:
    return {
        "id": card.id,
        "external_id": card.external_id,
        "title": card.title,
        "url": request.build_absolute_uri(card.url),
        "organization": {"id": card.organization_id, "name": card.organization_name},
        "direction": card.direction,
        "categories": card.categories,
        "age_min": card.age_min,
        "age_max": card.age_max,
        "price_rub": card.price_rub,
        "free": card.free,
        "district": card.district,
        "address": card.address,
        "lat": card.lat,
        "lon": card.lon,
        "distance_km": card.distance_km,
        "rating": card.rating,
    }


@api.get(
    "/search",
    response={200: schemas.SearchResponse, 422: schemas.Error},
    summary="Поиск занятий / Search activities",
    description=(
        "Параметры как у страницы /search/ (DESIGN.md «Search parameters»). Неверное значение → 422 "
        "с {error, detail}. Страница за пределами результатов даёт последнюю страницу. "
        "/ The same parameters as the /search/ page. A bad value gives 422 with {error, detail}; "
        "a page past the end gives the last page."
    ),
)
def search(request: HttpRequest, filters: Query[SearchQuery]) -> Any:
    params, errors = parse_params(request.GET)
    page_size = 20
    raw_size = request.GET.get("page_size", "").strip()
    if raw_size:
        if not raw_size.isdigit() or not 1 <= int(raw_size) <= MAX_PAGE_SIZE:
            return Status(422, {"error": "invalid_parameter", "detail": f"page_size: 1–{MAX_PAGE_SIZE}"})
        page_size = int(raw_size)
    if errors:
        return Status(
            422, {"error": "invalid_parameter", "detail": f"{errors[0].field}: {errors[0].message}"}
        )
    result = selectors.search(params, page_size=page_size)
    return Status(
        200,
        {
            "count": result.count,
            "page": result.page,
            "page_count": result.page_count,
            "results": [_card(request, card) for card in result.results],
            "facets": result.facets,
            "location": (
                {"lat": result.location.lat, "lon": result.location.lon, "label": result.location.label}
                if result.location
                else None
            ),
            "corrected_query": result.corrected_query,
            "relaxations": [
                {"kind": r.kind, "label": r.label, "query": r.query_string, "count": r.count}
                for r in result.relaxations
            ],
        },
    )
