"""RFC 5545 calendars: events (one, a filtered feed, an organization's) and an activity's weekly
schedule. UIDs are stable (`event-<id>@<host>`), timed values carry TZID=Asia/Omsk with its
VTIMEZONE, all-day events use DATE values with DTEND = the day after the last. — pretix
`presale/ical.py`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone

from kruzhok.catalog.models import Activity, ScheduleSlot
from kruzhok.events.models import Event
from kruzhok.events.recurrence import join_parts, local_zone, rule_parts, until_local

PRODID = "-//Kruzhok//Events//RU"
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _finish(calendar: icalendar.Calendar) -> bytes:
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _rule_for_ical(rule: str, *, all_day: bool) -> icalendar.vRecur:
    """Our rule with UNTIL typed like DTSTART, as RFC 5545 §3.3.10 requires: a DATE for all-day
    events, a UTC date-time for timed ones."""
    parts = rule_parts(rule)
    if "UNTIL" in parts:
        last = until_local(parts["UNTIL"])
        if all_day:
            parts["UNTIL"] = f"{last:%Y%m%d}"
        else:
            parts["UNTIL"] = f"{last.replace(tzinfo=local_zone()).astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}"
    return icalendar.vRecur.from_ical(join_parts(parts))


def _event_component(event: Event, host: str, url: str) -> icalendar.Event:
    zone = local_zone()
    component = icalendar.Event()
    component.add("uid", f"event-{event.pk}@{host}")
    component.add("dtstamp", event.updated_at.astimezone(ZoneInfo("UTC")))
    component.add("summary", event.title)
    if event.all_day:
        first = event.starts_at.astimezone(zone).date()
        component.add("dtstart", first)
        component.add("dtend", event.ends_at.astimezone(zone).date())  # the day after the last
    else:
        component.add("dtstart", event.starts_at.astimezone(zone))
        component.add("dtend", event.ends_at.astimezone(zone))
    if event.rrule:
        component.add("rrule", _rule_for_ical(event.rrule, all_day=event.all_day))
        exdates = event.exception_dates()
        if exdates:
            local_start = event.starts_at.astimezone(zone)
            values: list[date | datetime] = (
                list(exdates)
                if event.all_day
                else [datetime.combine(day, local_start.time(), tzinfo=zone) for day in exdates]
            )
            component.add("exdate", values)
    if event.description:
        component.add("description", event.description)
    if event.venue is not None:
        component.add("location", event.venue.address)
        if event.venue.lat is not None and event.venue.lon is not None:
            component.add("geo", (event.venue.lat, event.venue.lon))
    component.add("url", url)
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    component.add("last-modified", event.updated_at.astimezone(ZoneInfo("UTC")))
    component.add("created", event.created_at.astimezone(ZoneInfo("UTC")))
    return component


def events_calendar(events: Iterable[Event], *, name: str, host: str, base_url: str) -> bytes:
    """`base_url`: scheme and host (no trailing slash) for each event's URL."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_event_component(event, host, base_url + event.get_absolute_url()))
    return _finish(calendar)


def next_slot_start(slot: ScheduleSlot, *, now: datetime | None = None) -> datetime:
    """The slot's next start in Omsk time (today's counts if it has not begun yet)."""
    zone = local_zone()
    local_now = (now or timezone.now()).astimezone(zone)
    days_ahead = (slot.weekday - local_now.weekday()) % 7
    start = datetime.combine(local_now.date() + timedelta(days=days_ahead), slot.starts_at, tzinfo=zone)
    if start <= local_now:
        start += timedelta(days=7)
    return start


def activity_schedule_calendar(
    activity: Activity, *, host: str, base_url: str, now: datetime | None = None
) -> bytes:
    """Each schedule slot as a weekly VEVENT from its next occurrence; UID per slot."""
    calendar = _calendar(activity.title)
    url = base_url + activity.get_absolute_url()
    for group in activity.groups.all():
        for slot in group.slots.all():
            start = next_slot_start(slot, now=now)
            component = icalendar.Event()
            component.add("uid", f"slot-{slot.pk}@{host}")
            component.add(
                "dtstamp", (now or timezone.now()).astimezone(ZoneInfo("UTC")).replace(microsecond=0)
            )
            summary = activity.title if not group.name else f"{activity.title} — {group.name}"
            component.add("summary", summary)
            component.add("dtstart", start)
            component.add("dtend", datetime.combine(start.date(), slot.ends_at, tzinfo=start.tzinfo))
            component.add("rrule", {"FREQ": "WEEKLY", "BYDAY": WEEKDAY_CODES[slot.weekday]})
            if activity.venue is not None:
                component.add("location", activity.venue.address)
            component.add("url", url)
            calendar.add_component(component)
    return _finish(calendar)
