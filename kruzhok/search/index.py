"""Keeping the search index current: every catalog write re-indexes what it touched, in its own
transaction, so a search never shows what a rolled-back write wanted and never misses a commit.

Writes through the ORM (admin, services) reach `index_activities` through the signal receivers
below; bulk writers that bypass signals (the importer, seed_demo) call it themselves before
their transaction commits. Receivers only find the affected activity ids and call the service:
indexing is infrastructure, like a database trigger, not business logic.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.urls import reverse

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
from kruzhok.events.models import Event
from kruzhok.search import analyzer, taxonomy
from kruzhok.search.models import SearchDocument, SearchState, SearchTerm

log = logging.getLogger(__name__)
BATCH = 1000


def _bump(*, new_generation: bool = False, documents: int | None = None) -> int:
    """The next sequence number; the row lock it takes orders concurrent writers by commit."""
    SearchState.objects.get_or_create(pk=1)
    changes: dict[str, Any] = {"seq": F("seq") + 1}
    if new_generation:
        changes["generation"] = F("generation") + 1
    if documents is not None:
        changes["documents"] = documents
    SearchState.objects.filter(pk=1).update(**changes)
    return int(SearchState.objects.values_list("seq", flat=True).get(pk=1))


_ACTIVITY_FIELDS = (
    "pk",
    "status",
    "title",
    "slug",
    "description",
    "direction_id",
    "tags",
    "age_min",
    "age_max",
    "price_rub",
    "ovz",
    "enrollment",
    "format",
    "verified_at",
    "external_id",
    "phone",
    "email",
    "website",
    "organization_id",
    "organization__name",
    "organization__phone",
    "organization__email",
    "organization__website",
    "venue__name",
    "venue__address",
    "venue__lat",
    "venue__lon",
    "venue__district_id",
    "venue__microdistrict_id",
    "rating",
    "rating_count",
)


def _minutes(value: Any) -> int:
    return int(value.hour) * 60 + int(value.minute)


def _activity_url(pk: int, slug: str) -> str:
    return reverse("catalog:activity", args=[pk, slug or "activity"])


class _Builder:
    """Builds documents from plain rows: at 200,000 activities, model instances for every group,
    slot and category cost most of a rebuild."""

    def __init__(self, seq: int) -> None:
        self.seq = seq
        tax = taxonomy.load()
        self.directions = {pk: (slug, ru, en) for slug, (pk, ru, en) in tax.directions.items()}
        self.categories = {row[0]: (slug, row[1], row[2]) for slug, row in tax.categories.items()}
        self.synonyms = tax.category_synonyms
        self.okrug_names = {pk: name for name, pk in tax.okrugs.items()}
        template = _activity_url(999_999_999, "slug-placeholder")
        self.url_prefix, self.url_suffix = template.split("999999999-slug-placeholder")
        self.df: Counter[str] = Counter()
        self.words: dict[str, str] = {}

    def url(self, pk: int, slug: str) -> str:
        return f"{self.url_prefix}{pk}-{slug or 'activity'}{self.url_suffix}"

    def documents(
        self, ids: Sequence[int], first_live: Mapping[int, int] | None = None
    ) -> list[SearchDocument]:
        """Documents for these activities; `first_live` carries each one's `live_seq` over from the
        row it replaces (an activity public for the first time gets this write's seq)."""
        rows = list(Activity.objects.filter(pk__in=ids).values_list(*_ACTIVITY_FIELDS))
        found = [r[0] for r in rows]
        categories: dict[int, list[int]] = {}
        for activity_id, category_id in Activity.categories.through.objects.filter(
            activity_id__in=found
        ).values_list("activity_id", "category_id"):
            categories.setdefault(activity_id, []).append(category_id)
        slots: dict[int, list[list[int]]] = {}
        for activity_id, weekday, starts, ends in ScheduleSlot.objects.filter(
            group__activity_id__in=found
        ).values_list("group__activity_id", "weekday", "starts_at", "ends_at"):
            slots.setdefault(activity_id, []).append([weekday, _minutes(starts), _minutes(ends)])
        documents = [
            self.document(row, categories.get(row[0], []), sorted(slots.get(row[0], []))) for row in rows
        ]
        first_live = first_live or {}
        for document in documents:
            document.live_seq = first_live.get(document.activity_id, self.seq if document.live else None)
        return documents

    def document(self, row: tuple, category_ids: list[int], slots: list[list[int]]) -> SearchDocument:
        (
            pk, status, title, slug, description, direction_id, tags, age_min, age_max, price_rub, ovz,
            enrollment, fmt, verified_at, external_id, phone, email, website, organization_id,
            organization_name, org_phone, org_email, org_website, venue_name, address, lat, lon,
            district_id, microdistrict_id, rating, rating_count,
        ) = row  # fmt: skip
        direction = self.directions.get(direction_id, ("", "", ""))
        cats = sorted((c for c in category_ids if c in self.categories), key=lambda c: self.categories[c][1])
        # The title twice: a word of the title outweighs one that only names a category.
        strong_parts = [title, title]
        for cid in cats:
            strong_parts += [self.categories[cid][1], self.categories[cid][2], *self.synonyms.get(cid, ())]
        strong_parts += [str(t) for t in tags or []]
        strong_text = " ".join(strong_parts)
        weak_text = " ".join([description, organization_name, direction[1], direction[2], venue_name or ""])
        has_point = lat is not None and lon is not None
        quality = (
            (0.3 if len(description) >= 80 else 0.15 if description else 0.0)
            + (0.3 if slots else 0.0)
            + (0.2 if has_point else 0.0)
            + (0.2 if (phone or email or website or org_phone or org_email or org_website) else 0.0)
        )
        stems: dict[str, str] = dict(analyzer.surface_words(f"{strong_text} {weak_text}"))
        self.df.update(stems.keys())
        for stem, word in stems.items():
            known = self.words.get(stem)
            if known is None or len(word) < len(known):
                self.words[stem] = word
        strong_terms = analyzer.index_terms(strong_text)
        # The weak field keeps only words the strong one lacks: a match there only matters for
        # documents the strong field missed, and football clubs' descriptions repeat «футбол»,
        # which made the weak posting lists as long as the strong ones for nothing.
        strong_set = set(strong_terms)
        card = {
            "id": pk,
            "external_id": external_id,
            "title": title,
            "url": self.url(pk, slug),
            "organization": {"id": organization_id, "name": organization_name},
            "direction": direction[0],
            "categories": [self.categories[c][0] for c in cats],
            "age_min": age_min,
            "age_max": age_max,
            "price_rub": price_rub,
            "district": self.okrug_names.get(district_id, "") if district_id else "",
            "address": address or "",
            "lat": lat,
            "lon": lon,
            "ovz": ovz,
            "enrollment": enrollment,
            "format": fmt,
        }
        return SearchDocument(
            activity_id=pk,
            seq=self.seq,
            live=status == Status.PUBLISHED,
            direction_id=direction_id,
            category_ids=cats,
            district_id=district_id,
            microdistrict_id=microdistrict_id,
            age_min=age_min,
            age_max=age_max,
            price_rub=price_rub,
            ovz=ovz,
            enrollment_open=enrollment == Activity.Enrollment.OPEN,
            lat=lat,
            lon=lon,
            slots=slots,
            verified_at=verified_at,
            rating=rating if rating_count else None,
            rating_count=rating_count,
            quality=round(quality, 3),
            card=card,
            title=title,
            url=card["url"],
            text_strong=" ".join(strong_terms),
            text_weak=" ".join(t for t in analyzer.index_terms(weak_text) if t not in strong_set),
        )


def _save_vocabulary(builder: _Builder, *, counted: bool, replaced: Counter[str] | None = None) -> None:
    """Keep document frequencies exact: a rebuild writes them; an incremental write adds the new
    documents' stems and takes away those of the documents they replaced, so searches rank the
    same however the index was built."""
    pairs = {s: w for s, w in builder.words.items() if len(s) <= 100 and len(w) <= 100}
    if counted:
        SearchTerm.objects.bulk_create(
            [SearchTerm(stem=s, word=w, df=builder.df[s]) for s, w in pairs.items()], batch_size=BATCH
        )
        return
    delta: Counter[str] = Counter(builder.df)
    delta.subtract(replaced or Counter())
    known = set(SearchTerm.objects.filter(stem__in=list(delta)).values_list("stem", flat=True))
    SearchTerm.objects.bulk_create(
        [SearchTerm(stem=s, word=w, df=max(delta[s], 0)) for s, w in pairs.items() if s not in known],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    by_change: dict[int, list[str]] = {}
    for stem_, change in delta.items():
        if change and stem_ in known:
            by_change.setdefault(change, []).append(stem_)
    for change, stems in by_change.items():
        for start in range(0, len(stems), BATCH):
            SearchTerm.objects.filter(stem__in=stems[start : start + BATCH]).update(df=F("df") + change)
    if by_change or any(s not in known for s in pairs):
        SearchState.objects.filter(pk=1).update(words=F("words") + 1)


def index_activities(ids: Iterable[int]) -> int:
    """Re-index these activities (ids no longer in the catalog are dropped). Returns how many."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return 0
    done = 0
    replaced: Counter[str] = Counter()
    with transaction.atomic():
        builder = _Builder(_bump())
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            first_live: dict[int, int] = {}
            for pk, strong, weak, live_seq in SearchDocument.objects.filter(pk__in=chunk).values_list(
                "pk", "text_strong", "text_weak", "live_seq"
            ):
                replaced.update(set(strong.split()) | set(weak.split()))
                if live_seq is not None:
                    first_live[pk] = live_seq
            documents = builder.documents(chunk, first_live)
            # Replace rather than update: one DELETE and one INSERT per chunk instead of an UPDATE
            # per row, and the full-text triggers see a plain delete + insert.
            SearchDocument.objects.filter(pk__in=chunk).delete()
            SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
            # The OpenActive event items embed their activity (its categories decide their scope,
            # its organization and venue what they show): they take this write's number too.
            Event.objects.filter(activity_id__in=chunk, feed_seq__isnull=False).update(feed_seq=builder.seq)
            done += len(documents)
        _save_vocabulary(builder, counted=False, replaced=replaced)
        SearchState.objects.filter(pk=1).update(documents=SearchDocument.objects.count())
    return done


def index_activities_around(ids: Iterable[int]) -> int:
    """These activities and every other one sharing their venues or organizations: a bulk write
    that moved a venue or renamed an organization changed those cards too."""
    wanted = list({int(i) for i in ids})
    if not wanted:
        return 0
    touched = Activity.objects.filter(pk__in=wanted)
    around = Activity.objects.filter(venue__in=touched.values("venue")) | Activity.objects.filter(
        organization__in=touched.values("organization")
    )
    return index_activities({*wanted, *around.values_list("pk", flat=True)})


def next_seq() -> int:
    """A number for a write that is not a document (an OpenActive tombstone, an event): taken
    under the same row lock as the documents', so it orders with them in commit order. Call it
    inside the writing transaction."""
    return _bump()


def current_seq() -> int:
    """The index's sequence number now: every write numbered up to it has committed."""
    return int(SearchState.objects.filter(pk=1).values_list("seq", flat=True).first() or 0)


def published_between(after_seq: int, upto_seq: int) -> list[int]:
    """Activities public now that first went public in a write numbered after `after_seq`, up to
    `upto_seq` — what is new for someone who has seen everything up to `after_seq`."""
    return list(
        SearchDocument.objects.filter(live=True, live_seq__gt=after_seq, live_seq__lte=upto_seq)
        .order_by("live_seq", "pk")
        .values_list("pk", flat=True)
    )


def remove_activities(ids: Iterable[int]) -> None:
    wanted = list(ids)
    with transaction.atomic():
        SearchDocument.objects.filter(pk__in=wanted).delete()
        # A removal cannot be expressed as a newer row: readers reload everything.
        _bump(new_generation=True, documents=SearchDocument.objects.count())


def rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Drop and rebuild the whole index in one transaction; searches keep the old one until commit."""
    from kruzhok.search import backends

    taxonomy.clear()
    ids = list(Activity.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        # When each activity first went public survives the rebuild: the alerts count on it.
        first_live: dict[int, int] = {
            pk: seq
            for pk, seq in SearchDocument.objects.filter(live_seq__isnull=False).values_list("pk", "live_seq")
            if seq is not None
        }
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        builder = _Builder(_bump(new_generation=True, documents=0))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            SearchDocument.objects.bulk_create(builder.documents(chunk, first_live), batch_size=BATCH)
            if progress:
                progress(min(start + BATCH, len(ids)), len(ids))
        _save_vocabulary(builder, counted=True)
        SearchState.objects.filter(pk=1).update(documents=len(ids))
    backends.for_connection().after_bulk_load()
    return len(ids)


# --- signal receivers: find what a write touched ---------------------------------------------


def _reindex_where(**lookup: Any) -> None:
    ids = list(Activity.objects.filter(**lookup).values_list("pk", flat=True))
    if ids:
        index_activities(ids)


def _on_activity_saved(sender: type[Model], instance: Activity, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        index_activities([instance.pk])


def _on_activity_deleted(sender: type[Model], instance: Activity, **kwargs: Any) -> None:
    # The document went with the activity (cascade); readers must forget it.
    _bump(new_generation=True, documents=SearchDocument.objects.count())


def _on_categories_changed(
    sender: type[Model], instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if reverse and action == "pre_clear":
        # After the clear the links are gone: remember whom it touches while they are there.
        instance.__dict__["_search_cleared"] = list(
            Activity.objects.filter(categories=instance).values_list("pk", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        if pk_set:
            index_activities(pk_set)
        elif action == "post_clear":
            index_activities(instance.__dict__.get("_search_cleared", []))
    else:
        index_activities([instance.pk])


def _on_deleting(sender: type[Model], instance: Venue | Category, **kwargs: Any) -> None:
    # Activity.venue is SET_NULL and a category's links go by a fast delete: neither sends a
    # signal for the activities, so remember them while the links are there.
    field = "venue" if isinstance(instance, Venue) else "categories"
    instance.__dict__["_search_activities"] = list(
        Activity.objects.filter(**{field: instance}).values_list("pk", flat=True)
    )


def _on_deleted(sender: type[Model], instance: Venue | Category, **kwargs: Any) -> None:
    index_activities(instance.__dict__.get("_search_activities", []))


def _on_related_saved(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if isinstance(instance, Organization):
        _reindex_where(organization=instance)
    elif isinstance(instance, Venue):
        _reindex_where(venue=instance)
    elif isinstance(instance, Group):
        index_activities([instance.activity_id])
    elif isinstance(instance, ScheduleSlot):
        index_activities([Group.objects.values_list("activity_id", flat=True).get(pk=instance.group_id)])


def _on_taxonomy_saved(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    taxonomy.clear()
    if raw:
        return
    if isinstance(instance, Category):
        _reindex_where(categories=instance)
    elif isinstance(instance, Direction):
        _reindex_where(direction=instance)


def _on_slot_or_group_deleted(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    activity_id = getattr(instance, "activity_id", None)
    if activity_id is None:
        activity_id = Group.objects.filter(pk=instance.group_id).values_list("activity_id", flat=True).first()
    # Deleting an activity deletes its groups too, possibly after its document: only refresh a
    # document that is still there, never bring back one the same delete removed.
    if activity_id is not None and SearchDocument.objects.filter(pk=activity_id).exists():
        index_activities([activity_id])


def connect_signals() -> None:
    from kruzhok.places.models import District

    post_save.connect(_on_activity_saved, sender=Activity, dispatch_uid="search.activity")
    post_delete.connect(_on_activity_deleted, sender=Activity, dispatch_uid="search.activity.delete")
    m2m_changed.connect(
        _on_categories_changed, sender=Activity.categories.through, dispatch_uid="search.cats"
    )
    for model in (Organization, Venue, Group, ScheduleSlot):
        post_save.connect(_on_related_saved, sender=model, dispatch_uid=f"search.{model.__name__}")
    pre_delete.connect(_on_deleting, sender=Venue, dispatch_uid="search.venue.deleting")
    pre_delete.connect(_on_deleting, sender=Category, dispatch_uid="search.category.deleting")
    post_delete.connect(_on_deleted, sender=Venue, dispatch_uid="search.venue.deleted")
    post_delete.connect(_on_deleted, sender=Category, dispatch_uid="search.category.deleted")
    for model in (Group, ScheduleSlot):
        post_delete.connect(
            _on_slot_or_group_deleted, sender=model, dispatch_uid=f"search.del.{model.__name__}"
        )
    for taxonomy_model in (Category, Direction, District):
        name = taxonomy_model.__name__
        post_save.connect(_on_taxonomy_saved, sender=taxonomy_model, dispatch_uid=f"search.tax.{name}")
        post_delete.connect(_on_taxonomy_saved, sender=taxonomy_model, dispatch_uid=f"search.taxdel.{name}")
