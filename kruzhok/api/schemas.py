"""Response shapes of the public API (DESIGN.md «JSON API v1»); field descriptions in Russian / English."""

from __future__ import annotations

from ninja import Field, Schema


class OrganizationRef(Schema):
    id: int = Field(..., description="id организации / organization id")
    name: str = Field(..., description="название / name")


class Card(Schema):
    id: int = Field(..., description="id занятия / activity id")
    external_id: str = Field(..., description="id у поставщика данных / the data supplier's id")
    title: str = Field(..., description="название / title")
    url: str = Field(..., description="страница занятия (абсолютный URL) / the activity page (absolute URL)")
    organization: OrganizationRef
    direction: str = Field(..., description="слаг направленности / direction slug")
    categories: list[str] = Field(..., description="слаги категорий / category slugs")
    age_min: int = Field(..., description="возраст от, лет / minimum age, years")
    age_max: int = Field(..., description="возраст до, лет / maximum age, years")
    price_rub: int = Field(..., description="цена в месяц, ₽ (0 — бесплатно) / monthly price, RUB (0 = free)")
    free: bool = Field(..., description="бесплатно / free of charge")
    district: str = Field(..., description="округ или пусто / okrug or empty")
    address: str = Field(..., description="адрес или пусто (онлайн) / address or empty (online)")
    lat: float | None = Field(..., description="широта WGS84 / latitude")
    lon: float | None = Field(..., description="долгота WGS84 / longitude")
    distance_km: float | None = Field(
        ...,
        description="расстояние от места поиска, км; null без места / distance from the place searched, km",
    )
    rating: float | None = Field(..., description="средняя оценка 1–5 или null / average rating 1–5 or null")


class Location(Schema):
    lat: float
    lon: float
    label: str = Field(..., description="как понято место поиска / how the place was understood")


class Facets(Schema):
    direction: dict[str, int] = Field(..., description="слаг → число / slug → count")
    category: dict[str, int] = Field(..., description="слаг → число / slug → count")
    district: dict[str, int] = Field(..., description="округ → число / okrug → count")


class Relaxation(Schema):
    kind: str = Field(..., description="radius | drop | query")
    label: str
    query: str = Field(
        ..., description="параметры поиска, которые её применяют / the search parameters that apply it"
    )
    count: int


class SearchResponse(Schema):
    count: int = Field(..., description="найдено всего / total found")
    page: int = Field(..., description="номер страницы / page number")
    page_count: int = Field(..., description="страниц всего / number of pages")
    results: list[Card]
    facets: Facets
    location: Location | None
    corrected_query: str | None = Field(
        ..., description="исправленный запрос, если исправлен / the corrected query when it was corrected"
    )
    relaxations: list[Relaxation] = Field(
        ...,
        description="при пустом результате: как расширить поиск / with no results: how to widen the search",
    )


class Error(Schema):
    error: str = Field(..., description="код ошибки / error code")
    detail: str = Field(
        ..., description="что не так, на языке пользователя / what is wrong, in the user's language"
    )
