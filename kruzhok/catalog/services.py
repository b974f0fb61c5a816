"""Direct edits of the catalog by its providers (and by editors): public at once, versioned,
audited and re-indexed in the same transaction.

A provider's save also confirms the entry (`verified_at` = now): they are the people who know.
An editor's edit is recorded as «изменено редактором» and does not count as a confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.accounts import permissions
from kruzhok.accounts.models import Membership, MembershipRole, User
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
from kruzhok.catalog.selectors import venue_at
from kruzhok.core.services import audit_log
from kruzhok.moderation.models import ActivityVersion
from kruzhok.moderation.versions import ACTIVITY_FIELDS, activity_snapshot, version_baseline, version_record
from kruzhok.places import gazetteer
from kruzhok.places.selectors import district_for
from kruzhok.search.index import index_activities

ORGANIZATION_FIELDS = ("description", "phone", "email", "website")
GROUP_FIELDS = ("name", "age_min", "age_max", "teacher", "capacity")


class Refused(Exception):
    """A change the rules do not allow; the message says why, in the user's language."""


@dataclass(kw_only=True)
class ActivityData:
    """What the activity form validated: the activity's own fields and where it takes place."""

    fields: dict[str, Any]
    direction: Direction
    categories: list[Category] = field(default_factory=list)
    venue: Venue | None = None
    new_address: str = ""


SlotSpec = tuple[int, time, time]


def _is_provider(actor: User, organization_id: int) -> bool:
    return permissions.membership_role(actor, organization_id) is not None


def _action_for(actor: User, organization_id: int) -> str:
    if permissions.is_editor(actor) and not _is_provider(actor, organization_id):
        return ActivityVersion.Action.EDITOR
    return ActivityVersion.Action.EDITED


def venue_for_address(*, organization: Organization, address: str, lat: Any = None, lon: Any = None) -> Venue:
    """The organization's venue at `address` (compared folded: case, ё and spacing do not make a
    second venue), else a new one placed at `lat`/`lon` or through the gazetteer. A point the
    gazetteer only knows to the district is not used: a pin at an okrug's centre misleads more
    than no pin."""
    address = " ".join(address.split())[:300]
    existing = venue_at(organization, address)
    if existing is not None:
        return existing
    if lat is None or lon is None:
        found = gazetteer.geocode(address, city=settings.CITY_NAME)
        if found is not None and found.precision != gazetteer.Precision.DISTRICT:
            lat, lon = found.lat, found.lon
    district = microdistrict = None
    if lat is not None and lon is not None:
        district = district_for(gazetteer.district_of(lat, lon, settings.CITY_NAME))
        microdistrict = district_for(
            gazetteer.microdistrict_of(lat, lon, settings.CITY_NAME), kind="microdistrict"
        )
    return Venue.objects.create(
        organization=organization,
        address=address,
        lat=lat,
        lon=lon,
        district=district,
        microdistrict=microdistrict,
    )


def _apply(activity: Activity, data: ActivityData) -> None:
    for name in ACTIVITY_FIELDS:
        if name in data.fields:
            setattr(activity, name, data.fields[name])
    activity.direction = data.direction
    if data.new_address.strip():
        activity.venue = venue_for_address(organization=activity.organization, address=data.new_address)
    else:
        activity.venue = data.venue


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def _finish(
    *, activity: Activity, actor: User, before: dict[str, Any], audit: str, note: str = ""
) -> list[str]:
    """Record a version when something changed, confirm the entry for a provider, audit, re-index."""
    after = activity_snapshot(activity)
    changed = _changed_fields(before, after)
    now = timezone.now()
    if _is_provider(actor, activity.organization_id):
        # The provider looked at the entry and saved it: that answers a pending review request.
        Activity.objects.filter(pk=activity.pk).update(verified_at=now, review_requested_at=None)
        activity.verified_at, activity.review_requested_at = now, None
    if changed:
        version_record(
            activity=activity, actor=actor, action=_action_for(actor, activity.organization_id), note=note
        )
    audit_log(action=audit, obj=activity, actor=actor, data={"changed": changed, "note": note[:300]})
    # Group and slot writes below reach the index through signals, deletions not always: be sure.
    index_activities([activity.pk])
    return changed


def activity_update(*, activity: Activity, actor: User, data: ActivityData) -> list[str]:
    """Save a provider's or an editor's edit; returns the names of the fields that changed."""
    with transaction.atomic():
        locked = (
            Activity.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=activity.pk)
        )
        version_baseline(activity=locked)
        before = activity_snapshot(locked)
        _apply(locked, data)
        locked.save()
        locked.categories.set(data.categories)
        changed = _finish(activity=locked, actor=actor, before=before, audit="catalog.activity.edited")
    return changed


def activity_create(*, organization: Organization, actor: User, data: ActivityData) -> Activity:
    """A new activity added directly by its provider (or an editor): published at once."""
    with transaction.atomic():
        activity = Activity(organization=organization, status=Status.PUBLISHED, source="")
        _apply(activity, data)
        activity.save()
        activity.categories.set(data.categories)
        version_record(activity=activity, actor=actor, action=ActivityVersion.Action.CREATED)
        if _is_provider(actor, organization.pk):
            Activity.objects.filter(pk=activity.pk).update(verified_at=timezone.now())
        audit_log(action="catalog.activity.created", obj=activity, actor=actor, data={"direct": True})
        index_activities([activity.pk])
    activity.refresh_from_db()
    return activity


def _replace_slots(group: Group, slots: list[SlotSpec]) -> None:
    wanted = sorted(set(slots))
    current = sorted((s.weekday, s.starts_at, s.ends_at) for s in group.slots.all())
    if wanted == current:
        return
    group.slots.all().delete()
    for weekday, start, end in wanted:
        ScheduleSlot.objects.create(group=group, weekday=weekday, starts_at=start, ends_at=end)


def group_save(
    *,
    activity: Activity,
    actor: User,
    fields: dict[str, Any],
    slots: list[SlotSpec],
    group: Group | None = None,
) -> Group:
    """Create a group of the activity, or change one, with its whole weekly timetable."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if group is not None and group.activity_id != locked.pk:
            raise Refused(_("Эта группа относится к другому занятию."))
        version_baseline(activity=locked)
        before = activity_snapshot(locked)
        target = group or Group(activity=locked)
        for name in GROUP_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        target.save()
        _replace_slots(target, slots)
        _finish(
            activity=locked,
            actor=actor,
            before=before,
            audit="catalog.group.edited" if group is not None else "catalog.group.created",
            note=target.name,
        )
    return target


def group_delete(*, group: Group, actor: User) -> None:
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=group.activity_id)
        version_baseline(activity=locked)
        before = activity_snapshot(locked)
        name = group.name
        group.delete()
        _finish(activity=locked, actor=actor, before=before, audit="catalog.group.deleted", note=name)


def organization_update(*, organization: Organization, actor: User, fields: dict[str, Any]) -> list[str]:
    """The organization's own description and contacts; returns what changed."""
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        changed = [
            name for name in ORGANIZATION_FIELDS if name in fields and getattr(locked, name) != fields[name]
        ]
        for name in changed:
            setattr(locked, name, fields[name])
        if _is_provider(actor, locked.pk):
            locked.verified_at = timezone.now()
        locked.save()
        audit_log(action="catalog.organization.edited", obj=locked, actor=actor, data={"changed": changed})
    return changed


def membership_remove(*, membership: Membership, actor: User) -> None:
    """An owner (or an editor) takes someone out of the organization; the last owner stays."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        owners = Membership.objects.filter(organization_id=locked.organization_id, role=MembershipRole.OWNER)
        if locked.role == MembershipRole.OWNER and owners.count() <= 1 and not permissions.is_editor(actor):
            raise Refused(_("У организации должен остаться хотя бы один владелец."))
        audit_log(
            action="catalog.membership.removed",
            obj=locked.organization,
            actor=actor,
            data={"user": locked.user_id, "role": locked.role},
        )
        locked.delete()


# --- deletions for good (the admin's delete actions) -------------------------------------------
# The site archives rather than deletes; an admin may still delete rows. Each of these deletes in
# one transaction, tells the open-data feeds (tombstones, events whose activity or venue went) and
# writes the audit log.


def activities_delete(*, activities: Iterable[Activity], actor: User | None) -> int:
    from kruzhok.api.openactive_services import events_feed_stamped, feed_items_deleted
    from kruzhok.events.models import Event

    ids = sorted({activity.pk for activity in activities})
    with transaction.atomic():
        # Their events stay (Event.activity is SET_NULL) and lose the activity's categories.
        events = list(Event.objects.filter(activity_id__in=ids).values_list("pk", flat=True))
        for pk in ids:
            audit_log(
                action="catalog.activity.deleted",
                object_type="catalog.activity",
                object_id=str(pk),
                actor=actor,
            )
        Activity.objects.filter(pk__in=ids).delete()
        feed_items_deleted(activity_ids=ids)
        events_feed_stamped(events)
    return len(ids)


def organizations_delete(*, organizations: Iterable[Organization], actor: User | None) -> int:
    """Organizations with activities are protected (Activity.organization is PROTECT): the
    database refuses, and nothing is written. Their events and venues go with them."""
    from kruzhok.api.openactive_services import events_deleting, feed_items_deleted
    from kruzhok.events.models import Event

    ids = sorted({organization.pk for organization in organizations})
    with transaction.atomic():
        items = events_deleting(Event.objects.filter(organization_id__in=ids).values_list("pk", flat=True))
        for pk in ids:
            audit_log(
                action="catalog.organization.deleted",
                object_type="catalog.organization",
                object_id=str(pk),
                actor=actor,
            )
        Organization.objects.filter(pk__in=ids).delete()
        feed_items_deleted(event_items=items)
    return len(ids)


def venues_delete(*, venues: Iterable[Venue], actor: User | None) -> int:
    from kruzhok.api.openactive_services import events_feed_stamped
    from kruzhok.events.models import Event

    ids = sorted({venue.pk for venue in venues})
    with transaction.atomic():
        # Activities and events keep existing without a place (SET_NULL); the search index
        # re-reads the activities (signals), the events' feed items are renumbered here.
        events = list(Event.objects.filter(venue_id__in=ids).values_list("pk", flat=True))
        for pk in ids:
            audit_log(
                action="catalog.venue.deleted", object_type="catalog.venue", object_id=str(pk), actor=actor
            )
        Venue.objects.filter(pk__in=ids).delete()
        events_feed_stamped(events)
    return len(ids)
