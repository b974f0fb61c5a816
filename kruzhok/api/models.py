"""What the open-data feeds must remember that the catalog itself forgets: rows deleted for good.

An RPDE consumer learns about a removal only from a `deleted` item ordered after everything it
has read. Archived, hidden or unpublished entries still have their rows and are reported from
them; a hard-deleted row leaves nothing behind, so the service that deletes it writes a tombstone
here, numbered from the same commit-ordered sequence as the feed (see `openactive_selectors`).
"""

from __future__ import annotations

from django.db import models


class FeedTombstone(models.Model):
    class Feed(models.TextChoices):
        SESSION_SERIES = "session-series", "session-series"
        SCHEDULED_SESSIONS = "scheduled-sessions", "scheduled-sessions"

    feed = models.CharField(max_length=30, choices=Feed.choices)
    # The item's id in its sortable form (zero-padded), so the database orders it like the feed.
    item_id = models.CharField(max_length=40)
    modified = models.BigIntegerField()

    class Meta:
        verbose_name = "удалённая запись ленты"
        verbose_name_plural = "удалённые записи лент"
        constraints = [models.UniqueConstraint(fields=["feed", "item_id"], name="feed_tombstone_unique_item")]
        indexes = [models.Index(fields=["feed", "modified", "item_id"], name="feed_tombstone_order")]

    def __str__(self) -> str:
        return f"{self.feed} {self.item_id} @{self.modified}"
