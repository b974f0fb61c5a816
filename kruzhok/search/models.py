"""What the search index stores: one flat row per activity, its vocabulary and a change counter.

`SearchDocument` holds everything a result card, a filter, a facet or the ranking needs, so a
search never joins the catalog tables. The full-text part lives beside it in vendor tables
(FTS5 / tsvector columns) that only `kruzhok.search.backends` touches.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    """The searchable copy of one activity. `live` is false for anything the public must not see."""

    activity = models.OneToOneField(
        "catalog.Activity", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    seq = models.BigIntegerField(db_index=True)
    live = models.BooleanField(default=True)
    # The `seq` of the write that first made the activity public, kept through every later write
    # and rebuild: «new since N» for the alerts, in commit order (see SearchState).
    live_seq = models.BigIntegerField(null=True, db_index=True)
    # Filters and ranking.
    direction_id = models.IntegerField(null=True)
    category_ids = models.JSONField(default=list)
    district_id = models.IntegerField(null=True)
    microdistrict_id = models.IntegerField(null=True)
    age_min = models.PositiveSmallIntegerField(default=0)
    age_max = models.PositiveSmallIntegerField(default=18)
    price_rub = models.PositiveIntegerField(default=0)
    ovz = models.BooleanField(default=False)
    enrollment_open = models.BooleanField(default=True)
    lat = models.FloatField(null=True)
    lon = models.FloatField(null=True)
    slots = models.JSONField(default=list)  # [[weekday, start minute, end minute], …]
    verified_at = models.DateTimeField(null=True)
    rating = models.FloatField(null=True)
    rating_count = models.PositiveIntegerField(default=0)
    quality = models.FloatField(default=0.0)  # completeness of the entry, 0..1
    # The card, as shown; title and URL also apart, for the map's hundreds of points.
    card = models.JSONField(default=dict)
    title = models.CharField(max_length=300, default="")
    url = models.CharField(max_length=400, default="")
    # Analyzed text (stems separated by spaces) the backends index: strong and weak fields.
    text_strong = models.TextField(default="")
    text_weak = models.TextField(default="")

    class Meta:
        verbose_name = "поисковый документ"
        verbose_name_plural = "поисковые документы"
        # The OpenActive feed pages by (seq, activity): a rebuild gives every document one seq.
        indexes = [models.Index(fields=["seq", "activity"], name="search_doc_seq_activity")]

    def __str__(self) -> str:
        return f"search document {self.pk}"


class SearchTerm(models.Model):
    """A stem the index holds, the word shown for it and in how many documents it occurs."""

    stem = models.CharField(max_length=100, primary_key=True)
    word = models.CharField(max_length=100)
    df = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "слово индекса"
        verbose_name_plural = "словарь индекса"

    def __str__(self) -> str:
        return self.word


class SearchState(models.Model):
    """A single row: `seq` grows with every index write, `generation` with every rebuild.

    Writers bump `seq` with an UPDATE, which holds the row lock until commit; so sequence numbers
    become visible in commit order and a reader that has seen N has seen everything up to N.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    generation = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    words = models.BigIntegerField(default=0)  # grows whenever the vocabulary changes

    class Meta:
        verbose_name = "состояние индекса"
        verbose_name_plural = "состояние индекса"

    def __str__(self) -> str:
        return f"seq {self.seq}, generation {self.generation}"
