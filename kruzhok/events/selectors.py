"""Reads for the calendar: which events, and their occurrences inside a date window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from kruzhok.catalog.models import Activity, Organization
from kruzhok.core.text import fold
from kruzhok.events.models import Event
from kruzhok.events.recurrence import local_zone, occurrence_starts
from kruzhok.search.params import SearchParams

MAX_WINDOW_DAYS = 400
MAX_TOTAL_OCCURRENCES = 2000


@dataclass(frozen=True)
class Occurrence:
    event: Event
    starts_at: datetime  # aware, UTC
    ends_at: datetime

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(local_zone())

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(local_zone())

    @property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def last_local_date(self) -> date:
        """The last day it covers (an all-day event ends at midnight after its last day)."""
        return (self.local_end - timedelta(microseconds=1)).date()


def event_mentions(event: Event, needle: str) -> bool:
    """`q` for events: a folded substring of the event's or its published activity's title (a
    draft's title must not be guessable through the events it has)."""
    activity = event.activity
    return mentions(
        needle, event.title, activity.title if activity else "", activity.status if activity else ""
    )


def mentions(needle: str, title: str, activity_title: str | None, activity_status: str | None) -> bool:
    return needle in fold(f"{title} {activity_title if activity_status == 'published' else ''}")


def events_for_feed(params: SearchParams, *, since: datetime, limit: int) -> list[Event]:
    """The feed's events: matching the filters and still running after `since`, the first
    `limit` of them in time order (the text filter is applied before the limit)."""
    events = (
        events_matching(params)
        .filter(Q(repeats_until__isnull=True) | Q(repeats_until__gt=since))
        .order_by("starts_at", "id")
    )
    if not params.q:
        return list(events[:limit])
    needle = fold(params.q)
    return list(islice((e for e in events.iterator(chunk_size=500) if event_mentions(e, needle)), limit))


def events_matching(params: SearchParams | None = None, *, include_cancelled: bool = True) -> QuerySet[Event]:
    """Published events of live organizations narrowed by the search filters that apply to
    events: direction/category (via the activity), age, free, district (via the venue)."""
    events = Event.objects.filter(organization__status="published").select_related(
        "organization", "venue", "venue__district", "activity", "activity__direction"
    )
    if not include_cancelled:
        events = events.filter(status=Event.Status.PUBLISHED)
    if params is None:
        return events
    if params.direction:
        events = events.filter(activity__direction__slug=params.direction, activity__status="published")
    if params.categories:
        events = events.filter(
            activity__categories__slug__in=params.categories, activity__status="published"
        ).distinct()
    if params.age is not None:
        events = events.filter(Q(age_min__isnull=True) | Q(age_min__lte=params.age)).filter(
            Q(age_max__isnull=True) | Q(age_max__gte=params.age)
        )
    if params.free:
        events = events.filter(price_rub=0)
    if params.district:
        events = events.filter(venue__district__name=params.district)
    return events


def occurrences(
    start: datetime,
    end: datetime,
    filters: SearchParams | None = None,
    *,
    events: QuerySet[Event] | None = None,
    limit: int = MAX_TOTAL_OCCURRENCES,
) -> list[Occurrence]:
    """The first `limit` occurrences overlapping [start, end) in time order. The window is capped
    at MAX_WINDOW_DAYS, each event at recurrence.MAX_OCCURRENCES and the total at
    MAX_TOTAL_OCCURRENCES, so no rule or URL makes this unbounded.

    A city's calendar holds tens of thousands of events, so the candidates are read as bare rows
    (times, rule, exception dates) and only the events shown are loaded whole. One-off events need
    no expansion, and once `limit` of them are known no repeat after the last of those can be among
    the first `limit`, so repeating events are expanded only up to there."""
    end = min(end, start + timedelta(days=MAX_WINDOW_DAYS))
    limit = max(0, min(limit, MAX_TOTAL_OCCURRENCES))
    candidates = (
        (events if events is not None else events_matching(filters))
        .filter(starts_at__lt=end)
        .filter(
            Q(rrule="", ends_at__gt=start)
            | (~Q(rrule="") & (Q(repeats_until__isnull=True) | Q(repeats_until__gt=start)))
        )
    )
    needle = fold(filters.q) if filters is not None and filters.q else ""
    fields = ["pk", "starts_at", "ends_at", "rrule", "exdates"]
    if needle:
        fields += ["title", "activity__title", "activity__status"]
    single = candidates.filter(rrule="").order_by("starts_at", "pk").values_list(*fields)
    repeating = candidates.exclude(rrule="").order_by().values_list(*fields)
    if needle:
        single_rows = list(
            islice((row for row in single.iterator(chunk_size=2000) if mentions(needle, *row[5:])), limit)
        )
        repeating_rows = [row for row in repeating if mentions(needle, *row[5:])]
    else:
        single_rows, repeating_rows = list(single[:limit]), list(repeating)
    # (start, event id, duration): sorted as the calendar lists them.
    found = [(row[1], row[0], row[2] - row[1]) for row in single_rows]
    horizon = end if len(found) < limit else min(end, found[-1][0] + timedelta(microseconds=1))
    for pk, starts_at, ends_at, rule, exdates in (row[:5] for row in repeating_rows):
        duration = ends_at - starts_at
        found += (
            (begins, pk, duration)
            for begins in occurrence_starts(
                starts_at=starts_at,
                duration=duration,
                rule=rule,
                exdates=[date.fromisoformat(value) for value in exdates],
                window_start=start,
                window_end=horizon,
                limit=limit,
            )
        )
    found.sort()
    rows = [(pk, begins, begins + duration) for begins, pk, duration in found[:limit]]
    return with_events(rows, candidates)


def with_events(
    rows: list[tuple[int, datetime, datetime]], events: QuerySet[Event] | None = None
) -> list[Occurrence]:
    """(event id, start, end) rows as occurrences, their events loaded from `events` (the public
    ones by default) in one query; a row whose event is no longer there (a cached page) is left out."""
    loaded = (events if events is not None else events_matching()).in_bulk({pk for pk, _s, _e in rows})
    return [Occurrence(loaded[pk], starts, ends) for pk, starts, ends in rows if pk in loaded]


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(ZoneInfo("UTC"))


def event_for_page(pk: int) -> Event | None:
    return (
        Event.objects.filter(pk=pk, organization__status="published")
        .select_related("organization", "venue", "venue__district", "activity")
        .first()
    )


def upcoming_for_event(event: Event, *, now: datetime, limit: int = 10) -> list[Occurrence]:
    return occurrences(now, now + timedelta(days=MAX_WINDOW_DAYS), events=Event.objects.filter(pk=event.pk))[
        :limit
    ]


def events_of_organization(organization: Organization) -> QuerySet[Event]:
    return (
        Event.objects.filter(organization=organization)
        .select_related("venue", "activity")
        .order_by("-starts_at", "-id")
    )


def live_activity(pk: int) -> Activity | None:
    return (
        Activity.objects.live()
        .filter(pk=pk)
        .select_related("organization", "venue")
        .prefetch_related("groups__slots")
        .first()
    )
