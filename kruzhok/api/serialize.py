"""Rows from the selectors as the dictionaries `schemas` describes.

No queries here: every related row a function reads was joined or prefetched by the selector
that fetched it. Links are absolute, on the host the client asked (as the search's cards are).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse

from kruzhok.catalog.models import Activity, Category, Direction, Organization, Status, Venue
from kruzhok.events.models import Event
from kruzhok.events.recurrence import local_zone
from kruzhok.events.selectors import Occurrence
from kruzhok.places.models import District
from kruzhok.search.params import WEEKDAY_CODES

UTC = ZoneInfo("UTC")


class Links:
    """Absolute links for one request: the scheme and host are read once, not per link."""

    def __init__(self, request: HttpRequest) -> None:
        self.base = request.build_absolute_uri("/").rstrip("/")

    def __call__(self, path: str) -> str:
        return self.base + path

    def api(self, name: str, pk: int) -> str:
        return self.base + reverse(f"api:{name}", kwargs={"id": pk})

    def api_list(self, name: str, **query: int) -> str:
        pairs = "&".join(f"{key}={value}" for key, value in query.items())
        return f"{self.base}{reverse(f'api:{name}')}?{pairs}"


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone())


def _okrug(venue: Venue | None) -> str:
    return venue.district.name if venue is not None and venue.district is not None else ""


# --- activities ---------------------------------------------------------------------------------


def activity_item(links: Links, activity: Activity) -> dict[str, Any]:
    venue = activity.venue
    return {
        "id": activity.pk,
        "external_id": activity.external_id,
        "title": activity.title,
        "url": links(activity.get_absolute_url()),
        "api_url": links.api("activity", activity.pk),
        "organization": {"id": activity.organization_id, "name": activity.organization.name},
        "direction": activity.direction.slug,
        "categories": [c.slug for c in activity.categories.all()],
        "age_min": activity.age_min,
        "age_max": activity.age_max,
        "price_rub": activity.price_rub,
        "free": activity.is_free,
        "format": activity.format,
        "ovz": activity.ovz,
        "enrollment": activity.enrollment,
        "district": _okrug(venue),
        "address": venue.address if venue is not None else "",
        "lat": venue.lat if venue is not None else None,
        "lon": venue.lon if venue is not None else None,
        "rating": activity.rating if activity.rating_count else None,
        "updated_at": utc(activity.updated_at),
    }


def _taxon(item: Direction | Category) -> dict[str, str]:
    return {"slug": item.slug, "name_ru": item.name_ru, "name_en": item.name_en}


def organization_link(links: Links, organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.pk,
        "name": organization.name,
        "url": links(organization.get_absolute_url()),
        "api_url": links.api("organization", organization.pk),
    }


def venue_ref(links: Links, venue: Venue) -> dict[str, Any]:
    return {
        "id": venue.pk,
        "name": venue.name,
        "address": venue.address,
        "city": venue.city,
        "district": _okrug(venue),
        "lat": venue.lat,
        "lon": venue.lon,
        "api_url": links.api("venue", venue.pk),
    }


def activity_detail(links: Links, activity: Activity) -> dict[str, Any]:
    groups = [
        {
            "id": group.pk,
            "name": group.name,
            "age_min": group.age_min,
            "age_max": group.age_max,
            "teacher": group.teacher,
            "slots": [
                {
                    "weekday": WEEKDAY_CODES[slot.weekday],
                    "starts_at": f"{slot.starts_at:%H:%M}",
                    "ends_at": f"{slot.ends_at:%H:%M}",
                }
                for slot in sorted(group.slots.all(), key=lambda s: (s.weekday, s.starts_at))
            ],
        }
        for group in activity.groups.all()
    ]
    return {
        "id": activity.pk,
        "external_id": activity.external_id,
        "title": activity.title,
        "description": activity.description,
        "url": links(activity.get_absolute_url()),
        "api_url": links.api("activity", activity.pk),
        "organization": organization_link(links, activity.organization),
        "venue": venue_ref(links, activity.venue) if activity.venue is not None else None,
        "direction": _taxon(activity.direction),
        "categories": [_taxon(c) for c in activity.categories.all()],
        "tags": [str(tag) for tag in activity.tags or []],
        "age_min": activity.age_min,
        "age_max": activity.age_max,
        "price_rub": activity.price_rub,
        "price_note": activity.price_note,
        "free": activity.is_free,
        "format": activity.format,
        "ovz": activity.ovz,
        "enrollment": activity.enrollment,
        # As the page shows them: the activity's own contacts, else its organization's.
        "phone": activity.contact_phone,
        "email": activity.contact_email,
        "website": activity.contact_website,
        "groups": groups,
        "schedule_ical_url": links(reverse("events:activity_schedule", args=[activity.pk])),
        "rating": activity.rating if activity.rating_count else None,
        "rating_count": activity.rating_count,
        "verified_at": utc(activity.verified_at) if activity.verified_at else None,
        "updated_at": utc(activity.updated_at),
    }


# --- organizations and venues ----------------------------------------------------------------------


def organization_item(links: Links, organization: Organization) -> dict[str, Any]:
    return {
        **organization_link(links, organization),
        "kind": organization.kind,
        "verified": organization.verified,
        "activity_count": int(getattr(organization, "activity_count", 0)),
        "updated_at": utc(organization.updated_at),
    }


def organization_detail(links: Links, organization: Organization, venues: list[Venue]) -> dict[str, Any]:
    department = organization.department
    return {
        **organization_item(links, organization),
        "department": {"slug": department.slug, "name": department.name} if department else None,
        "inn": organization.inn,
        "description": organization.description,
        "phone": organization.phone,
        "email": organization.email,
        "website": organization.website,
        "verified_at": utc(organization.verified_at) if organization.verified_at else None,
        "venues": [venue_ref(links, venue) for venue in venues],
        "activities_url": links.api_list("activities", organization=organization.pk),
        "events_url": links.api_list("events", organization=organization.pk),
        "events_ical_url": links(reverse("events:organization_feed", args=[organization.pk])),
    }


def venue_item(links: Links, venue: Venue) -> dict[str, Any]:
    return {
        **venue_ref(links, venue),
        "organization": {"id": venue.organization_id, "name": venue.organization.name},
        "updated_at": utc(venue.updated_at),
    }


def venue_detail(links: Links, venue: Venue) -> dict[str, Any]:
    return {
        **venue_item(links, venue),
        "activity_count": int(getattr(venue, "activity_count", 0)),
        "activities_url": links.api_list("activities", venue=venue.pk),
    }


# --- events ----------------------------------------------------------------------------------------


def times(starts_at: datetime, ends_at: datetime) -> dict[str, datetime]:
    return {
        "starts_at": utc(starts_at),
        "ends_at": utc(ends_at),
        "starts_at_local": local(starts_at),
        "ends_at_local": local(ends_at),
    }


def _event_base(links: Links, event: Event) -> dict[str, Any]:
    activity = event.activity
    # A link to an activity the public cannot see would name a draft: left out, as on the page.
    shown = activity if activity is not None and activity.status == Status.PUBLISHED else None
    return {
        "title": event.title,
        "url": links(event.get_absolute_url()),
        "api_url": links.api("event", event.pk),
        "kind": event.kind,
        "cancelled": event.is_cancelled,
        "all_day": event.all_day,
        "recurring": event.is_recurring,
        "organization": {"id": event.organization_id, "name": event.organization.name},
        "activity": {
            "id": shown.pk,
            "title": shown.title,
            "url": links(shown.get_absolute_url()),
            "api_url": links.api("activity", shown.pk),
        }
        if shown is not None
        else None,
        "venue": venue_ref(links, event.venue) if event.venue is not None else None,
        "age_min": event.age_min,
        "age_max": event.age_max,
        "price_rub": event.price_rub,
        "free": event.is_free,
    }


def occurrence(links: Links, found: Occurrence) -> dict[str, Any]:
    return {
        "event_id": found.event.pk,
        **_event_base(links, found.event),
        **times(found.starts_at, found.ends_at),
    }


def event_detail(links: Links, event: Event, upcoming: list[Occurrence]) -> dict[str, Any]:
    return {
        "id": event.pk,
        **_event_base(links, event),
        **times(event.starts_at, event.ends_at),
        "description": event.description,
        "rrule": event.rrule,
        "exdates": event.exception_dates(),
        "ical_url": links(reverse("events:event_ics", args=[event.pk])),
        "updated_at": utc(event.updated_at),
        "upcoming": [times(o.starts_at, o.ends_at) for o in upcoming],
    }


# --- taxonomy -------------------------------------------------------------------------------------


def direction_item(links: Links, direction: Direction, count: int) -> dict[str, Any]:
    return {**_taxon(direction), "url": links(direction.get_absolute_url()), "activity_count": count}


def category_item(links: Links, category: Category, count: int) -> dict[str, Any]:
    return {
        **_taxon(category),
        "direction": category.direction.slug,
        "url": links(category.get_absolute_url()),
        "activity_count": count,
    }


def okrug_item(links: Links, okrug: District, count: int) -> dict[str, Any]:
    return {
        "slug": okrug.slug,
        "name": okrug.name,
        "lat": okrug.lat,
        "lon": okrug.lon,
        "url": links(reverse("catalog:district", args=[okrug.slug])),
        "activity_count": count,
    }
