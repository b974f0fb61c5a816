"""Version history of activities: a snapshot after every change, and revert.

Every service that changes an activity (a provider's direct edit, an accepted suggestion, an
editor's edit, a revert) calls `version_record` inside its transaction. The first call for an
activity that has no history yet also stores the state *before* the change (as version 1,
«создано» or «импорт»), so the first edit of an imported entry can be undone too.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Max

from kruzhok.catalog.models import Activity, Category, Direction, Group, ScheduleSlot, Venue
from kruzhok.core.services import audit_log
from kruzhok.imports.schedule import format_schedule
from kruzhok.moderation.models import ActivityVersion
from kruzhok.search.index import index_activities

# The activity's own fields a provider edits directly; a snapshot also keeps status and tags.
ACTIVITY_FIELDS = (
    "title",
    "description",
    "age_min",
    "age_max",
    "price_rub",
    "price_note",
    "format",
    "ovz",
    "enrollment",
    "phone",
    "email",
    "website",
)
SCALAR_FIELDS = (*ACTIVITY_FIELDS, "status", "tags")

Actor = AbstractBaseUser | AnonymousUser | None


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def activity_snapshot(activity: Activity) -> dict[str, Any]:
    """The activity as JSON: its own fields, direction and categories as slugs, the venue, and
    every group with its weekly slots (plus the schedule as import-format text, for people)."""
    groups = []
    slots_all: list[tuple[int, time, time]] = []
    for group in Group.objects.filter(activity=activity).prefetch_related("slots").order_by("id"):
        slots = sorted((s.weekday, s.starts_at, s.ends_at) for s in group.slots.all())
        slots_all.extend(slots)
        groups.append(
            {
                "name": group.name,
                "age_min": group.age_min,
                "age_max": group.age_max,
                "teacher": group.teacher,
                "capacity": group.capacity,
                "slots": [[weekday, _hhmm(start), _hhmm(end)] for weekday, start, end in slots],
            }
        )
    venue = Venue.objects.filter(pk=activity.venue_id).first() if activity.venue_id else None
    return {
        **{field: getattr(activity, field) for field in SCALAR_FIELDS},
        "direction": Direction.objects.filter(pk=activity.direction_id)
        .values_list("slug", flat=True)
        .first(),
        "categories": sorted(activity.categories.values_list("slug", flat=True)),
        "venue_id": activity.venue_id,
        "address": venue.address if venue else "",
        "groups": groups,
        "schedule": format_schedule(slots_all),
    }


def _next_number(activity: Activity) -> int:
    found = ActivityVersion.objects.filter(activity=activity).aggregate(top=Max("number"))["top"]
    return int(found or 0) + 1


def version_baseline(*, activity: Activity) -> None:
    """Store the state before a first change, when the activity has no history yet (an entry
    from the importer or the admin). Call it before changing the activity."""
    if ActivityVersion.objects.filter(activity=activity).exists():
        return
    action = ActivityVersion.Action.IMPORTED if activity.source else ActivityVersion.Action.CREATED
    ActivityVersion.objects.create(
        activity=activity, number=1, action=action, actor=None, data=activity_snapshot(activity)
    )


def version_record(*, activity: Activity, actor: Actor, action: str, note: str = "") -> ActivityVersion:
    """Record the activity as it is now (after a change), inside the caller's transaction."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    return ActivityVersion.objects.create(
        activity=activity,
        number=_next_number(activity),
        action=action,
        actor_id=actor_id,
        data=activity_snapshot(activity),
        note=note[:300],
    )


def _restore(activity: Activity, data: dict[str, Any]) -> None:
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(activity, field, data[field])
    direction = Direction.objects.filter(slug=data.get("direction")).first()
    if direction is not None:
        activity.direction = direction
    venue_id = data.get("venue_id")
    if venue_id is None or Venue.objects.filter(pk=venue_id).exists():
        activity.venue_id = venue_id
    activity.save()
    activity.categories.set(Category.objects.filter(slug__in=data.get("categories", [])))
    ScheduleSlot.objects.filter(group__activity=activity).delete()
    Group.objects.filter(activity=activity).delete()
    for spec in data.get("groups", []):
        group = Group.objects.create(
            activity=activity,
            name=spec.get("name", ""),
            age_min=spec.get("age_min"),
            age_max=spec.get("age_max"),
            teacher=spec.get("teacher", ""),
            capacity=spec.get("capacity"),
        )
        ScheduleSlot.objects.bulk_create(
            [
                ScheduleSlot(
                    group=group,
                    weekday=weekday,
                    starts_at=time.fromisoformat(start),
                    ends_at=time.fromisoformat(end),
                )
                for weekday, start, end in spec.get("slots", [])
            ]
        )


def activity_revert(*, version: ActivityVersion, editor: AbstractBaseUser) -> ActivityVersion:
    """Put the activity back as it was in `version`; the revert is itself a new version."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=version.activity_id)
        _restore(activity, version.data)
        # Bulk slot writes send no signal the search index hears: re-index explicitly.
        index_activities([activity.pk])
        recorded = version_record(
            activity=activity,
            actor=editor,
            action=ActivityVersion.Action.REVERTED,
            note=f"v{version.number}",
        )
        audit_log(
            action="moderation.activity.reverted",
            obj=activity,
            actor=editor,
            data={"to_version": version.number, "new_version": recorded.number},
        )
    return recorded
