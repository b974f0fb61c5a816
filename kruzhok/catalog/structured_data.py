"""schema.org JSON-LD for the activity and organization pages (events: events/structured_data.py).

An activity is a `Course` (Google's «Course info»: name, description, provider, offers and
`hasCourseInstance`): each group with a weekly timetable is a `CourseInstance` whose
`courseSchedule` holds one `Schedule` per time of day (`byDay`, `startTime`, `endTime`,
`repeatFrequency` P1W, in the city's time zone) and whose `location` is the venue. The monthly
price is an `Offer` in RUB with a `UnitPriceSpecification` per month. An organization is an
`EducationalOrganization` (every provider here teaches children) with its venues, contacts, INN
and its own website as `sameAs`.

Built from what the page's selector already loaded: no extra queries. Every link is absolute
and from SITE_URL; `@id`s (page URL + #course / #organization) let other documents refer to
the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kruzhok.catalog.models import Activity, Organization, ScheduleSlot, Venue
from kruzhok.catalog.templatetags.catalog_tags import ages, loc_name, price_text
from kruzhok.core.emails import site_url

SCHEMA = "https://schema.org"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
AVAILABILITY: dict[str, str] = {
    Activity.Enrollment.OPEN: f"{SCHEMA}/InStock",
    Activity.Enrollment.WAITLIST: f"{SCHEMA}/LimitedAvailability",
    Activity.Enrollment.CLOSED: f"{SCHEMA}/SoldOut",
}
MAX_PLACES = 50  # an organization page lists every venue; a network of hundreds needs no more here


def day_url(weekday: int) -> str:
    """schema.org's DayOfWeek for 0 = Monday."""
    return f"{SCHEMA}/{DAY_NAMES[weekday]}"


def age_range(age_min: int | None, age_max: int | None) -> str | None:
    """schema.org's typicalAgeRange: «7-12», «5-» (from five up), «-12»."""
    if age_min is None and age_max is None:
        return None
    return f"{'' if age_min is None else age_min}-{'' if age_max is None else age_max}"


def iso_duration(minutes: int) -> str:
    """ISO 8601: «PT1H30M», «P2D», «P1DT3H»."""
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    text = f"P{days}D" if days else "P"
    if hours or minutes or not days:
        text += "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")
    return text


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def postal_address(venue: Venue) -> dict[str, Any]:
    return {
        "@type": "PostalAddress",
        "streetAddress": venue.address,
        "addressLocality": venue.city or settings.CITY_NAME,
    }


def place(venue: Venue) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Place",
        "name": venue.name or venue.address,
        "address": postal_address(venue),
    }
    if venue.has_point:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon}
    if venue.district_id is not None and venue.district is not None:
        data["containedInPlace"] = {"@type": "AdministrativeArea", "name": venue.district.name}
    return data


def organization_ref(organization: Organization) -> dict[str, Any]:
    """The organization as provider / organizer of something else: enough to identify it."""
    url = site_url(organization.get_absolute_url())
    data: dict[str, Any] = {
        "@type": "EducationalOrganization",
        "@id": f"{url}#organization",
        "name": organization.name,
        "url": url,
    }
    if organization.website:
        data["sameAs"] = [organization.website]
    return data


def organization_json_ld(organization: Organization, venues: Iterable[Venue]) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": SCHEMA, **organization_ref(organization)}
    if organization.description:
        data["description"] = organization.description
    places = [place(venue) for venue in list(venues)[:MAX_PLACES]]
    if places:
        data["address"] = places[0]["address"]
        data["location"] = places
    if organization.phone:
        data["telephone"] = organization.phone
    if organization.email:
        data["email"] = organization.email
    if organization.phone or organization.email:
        point: dict[str, Any] = {
            "@type": "ContactPoint",
            "contactType": "customer service",
            "availableLanguage": "ru",
        }
        if organization.phone:
            point["telephone"] = organization.phone
        if organization.email:
            point["email"] = organization.email
        data["contactPoint"] = [point]
    if organization.inn:
        data["taxID"] = organization.inn
    if organization.department_id is not None and organization.department is not None:
        data["parentOrganization"] = {"@type": "GovernmentOrganization", "name": organization.department.name}
    return data


def _schedules(slots: Iterable[ScheduleSlot]) -> list[dict[str, Any]]:
    """One Schedule per time of day, with every weekday that has it (Пн,Ср 15:00–16:30 is one)."""
    days_by_time: dict[tuple[time, time], set[int]] = {}
    for slot in slots:
        days_by_time.setdefault((slot.starts_at, slot.ends_at), set()).add(slot.weekday)
    schedules = []
    for (start, end), days in sorted(days_by_time.items(), key=lambda item: (min(item[1]), item[0])):
        schedules.append(
            {
                "@type": "Schedule",
                "byDay": [day_url(day) for day in sorted(days)],
                "startTime": start.strftime("%H:%M"),
                "endTime": end.strftime("%H:%M"),
                "duration": iso_duration(_minutes(start, end)),
                "repeatFrequency": "P1W",
                "scheduleTimezone": settings.TIME_ZONE,
            }
        )
    return schedules


def _instances(activity: Activity, url: str) -> list[dict[str, Any]]:
    online = activity.format == Activity.Format.ONLINE
    base: dict[str, Any] = {"@type": "CourseInstance", "courseMode": "Online" if online else "Onsite"}
    if online:
        base["location"] = {"@type": "VirtualLocation", "url": activity.contact_website or url}
    elif activity.venue is not None:
        base["location"] = place(activity.venue)
    instances = []
    for group in activity.groups.all():
        slots = list(group.slots.all())
        if not slots:
            continue
        instance = {**base, "name": group.name or activity.title, "courseSchedule": _schedules(slots)}
        group_ages = age_range(group.age_min, group.age_max)
        if group_ages:
            instance["typicalAgeRange"] = group_ages
        if group.teacher:
            instance["instructor"] = {"@type": "Person", "name": group.teacher}
        instances.append(instance)
    # No timetable published: the activity is still offered there, when is asked by phone.
    return instances or [{**base, "name": activity.title}]


def _offer(activity: Activity, url: str) -> dict[str, Any]:
    offer: dict[str, Any] = {
        "@type": "Offer",
        # Google's course categories: a monthly fee is a subscription.
        "category": "Free" if activity.is_free else "Subscription",
        "price": activity.price_rub,
        "priceCurrency": "RUB",
        "url": url,
        "availability": AVAILABILITY.get(activity.enrollment, f"{SCHEMA}/InStock"),
    }
    if not activity.is_free:
        offer["priceSpecification"] = {
            "@type": "UnitPriceSpecification",
            "price": activity.price_rub,
            "priceCurrency": "RUB",
            "referenceQuantity": {"@type": "QuantitativeValue", "value": 1, "unitCode": "MON"},
        }
    if activity.price_note:
        offer["description"] = activity.price_note
    return offer


def activity_summary(activity: Activity) -> str:
    """One line for pages and previews when the provider wrote no description."""
    parts = [
        loc_name(activity.direction),
        ages(activity.age_min, activity.age_max),
        price_text(activity.price_rub),
    ]
    place_text = activity.venue.address if activity.venue is not None else ""
    return _("%(title)s — %(facts)s. %(organization)s%(place)s.") % {
        "title": activity.title,
        "facts": ", ".join(part for part in parts if part),
        "organization": activity.organization.name,
        "place": f", {place_text}" if place_text else "",
    }


def activity_json_ld(activity: Activity) -> dict[str, Any]:
    """The Course of an activity from `catalog.selectors.activity_for_page`."""
    url = site_url(activity.get_absolute_url())
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Course",
        "@id": f"{url}#course",
        "url": url,
        "name": activity.title,
        "description": activity.description or activity_summary(activity),
        "inLanguage": "ru",
        "provider": organization_ref(activity.organization),
        "offers": [_offer(activity, url)],
        "hasCourseInstance": _instances(activity, url),
        "isAccessibleForFree": activity.is_free,
        "keywords": ", ".join(
            [loc_name(activity.direction), *(loc_name(c) for c in activity.categories.all())]
        ),
        "dateModified": activity.updated_at.isoformat(timespec="seconds") if activity.updated_at else None,
    }
    typical = age_range(activity.age_min, activity.age_max)
    if typical:
        data["typicalAgeRange"] = typical
        data["audience"] = {
            "@type": "PeopleAudience",
            "suggestedMinAge": activity.age_min,
            "suggestedMaxAge": activity.age_max,
        }
    if activity.rating is not None and activity.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(activity.rating, 2),
            "ratingCount": activity.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    return {key: value for key, value in data.items() if value is not None}
