"""GET /api/v1/events (occurrences in a window of days) and /api/v1/events/<id>.

The window and the filters are the calendar page's (/events/): local Omsk days `from`..`to`
(by default today and the next 30 days), `q`, `age`, `direction`, `category`, `district`,
`free`, and here also `organization`. Recurring events are expanded by the calendar's own
selector, with its caps: a window of at most 400 days and 2,000 occurrences (`truncated` says
when the cap cut the list).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from kruzhok.api import errors, params, schemas, selectors, serialize
from kruzhok.api.pagination import Page, envelope
from kruzhok.events.views import EVENT_FILTERS, LIST_DAYS
from kruzhok.search.params import MAX_TEXT, ParamError

router = Router(tags=["events"])

SCOPES = {"events": "events", "event": "events"}


class EventsQuery(params.TaxonomyQuery, params.PageQuery):
    from_: Annotated[str | None, params.declared({"type": "string", "format": "date"})] = Field(
        None,
        alias="from",
        description="первый день ГГГГ-ММ-ДД, Омск; по умолчанию сегодня / first day YYYY-MM-DD, Omsk; today by default",
    )
    to: Annotated[str | None, params.declared({"type": "string", "format": "date"})] = Field(
        None,
        description=(
            f"последний день включительно; по умолчанию from + {LIST_DAYS - 1} дней; окно не длиннее "
            f"{selectors.MAX_WINDOW_DAYS} дней / last day, inclusive; by default from + {LIST_DAYS - 1} "
            f"days; a window of at most {selectors.MAX_WINDOW_DAYS} days"
        ),
    )
    q: Annotated[str | None, params.declared({"type": "string", "maxLength": MAX_TEXT})] = Field(
        None,
        description=(
            "часть названия события или его занятия / part of the title of the event or its activity"
        ),
    )
    organization: params.Id = Field(None, description="id организации / organization id")


def _window(request: HttpRequest, problems: list[ParamError]) -> tuple[Any, Any]:
    first = params.day(request, "from", problems)
    last = params.day(request, "to", problems)
    first = first or selectors.today()
    last = last or first + timedelta(days=LIST_DAYS - 1)
    if last < first:
        problems.append(ParamError("to", _("Последний день окна (to) не может быть раньше первого (from).")))
    elif (last - first).days + 1 > selectors.MAX_WINDOW_DAYS:
        problems.append(
            ParamError("to", _("Окно не длиннее %(days)d дней.") % {"days": selectors.MAX_WINDOW_DAYS})
        )
    return first, last


@router.get(
    "/events",
    response={
        200: schemas.EventPage,
        400: schemas.Error,
        422: schemas.ParameterErrors,
        **schemas.SHARED_RESPONSES,
    },
    url_name="events",
    operation_id="events",
    summary="События по дням / Events by day",
    description=(
        "Повторения событий, которые идут в окне дней from..to (время Омска), по времени начала; "
        "отменённые — с cancelled: true. Повторяющееся событие даёт запись на каждое повторение. "
        "Страницы: page, page_size (до 100).\n\nThe occurrences of events that run within the days "
        "from..to (Omsk time), by start time; cancelled ones with cancelled: true. A recurring event "
        "gives one item per occurrence. Pages: page, page_size (up to 100)."
    ),
)
def events(request: HttpRequest, query: Query[EventsQuery]) -> Status[dict[str, Any]]:
    if params.is_malformed(request):
        return params.malformed()
    shared, problems = params.shared(request, (*EVENT_FILTERS, "page"))
    page = Page(shared.page, params.page_size(request, problems))
    first, last = _window(request, problems)
    organization = params.object_id(request, "organization", problems)
    if problems:
        return params.invalid(problems)
    found = selectors.occurrences(first, last, shared, organization=organization)
    shown = found[page.offset : page.offset + page.size]
    links = serialize.Links(request)
    body = envelope(request, page, len(found), [serialize.occurrence(links, o) for o in shown])
    body.update(first_day=first, last_day=last, truncated=len(found) >= selectors.MAX_TOTAL_OCCURRENCES)
    return Status(200, body)


@router.get(
    "/events/{int:id}",
    response={200: schemas.EventDetail, 404: schemas.Error, **schemas.SHARED_RESPONSES},
    url_name="event",
    operation_id="event",
    summary="Событие / Event",
    description=(
        "Событие с правилом повторения и ближайшими датами.\n\nAn event with its recurrence rule and "
        "next dates."
    ),
)
def event(request: HttpRequest, id: int = params.path_id("id события / event id")) -> Status[dict[str, Any]]:
    found = selectors.event(id) if 1 <= id <= params.MAX_ID else None
    if found is None:
        return Status(404, errors.error_body(errors.NOT_FOUND, _("Событие не найдено.")))
    return Status(200, serialize.event_detail(serialize.Links(request), found, selectors.upcoming(found)))
