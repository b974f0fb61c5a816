"""Writes for events: create, edit, cancel. Each in one transaction with an audit entry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from kruzhok.accounts.models import User
from kruzhok.api.openactive_selectors import event_item_ids
from kruzhok.api.openactive_services import event_feed_written
from kruzhok.catalog.models import Organization
from kruzhok.core.services import audit_log
from kruzhok.events.models import Event
from kruzhok.events.recurrence import build_rule, local_zone

EVENT_FIELDS = (
    "title",
    "description",
    "kind",
    "activity",
    "venue",
    "starts_at",
    "ends_at",
    "all_day",
    "rrule",
    "exdates",
    "age_min",
    "age_max",
    "price_rub",
)
# Beyond this many occurrences a rule counts as open-ended for the SQL prefilter.
_SCAN_LIMIT = 5000


def repeats_until(*, starts_at: datetime, ends_at: datetime, rule: str) -> datetime | None:
    """When the last occurrence ends; None for a rule without an end (or too long to matter)."""
    if not rule:
        return ends_at
    if "COUNT=" not in rule and "UNTIL=" not in rule:
        return None
    local_start = starts_at.astimezone(local_zone()).replace(tzinfo=None)
    last = None
    for index, local in enumerate(build_rule(rule, local_start)):
        if index >= _SCAN_LIMIT:
            return None
        last = local
    if last is None:
        return ends_at
    return last.replace(tzinfo=local_zone()).astimezone(ZoneInfo("UTC")) + (ends_at - starts_at)


def _apply(event: Event, data: dict[str, Any]) -> None:
    for name in EVENT_FIELDS:
        value = data[name]
        if name == "exdates":
            value = [day.isoformat() if isinstance(day, date) else str(day) for day in value]
        setattr(event, name, value)
    event.repeats_until = repeats_until(starts_at=event.starts_at, ends_at=event.ends_at, rule=event.rrule)


def _snapshot(event: Event) -> dict[str, Any]:
    return {
        name: (
            getattr(event, f"{name}_id")
            if name in ("activity", "venue")
            else getattr(event, name).isoformat()
            if isinstance(getattr(event, name), datetime)
            else getattr(event, name)
        )
        for name in EVENT_FIELDS
    }


def event_create(*, organization: Organization, actor: User, data: dict[str, Any]) -> Event:
    with transaction.atomic():
        event = Event(organization=organization, created_by=actor)
        _apply(event, data)
        event.save()
        event_feed_written(event=event, previous=set())
        audit_log(action="events.event.created", obj=event, actor=actor, data=_snapshot(event))
    return event


def event_update(*, event: Event, actor: User, data: dict[str, Any]) -> Event:
    with transaction.atomic():
        before = _snapshot(event)
        # What the feed shows now, from the row as committed and locked: two editors changing
        # the rule at once must each bury what the other published.
        published = event_item_ids(Event.objects.select_for_update().get(pk=event.pk))
        _apply(event, data)
        event.save()
        event_feed_written(event=event, previous=published)
        after = _snapshot(event)
        changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
        audit_log(action="events.event.updated", obj=event, actor=actor, data={"changed": changed})
    return event


def event_cancel(*, event: Event, actor: User) -> Event:
    """Cancelled events stay visible, marked, so a family that planned to go sees why not."""
    with transaction.atomic():
        if event.status != Event.Status.CANCELLED:
            event.status = Event.Status.CANCELLED
            event.save(update_fields=["status", "updated_at"])
            event_feed_written(event=event, previous=event_item_ids(event))
            audit_log(action="events.event.cancelled", obj=event, actor=actor)
    return event
