"""The index's numbers in memory: one numpy column per filter and ranking field, per process.

A search at 200,000 activities must filter, count three facets and rank in a few milliseconds;
SQL aggregates over the matching rows cost tens of milliseconds each. So each process keeps a
columnar copy of SearchDocument and keeps it current by sequence number: every request reads
the one-row SearchState (a primary-key lookup) and, when `seq` moved, loads only the rows
written since. A rebuild or a deletion bumps `generation` and the copy is reloaded whole.
Text matching stays in the database's full-text engine (`kruzhok.search.backends`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db import connection

from kruzhok.core.env import env_int
from kruzhok.search import analyzer, taxonomy
from kruzhok.search.models import SearchDocument, SearchState, SearchTerm

# At most this many ids (8 bytes each) of full-text answers are kept per process; 0 disables.
POSTINGS_CACHE_IDS = env_int("SEARCH_POSTINGS_CACHE_IDS", 4_000_000)
# Re-reading the vocabulary after writes: new words become correctable within this delay.
VOCABULARY_TTL_SECONDS = 60.0
_ROW_FIELDS = (
    "activity_id",
    "live",
    "direction_id",
    "district_id",
    "microdistrict_id",
    "age_min",
    "age_max",
    "price_rub",
    "ovz",
    "enrollment_open",
    "lat",
    "lon",
    "verified_at",
    "rating",
    "rating_count",
    "quality",
    "category_ids",
    "slots",
)


def _days(value: datetime | None) -> float:
    return value.timestamp() / 86400.0 if value is not None else math.nan


@dataclass
class Store:
    generation: int = -1
    seq: int = -1
    ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    live: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    direction: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    district: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    microdistrict: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    age_min: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    age_max: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    price: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    ovz: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    open: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    lat: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    lon: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    verified: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    rating: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    rating_count: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    quality: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    # (document position, category id) and (document position, weekday, start, end minute) pairs.
    cat_doc: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    cat_id: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    slot_doc: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    slot_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))
    slot_start: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    slot_end: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    # id -> position lookup: positions never move, new documents are appended.
    sorted_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    order: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    has_slots: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    direction1: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    district1: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    cat_id1: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    slot_count: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    lat32: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    lon32: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    live_count: int = 0
    vocabulary: analyzer.Vocabulary | None = None
    # Full-text answers (lookup -> document positions) while the index stays at this sequence number:
    # searches repeat words far more often than the catalog changes. Any write clears it.
    postings: OrderedDict[object, np.ndarray] = field(default_factory=OrderedDict)
    postings_size: int = 0
    _by_day: tuple[np.ndarray, np.ndarray] | None = None
    vocabulary_loaded: float = 0.0
    words: int = 0  # SearchState.words when the vocabulary was read
    loaded_at_depth: int | None = None  # the deepest atomic block rows were read in
    thesaurus: analyzer.Thesaurus | None = None
    thesaurus_source: object = None

    def slots_by_day(self) -> tuple[np.ndarray, np.ndarray]:
        """Session indexes ordered by weekday, and where each weekday starts (8 bounds)."""
        if self._by_day is None:
            order = np.argsort(self.slot_day, kind="stable")
            bounds = np.searchsorted(self.slot_day[order], np.arange(8))
            self._by_day = (order, bounds)
        return self._by_day

    def cached_postings(self, key: object) -> np.ndarray | None:
        found = self.postings.get(key)
        if found is not None:
            self.postings.move_to_end(key)
        return found

    def cache_postings(self, key: object, ids: np.ndarray) -> None:
        if POSTINGS_CACHE_IDS <= 0 or ids.size > POSTINGS_CACHE_IDS // 4:
            return
        self.postings[key] = ids
        self.postings_size += int(ids.size)
        while self.postings_size > POSTINGS_CACHE_IDS and self.postings:
            _key, dropped = self.postings.popitem(last=False)
            self.postings_size -= int(dropped.size)

    @property
    def size(self) -> int:
        return int(self.ids.shape[0])

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Positions of these activity ids (ids not in the store are dropped)."""
        if ids.size == 0 or self.size == 0:
            return np.empty(0, np.int64)
        where = np.searchsorted(self.sorted_ids, ids)
        where = np.clip(where, 0, self.size - 1)
        found = self.sorted_ids[where] == ids
        return self.order[where[found]]

    def position(self, activity_id: int) -> int | None:
        found = self.positions(np.array([activity_id], dtype=np.int64))
        return int(found[0]) if found.size else None

    # --- loading -------------------------------------------------------------------------

    def _append_rows(self, rows: list[tuple]) -> None:
        """Write rows: update the documents already here, append new ones."""
        if not rows:
            return
        incoming = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        existing = self.positions(incoming) if self.size else np.empty(0, np.int64)
        known_ids = set(self.ids[existing].tolist()) if existing.size else set()
        new_rows = [r for r in rows if r[0] not in known_ids]
        start = self.size
        if new_rows:
            n = len(new_rows)
            grow = {
                "ids": np.zeros(n, np.int64),
                "live": np.zeros(n, bool),
                "direction": np.full(n, -1, np.int32),
                "district": np.full(n, -1, np.int32),
                "microdistrict": np.full(n, -1, np.int32),
                "age_min": np.zeros(n, np.int16),
                "age_max": np.zeros(n, np.int16),
                "price": np.zeros(n, np.int32),
                "ovz": np.zeros(n, bool),
                "open": np.zeros(n, bool),
                "lat": np.full(n, np.nan),
                "lon": np.full(n, np.nan),
                "verified": np.full(n, np.nan),
                "rating": np.full(n, np.nan),
                "rating_count": np.zeros(n, np.int32),
                "quality": np.zeros(n, np.float32),
            }
            for name, extra in grow.items():
                setattr(self, name, np.concatenate([getattr(self, name), extra]))
            self.ids[start:] = [r[0] for r in new_rows]
            self.order = np.argsort(self.ids, kind="stable")
            self.sorted_ids = self.ids[self.order]
        positions = self.positions(incoming)
        touched = set(positions.tolist())
        if touched and self.cat_doc.size:
            keep = ~np.isin(self.cat_doc, positions)
            self.cat_doc, self.cat_id = self.cat_doc[keep], self.cat_id[keep]
        if touched and self.slot_doc.size:
            keep = ~np.isin(self.slot_doc, positions)
            self.slot_doc, self.slot_day = self.slot_doc[keep], self.slot_day[keep]
            self.slot_start, self.slot_end = self.slot_start[keep], self.slot_end[keep]
        cat_doc: list[int] = []
        cat_id: list[int] = []
        slot_doc: list[int] = []
        slot_vals: list[list[int]] = []
        for pos, row in zip(positions.tolist(), rows, strict=True):
            (
                _id,
                live,
                direction,
                district,
                microdistrict,
                age_min,
                age_max,
                price,
                ovz,
                enrollment_open,
                lat,
                lon,
                verified_at,
                rating,
                rating_count,
                quality,
                category_ids,
                slots,
            ) = row
            self.live[pos] = live
            self.direction[pos] = direction if direction is not None else -1
            self.district[pos] = district if district is not None else -1
            self.microdistrict[pos] = microdistrict if microdistrict is not None else -1
            self.age_min[pos] = age_min
            self.age_max[pos] = age_max
            self.price[pos] = price
            self.ovz[pos] = ovz
            self.open[pos] = enrollment_open
            self.lat[pos] = lat if lat is not None else np.nan
            self.lon[pos] = lon if lon is not None else np.nan
            self.verified[pos] = _days(verified_at)
            self.rating[pos] = rating if rating is not None else np.nan
            self.rating_count[pos] = rating_count
            self.quality[pos] = quality
            for cid in category_ids or []:
                cat_doc.append(pos)
                cat_id.append(int(cid))
            for slot in slots or []:
                slot_doc.append(pos)
                slot_vals.append(slot)
        self.cat_doc = np.concatenate([self.cat_doc, np.array(cat_doc, np.int32)])
        self.cat_id = np.concatenate([self.cat_id, np.array(cat_id, np.int32)])
        if slot_vals:
            values = np.array(slot_vals, dtype=np.int32).reshape(-1, 3)
        else:
            values = np.empty((0, 3), np.int32)
        self.slot_doc = np.concatenate([self.slot_doc, np.array(slot_doc, np.int32)])
        self.slot_day = np.concatenate([self.slot_day, values[:, 0].astype(np.int8)])
        self.slot_start = np.concatenate([self.slot_start, values[:, 1].astype(np.int16)])
        self.slot_end = np.concatenate([self.slot_end, values[:, 2].astype(np.int16)])
        self.direction1 = (self.direction + 1).astype(np.int32)
        self.district1 = (self.district + 1).astype(np.int32)
        self.cat_id1 = (self.cat_id + 1).astype(np.int32)
        self._by_day = None
        self.slot_count = np.bincount(self.slot_doc, minlength=self.size)
        self.has_slots = self.slot_count > 0
        self.lat32 = self.lat.astype(np.float32)
        self.lon32 = self.lon.astype(np.float32)
        self.live_count = int(self.live.sum())

    def load_rows(self, rows: Iterable[tuple]) -> None:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 20_000:
                self._append_rows(batch)
                batch = []
        self._append_rows(batch)

    def load_vocabulary(self) -> None:
        entries = list(SearchTerm.objects.values_list("stem", "word", "df").iterator(chunk_size=10_000))
        self.vocabulary = analyzer.Vocabulary(entries, total_docs=max(self.live_count, 1))
        self.vocabulary_loaded = time.monotonic()

    def ensure_thesaurus(self) -> analyzer.Thesaurus:
        tax = taxonomy.load()
        if self.thesaurus is None or self.thesaurus_source is not tax:
            self.thesaurus = analyzer.build_thesaurus(tax.category_rows)
            self.thesaurus_source = tax
        return self.thesaurus


_store: Store | None = None
_lock = threading.Lock()


def _rows(**lookup: object) -> Iterable[tuple]:
    return (
        SearchDocument.objects.filter(**lookup)
        .order_by("activity_id")
        .values_list(*_ROW_FIELDS)
        .iterator(chunk_size=5_000)
    )


def current() -> Store:
    """This process's store, brought up to date with the database (one small query when current)."""
    global _store
    with connection.cursor() as cursor:
        # Plain SQL: this runs on every search and the ORM's query building cost more than it.
        cursor.execute(f"SELECT seq, generation, words FROM {SearchState._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    seq, generation, words = row if row else (0, 0, 0)
    store = _store
    depth = len(connection.atomic_blocks)
    if store is not None and store.loaded_at_depth is not None and depth < store.loaded_at_depth:
        # It read rows inside a transaction (or savepoint) that has ended since, maybe rolled
        # back, and a rolled-back sequence number comes back with other rows: start afresh.
        store.generation = -1
    if store is not None and store.generation == generation and store.seq == seq:
        if (
            time.monotonic() - store.vocabulary_loaded > VOCABULARY_TTL_SECONDS
            and store.vocabulary is not None
        ):
            with _lock:
                store.load_vocabulary()
        return store
    with _lock:
        store = _store
        if store is None or store.generation != generation or store.seq > seq:
            store = Store(generation=generation)
            store.load_rows(_rows())
            store.seq = seq
            store.load_vocabulary()
            store.words = words
            _store = store
        elif store.seq < seq:
            if depth and (store.loaded_at_depth is None or depth > store.loaded_at_depth):
                store.loaded_at_depth = depth
            store.load_rows(_rows(seq__gt=store.seq))
            store.postings.clear()
            store.postings_size = 0
            store.seq = seq
            # A write that brought new words must reach the analyzer too, or a just-added «хоккей»
            # would be "corrected" into something older; most writes add none, and cost a count.
            if words != store.words:
                store.load_vocabulary()
                store.words = words
    return store


def reset() -> None:
    """Forget the in-memory copy (tests roll back the database under it)."""
    global _store
    _store = None
