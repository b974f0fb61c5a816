"""Response shapes of the public API (DESIGN.md «JSON API v1»), described in Russian / English.

`Card`, `Location` and the facets are exactly the contract; the search response's other
fields (`page_count`, `page_size`, `next`, `previous`, `relaxations`, `emptied_by`, `messages`)
are additions that no contract field depends on. Every list pages the same way (`PageInfo`).

Times: `…_at` are UTC, `…_local` the same moments in Omsk time with their offset (ISO 8601).
"""

from __future__ import annotations

from datetime import date, datetime

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


class PageInfo(Schema):
    count: int = Field(..., description="найдено всего / total found")
    page: int = Field(
        ...,
        description=(
            "номер страницы; за последней страницей results пуст / page number; past the last page, "
            "results is empty"
        ),
    )
    page_count: int = Field(..., description="страниц всего, не меньше 1 / number of pages, at least 1")
    page_size: int = Field(..., description="записей на странице / items per page")
    next: str | None = Field(
        ..., description="следующая страница, абсолютный URL, или null / the next page, absolute URL, or null"
    )
    previous: str | None = Field(
        ...,
        description="предыдущая страница, абсолютный URL, или null / the previous page, absolute URL, or null",
    )


class SearchResponse(PageInfo):
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
            "invalid_parameter (422), too_many_requests (429), server_error (500) / error code"
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


# --- shared pieces ------------------------------------------------------------------------------


class Links(Schema):
    url: str = Field(
        ..., description="страница на сайте, абсолютный URL / the page on the site, absolute URL"
    )
    api_url: str = Field(
        ..., description="эта запись в API, абсолютный URL / this record in the API, absolute URL"
    )


class OrganizationLink(OrganizationRef, Links):
    pass


class ActivityLink(Links):
    id: int = Field(..., description="id занятия / activity id")
    title: str = Field(..., description="название занятия / activity title")


class VenueRef(Schema):
    id: int = Field(..., description="id площадки / venue id")
    name: str = Field(..., description="название площадки или пусто / venue name, or empty")
    address: str = Field(..., description="адрес / street address")
    city: str = Field(..., description="город / city")
    district: str = Field(..., description="округ или пусто / okrug, or empty")
    lat: float | None = Field(..., description="широта WGS84 или null / WGS84 latitude, or null")
    lon: float | None = Field(..., description="долгота WGS84 или null / WGS84 longitude, or null")
    api_url: str = Field(
        ..., description="площадка в API, абсолютный URL / the venue in the API, absolute URL"
    )


class Taxon(Schema):
    slug: str = Field(..., description="слаг / slug")
    name_ru: str = Field(..., description="название по-русски / Russian name")
    name_en: str = Field(..., description="название по-английски / English name")


# --- activities ---------------------------------------------------------------------------------


class ActivityItem(Links):
    id: int = Field(..., description="id занятия / activity id")
    external_id: str = Field(
        ..., description="id у поставщика данных или пусто / the data supplier's id, or empty"
    )
    title: str = Field(..., description="название / title")
    organization: OrganizationRef = Field(..., description="кто проводит / the provider")
    direction: str = Field(..., description="слаг направленности / direction slug")
    categories: list[str] = Field(..., description="слаги категорий / category slugs")
    age_min: int = Field(..., description="возраст от, лет / minimum age, years")
    age_max: int = Field(..., description="возраст до, лет (включительно) / maximum age, years (inclusive)")
    price_rub: int = Field(..., description="цена в месяц, ₽; 0 — бесплатно / monthly price, RUB; 0 = free")
    free: bool = Field(..., description="бесплатно / free of charge")
    format: str = Field(
        ..., description="group — в группе, individual — индивидуально, online — онлайн / format"
    )
    ovz: bool = Field(..., description="для детей с ОВЗ / adapted for children with disabilities")
    enrollment: str = Field(
        ...,
        description="набор: open — открыт, closed — закрыт, waitlist — лист ожидания / enrollment status",
    )
    district: str = Field(..., description="округ или пусто / okrug, or empty")
    address: str = Field(..., description="адрес или пусто (онлайн) / address, or empty (online)")
    lat: float | None = Field(..., description="широта WGS84 или null / WGS84 latitude, or null")
    lon: float | None = Field(..., description="долгота WGS84 или null / WGS84 longitude, or null")
    rating: float | None = Field(
        ..., description="средняя оценка 1–5; null, если оценок нет / average rating 1–5; null if none"
    )
    updated_at: datetime = Field(
        ...,
        description=(
            "когда запись правили в последний раз, UTC (оценки не в счёт) / when the entry was last "
            "edited, UTC (ratings do not count)"
        ),
    )


class ActivityPage(PageInfo):
    results: list[ActivityItem] = Field(..., description="занятия по порядку id / activities in id order")


class Slot(Schema):
    weekday: str = Field(..., description="день недели mon…sun / weekday mon…sun")
    starts_at: str = Field(..., description="начало ЧЧ:ММ, время Омска / start HH:MM, Omsk time")
    ends_at: str = Field(..., description="конец ЧЧ:ММ, время Омска / end HH:MM, Omsk time")


class GroupOut(Schema):
    id: int = Field(..., description="id группы / group id")
    name: str = Field(..., description="название группы или пусто / group name, or empty")
    age_min: int | None = Field(..., description="возраст от или null / minimum age, or null")
    age_max: int | None = Field(..., description="возраст до или null / maximum age, or null")
    teacher: str = Field(..., description="педагог или пусто / teacher, or empty")
    slots: list[Slot] = Field(..., description="еженедельное расписание по дням / weekly schedule by weekday")


class ActivityDetail(Links):
    id: int = Field(..., description="id занятия / activity id")
    external_id: str = Field(
        ..., description="id у поставщика данных или пусто / the data supplier's id, or empty"
    )
    title: str = Field(..., description="название / title")
    description: str = Field(..., description="описание, простой текст / description, plain text")
    organization: OrganizationLink = Field(..., description="кто проводит / the provider")
    venue: VenueRef | None = Field(
        ..., description="где; null — онлайн или не указано / where; null if online or unknown"
    )
    direction: Taxon = Field(..., description="направленность / direction")
    categories: list[Taxon] = Field(..., description="категории / categories")
    tags: list[str] = Field(
        ...,
        description=(
            "метки поставщика, которых нет среди категорий / the supplier's labels that are not categories"
        ),
    )
    age_min: int = Field(..., description="возраст от, лет / minimum age, years")
    age_max: int = Field(..., description="возраст до, лет (включительно) / maximum age, years (inclusive)")
    price_rub: int = Field(..., description="цена в месяц, ₽; 0 — бесплатно / monthly price, RUB; 0 = free")
    price_note: str = Field(..., description="о цене или пусто / a note on the price, or empty")
    free: bool = Field(..., description="бесплатно / free of charge")
    format: str = Field(
        ..., description="group — в группе, individual — индивидуально, online — онлайн / format"
    )
    ovz: bool = Field(..., description="для детей с ОВЗ / adapted for children with disabilities")
    enrollment: str = Field(
        ...,
        description="набор: open — открыт, closed — закрыт, waitlist — лист ожидания / enrollment status",
    )
    phone: str = Field(
        ..., description="телефон занятия или организации / phone of the activity or its organization"
    )
    email: str = Field(
        ..., description="эл. почта занятия или организации / email of the activity or its organization"
    )
    website: str = Field(
        ..., description="сайт занятия или организации / website of the activity or its organization"
    )
    groups: list[GroupOut] = Field(..., description="группы с расписанием / groups with their schedules")
    schedule_ical_url: str = Field(
        ..., description="расписание в iCalendar, абсолютный URL / the schedule as iCalendar, absolute URL"
    )
    rating: float | None = Field(
        ..., description="средняя оценка 1–5; null, если оценок нет / average rating 1–5; null if none"
    )
    rating_count: int = Field(..., description="число оценок / number of ratings")
    verified_at: datetime | None = Field(
        ...,
        description=(
            "когда организатор подтвердил данные, UTC, или null / when the provider confirmed the data, "
            "UTC, or null"
        ),
    )
    updated_at: datetime = Field(
        ..., description="когда запись правили в последний раз, UTC / when the entry was last edited, UTC"
    )


# --- organizations and venues ----------------------------------------------------------------------


class OrganizationItem(OrganizationRef, Links):
    kind: str = Field(
        ...,
        description=(
            "public — государственная или муниципальная, private — частная, ngo — некоммерческая, "
            "individual — частный педагог / kind"
        ),
    )
    verified: bool = Field(..., description="организация подтверждена / the organization is verified")
    activity_count: int = Field(..., description="опубликованных занятий / published activities")
    updated_at: datetime = Field(..., description="когда правили в последний раз, UTC / last edited, UTC")


class OrganizationPage(PageInfo):
    results: list[OrganizationItem] = Field(
        ..., description="организации по порядку id / organizations in id order"
    )


class Department(Schema):
    slug: str = Field(..., description="слаг департамента / department slug")
    name: str = Field(..., description="название департамента / department name")


class OrganizationDetail(OrganizationItem):
    department: Department | None = Field(
        ..., description="департамент или null / the city department, or null"
    )
    inn: str = Field(..., description="ИНН или пусто / taxpayer number (INN), or empty")
    description: str = Field(..., description="об организации, простой текст / about, plain text")
    phone: str = Field(..., description="телефон или пусто / phone, or empty")
    email: str = Field(
        ..., description="эл. почта организации или пусто / the organization's email, or empty"
    )
    website: str = Field(..., description="сайт или пусто / website, or empty")
    verified_at: datetime | None = Field(
        ...,
        description="когда данные подтверждены, UTC, или null / when the data was confirmed, UTC, or null",
    )
    venues: list[VenueRef] = Field(..., description="адреса организации / the organization's venues")
    activities_url: str = Field(
        ...,
        description=("её занятия в API (GET /api/v1/activities?organization=id) / its activities in the API"),
    )
    events_url: str = Field(
        ..., description="её события в API (GET /api/v1/events?organization=id) / its events in the API"
    )
    events_ical_url: str = Field(
        ..., description="её события в iCalendar, абсолютный URL / its events as iCalendar, absolute URL"
    )


class VenueItem(VenueRef):
    organization: OrganizationRef = Field(..., description="чья площадка / whose venue")
    updated_at: datetime = Field(..., description="когда правили в последний раз, UTC / last edited, UTC")


class VenuePage(PageInfo):
    results: list[VenueItem] = Field(..., description="площадки по порядку id / venues in id order")


class VenueDetail(VenueItem):
    activity_count: int = Field(..., description="опубликованных занятий здесь / published activities here")
    activities_url: str = Field(
        ..., description="занятия здесь в API (GET /api/v1/activities?venue=id) / activities here in the API"
    )


# --- events ----------------------------------------------------------------------------------------


class Times(Schema):
    starts_at: datetime = Field(..., description="начало, UTC / start, UTC")
    ends_at: datetime = Field(..., description="конец, UTC / end, UTC")
    starts_at_local: datetime = Field(..., description="начало, время Омска / start, Omsk time")
    ends_at_local: datetime = Field(
        ...,
        description=(
            "конец, время Омска; у события на весь день — полночь после последнего дня / end, Omsk time; "
            "for an all-day event, midnight after its last day"
        ),
    )


class EventBase(Links):
    title: str = Field(..., description="название / title")
    kind: str = Field(
        ...,
        description=(
            "open_day — день открытых дверей, competition — соревнование, concert — концерт, "
            "master_class — мастер-класс, other — другое / kind"
        ),
    )
    cancelled: bool = Field(..., description="отменено / cancelled")
    all_day: bool = Field(..., description="на весь день / all-day")
    recurring: bool = Field(..., description="повторяется / recurring")
    organization: OrganizationRef = Field(..., description="кто проводит / the organizer")
    activity: ActivityLink | None = Field(
        ..., description="связанное занятие или null / the related activity, or null"
    )
    venue: VenueRef | None = Field(..., description="где или null / where, or null")
    age_min: int | None = Field(..., description="возраст от или null / minimum age, or null")
    age_max: int | None = Field(..., description="возраст до или null / maximum age, or null")
    price_rub: int = Field(..., description="цена, ₽; 0 — бесплатно / price, RUB; 0 = free")
    free: bool = Field(..., description="бесплатно / free of charge")


class Occurrence(EventBase, Times):
    event_id: int = Field(..., description="id события / event id")


class EventPage(PageInfo):
    first_day: date = Field(..., description="первый день окна, Омск / the window's first day, Omsk")
    last_day: date = Field(..., description="последний день окна, Омск / the window's last day, Omsk")
    truncated: bool = Field(
        ...,
        description=(
            "в окне больше повторений, чем отдаётся за раз: сузьте окно или фильтры / the window holds "
            "more occurrences than one answer lists: narrow the window or the filters"
        ),
    )
    results: list[Occurrence] = Field(
        ..., description="повторения событий по времени начала / event occurrences by start time"
    )


class EventDetail(EventBase, Times):
    id: int = Field(..., description="id события / event id")
    description: str = Field(..., description="описание / description")
    rrule: str = Field(
        ..., description="правило повторения RRULE (RFC 5545) или пусто / recurrence rule, or empty"
    )
    exdates: list[date] = Field(..., description="даты без повторения, Омск / dates the rule skips, Omsk")
    ical_url: str = Field(..., description="событие в iCalendar, абсолютный URL / the event as iCalendar")
    updated_at: datetime = Field(..., description="когда правили в последний раз, UTC / last edited, UTC")
    upcoming: list[Times] = Field(
        ...,
        description=(
            "ближайшие повторения (до 10; время первого — в полях выше) / the next occurrences (up to 10; "
            "the fields above give the first one)"
        ),
    )


# --- taxonomy -------------------------------------------------------------------------------------


class DirectionItem(Taxon):
    url: str = Field(..., description="страница на сайте, абсолютный URL / the page on the site")
    activity_count: int = Field(..., description="опубликованных занятий / published activities")


class CategoryItem(Taxon):
    direction: str = Field(..., description="слаг направленности / direction slug")
    url: str = Field(..., description="страница на сайте, абсолютный URL / the page on the site")
    activity_count: int = Field(..., description="опубликованных занятий / published activities")


class OkrugItem(Schema):
    slug: str = Field(..., description="слаг округа / okrug slug")
    name: str = Field(..., description="название / name")
    lat: float = Field(..., description="широта центра / latitude of its centre")
    lon: float = Field(..., description="долгота центра / longitude of its centre")
    url: str = Field(..., description="страница на сайте, абсолютный URL / the page on the site")
    activity_count: int = Field(..., description="опубликованных занятий / published activities")


class DirectionList(Schema):
    count: int = Field(..., description="сколько всего / how many")
    results: list[DirectionItem] = Field(..., description="направленности по порядку / directions in order")


class CategoryList(Schema):
    count: int = Field(..., description="сколько всего / how many")
    results: list[CategoryItem] = Field(
        ..., description="категории по направленностям и названиям / categories by direction and name"
    )


class OkrugList(Schema):
    count: int = Field(..., description="сколько всего / how many")
    results: list[OkrugItem] = Field(..., description="округа города по названию / the city's okrugs by name")


# Answers any GET may give besides its own (kruzhok.api.http): 304 to a conditional request whose
# data has not changed, 429 over the rate limit.
SHARED_RESPONSES: dict[int, type[Schema] | None] = {304: None, 429: Error}
