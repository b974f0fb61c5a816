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
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from kruzhok.api import errors, schemas
from kruzhok.catalog.models import AGE_MAX, AGE_MIN
from kruzhok.search import selectors
from kruzhok.search.params import (
    MAX_PAGE,
    MAX_RADIUS_KM,
    MAX_TEXT,
    PAGE_SIZE,
    SORTS,
    WEEKDAY_CODES,
    parse_params,
)

MAX_PAGE_SIZE = 100

_DEFAULT_RADIUS = selectors.DEFAULT_RADIUS_KM["point"]

router = Router(tags=["search"])


def _declared(schema: dict[str, Any]) -> Any:
    """A parameter read as text but shown in the schema with the type a client should send."""
    return WithJsonSchema(schema)


_HH_MM = r"^([01]?\d|2[0-3]):[0-5]\d$"
_Flag = Annotated[str | None, _declared({"type": "boolean"})]


class SearchQuery(Schema):
    q: Annotated[str | None, _declared({"type": "string", "maxLength": MAX_TEXT})] = Field(
        None,
        description=(
            "что ищем, по-русски или по-английски; опечатки и раскладка исправляются / "
            "what to look for, in Russian or English; typos and keyboard layout are corrected"
        ),
    )
    where: Annotated[str | None, _declared({"type": "string", "maxLength": MAX_TEXT})] = Field(
        None,
        description=(
            "где: адрес, улица, микрорайон или округ / where: an address, street, neighbourhood or okrug"
        ),
    )
    lat: Annotated[str | None, _declared({"type": "number", "minimum": -90, "maximum": 90})] = Field(
        None,
        description="широта; только вместе с lon, важнее where / latitude; only with lon, overrides where",
    )
    lon: Annotated[str | None, _declared({"type": "number", "minimum": -180, "maximum": 180})] = Field(
        None, description="долгота; только вместе с lat / longitude; only with lat"
    )
    radius_km: Annotated[
        str | None, _declared({"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS_KM})
    ] = Field(
        None,
        description=(
            f"радиус вокруг места, км; без него — {_DEFAULT_RADIUS:g} км, а округ — своими границами / "
            f"radius around the place, km; without it {_DEFAULT_RADIUS:g} km, and an okrug is its own area"
        ),
    )
    age: Annotated[str | None, _declared({"type": "integer", "minimum": AGE_MIN, "maximum": AGE_MAX})] = (
        Field(
            None,
            description=(
                "возраст ребёнка, полных лет: занятия, чей диапазон его включает / the child's age in years: "
                "activities whose age range includes it"
            ),
        )
    )
    direction: Annotated[str | None, _declared({"type": "string"})] = Field(
        None,
        description=(
            "слаг направленности: technical, science, sport, arts, tourism, social / direction slug"
        ),
    )
    category: Annotated[list[str], _declared({"type": "array", "items": {"type": "string"}})] = Field(
        [],
        description=(
            "слаг категории (football, chess, robotics…); можно несколько — подходит любая / category "
            "slug; repeatable, any of them matches"
        ),
    )
    district: Annotated[str | None, _declared({"type": "string"})] = Field(
        None, description="округ: название или слаг / okrug: its name or slug"
    )
    free: _Flag = Field(None, description="1 — только бесплатные / 1 = free ones only")
    ovz: _Flag = Field(None, description="1 — для детей с ОВЗ / 1 = adapted for children with disabilities")
    open: _Flag = Field(None, description="1 — набор открыт / 1 = enrollment open")
    day: Annotated[
        list[str], _declared({"type": "array", "items": {"type": "string", "enum": list(WEEKDAY_CODES)}})
    ] = Field(
        [],
        description=(
            "день недели mon…sun; можно несколько — подходит любой / weekday mon…sun; repeatable, any "
            "of them matches"
        ),
    )
    after: Annotated[str | None, _declared({"type": "string", "pattern": _HH_MM})] = Field(
        None,
        description=(
            "ЧЧ:ММ — занятие начинается не раньше (время Омска) / HH:MM, a session starts at or after "
            "(Omsk time)"
        ),
    )
    before: Annotated[str | None, _declared({"type": "string", "pattern": _HH_MM})] = Field(
        None,
        description=("ЧЧ:ММ — то же занятие кончается не позже / HH:MM, the same session ends at or before"),
    )
    sort: Annotated[str | None, _declared({"type": "string", "enum": list(SORTS), "default": "best"})] = (
        Field(
            None,
            description=(
                "порядок: best — лучшие совпадения, near — ближе, price — дешевле, rating — выше оценка / "
                "order: best matches, nearest, cheapest, best rated"
            ),
        )
    )
    page: Annotated[
        str | None, _declared({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})
    ] = Field(None, description="номер страницы с 1 / page number from 1")
    page_size: Annotated[
        str | None,
        _declared({"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE}),
    ] = Field(None, description=f"карточек на странице, 1–{MAX_PAGE_SIZE} / cards per page")


def _is_malformed(request: HttpRequest) -> bool:
    """Not UTF-8, or a NUL anywhere: Django would silently replace or keep such bytes."""
    raw = request.META.get("QUERY_STRING", "")
    try:
        data = raw.encode("iso-8859-1")  # WSGI hands the raw bytes over as latin-1 text
    except UnicodeEncodeError:
        data = raw.encode("utf-8")
    decoded = unquote_to_bytes(data.replace(b"+", b" "))
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in decoded


def _page_size(request: HttpRequest) -> int | None:
    values = request.GET.getlist("page_size")
    text = values[-1].strip() if values else ""
    if not text:
        return PAGE_SIZE
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE_SIZE:
        return None
    return int(text)


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
    response={200: schemas.SearchResponse, 400: schemas.Error, 422: schemas.ParameterErrors},
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
    if _is_malformed(request):
        return Status(
            400,
            errors.error_body(
                errors.MALFORMED_REQUEST, _("Параметры запроса должны быть в UTF-8 и без нулевых символов.")
            ),
        )
    params, problems = parse_params(request.GET)
    bad = [(problem.field, problem.message) for problem in problems]
    page_size = _page_size(request)
    if page_size is None:
        bad.append(
            ("page_size", _("Размер страницы — целое число от 1 до %(max)d.") % {"max": MAX_PAGE_SIZE})
        )
    if bad or page_size is None:
        return Status(
            422,
            errors.error_body(
                errors.INVALID_PARAMETER,
                " ".join(f"{name}: {message}" for name, message in bad),
                parameters=[{"name": name, "detail": message} for name, message in bad],
            ),
        )
    result = selectors.search(params, page_size=page_size)
    past_the_end = params.page > result.page  # the selector shows the last page instead
    location = result.location
    return Status(
        200,
        {
            "count": result.count,
            "page": params.page,
            "page_count": result.page_count,
            "page_size": page_size,
            "results": [] if past_the_end else [_card(request, card) for card in result.results],
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
