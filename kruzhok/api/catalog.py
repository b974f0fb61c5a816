"""GET /api/v1/activities, /organizations, /venues (lists and one by id), /directions,
/categories, /okrugs: the public catalog as JSON.

Parameters are read as the search reads them (see `params`): the same filters with the same
words, every bad parameter named in one 422, unknown parameters ignored, a repeated
single-valued parameter decided by its last value. An id that names nothing public (a draft,
an archived entry, a number too large for any row) is a 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from kruzhok.api import errors, params, schemas, selectors, serialize
from kruzhok.api.pagination import Page, paged
from kruzhok.catalog.models import Organization
from kruzhok.search.params import ParamError

router = Router(tags=["catalog"])

# Which data each answer reads, for its ETag (kruzhok.api.http); keyed by URL name.
SCOPES = {
    "activities": "activities",
    "activity": "activities",
    "directions": "activities",
    "categories": "activities",
    "okrugs": "activities",
    "organizations": "organizations",
    "organization": "organizations",
    "venues": "organizations",
    "venue": "organizations",
}

LIST_ERRORS: dict[int, Any] = {400: schemas.Error, 422: schemas.ParameterErrors, **schemas.SHARED_RESPONSES}
ONE_ERRORS: dict[int, Any] = {404: schemas.Error, **schemas.SHARED_RESPONSES}
ACTIVITY_FILTERS = (
    "age",
    "direction",
    "category",
    "district",
    "free",
    "ovz",
    "open",
    "day",
    "after",
    "before",
)

_LIST_RULES = (
    "Страницы: page, page_size (до 100); в ответе count, page_count, next, previous. Порядок — по id. "
    "Неверный параметр — 422 со списком parameters; неизвестные параметры не учитываются.\n\n"
    "Pages: page, page_size (up to 100); the answer has count, page_count, next, previous. Ordered by "
    "id. A bad parameter gives 422 listing parameters; unknown parameters are ignored."
)


def _not_found(message: str) -> Status[dict[str, Any]]:
    return Status(404, errors.error_body(errors.NOT_FOUND, message))


# --- activities ----------------------------------------------------------------------------------


class ActivitiesQuery(params.ActivityFilterQuery, params.PageQuery):
    organization: params.Id = Field(None, description="id организации / organization id")
    venue: params.Id = Field(None, description="id площадки / venue id")
    updated_since: params.UpdatedSince = params.UPDATED_SINCE_FIELD


@router.get(
    "/activities",
    response={200: schemas.ActivityPage, **LIST_ERRORS},
    url_name="activities",
    operation_id="activities",
    summary="Занятия / Activities",
    description=(
        "Опубликованные занятия с фильтрами поиска (без текста и места: для них /search) и фильтрами "
        "по организации, площадке и дате изменения.\n\nPublished activities with the search's filters "
        "(without text and place: use /search for those) and filters by organization, venue and the "
        f"time of the last change.\n\n{_LIST_RULES}"
    ),
)
def activities(request: HttpRequest, query: Query[ActivitiesQuery]) -> Status[dict[str, Any]]:
    if params.is_malformed(request):
        return params.malformed()
    shared, problems = params.shared(request, (*ACTIVITY_FILTERS, "page"))
    page = Page(shared.page, params.page_size(request, problems))
    filters = selectors.ActivityFilters(
        params=shared,
        organization=params.object_id(request, "organization", problems),
        venue=params.object_id(request, "venue", problems),
        updated_since=params.moment(request, "updated_since", problems),
    )
    if problems:
        return params.invalid(problems)
    links = serialize.Links(request)
    return Status(
        200,
        paged(
            request,
            page,
            selectors.activities(filters),
            selectors.activity_rows,
            lambda row: serialize.activity_item(links, row),
        ),
    )


@router.get(
    "/activities/{int:id}",
    response={200: schemas.ActivityDetail, **ONE_ERRORS},
    url_name="activity",
    operation_id="activity",
    summary="Занятие / Activity",
    description=(
        "Всё о занятии: описание, организация, площадка, группы с расписанием, цена, возраст, набор, "
        "контакты, проверка данных.\n\nEverything about an activity: description, organization, venue, "
        "groups with their weekly schedules, price, ages, enrollment, contacts, data verification."
    ),
)
def activity(
    request: HttpRequest, id: int = params.path_id("id занятия / activity id")
) -> Status[dict[str, Any]]:
    found = selectors.activity(id) if 1 <= id <= params.MAX_ID else None
    if found is None:
        return _not_found(_("Занятие не найдено."))
    return Status(200, serialize.activity_detail(serialize.Links(request), found))


# --- organizations ------------------------------------------------------------------------------

_KINDS = [kind.value for kind in Organization.Kind]


class OrganizationsQuery(params.PageQuery):
    kind: Annotated[str | None, params.declared({"type": "string", "enum": _KINDS})] = Field(
        None,
        description=("public, private, ngo или individual / public, private, ngo or individual"),
    )
    district: params.Text = Field(
        None, description="округ, где у организации есть площадка / okrug where it has a venue"
    )
    updated_since: params.UpdatedSince = params.UPDATED_SINCE_FIELD


def _kind(request: HttpRequest, problems: list[ParamError]) -> str:
    values = request.GET.getlist("kind")
    kind = values[-1].strip() if values else ""
    if kind and kind not in _KINDS:
        problems.append(
            ParamError("kind", _("Вид организации — один из: %(kinds)s.") % {"kinds": ", ".join(_KINDS)})
        )
        return ""
    return kind


@router.get(
    "/organizations",
    response={200: schemas.OrganizationPage, **LIST_ERRORS},
    url_name="organizations",
    operation_id="organizations",
    summary="Организации / Organizations",
    description=f"Опубликованные организации.\n\nPublished organizations.\n\n{_LIST_RULES}",
)
def organizations(request: HttpRequest, query: Query[OrganizationsQuery]) -> Status[dict[str, Any]]:
    if params.is_malformed(request):
        return params.malformed()
    shared, problems = params.shared(request, ("district", "page"))
    page = Page(shared.page, params.page_size(request, problems))
    filters = selectors.OrganizationFilters(
        kind=_kind(request, problems),
        district=shared.district,
        updated_since=params.moment(request, "updated_since", problems),
    )
    if problems:
        return params.invalid(problems)
    links = serialize.Links(request)
    return Status(
        200,
        paged(
            request,
            page,
            selectors.organizations(filters),
            selectors.organization_rows,
            lambda row: serialize.organization_item(links, row),
        ),
    )


@router.get(
    "/organizations/{int:id}",
    response={200: schemas.OrganizationDetail, **ONE_ERRORS},
    url_name="organization",
    operation_id="organization",
    summary="Организация / Organization",
    description=(
        "Организация с контактами и адресами; её занятия — по ссылке activities_url, события — "
        "events_url.\n\nAn organization with its contacts and venues; its activities are at "
        "activities_url, its events at events_url."
    ),
)
def organization(
    request: HttpRequest, id: int = params.path_id("id организации / organization id")
) -> Status[dict[str, Any]]:
    found = selectors.organization(id) if 1 <= id <= params.MAX_ID else None
    if found is None:
        return _not_found(_("Организация не найдена."))
    links = serialize.Links(request)
    return Status(200, serialize.organization_detail(links, found, selectors.organization_venues(found)))


# --- venues -------------------------------------------------------------------------------------


class VenuesQuery(params.PageQuery):
    organization: params.Id = Field(None, description="id организации / organization id")
    district: params.Text = Field(None, description="округ: название или слаг / okrug: its name or slug")
    updated_since: params.UpdatedSince = params.UPDATED_SINCE_FIELD


@router.get(
    "/venues",
    response={200: schemas.VenuePage, **LIST_ERRORS},
    url_name="venues",
    operation_id="venues",
    summary="Площадки / Venues",
    description=(
        f"Адреса опубликованных организаций.\n\nThe venues of published organizations.\n\n{_LIST_RULES}"
    ),
)
def venues(request: HttpRequest, query: Query[VenuesQuery]) -> Status[dict[str, Any]]:
    if params.is_malformed(request):
        return params.malformed()
    shared, problems = params.shared(request, ("district", "page"))
    page = Page(shared.page, params.page_size(request, problems))
    filters = selectors.VenueFilters(
        organization=params.object_id(request, "organization", problems),
        district=shared.district,
        updated_since=params.moment(request, "updated_since", problems),
    )
    if problems:
        return params.invalid(problems)
    links = serialize.Links(request)
    return Status(
        200,
        paged(
            request,
            page,
            selectors.venues(filters),
            selectors.venue_rows,
            lambda row: serialize.venue_item(links, row),
        ),
    )


@router.get(
    "/venues/{int:id}",
    response={200: schemas.VenueDetail, **ONE_ERRORS},
    url_name="venue",
    operation_id="venue",
    summary="Площадка / Venue",
    description="Площадка и число занятий на ней.\n\nA venue and how many activities it hosts.",
)
def venue(request: HttpRequest, id: int = params.path_id("id площадки / venue id")) -> Status[dict[str, Any]]:
    found = selectors.venue(id) if 1 <= id <= params.MAX_ID else None
    if found is None:
        return _not_found(_("Площадка не найдена."))
    return Status(200, serialize.venue_detail(serialize.Links(request), found))


# --- taxonomy -------------------------------------------------------------------------------------

_TAXONOMY = (
    "Небольшой список целиком, без страниц; activity_count — как в фасетах поиска.\n\n"
    "A short list in full, without pages; activity_count is as in the search's facets."
)


@router.get(
    "/directions",
    response={200: schemas.DirectionList, **schemas.SHARED_RESPONSES},
    url_name="directions",
    operation_id="directions",
    summary="Направленности / Directions",
    description=f"Шесть направленностей дополнительного образования.\n\nThe six directions.\n\n{_TAXONOMY}",
)
def directions(request: HttpRequest) -> Status[dict[str, Any]]:
    counts = selectors.catalog_facets()["direction"]
    links = serialize.Links(request)
    items = [serialize.direction_item(links, d, counts.get(d.slug, 0)) for d in selectors.directions()]
    return Status(200, {"count": len(items), "results": items})


@router.get(
    "/categories",
    response={200: schemas.CategoryList, **schemas.SHARED_RESPONSES},
    url_name="categories",
    operation_id="categories",
    summary="Категории / Categories",
    description=f"Категории занятий внутри направленностей.\n\nActivity categories within directions.\n\n{_TAXONOMY}",
)
def categories(request: HttpRequest) -> Status[dict[str, Any]]:
    counts = selectors.catalog_facets()["category"]
    links = serialize.Links(request)
    items = [serialize.category_item(links, c, counts.get(c.slug, 0)) for c in selectors.categories()]
    return Status(200, {"count": len(items), "results": items})


@router.get(
    "/okrugs",
    response={200: schemas.OkrugList, **schemas.SHARED_RESPONSES},
    url_name="okrugs",
    operation_id="okrugs",
    summary="Округа / Okrugs",
    description=f"Административные округа города.\n\nThe city's administrative okrugs.\n\n{_TAXONOMY}",
)
def okrugs(request: HttpRequest) -> Status[dict[str, Any]]:
    counts = selectors.catalog_facets()["district"]
    links = serialize.Links(request)
    items = [serialize.okrug_item(links, o, counts.get(o.name, 0)) for o in selectors.okrugs()]
    return Status(200, {"count": len(items), "results": items})
