"""Public calendar pages and iCal feeds: parse, call a selector, render."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kruzhok.accounts import permissions
from kruzhok.api.selectors import data_version
from kruzhok.catalog.models import Organization
from kruzhok.core.emails import site_url
from kruzhok.core.seo import canonical_url
from kruzhok.events import ical, selectors
from kruzhok.events.models import Event
from kruzhok.events.structured_data import event_json_ld
from kruzhok.search.params import parse_params

VIEWS = ("list", "week", "month")
LIST_DAYS = 31
# A page shows at most this many occurrences (a city's month holds thousands): whole days up to
# the one the cap falls in, then a link to the following days.
PAGE_OCCURRENCES = 100
# A window's occurrences are kept this long for the same filters and the same data (the version
# changes with every write to events, organizations, venues and the catalog, and at midnight).
OCCURRENCES_CACHE_SECONDS = 60
FEED_PAST_DAYS = 90
FEED_MAX_EVENTS = 1000
# The filters of the shared search parameters that mean something for events.
EVENT_FILTERS = ("q", "age", "direction", "category", "district", "free")


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None
    return day if date(2000, 1, 1) <= day <= date(2100, 1, 1) else None


def _window(view: str, start: date | None, end: date | None) -> tuple[date, date, date, date]:
    """(first day, day after the last, previous window's start, next window's start)."""
    anchor = start or timezone.localdate()
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=7), first - timedelta(days=7), first + timedelta(days=7)
    if view == "month":
        first = anchor.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        return first, after, previous, after
    after = (
        end + timedelta(days=1) if end is not None and end >= anchor else anchor + timedelta(days=LIST_DAYS)
    )
    after = min(after, anchor + timedelta(days=selectors.MAX_WINDOW_DAYS))
    span = after - anchor
    return anchor, after, anchor - span, after


def _filter_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (name, value[:200]) for name in EVENT_FILTERS for value in request.GET.getlist(name)[:10] if value
    ]


def _one_page(
    found: list[selectors.Occurrence], first: date
) -> tuple[list[selectors.Occurrence], date | None, date | None]:
    """(the occurrences shown, the first day left for the next page, a day with more than a page).

    `found` holds at most PAGE_OCCURRENCES + 1, so one more than fits says the window has more:
    the page then ends with the last whole day before the one the cap falls in. When that day is
    the first one, its first PAGE_OCCURRENCES are shown and the page says that day has more."""
    if len(found) <= PAGE_OCCURRENCES:
        return found, None, None
    cut = max(found[PAGE_OCCURRENCES].local_date, first)
    whole_days = [o for o in found[:PAGE_OCCURRENCES] if max(o.local_date, first) < cut]
    if whole_days:
        return whole_days, cut, None
    return found[:PAGE_OCCURRENCES], cut + timedelta(days=1), cut


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    params, errors = parse_params(request.GET)
    view = request.GET.get("view", "list")
    if view not in VIEWS:
        view = "list"
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
    first, after, previous, following = _window(view, start, end)
    pairs = _filter_pairs(request)
    # Keyed by what the selector reads of the parameters, not by the query string's spelling.
    asked = repr((params.q, params.age, params.direction, params.categories, params.district, params.free))
    digest = hashlib.sha1(asked.encode(), usedforsecurity=False).hexdigest()
    key = f"events:page:{data_version('events').token}:{first}:{after}:{digest}"
    rows = cache.get(key)
    if rows is not None:
        found = selectors.with_events(rows)
    else:
        found = selectors.occurrences(
            selectors.local_midnight(first),
            selectors.local_midnight(after),
            params,
            limit=PAGE_OCCURRENCES + 1,
        )
        # Ids and times only: model objects in a shared cache would outlive a migration.
        cache.set(key, [(o.event.pk, o.starts_at, o.ends_at) for o in found], OCCURRENCES_CACHE_SECONDS)
    found, shown_after, crowded_day = _one_page(found, first)

    def link(**changes: Any) -> str:
        values = {"view": view, **changes}
        return "?" + urlencode(pairs + [(k, str(v)) for k, v in values.items() if v])

    days: dict[date, list[selectors.Occurrence]] = {}
    for occurrence in found:
        day = max(occurrence.local_date, first)
        last = min(occurrence.last_local_date, (shown_after or after) - timedelta(days=1))
        while day <= last:
            days.setdefault(day, []).append(occurrence)
            day += timedelta(days=1)
    weeks: list[list[tuple[date, list[selectors.Occurrence]]]] = []
    if view in ("week", "month"):
        grid_start = first - timedelta(days=first.weekday())
        grid_end = after + timedelta(days=(7 - after.weekday()) % 7)
        day = grid_start
        while day < grid_end:
            weeks.append([(day + timedelta(days=i), days.get(day + timedelta(days=i), [])) for i in range(7)])
            day += timedelta(days=7)
    venues = {o.event.venue.pk: o.event.venue for o in found if o.event.venue and o.event.venue.has_point}
    context = {
        "view": view,
        "first": first,
        "last": after - timedelta(days=1),
        "occurrences": found,
        "days": sorted(days.items()),
        "weeks": weeks,
        "weekday_names": [_(name) for name in ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")],
        "today": timezone.localdate(),
        "params": params,
        "errors": errors,
        # More than a page holds: the days from `shown_after` on are on the next page.
        "shown_after": shown_after,
        "shown_until": shown_after - timedelta(days=1) if shown_after else None,
        "crowded_day": crowded_day,
        "more_url": link(view="list", **{"from": shown_after.isoformat()}) if shown_after else "",
        "previous_url": link(**{"from": previous.isoformat()}),
        "next_url": link(**{"from": following.isoformat()}),
        "view_urls": [
            (name, label, link(view=name, **{"from": first.isoformat()}))
            for name, label in (("list", _("Списком")), ("week", _("Неделя")), ("month", _("Месяц")))
        ],
        "feed_query": urlencode(pairs),
        # A window and its filters are what the page shows; anything else in the link is not.
        "canonical": canonical_url(request, keep=("view", "from", "to", *EVENT_FILTERS)),
        "venues": sorted(venues.values(), key=lambda v: v.address),
        "map_points": [{"lat": v.lat, "lon": v.lon, "label": v.address} for v in venues.values()],
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "events/list.html", context)


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_page(pk)
    if event is None:
        raise Http404(_("Событие не найдено."))
    upcoming = selectors.upcoming_for_event(event, now=timezone.now())
    context = {
        "event": event,
        "upcoming": upcoming,
        "structured_data": event_json_ld(event, next_start=upcoming[0].starts_at if upcoming else None),
        "can_edit": permissions.can_edit_organization(request.user, event.organization_id),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "events/detail.html", context)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _base() -> tuple[str, str]:
    """The UID host and the link base of a calendar: the site's own address, not the Host a
    request came by, so an event keeps one UID in every feed and mail."""
    base = site_url()
    return urlsplit(base).hostname or "localhost", base


@require_safe
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_page(pk)
    if event is None:
        raise Http404(_("Событие не найдено."))
    host, base = _base()
    return _ics(
        ical.events_calendar([event], name=event.title, host=host, base_url=base), f"event-{event.pk}.ics"
    )


def _feed_events(params: Any) -> list[Event]:
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    return selectors.events_for_feed(params, since=since, limit=FEED_MAX_EVENTS)


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    params, _errors = parse_params(request.GET)
    host, base = _base()
    body = ical.events_calendar(_feed_events(params), name=_("События · Кружок"), host=host, base_url=base)
    return _ics(body, "events.ics")


@require_safe
def organization_feed(request: HttpRequest, pk: int) -> HttpResponse:
    organization = Organization.objects.live().filter(pk=pk).first()
    if organization is None:
        raise Http404(_("Организация не найдена."))
    host, base = _base()
    events = selectors.events_matching().filter(organization=organization).order_by("starts_at", "id")
    body = ical.events_calendar(events[:FEED_MAX_EVENTS], name=organization.name, host=host, base_url=base)
    return _ics(body, f"organization-{organization.pk}.ics")


@require_safe
def activity_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.live_activity(pk)
    if activity is None:
        raise Http404(_("Занятие не найдено."))
    host, base = _base()
    return _ics(
        ical.activity_schedule_calendar(activity, host=host, base_url=base), f"activity-{activity.pk}.ics"
    )
