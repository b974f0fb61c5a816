"""Reads of the free promotion: an organization's posts and photos, and the editors' picks.

Each page asks a fixed number of queries: picks are fetched in one query, then the picked
activities with what a card needs and the picked events with their next occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from kruzhok.catalog import selectors as catalog_selectors
from kruzhok.catalog.models import Activity, Direction, Organization, Status
from kruzhok.events import selectors as event_selectors
from kruzhok.events.models import Event
from kruzhok.promotion.models import Featured, OrganizationPhoto, OrganizationPost

PAGE_POSTS = 3
GALLERY_LIMIT = 24
FEATURED_LIMIT = 6
EDITOR_PAST_DAYS = 60
EVENT_HORIZON_DAYS = 400


def posts_for_page(
    organization: Organization, *, limit: int = PAGE_POSTS
) -> tuple[list[OrganizationPost], bool]:
    """The latest visible posts, and whether there are more than `limit` (one query)."""
    found = list(posts_public(organization)[: limit + 1])
    return found[:limit], len(found) > limit


@dataclass(frozen=True)
class Showcase:
    """What the organization's public page shows of its own: latest news and the gallery."""

    posts: list[OrganizationPost]
    more_posts: bool
    photos: list[OrganizationPhoto]
    photo_count: int = 0

    @property
    def more_photos(self) -> bool:
        return self.photo_count > len(self.photos)


def organization_showcase(organization: Organization) -> Showcase:
    posts, more = posts_for_page(organization)
    photos = photos_for_page(organization, limit=GALLERY_LIMIT + 1)
    # Counted only when the gallery is cut: the link says how many the photos page holds.
    photo_count = photos_public(organization).count() if len(photos) > GALLERY_LIMIT else len(photos)
    return Showcase(posts=posts, more_posts=more, photos=photos[:GALLERY_LIMIT], photo_count=photo_count)


def posts_public(organization: Organization) -> QuerySet[OrganizationPost]:
    return OrganizationPost.objects.visible().filter(organization=organization)


def photos_public(organization: Organization) -> QuerySet[OrganizationPhoto]:
    return OrganizationPhoto.objects.visible().filter(organization=organization)


def photos_for_page(organization: Organization, *, limit: int = GALLERY_LIMIT) -> list[OrganizationPhoto]:
    return list(photos_public(organization)[:limit])


def posts_for_manage(organization: Organization) -> QuerySet[OrganizationPost]:
    """Every post, hidden ones included: the organization sees what an editor hid and why."""
    return OrganizationPost.objects.filter(organization=organization)


def photos_for_manage(organization: Organization) -> QuerySet[OrganizationPhoto]:
    return OrganizationPhoto.objects.filter(organization=organization)


def pickable_activity(pk: int) -> Activity | None:
    return (
        Activity.objects.filter(pk=pk, status=Status.PUBLISHED, organization__status=Status.PUBLISHED)
        .select_related("organization", "direction")
        .first()
    )


def event_fits_direction(event: Event, direction_id: int) -> bool:
    """Whether an event may be picked for a direction page: an event of an activity must be of
    an activity in that direction; an event without one (an open day, a concert of the whole
    house) when its organization has a published activity in that direction."""
    if event.activity_id is not None:
        return event.activity is not None and event.activity.direction_id == direction_id
    return Activity.objects.filter(
        organization_id=event.organization_id, direction_id=direction_id, status=Status.PUBLISHED
    ).exists()


def _live_events() -> QuerySet[Event]:
    return Event.objects.published().select_related("organization", "venue", "venue__district", "activity")


def _next_occurrences(events: QuerySet[Event]) -> dict[int, event_selectors.Occurrence]:
    """The next (or running) occurrence of each event; events without one are past."""
    now = timezone.now()
    found: dict[int, event_selectors.Occurrence] = {}
    for occurrence in event_selectors.occurrences(
        now, now + timedelta(days=EVENT_HORIZON_DAYS), events=events
    ):
        found.setdefault(occurrence.event.pk, occurrence)
    return found


def pickable_event(pk: int) -> Event | None:
    """A published event of a live organization that still has an occurrence ahead."""
    occurrence = _next_occurrences(_live_events().filter(pk=pk)).get(pk)
    return occurrence.event if occurrence else None


@dataclass(frozen=True)
class Pick:
    featured: Featured
    activity: Activity | None = None
    occurrence: event_selectors.Occurrence | None = None


def featured_for(
    direction: Direction | None, *, day: date | None = None, limit: int = FEATURED_LIMIT
) -> list[Pick]:
    """The picks shown today on the home page (`direction` None) or on a direction's page, in the
    editors' order. Archived or drafted activities and cancelled or finished events drop out."""
    day = day or timezone.localdate()
    placement = Featured.objects.on(day).filter(direction=direction)  # None: the home page
    # Some picks may have dropped out (archived, cancelled): fetch a few spare ones.
    picks = list(placement.order_by("position", "-starts_on", "id")[: limit * 3])
    activity_ids = [p.activity_id for p in picks if p.activity_id]
    event_ids = [p.event_id for p in picks if p.event_id]
    activities = (
        {
            a.pk: a
            for a in catalog_selectors.activity_cards(
                Activity.objects.filter(pk__in=activity_ids, organization__status=Status.PUBLISHED)
            )
        }
        if activity_ids
        else {}
    )
    occurrences = _next_occurrences(_live_events().filter(pk__in=event_ids)) if event_ids else {}
    shown: list[Pick] = []
    seen: set[tuple[str, int]] = set()
    for pick in picks:
        if pick.activity_id in activities and ("a", pick.activity_id) not in seen:
            seen.add(("a", pick.activity_id))
            shown.append(Pick(pick, activity=activities[pick.activity_id]))
        elif pick.event_id in occurrences and ("e", pick.event_id) not in seen:
            seen.add(("e", pick.event_id))
            shown.append(Pick(pick, occurrence=occurrences[pick.event_id]))
    return shown[:limit]


@dataclass
class Placement:
    key: str
    direction: Direction | None
    current: list[Featured] = field(default_factory=list)
    upcoming: list[Featured] = field(default_factory=list)
    past: list[Featured] = field(default_factory=list)


def featured_for_editor(*, today: date | None = None) -> list[Placement]:
    """Every placement with its current, upcoming and recently finished picks (two queries)."""
    today = today or timezone.localdate()
    placements = [Placement("home", None)] + [
        Placement(d.slug, d) for d in Direction.objects.order_by("position", "id")
    ]
    by_key = {p.key: p for p in placements}
    picks = (
        Featured.objects.filter(ends_on__gte=today - timedelta(days=EDITOR_PAST_DAYS))
        .select_related(
            "direction", "activity", "activity__organization", "event", "event__organization", "created_by"
        )
        .order_by("position", "starts_on", "id")
    )
    for pick in picks:
        placement = by_key.get(pick.direction.slug if pick.direction else "home")
        if placement is None:
            continue
        if pick.ends_on < today:
            placement.past.append(pick)
        elif pick.starts_on > today:
            placement.upcoming.append(pick)
        else:
            placement.current.append(pick)
    for placement in placements:
        placement.past.sort(key=lambda p: p.ends_on, reverse=True)
    return placements
