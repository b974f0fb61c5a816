"""schema.org JSON-LD for the event page: an `Event` (an `EducationEvent` for open days and
master classes) with dates in the city's offset, its status (cancelled events keep their page
and say `EventCancelled`), an offline attendance mode, the venue as a Place, the organization
as organizer, an Offer in RUB and, for a repeating event, `eventSchedule` translated from its
RRULE (schema.org's Schedule mirrors iCalendar's rule parts).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.html import strip_tags

from kruzhok.catalog.structured_data import (
    DAY_NAMES,
    SCHEMA,
    age_range,
    iso_duration,
    organization_ref,
    place,
)
from kruzhok.core.emails import site_url
from kruzhok.core.markup import render_user_text
from kruzhok.core.seo import summary_text
from kruzhok.events.models import Event
from kruzhok.events.recurrence import local_zone, rule_parts, until_local

EDUCATION_KINDS = {Event.Kind.OPEN_DAY, Event.Kind.MASTER_CLASS}
_FREQUENCY = {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M", "YEARLY": "Y"}
_ICAL_DAYS = dict(zip(("MO", "TU", "WE", "TH", "FR", "SA", "SU"), DAY_NAMES, strict=True))
MAX_DESCRIPTION = 5000


def _local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone())


def _dates(event: Event, starts_at: datetime, ends_at: datetime) -> tuple[str, str]:
    """ISO 8601 with the city's offset; an all-day event as dates, ending on its last day (the
    model keeps the midnight after it, like iCal's DTEND)."""
    start, end = _local(starts_at), _local(ends_at)
    if event.all_day:
        return start.date().isoformat(), (end - timedelta(microseconds=1)).date().isoformat()
    return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def _ints(value: str) -> list[int]:
    numbers = []
    for token in value.split(","):
        try:
            numbers.append(int(token))
        except ValueError:
            continue
    return numbers


def event_schedule(event: Event) -> dict[str, Any]:
    """The event's RRULE as a schema.org Schedule (rules are validated when saved)."""
    parts = rule_parts(event.rrule)
    start = _local(event.starts_at)
    interval = parts.get("INTERVAL", "1")
    schedule: dict[str, Any] = {
        "@type": "Schedule",
        "repeatFrequency": f"P{interval}{_FREQUENCY.get(parts.get('FREQ', ''), 'W')}",
        "startDate": start.date().isoformat(),
        "scheduleTimezone": settings.TIME_ZONE,
    }
    if not event.all_day:
        schedule["startTime"] = start.strftime("%H:%M")
        schedule["endTime"] = _local(event.ends_at).strftime("%H:%M")
        schedule["duration"] = iso_duration(int(event.duration.total_seconds() // 60))
    if "BYDAY" in parts:
        # schema.org takes a DayOfWeek, or iCal's own text for «the first Monday» (1MO).
        schedule["byDay"] = [
            f"{SCHEMA}/{_ICAL_DAYS[token]}" if token in _ICAL_DAYS else token
            for token in parts["BYDAY"].split(",")
        ]
    if "BYMONTHDAY" in parts:
        schedule["byMonthDay"] = _ints(parts["BYMONTHDAY"])
    if "BYMONTH" in parts:
        schedule["byMonth"] = _ints(parts["BYMONTH"])
    if "COUNT" in parts and _ints(parts["COUNT"]):
        schedule["repeatCount"] = _ints(parts["COUNT"])[0]
    if "UNTIL" in parts:
        schedule["endDate"] = until_local(parts["UNTIL"]).date().isoformat()
    if event.exdates:
        schedule["exceptDate"] = [day.isoformat() for day in event.exception_dates()]
    return schedule


def _description(event: Event) -> str:
    if event.description:
        # The page shows it through the Markdown subset; machines get its plain text (a space
        # where a paragraph or list item ended, entities decoded by summary_text).
        plain = strip_tags(render_user_text(event.description).replace("<", " <"))
        return summary_text(plain, limit=MAX_DESCRIPTION)
    return f"{event.get_kind_display()}: {event.title}. {event.organization.name}."


def event_json_ld(event: Event, *, next_start: datetime | None = None) -> dict[str, Any]:
    """The Event of `events.selectors.event_for_page`. `next_start`: for a repeating event, the
    next occurrence (what a visitor can still go to); the series' first one otherwise."""
    url = site_url(event.get_absolute_url())
    starts_at = next_start if event.is_recurring and next_start is not None else event.starts_at
    start, end = _dates(event, starts_at, starts_at + event.duration)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "EducationEvent" if event.kind in EDUCATION_KINDS else "Event",
        "@id": f"{url}#event",
        "url": url,
        "name": event.title,
        "description": _description(event),
        "startDate": start,
        "endDate": end,
        "eventStatus": f"{SCHEMA}/EventCancelled" if event.is_cancelled else f"{SCHEMA}/EventScheduled",
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
        "location": place(event.venue)
        if event.venue is not None
        else {
            # No venue given: the organization receives visitors in the city it serves.
            "@type": "Place",
            "name": event.organization.name,
            "address": {"@type": "PostalAddress", "addressLocality": settings.CITY_NAME},
        },
        "organizer": organization_ref(event.organization),
        "offers": {
            "@type": "Offer",
            "price": event.price_rub,
            "priceCurrency": "RUB",
            "url": url,
            "availability": f"{SCHEMA}/SoldOut" if event.is_cancelled else f"{SCHEMA}/InStock",
            "validFrom": _local(event.created_at).isoformat(timespec="seconds") if event.created_at else None,
        },
        "isAccessibleForFree": event.is_free,
        "inLanguage": "ru",
    }
    if data["offers"]["validFrom"] is None:
        del data["offers"]["validFrom"]
    typical = age_range(event.age_min, event.age_max)
    if typical:
        data["typicalAgeRange"] = typical
    if event.is_recurring:
        data["eventSchedule"] = event_schedule(event)
    activity = event.activity
    if activity is not None and activity.is_live:
        data["about"] = {
            "@type": "Course",
            "@id": site_url(activity.get_absolute_url()) + "#course",
            "name": activity.title,
        }
    return data
