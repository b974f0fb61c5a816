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
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Model, Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save

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


def _activities(ids: Sequence[int]) -> list[Activity]:
    return list(
        Activity.objects.filter(pk__in=ids)
        .select_related("organization", "venue", "venue__district", "direction")
        .prefetch_related(
            Prefetch(
                "categories", queryset=Category.objects.only("id", "slug", "name_ru", "name_en", "synonyms")
            ),
            Prefetch("groups", queryset=Group.objects.prefetch_related("slots")),
        )
    )


def _quality(activity: Activity, slots: list[list[int]]) -> float:
    """How complete the entry is: what a parent needs to decide without calling."""
    score = 0.0
    score += 0.3 if len(activity.description) >= 80 else 0.15 if activity.description else 0.0
    score += 0.3 if slots else 0.0
    score += 0.2 if activity.venue is not None and activity.venue.has_point else 0.0
    score += 0.2 if activity.contact_phone or activity.contact_email or activity.contact_website else 0.0
    return round(score, 3)


def _minutes(value: Any) -> int:
    return int(value.hour) * 60 + int(value.minute)


def build_document(activity: Activity, seq: int) -> tuple[SearchDocument, list[tuple[str, str]]]:
    """The flat document for one activity and the (stem, word) pairs it adds to the vocabulary."""
    venue = activity.venue
    categories = list(activity.categories.all())
    slots = sorted(
        [slot.weekday, _minutes(slot.starts_at), _minutes(slot.ends_at)]
        for group in activity.groups.all()
        for slot in group.slots.all()
    )
    direction = activity.direction
    strong_parts = [activity.title, activity.title]  # twice: a title word outweighs a category word
    for cat in categories:
        strong_parts += [cat.name_ru, cat.name_en, *[str(s) for s in cat.synonyms or []]]
    strong_parts += [str(t) for t in activity.tags or []]
    weak_parts = [
        activity.description,
        activity.organization.name,
        direction.name_ru,
        direction.name_en,
        venue.name if venue else "",
    ]
    strong_text = " ".join(strong_parts)
    weak_text = " ".join(weak_parts)
    card = {
        "id": activity.pk,
        "external_id": activity.external_id,
        "title": activity.title,
        "url": activity.get_absolute_url(),
        "organization": {"id": activity.organization_id, "name": activity.organization.name},
        "direction": direction.slug,
        "categories": [c.slug for c in categories],
        "age_min": activity.age_min,
        "age_max": activity.age_max,
        "price_rub": activity.price_rub,
        "district": venue.district.name if venue and venue.district else "",
        "address": venue.address if venue else "",
        "lat": venue.lat if venue else None,
        "lon": venue.lon if venue else None,
        "ovz": activity.ovz,
        "enrollment": activity.enrollment,
        "format": activity.format,
    }
    document = SearchDocument(
        activity_id=activity.pk,
        seq=seq,
        live=activity.status == Status.PUBLISHED,
        direction_id=activity.direction_id,
        category_ids=sorted(c.pk for c in categories),
        district_id=venue.district_id if venue else None,
        microdistrict_id=venue.microdistrict_id if venue else None,
        age_min=activity.age_min,
        age_max=activity.age_max,
        price_rub=activity.price_rub,
        ovz=activity.ovz,
        enrollment_open=activity.enrollment == Activity.Enrollment.OPEN,
        lat=venue.lat if venue else None,
        lon=venue.lon if venue else None,
        slots=slots,
        verified_at=activity.verified_at,
        rating=None,
        rating_count=0,
        quality=_quality(activity, slots),
        card=card,
        text_strong=" ".join(analyzer.index_terms(strong_text)),
        text_weak=" ".join(analyzer.index_terms(weak_text)),
    )
    words = analyzer.surface_words(f"{strong_text} {weak_text}")
    return document, words


_FIELDS = [
    f.name
    for f in SearchDocument._meta.concrete_fields
    if f.name not in ("activity",)  # the primary key
]


def _save_vocabulary(words: Iterable[tuple[str, str]], *, counted: bool) -> None:
    """Add stems never seen before; `counted` (a rebuild) sets exact document frequencies."""
    pairs: dict[str, str] = {}
    df: Counter[str] = Counter()
    for stem, word in words:
        if len(stem) > 100 or len(word) > 100:
            continue
        current = pairs.get(stem)
        if current is None or len(word) < len(current):
            pairs[stem] = word
        df[stem] += 1
    if not pairs:
        return
    if counted:
        SearchTerm.objects.bulk_create(
            [SearchTerm(stem=s, word=w, df=df[s]) for s, w in pairs.items()], batch_size=BATCH
        )
        return
    known = set(SearchTerm.objects.filter(stem__in=list(pairs)).values_list("stem", flat=True))
    SearchTerm.objects.bulk_create(
        [SearchTerm(stem=s, word=w, df=1) for s, w in pairs.items() if s not in known],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def index_activities(ids: Iterable[int]) -> int:
    """Re-index these activities (missing ones are dropped from the index). Returns how many."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return 0
    with transaction.atomic():
        seq = _bump()
        done = 0
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            activities = _activities(chunk)
            documents = []
            words: list[tuple[str, str]] = []
            for activity in activities:
                document, doc_words = build_document(activity, seq)
                documents.append(document)
                # Document frequency counts a stem once per document.
                words += list(dict(doc_words).items())
            existing = set(SearchDocument.objects.filter(pk__in=chunk).values_list("pk", flat=True))
            SearchDocument.objects.bulk_create(
                [d for d in documents if d.pk not in existing], batch_size=BATCH
            )
            updates = [d for d in documents if d.pk in existing]
            if updates:
                SearchDocument.objects.bulk_update(updates, _FIELDS, batch_size=200)
            _save_vocabulary(words, counted=False)
            done += len(documents)
        count = SearchDocument.objects.count()
        SearchState.objects.filter(pk=1).update(documents=count)
    return done


def remove_activities(ids: Iterable[int]) -> None:
    wanted = list(ids)
    with transaction.atomic():
        SearchDocument.objects.filter(pk__in=wanted).delete()
        # A removal cannot be expressed as a newer row: readers reload everything.
        _bump(new_generation=True, documents=SearchDocument.objects.count())


def rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Drop and rebuild the whole index in one transaction; searches keep the old one until commit."""
    from kruzhok.search import backends

    backend = backends.for_connection()
    ids = list(Activity.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        seq = _bump(new_generation=True, documents=0)
        words: list[tuple[str, str]] = []
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            documents = []
            for activity in _activities(chunk):
                document, doc_words = build_document(activity, seq)
                documents.append(document)
                words += list(dict(doc_words).items())
            SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
            if progress:
                progress(min(start + BATCH, len(ids)), len(ids))
        _save_vocabulary(words, counted=True)
        SearchState.objects.filter(pk=1).update(documents=len(ids))
    backend.after_bulk_load()
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
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        if pk_set:
            index_activities(pk_set)
        elif action == "post_clear":
            _reindex_where(categories=instance)
    else:
        index_activities([instance.pk])


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
    for model in (Group, ScheduleSlot):
        post_delete.connect(
            _on_slot_or_group_deleted, sender=model, dispatch_uid=f"search.del.{model.__name__}"
        )
    for taxonomy_model in (Category, Direction, District):
        name = taxonomy_model.__name__
        post_save.connect(_on_taxonomy_saved, sender=taxonomy_model, dispatch_uid=f"search.tax.{name}")
        post_delete.connect(_on_taxonomy_saved, sender=taxonomy_model, dispatch_uid=f"search.taxdel.{name}")
