"""GET /api/v1/search: the search page's parameters and results as JSON.

The parameters are declared below only for the OpenAPI schema (with the types and ranges a
client should send) and reach the view as plain strings: the same `parse_params` the page uses
reads them, so the page and the API accept and reject exactly the same input with the same
words. Lenient spellings the page takes (`54,9`, `free=да`, `after=15.30`) work here too.

Repeated single-valued parameters: the last one wins. Unknown parameters are ignored.
A page past the last one answers 200 with an empty `results` and the real `count`, so a
client paging until an empty page stops.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from kruzhok.analytics import collect
from kruzhok.api import params, schemas
from kruzhok.api.pagination import Page, envelope
from kruzhok.search import selectors
from kruzhok.search.params import MAX_RADIUS_KM, MAX_TEXT, SORTS, parse_params

_DEFAULT_RADIUS = selectors.DEFAULT_RADIUS_KM["point"]

router = Router(tags=["search"])


class SearchQuery(params.ActivityFilterQuery, params.PageQuery):
    q: Annotated[str | None, params.declared({"type": "string", "maxLength": MAX_TEXT})] = Field(
        None,
        description=(
            "что ищем, по-русски или по-английски; опечатки и раскладка исправляются / "
            "what to look for, in Russian or English; typos and keyboard layout are corrected"
        ),
    )
    where: Annotated[str | None, params.declared({"type": "string", "maxLength": MAX_TEXT})] = Field(
        None,
        description=(
            "где: адрес, улица, микрорайон или округ / where: an address, street, neighbourhood or okrug"
        ),
    )
    lat: Annotated[str | None, params.declared({"type": "number", "minimum": -90, "maximum": 90})] = Field(
        None,
        description="широта; только вместе с lon, важнее where / latitude; only with lon, overrides where",
    )
    lon: Annotated[str | None, params.declared({"type": "number", "minimum": -180, "maximum": 180})] = Field(
        None, description="долгота; только вместе с lat / longitude; only with lat"
    )
    radius_km: Annotated[
        str | None, params.declared({"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS_KM})
    ] = Field(
        None,
        description=(
            f"радиус вокруг места, км; без него — {_DEFAULT_RADIUS:g} км, а округ — своими границами / "
            f"radius around the place, km; without it {_DEFAULT_RADIUS:g} km, and an okrug is its own area"
        ),
    )
    sort: Annotated[
        str | None, params.declared({"type": "string", "enum": list(SORTS), "default": "best"})
    ] = Field(
        None,
        description=(
            "порядок: best — лучшие совпадения, near — ближе, price — дешевле, rating — выше оценка / "
            "order: best matches, nearest, cheapest, best rated"
        ),
    )


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


@router.get(
    "/search",
    response={
        200: schemas.SearchResponse,
        400: schemas.Error,
        422: schemas.ParameterErrors,
        **schemas.SHARED_RESPONSES,
    },
    url_name="search",
    operation_id="search",
    summary="Поиск занятий / Search activities",
    description=(
        "Те же параметры и те же правила, что у страницы /search/. Неверное значение — 422 с "
        "{error, detail, parameters}; нечитаемый запрос — 400. Повторённый одиночный параметр: "
        "действует последний; неизвестные параметры не учитываются. Страница за последней — 200 "
        "с пустым results и настоящим count. Текст (detail, label, messages) — по-русски, "
        "по-английски после выбора языка на сайте (cookie django_language=en).\n\n"
        "The same parameters and rules as the /search/ page. A bad value gives 422 with "
        "{error, detail, parameters}; an unreadable request gives 400. A repeated single-valued "
        "parameter: the last one counts; unknown parameters are ignored. A page past the last one "
        "gives 200 with an empty results and the real count. Texts (detail, label, messages) are "
        "Russian, English once chosen on the site (cookie django_language=en)."
    ),
)
def search(request: HttpRequest, query: Query[SearchQuery]) -> Status[dict[str, Any]]:
    if params.is_malformed(request):
        return params.malformed()
    search_params, found_problems = parse_params(request.GET)
    problems = list(found_problems)
    page = Page(search_params.page, params.page_size(request, problems))
    if problems:
        return params.invalid(problems)
    result = selectors.search(search_params, page_size=page.size)
    collect.count_search(
        request,
        source="api",
        params=search_params,
        results=result.count,
        corrected=bool(result.corrected_query),
    )
    past_the_end = search_params.page > result.page  # the selector shows the last page instead
    location = result.location
    cards = [] if past_the_end else [_card(request, card) for card in result.results]
    return Status(
        200,
        {
            **envelope(request, page, result.count, cards),
            "facets": result.facets,
            "location": {"lat": location.lat, "lon": location.lon, "label": location.label}
            if location
            else None,
            "corrected_query": result.corrected_query,
            "emptied_by": result.emptied_by,
            "relaxations": [
                {"kind": r.kind, "label": r.label, "query": r.query_string, "count": r.count}
                for r in result.relaxations
            ],
            "messages": result.messages,
        },
    )
