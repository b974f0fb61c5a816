"""Every read the public API makes, and the version of the data each answer is built from.

Only what the site's public pages show: published activities; published organizations and
their venues; events of published organizations (cancelled ones included, marked, as the
calendar shows them). Never drafts, pending or archived entries, members or their emails.

Lists come with what their items show joined or prefetched: a page costs a fixed number of
queries whatever its size (the tests count them).
"""

from __future__ import annotations

import functools
import hashlib
import math
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kruzhok.catalog import selectors as catalog_selectors
from kruzhok.catalog.models import Activity, Category, Direction, Organization, ScheduleSlot, Status, Venue
from kruzhok.events import selectors as event_selectors
from kruzhok.events.models import Event
from kruzhok.places.models import District
from kruzhok.search import selectors as search_selectors
from kruzhok.search import taxonomy
from kruzhok.search.models import SearchState
from kruzhok.search.params import SearchParams

# --- activities ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ActivityFilters:
    params: SearchParams  # direction, categories, district, age, free, ovz, open, days, after, before
    organization: int | None = None
    venue: int | None = None
    updated_since: datetime | None = None


def _live_activities() -> QuerySet[Activity]:
    return Activity.objects.filter(status=Status.PUBLISHED)


def _in_okrug[M: Model](qs: QuerySet[M], field: str, name: str) -> QuerySet[M]:
    """Rows whose `field` is the okrug of this name (a name the parameter parser has checked)."""
    okrug = taxonomy.load().okrugs.get(name)
    return qs.filter(**{field: okrug}) if okrug is not None else qs.none()


def activities(filters: ActivityFilters) -> QuerySet[Activity]:
    """Published activities under the filters, in id order (stable while pages are read).

    The filters mean what they mean in the search: any of the categories; an age inside the
    range; days and times met by one and the same weekly session."""
    p = filters.params
    qs = _live_activities()
    if p.direction:
        qs = qs.filter(direction__slug=p.direction)
    if p.categories:
        through = Activity.categories.through
        qs = qs.filter(
            Exists(through.objects.filter(activity_id=OuterRef("pk"), category__slug__in=p.categories))
        )
    if p.district:
        qs = _in_okrug(qs, "venue__district_id", p.district)
    if p.age is not None:
        qs = qs.filter(age_min__lte=p.age, age_max__gte=p.age)
    if p.free:
        qs = qs.filter(price_rub=0)
    if p.ovz:
        qs = qs.filter(ovz=True)
    if p.open:
        qs = qs.filter(enrollment=Activity.Enrollment.OPEN)
    if p.days or p.after is not None or p.before is not None:
        slots = ScheduleSlot.objects.filter(group__activity_id=OuterRef("pk"))
        if p.days:
            slots = slots.filter(weekday__in=p.days)
        if p.after is not None:
            slots = slots.filter(starts_at__gte=p.after)
        if p.before is not None:
            slots = slots.filter(ends_at__lte=p.before)
        qs = qs.filter(Exists(slots))
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    if filters.venue is not None:
        qs = qs.filter(venue_id=filters.venue)
    if filters.updated_since is not None:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    return qs.order_by("pk")


def activity_rows(qs: QuerySet[Activity], offset: int, limit: int) -> list[Activity]:
    """One page of activities with what a list item shows: 2 queries."""
    return list(
        qs.select_related("organization", "venue", "venue__district", "direction").prefetch_related(
            Prefetch("categories", queryset=Category.objects.only("id", "slug").order_by("slug"))
        )[offset : offset + limit]
    )


def activity(pk: int) -> Activity | None:
    """One published activity with its organization, venue, taxonomy, groups and slots."""
    found = catalog_selectors.activity_for_page(pk)
    return found if found is not None and found.status == Status.PUBLISHED else None


# --- organizations and venues ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OrganizationFilters:
    kind: str = ""
    district: str = ""  # okrug name: organizations with a venue there
    updated_since: datetime | None = None


def _live_activity_count(field: str) -> Coalesce:
    """A correlated count of published activities per row: with an index on the foreign key it
    costs a lookup per row of the page, where a join with GROUP BY would count the whole table."""
    counted = (
        _live_activities()
        .filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def organizations(filters: OrganizationFilters) -> QuerySet[Organization]:
    qs = Organization.objects.live()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.district:
        there = _in_okrug(
            Venue.objects.filter(organization_id=OuterRef("pk")), "district_id", filters.district
        )
        qs = qs.filter(Exists(there))
    if filters.updated_since is not None:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    return qs.order_by("pk")


def organization_rows(qs: QuerySet[Organization], offset: int, limit: int) -> list[Organization]:
    return list(qs.annotate(activity_count=_live_activity_count("organization"))[offset : offset + limit])


def organization(pk: int) -> Organization | None:
    return (
        Organization.objects.live()
        .select_related("department")
        .annotate(activity_count=_live_activity_count("organization"))
        .filter(pk=pk)
        .first()
    )


def organization_venues(organization: Organization) -> list[Venue]:
    return catalog_selectors.organization_venues(organization)


@dataclass(frozen=True, kw_only=True)
class VenueFilters:
    organization: int | None = None
    district: str = ""
    updated_since: datetime | None = None


def _public_venues() -> QuerySet[Venue]:
    # A venue is public with its organization, as on the organization's page.
    return Venue.objects.filter(organization__status=Status.PUBLISHED)


def venues(filters: VenueFilters) -> QuerySet[Venue]:
    qs = _public_venues()
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    if filters.district:
        qs = _in_okrug(qs, "district_id", filters.district)
    if filters.updated_since is not None:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    return qs.order_by("pk")


def venue_rows(qs: QuerySet[Venue], offset: int, limit: int) -> list[Venue]:
    return list(qs.select_related("organization", "district")[offset : offset + limit])


def venue(pk: int) -> Venue | None:
    return (
        _public_venues()
        .select_related("organization", "district")
        .annotate(activity_count=_live_activity_count("venue"))
        .filter(pk=pk)
        .first()
    )


# --- events -----------------------------------------------------------------------------------------


today = timezone.localdate  # the city's date (TIME_ZONE is Omsk); patched in tests


def occurrences(
    first: date, last: date, params: SearchParams, *, organization: int | None = None
) -> list[event_selectors.Occurrence]:
    """Occurrences overlapping the local days first..last, expanded by the calendar's own
    selector (its caps on the window, per event and in total apply)."""
    events = event_selectors.events_matching(params)
    if organization is not None:
        events = events.filter(organization_id=organization)
    return event_selectors.occurrences(
        event_selectors.local_midnight(first),
        event_selectors.local_midnight(last + timedelta(days=1)),
        params,
        events=events,
    )


def event(pk: int) -> Event | None:
    return event_selectors.event_for_page(pk)


def upcoming(event: Event) -> list[event_selectors.Occurrence]:
    return event_selectors.upcoming_for_event(event, now=timezone.now())


MAX_TOTAL_OCCURRENCES = event_selectors.MAX_TOTAL_OCCURRENCES
MAX_WINDOW_DAYS = event_selectors.MAX_WINDOW_DAYS


# --- taxonomy --------------------------------------------------------------------------------------


def directions() -> list[Direction]:
    return catalog_selectors.directions()


def categories() -> list[Category]:
    return [c for _direction, group in catalog_selectors.categories_by_direction() for c in group]


def okrugs() -> list[District]:
    return catalog_selectors.okrugs()


def catalog_facets() -> dict[str, dict[str, int]]:
    """Published activities per direction, category and okrug: the search's own facets over the
    whole catalog, from its in-memory index (the same numbers the search shows)."""
    return search_selectors.search(SearchParams(), page_size=1).facets


# --- the version of the data an answer is built from -------------------------------------------------

# Which tables each kind of answer reads beyond the activities and the taxonomy.
SCOPES: dict[str, tuple[str, ...]] = {
    "activities": (),
    "organizations": ("organizations", "venues"),  # organizations and venues show each other
    "events": ("organizations", "venues", "events"),
}
_TABLES: dict[str, type[Model]] = {"organizations": Organization, "venues": Venue, "events": Event}
# How long this process remembers when it first saw a version (see `data_version`).
_SEEN_SECONDS = 24 * 3600


@dataclass(frozen=True)
class DataVersion:
    token: str  # changes with every change of the data in scope
    last_modified: datetime  # no change since then (an upper bound of the last change)


_digests: dict[int, tuple[taxonomy.Taxonomy, str]] = {}


def _taxonomy_digest() -> str:
    """A digest of the taxonomy as this process holds it (refreshed every minute, no query),
    worked out once per refresh."""
    tax = taxonomy.load()
    known = _digests.get(id(tax))
    if known is not None and known[0] is tax:
        return known[1]
    text = repr((sorted(tax.directions.items()), sorted(tax.categories.items()), sorted(tax.okrugs.items())))
    digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]
    _digests.clear()
    _digests[id(tax)] = (tax, digest)
    return digest


@functools.cache
def _version_sql(scope: str) -> str:
    # Built once per scope. One statement of indexed lookups: on every API request, where the ORM's query building
    # would cost more than the queries. Table names come from the models, nothing from a request.
    state, activity = SearchState._meta.db_table, Activity._meta.db_table
    parts = [f"(SELECT seq FROM {state} WHERE id = 1)", f"(SELECT generation FROM {state} WHERE id = 1)"]  # noqa: S608 (table names from the models)  # nosec B608
    parts.append(f"(SELECT MAX(updated_at) FROM {activity})")  # noqa: S608 (table name from the model)  # nosec B608
    for name in SCOPES[scope]:
        table = _TABLES[name]._meta.db_table
        parts += [f"(SELECT MAX(updated_at) FROM {table})", f"(SELECT COUNT(*) FROM {table})"]  # noqa: S608 (table names from the models)  # nosec B608
    return "SELECT " + ", ".join(parts)


def data_version(scope: str) -> DataVersion:
    """A token that changes whenever the data an answer of this scope reads changes.

    Activities: the search index's sequence number and generation, which every catalog write
    bumps (activities, their groups, slots, categories, venues, organizations, ratings, deletions),
    and the newest `updated_at`, which the review cycle's confirmations change without re-indexing.
    Organizations, venues and events: the newest `updated_at` and the row count of each table
    (the count catches a deletion). The taxonomy as the search holds it. One statement of
    indexed lookups, no scan of the activities.

    Timestamps alone cannot give Last-Modified (a group's edit or a deletion leaves none), so
    Last-Modified is when this process first saw the token, rounded up to the second: never
    earlier than the change itself, so If-Modified-Since never hides one."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(scope))
        row = cursor.fetchone()
    # Today's date too: the events window, upcoming occurrences and the search's freshness
    # ranking change at midnight with no write.
    parts: list[Any] = [*row, _taxonomy_digest(), today().isoformat()]
    token = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:20]
    key = f"api:seen:{scope}:{token}"
    seen = math.ceil(clock.time())
    if cache.add(key, seen, timeout=_SEEN_SECONDS):
        # A new version within the second of the previous one still gets a later date, or a
        # client holding the previous date would be told «not modified».
        last_key = f"api:last-seen:{scope}"
        last = cache.get(last_key)
        if last is not None and seen <= int(last):
            seen = int(last) + 1
            cache.set(key, seen, timeout=_SEEN_SECONDS)
        cache.set(last_key, seen, timeout=_SEEN_SECONDS)
    else:
        seen = int(cache.get(key) or seen)
    return DataVersion(token, datetime.fromtimestamp(seen, tz=ZoneInfo("UTC")))
