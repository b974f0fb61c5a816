"""Every read the public catalog pages make: lists, filters, counts, one entry with its details.

Views call these and render; each list comes with the related rows a card needs already
joined or prefetched, so a page costs a fixed number of queries whatever its size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from kruzhok.catalog.models import (
    Activity,
    Category,
    Direction,
    Group,
    Organization,
    ScheduleSlot,
    Status,
    Venue,
)
from kruzhok.core.text import fold
from kruzhok.places.models import District

# Home-page counts aggregate the whole catalog; a few minutes of staleness is harmless there.
COUNTS_CACHE_SECONDS = 300
_COUNTS_CACHE_KEY = "catalog:home-counts:v1"

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WORD = re.compile(r"\w+", re.UNICODE)
# Written out rather than \b or \m: the same pattern must mean the same in Python's re (SQLite)
# and in PostgreSQL's regular expressions.
_WORD_START = "(^|[^0-9a-zA-Zа-яА-ЯёЁ])"
MAX_QUERY_WORDS = 6


def _card_prefetches() -> list[Any]:
    return [
        Prefetch("categories", queryset=Category.objects.only("id", "slug", "name_ru", "name_en")),
        Prefetch("groups", queryset=Group.objects.prefetch_related("slots")),
    ]


def activity_cards(queryset: QuerySet[Activity] | None = None) -> QuerySet[Activity]:
    """Live activities with everything `_card.html` shows, in a fixed query count per page."""
    qs = queryset if queryset is not None else Activity.objects.all()
    return (
        qs.filter(status=Status.PUBLISHED)
        .select_related("organization", "venue", "venue__district", "direction")
        .prefetch_related(*_card_prefetches())
    )


def activities_for_direction(direction: Direction) -> QuerySet[Activity]:
    return activity_cards(Activity.objects.filter(direction=direction)).order_by("title", "id")


def activities_for_category(category: Category) -> QuerySet[Activity]:
    through = Activity.categories.through
    in_category = Exists(through.objects.filter(activity_id=OuterRef("pk"), category_id=category.pk))
    return activity_cards(Activity.objects.filter(in_category)).order_by("title", "id")


def activities_for_district(district: District) -> QuerySet[Activity]:
    field_name = "venue__district" if district.kind == District.Kind.OKRUG else "venue__microdistrict"
    return activity_cards(Activity.objects.filter(**{field_name: district})).order_by("title", "id")


def activities_for_organization(organization: Organization) -> QuerySet[Activity]:
    return activity_cards(Activity.objects.filter(organization=organization)).order_by("title", "id")


def activity_for_page(pk: int) -> Activity | None:
    """One activity in any status (the view decides what the public may see), with its details."""
    return (
        Activity.objects.select_related(
            "organization",
            "organization__department",
            "venue",
            "venue__district",
            "venue__microdistrict",
            "direction",
        )
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.select_related("direction")),
            Prefetch("groups", queryset=Group.objects.prefetch_related("slots").order_by("id")),
        )
        .filter(pk=pk)
        .first()
    )


def organization_for_page(pk: int) -> Organization | None:
    return Organization.objects.select_related("department").filter(pk=pk).first()


def venue_at(organization: Organization, address: str) -> Venue | None:
    """The organization's venue at this address, compared folded (case, ё, spacing)."""
    wanted = fold(address)
    return next(
        (v for v in Venue.objects.filter(organization=organization) if fold(v.address) == wanted), None
    )


def organization_venues(organization: Organization) -> list[Venue]:
    return list(
        Venue.objects.filter(organization=organization)
        .select_related("district", "microdistrict")
        .order_by("address")
    )


def direction_by_slug(slug: str) -> Direction | None:
    return Direction.objects.filter(slug=slug).first()


def category_by_slug(slug: str) -> Category | None:
    return Category.objects.select_related("direction").filter(slug=slug).first()


def okrug_by_slug(slug: str) -> District | None:
    okrugs = District.objects.filter(kind=District.Kind.OKRUG, slug=slug)
    # A slug may repeat across cities; the configured city wins.
    return okrugs.filter(city=settings.CITY_NAME).first() or okrugs.first()


def okrugs() -> list[District]:
    return list(District.objects.filter(kind=District.Kind.OKRUG, city=settings.CITY_NAME).order_by("name"))


def directions() -> list[Direction]:
    return list(Direction.objects.order_by("position"))


def categories_of_direction(direction: Direction) -> list[Category]:
    return list(Category.objects.filter(direction=direction).order_by("name_ru"))


def categories_by_direction() -> list[tuple[Direction, list[Category]]]:
    grouped: dict[int, tuple[Direction, list[Category]]] = {}
    for cat in Category.objects.select_related("direction").order_by("direction__position", "name_ru"):
        grouped.setdefault(cat.direction_id, (cat.direction, []))[1].append(cat)
    return list(grouped.values())


@dataclass(frozen=True, kw_only=True)
class HomeCounts:
    directions: list[tuple[Direction, int]]
    popular_categories: list[tuple[Category, int]]
    okrugs: list[tuple[District, int]]
    total: int


def _compute_home_counts(popular_limit: int) -> HomeCounts:
    live = Activity.objects.filter(status=Status.PUBLISHED)
    by_direction = {
        row["direction_id"]: row["n"]
        for row in live.values("direction_id").annotate(n=Count("id")).order_by()
    }
    category_rows = (
        Activity.categories.through.objects.filter(activity__status=Status.PUBLISHED)
        .values("category_id")
        .annotate(n=Count("activity_id"))
        .order_by("-n")[:popular_limit]
    )
    by_category = {row["category_id"]: row["n"] for row in category_rows}
    by_okrug = {
        row["venue__district_id"]: row["n"]
        for row in live.filter(venue__district__isnull=False)
        .values("venue__district_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    categories = Category.objects.select_related("direction").in_bulk(list(by_category))
    return HomeCounts(
        directions=[(d, by_direction.get(d.pk, 0)) for d in directions()],
        popular_categories=sorted(
            ((categories[pk], n) for pk, n in by_category.items() if pk in categories),
            key=lambda pair: (-pair[1], pair[0].name_ru),
        ),
        okrugs=[(o, by_okrug.get(o.pk, 0)) for o in okrugs()],
        total=sum(by_direction.values()),
    )


def home_counts(*, popular_limit: int = 12) -> HomeCounts:
    """Counts for the home page tiles, cached for a few minutes (whole-catalog aggregates)."""
    key = f"{_COUNTS_CACHE_KEY}:{popular_limit}"
    counts = cache.get(key)
    if not isinstance(counts, HomeCounts):
        counts = _compute_home_counts(popular_limit)
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def next_sessions(activity: Activity, *, now: datetime | None = None, limit: int = 2) -> list[datetime]:
    """The first session of each of the next `limit` days with sessions, as aware local datetimes.

    One per day: two groups starting an hour apart are one visit for a parent choosing a day.
    Slot times are wall-clock times in the city's zone, so the week is walked in that zone.
    Uses the prefetched groups and slots: no queries when the activity came from a selector.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    local_now = (now or datetime.now(tz=zone)).astimezone(zone)
    starts_by_weekday: dict[int, list[time]] = {}
    for group in activity.groups.all():
        for slot in group.slots.all():
            starts_by_weekday.setdefault(slot.weekday, []).append(slot.starts_at)
    found: list[datetime] = []
    for offset in range(8):
        day = local_now.date() + timedelta(days=offset)
        upcoming = [
            datetime.combine(day, starts_at, tzinfo=zone)
            for starts_at in starts_by_weekday.get(day.weekday(), [])
        ]
        upcoming = [start for start in upcoming if start > local_now]
        if upcoming:
            found.append(min(upcoming))
        if len(found) == limit:
            break
    return found


@dataclass(frozen=True, kw_only=True)
class ScheduleRow:
    weekday: int
    label: str
    cells: list[list[ScheduleSlot]]


def schedule_table(activity: Activity) -> tuple[list[Group], list[ScheduleRow]]:
    """The weekly timetable as rows of days × columns of groups (only days with sessions)."""
    groups = [g for g in activity.groups.all() if g.slots.all()]
    rows = []
    for weekday, label in ScheduleSlot.Weekday.choices:
        cells = [
            sorted((s for s in g.slots.all() if s.weekday == weekday), key=lambda s: s.starts_at)
            for g in groups
        ]
        if any(cells):
            rows.append(ScheduleRow(weekday=weekday, label=str(label), cells=cells))
    return groups, rows
