"""Writes the OpenActive feeds need from the services that change events or delete rows.

Each function runs inside the caller's transaction and takes its number from the catalog's
commit-ordered sequence (`kruzhok.search.index.next_seq`), so what it records is ordered with
the search documents the same transaction writes. Nothing here is called from signals: the
services that write or delete call it, and the admin's delete actions go through those services.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from kruzhok.api.models import FeedTombstone
from kruzhok.api.openactive_selectors import (
    SCHEDULED_SESSIONS,
    SESSION_SERIES,
    activity_key,
    event_item_ids,
    event_occurrences,
)
from kruzhok.events.models import Event
from kruzhok.search.index import next_seq

BATCH = 1000


def _bury(feed: str, item_ids: Iterable[str], seq: int) -> None:
    stones = [FeedTombstone(feed=feed, item_id=item_id, modified=seq) for item_id in item_ids]
    FeedTombstone.objects.bulk_create(
        stones,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["feed", "item_id"],
        update_fields=["modified"],
    )


def _unbury(feed: str, item_ids: list[str]) -> None:
    """An id that is back in the feed (an occurrence restored by an edit) must not also be
    reported as deleted: RPDE shows each id once, in its latest state."""
    for start in range(0, len(item_ids), BATCH):
        FeedTombstone.objects.filter(feed=feed, item_id__in=item_ids[start : start + BATCH]).delete()


def event_feed_written(*, event: Event, previous: set[str]) -> int:
    """Number the event's items after a write; `previous` is `event_item_ids(event)` taken before
    the change, so occurrences the change removed become tombstones. Returns the number."""
    with transaction.atomic():
        seq = next_seq()
        Event.objects.filter(pk=event.pk).update(feed_seq=seq)
        event.feed_seq = seq
        current = event_item_ids(event)
        _bury(SCHEDULED_SESSIONS, sorted(previous - current), seq)
        _unbury(SCHEDULED_SESSIONS, sorted(current - previous))  # only ids that come back had one
    return seq


def events_feed_stamped(event_ids: Iterable[int]) -> int:
    """Number events written in bulk (the demo loader) or changed by a write elsewhere (their
    activity deleted): their items are re-read by consumers."""
    ids = sorted(set(event_ids))
    if not ids:
        return 0
    with transaction.atomic():
        seq = next_seq()
        for start in range(0, len(ids), BATCH):
            Event.objects.filter(pk__in=ids[start : start + BATCH]).update(feed_seq=seq)
    return seq


def events_deleting(event_ids: Iterable[int]) -> list[str]:
    """The item ids of events about to be deleted: call before the delete, then pass the result
    to `feed_items_deleted`."""
    ids = sorted(set(event_ids))
    items: list[str] = []
    for start in range(0, len(ids), BATCH):
        rows = Event.objects.filter(pk__in=ids[start : start + BATCH], feed_seq__isnull=False).values_list(
            "pk", "starts_at", "ends_at", "rrule", "exdates"
        )
        for pk, starts_at, ends_at, rrule, exdates in rows:
            items += [item_id for item_id, _m in event_occurrences(pk, starts_at, ends_at, rrule, exdates)]
    return items


def feed_items_deleted(*, activity_ids: Iterable[int] = (), event_items: Iterable[str] = ()) -> int | None:
    """Tombstones for activities and event occurrences whose rows were deleted in this transaction."""
    activities = [activity_key(int(pk)) for pk in activity_ids]
    occurrences = list(event_items)
    if not activities and not occurrences:
        return None
    with transaction.atomic():
        seq = next_seq()
        _bury(SESSION_SERIES, activities, seq)
        _bury(SCHEDULED_SESSIONS, occurrences, seq)
    return seq
