"""Response shapes of the public API (DESIGN.md «JSON API v1»), described in Russian / English.

`Card`, `Location` and the facets are exactly the contract; the search response's other
fields (`page_count`, `page_size`, `relaxations`, `emptied_by`, `messages`) are additions that
no contract field depends on.
"""

from __future__ import annotations

from ninja import Field, Schema


class OrganizationRef(Schema):
    id: int = Field(..., description="id организации / organization id")
    name: str = Field(..., description="название организации / organization name")


class Card(Schema):
    id: int = Field(..., description="id занятия / activity id")
    external_id: str = Field(
        ..., description="id у поставщика данных или пусто / the data supplier's id, or empty"
    )
    title: str = Field(..., description="название / title")
    url: str = Field(..., description="страница занятия, абсолютный URL / the activity page, absolute URL")
    organization: OrganizationRef = Field(..., description="кто проводит / the provider")
    direction: str = Field(..., description="слаг направленности / direction slug")
    categories: list[str] = Field(..., description="слаги категорий / category slugs")
    age_min: int = Field(..., description="возраст от, лет / minimum age, years")
    age_max: int = Field(..., description="возраст до, лет (включительно) / maximum age, years (inclusive)")
    price_rub: int = Field(..., description="цена в месяц, ₽; 0 — бесплатно / monthly price, RUB; 0 = free")
    free: bool = Field(..., description="бесплатно / free of charge")
    district: str = Field(..., description="округ или пусто / okrug, or empty")
    address: str = Field(..., description="адрес или пусто (онлайн) / address, or empty (online)")
    lat: float | None = Field(..., description="широта WGS84 или null / WGS84 latitude, or null")
    lon: float | None = Field(..., description="долгота WGS84 или null / WGS84 longitude, or null")
    distance_km: float | None = Field(
        ...,
        description=(
            "расстояние от места поиска, км; null без места / distance from the place searched, km; "
            "null without a place"
        ),
    )
    rating: float | None = Field(
        ..., description="средняя оценка 1–5; null, если оценок нет / average rating 1–5; null if none"
    )


class Location(Schema):
    lat: float = Field(..., description="широта места поиска / latitude of the place searched")
    lon: float = Field(..., description="долгота места поиска / longitude of the place searched")
    label: str = Field(..., description="как понято место / how the place was understood")


class Facets(Schema):
    direction: dict[str, int] = Field(
        ..., description="слаг направленности → число занятий / direction slug → activities"
    )
    category: dict[str, int] = Field(
        ..., description="слаг категории → число занятий / category slug → activities"
    )
    district: dict[str, int] = Field(
        ..., description="название округа → число занятий / okrug name → activities"
    )


class Relaxation(Schema):
    kind: str = Field(
        ...,
        description=(
            "radius — шире радиус, drop — без одного из условий, query — короче запрос / "
            "radius = a wider radius, drop = without one condition, query = a shorter query"
        ),
    )
    label: str = Field(..., description="что изменится, для человека / what changes, for a person")
    query: str = Field(
        ...,
        description=(
            "параметры поиска с этим изменением (без «?»): GET /api/v1/search?{query} / "
            "the search parameters with the change (no «?»)"
        ),
    )
    count: int = Field(..., description="сколько тогда найдётся (больше 0) / how many it finds (over 0)")


class SearchResponse(Schema):
    count: int = Field(..., description="найдено всего / total found")
    page: int = Field(
        ...,
        description=(
            "номер страницы; за последней страницей results пуст / page number; past the last page, "
            "results is empty"
        ),
    )
    page_count: int = Field(..., description="страниц всего, не меньше 1 / number of pages, at least 1")
    page_size: int = Field(..., description="карточек на странице / cards per page")
    results: list[Card] = Field(..., description="карточки занятий по порядку / activity cards in order")
    facets: Facets = Field(
        ...,
        description=(
            "сколько найдётся при выборе значения; каждый фасет считается при всех остальных фильтрах / "
            "counts per value, each facet under every other active filter"
        ),
    )
    location: Location | None = Field(..., description="место поиска или null / the place searched, or null")
    corrected_query: str | None = Field(
        ...,
        description=(
            "исправленный запрос, по которому искали, или null / the corrected query that was searched, "
            "or null"
        ),
    )
    emptied_by: str | None = Field(
        ...,
        description=(
            "при пустом результате: какое условие его опустошило / with no results: the condition that "
            "emptied them"
        ),
    )
    relaxations: list[Relaxation] = Field(
        ...,
        description=(
            "при пустом результате: как ближе всего расширить поиск / with no results: the nearest ways "
            "to widen the search"
        ),
    )
    messages: list[str] = Field(
        ...,
        description=(
            "замечания для человека (например, место не найдено) / notes for a person (e.g. the place "
            "was not found)"
        ),
    )


class Error(Schema):
    error: str = Field(
        ...,
        description=(
            "код: malformed_request (400), not_found (404), method_not_allowed (405), "
            "invalid_parameter (422), server_error (500) / error code"
        ),
    )
    detail: str = Field(
        ..., description="что не так, на языке пользователя / what is wrong, in the user's language"
    )


class ParameterError(Schema):
    name: str = Field(..., description="имя параметра / parameter name")
    detail: str = Field(..., description="что не так / what is wrong")


class ParameterErrors(Error):
    parameters: list[ParameterError] = Field(
        ..., description="каждый неверный параметр / every invalid parameter"
    )
