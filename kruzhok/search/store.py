"""The index's numbers in memory: one numpy column per filter and ranking field, per process.

A search at 200,000 activities must filter, count three facets and rank in a few milliseconds;
SQL aggregates over the matching rows cost tens of milliseconds each. So each process keeps a
columnar copy of SearchDocument and keeps it current by sequence number: every request reads
the one-row SearchState (a primary-key lookup) and, when `seq` moved, loads only the rows
written since. A rebuild or a deletion bumps `generation` and the copy is reloaded whole.
Text matching stays in the database's full-text engine (`kruzhok.search.backends`).
"""

from __future__ import annotations

import gc
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
from kruzhok.search.backends import Backend, Lookup, for_connection
from kruzhok.search.models import SearchDocument, SearchState, SearchTerm

# At most this many ids (4 bytes each) of full-text answers are kept per process; 0 disables.
POSTINGS_CACHE_IDS = env_int("SEARCH_POSTINGS_CACHE_IDS", 8_000_000)
# Fetched when a process loads the index: the answers of the most frequent words, up to this many
# ids in all (0 disables), for words in at least WARM_MIN_DF documents.
WARM_IDS = env_int("SEARCH_WARM_IDS", 4_000_000)
WARM_MIN_DF = 500
# A catalog change this large empties the cache rather than patching it document by document.
PATCH_MAX_ROWS = 2_000
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
    slot_doc: np.ndarray = field(default_factory=lambda: np.empty(0, np.intp))
    slot_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))
    slot_start: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    slot_end: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    # id -> position lookup: positions never move, new documents are appended.
    sorted_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    order: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    has_slots: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    slot_count: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    inverse_slot_count: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    lat32: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    lon32: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    live_count: int = 0
    vocabulary: analyzer.Vocabulary | None = None
    # Full-text answers (lookup -> document positions): searches repeat words far more often than
    # the catalog changes; a write patches them (`update_postings`), a rebuild starts afresh.
    postings: OrderedDict[Lookup, np.ndarray] = field(default_factory=OrderedDict)
    postings_size: int = 0
    _facet_indexes: dict[str, tuple[np.ndarray, ...]] = field(default_factory=dict)
    ranking: object = None  # kruzhok.search.ranking.Ranking, rebuilt after rows change
    vocabulary_loaded: float = 0.0
    words: int = 0  # SearchState.words when the vocabulary was read
    loaded_at_depth: int | None = None  # the deepest atomic block rows were read in
    thesaurus: analyzer.Thesaurus | None = None
    thesaurus_source: object = None

    def day_bounds(self) -> np.ndarray:
        """Where each weekday's sessions start in the slot columns (kept ordered by weekday), 8 bounds."""
        return np.searchsorted(self.slot_day, np.arange(8))

    def facet_counts(
        self, name: str, selected: np.ndarray, documents: np.ndarray | None = None
    ) -> tuple[list[int], list[int]]:
        """How many `selected` documents hold each value of a facet (direction, category or
        district): (values, counts), zero counts included.

        A narrow selection gathers its documents' values; a broad one ANDs bitsets, one per
        value, and counts bits, 64 documents per machine word (gathering 200,000 rows for the
        three facets took 3 ms; either way now takes a few tenths of that)."""
        values, bits, first, extra_doc, extra_value = self._facet_index(name)
        # `documents`: the positions of `selected`, when the caller has them (narrow selections).
        if documents is None and self.is_narrow(selected):
            documents = np.flatnonzero(selected)
        if documents is not None:
            counts = np.bincount(first[documents], minlength=values.size + 1)
            if extra_doc.size:
                counts += np.bincount(extra_value[selected[extra_doc]], minlength=values.size + 1)
            counted = counts[1:]
        else:
            counted = np.bitwise_count(bits & pack(selected)).sum(axis=1)
        return values.tolist(), counted.tolist()

    def is_narrow(self, selected: np.ndarray) -> bool:
        return int(np.count_nonzero(selected)) * 16 < self.size

    def _facet_index(self, name: str) -> tuple[np.ndarray, ...]:
        """Per facet: its values; their bitsets; each document's (first) value as 1 + its index
        in values (0 = none); documents with a second value and that value, the same way."""
        found = self._facet_indexes.get(name)
        if found is None:
            if name == "category":
                values, positions = self.cat_id, self.cat_doc.astype(np.int64)
            else:
                column = self.direction if name == "direction" else self.district
                positions = np.flatnonzero(column >= 0)
                values = column[positions]
            kinds, row = np.unique(values, return_inverse=True)
            bits = np.zeros((kinds.size, _words(self.size)), np.uint64)
            np.bitwise_or.at(
                bits, (row, positions >> 6), np.left_shift(np.uint64(1), (positions & 63).astype(np.uint64))
            )
            order = np.lexsort((row, positions))
            positions, row = positions[order], row[order]
            is_first = np.ones(positions.size, bool)
            is_first[1:] = positions[1:] != positions[:-1]
            first = np.zeros(self.size, np.intp)
            first[positions[is_first]] = row[is_first] + 1
            found = (kinds, bits, first, positions[~is_first], (row[~is_first] + 1).astype(np.intp))
            self._facet_indexes[name] = found
        return found

    def cached_postings(self, key: Lookup) -> np.ndarray | None:
        found = self.postings.get(key)
        if found is not None:
            self.postings.move_to_end(key)
        return found

    def cache_postings(self, key: Lookup, positions: np.ndarray) -> None:
        previous = self.postings.pop(key, None)
        if previous is not None:
            self.postings_size -= int(previous.size)
        if POSTINGS_CACHE_IDS <= 0 or positions.size > POSTINGS_CACHE_IDS // 4:
            return
        positions = positions.astype(np.int32)
        self.postings[key] = positions
        self.postings_size += int(positions.size)
        while self.postings_size > POSTINGS_CACHE_IDS and self.postings:
            _key, dropped = self.postings.popitem(last=False)
            self.postings_size -= int(dropped.size)

    def update_postings(self, rows: list[tuple[int, str, str]]) -> None:
        """Bring the cached full-text answers up to date with rewritten documents, from their new
        analyzed text (activity id, text_strong, text_weak): a catalog edit costs a pass over the
        cache (about 10 ms when it is full) instead of emptying it, after which every broad word
        would go back to the full-text engine."""
        if not self.postings or not rows:
            return
        positions = self.positions(np.fromiter((r[0] for r in rows), np.int64, len(rows)))
        changed = np.zeros(self.size, bool)
        changed[positions] = True
        texts = [
            (pos, frozenset((strong or "").split()), frozenset((weak or "").split()))
            for pos, (_id, strong, weak) in zip(positions.tolist(), rows, strict=True)
        ]
        for key in list(self.postings):
            kept = self.postings[key]
            kept = kept[~changed[kept]]
            found = [pos for pos, strong, weak in texts if _contains(key, strong, weak)]
            self.cache_postings(key, np.concatenate([kept, np.array(found, np.int32)]) if found else kept)

    def warm(self, backend: Backend) -> None:
        """Fetch the full-text answers of the most frequent words now, up to SEARCH_WARM_IDS ids:
        they are the costliest lookups (a broad word's hundred synonyms hold 250,000 postings:
        a quarter of a second on PostgreSQL) and the most asked. Titles and categories first
        (every synonym is looked up there), descriptions for the most frequent words. Then build
        the typo indexes."""
        vocabulary = self.vocabulary
        if vocabulary is None or WARM_IDS <= 0 or POSTINGS_CACHE_IDS <= 0:
            return
        frequent = [s for s, df in vocabulary.most_frequent() if df >= WARM_MIN_DF]
        lookups = [Lookup(frozenset([s]), field="strong") for s in frequent]
        lookups += [Lookup(frozenset([s]), field="weak") for s in frequent]
        budget = min(WARM_IDS, POSTINGS_CACHE_IDS // 2)
        for start in range(0, len(lookups), 100):
            batch = lookups[start : start + 100]
            for lookup, ids in zip(batch, backend.match_many(batch), strict=True):
                self.cache_postings(lookup, self.positions(ids))
            if self.postings_size >= budget:
                break
        vocabulary.warm()

    def is_current(self, state: tuple[int, int]) -> bool:
        """Whether the index state (seq, generation) read from the database is this store's,
        and its vocabulary is fresh enough: if not, `current()` brings it up to date."""
        return (
            state == (self.seq, self.generation)
            and time.monotonic() - self.vocabulary_loaded <= VOCABULARY_TTL_SECONDS
        )

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
        slot_doc_all = np.concatenate([self.slot_doc, np.array(slot_doc, np.intp)])
        slot_day = np.concatenate([self.slot_day, values[:, 0].astype(np.int8)])
        slot_start = np.concatenate([self.slot_start, values[:, 1].astype(np.int16)])
        slot_end = np.concatenate([self.slot_end, values[:, 2].astype(np.int16)])
        # Ordered by weekday: a day filter takes slices, with no index array to gather through.
        by_day = np.argsort(slot_day, kind="stable")
        self.slot_doc, self.slot_day = slot_doc_all[by_day], slot_day[by_day]
        self.slot_start, self.slot_end = slot_start[by_day], slot_end[by_day]
        self._facet_indexes = {}
        self.ranking = None
        self.slot_count = np.bincount(self.slot_doc, minlength=self.size)
        self.has_slots = self.slot_count > 0
        self.inverse_slot_count = np.divide(
            1, self.slot_count, out=np.zeros(self.size, np.float32), where=self.has_slots, dtype=np.float32
        )
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


def _words(size: int) -> int:
    return (size + 63) // 64


def pack(mask: np.ndarray) -> np.ndarray:
    """A bool per document as a bitset of 64-bit words (document i is bit i % 64 of word i // 64)."""
    packed = np.packbits(mask, bitorder="little")
    whole = np.zeros(_words(mask.shape[0]) * 8, np.uint8)
    whole[: packed.size] = packed
    return whole.view(np.uint64)


def _contains(lookup: Lookup, strong: frozenset[str], weak: frozenset[str]) -> bool:
    """What the full-text engine answers for one document: does `lookup` match its text?"""
    words = strong if lookup.field == "strong" else weak if lookup.field == "weak" else strong | weak
    if lookup.terms & words:
        return True
    return any(word.startswith(prefix) for prefix in lookup.prefixes for word in words)


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
        cursor.execute(f"SELECT seq, generation, words FROM {SearchState._meta.db_table} WHERE id = 1")  # noqa: S608 (table name from the model)  # nosec B608
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
            store.warm(for_connection())
            _store = store
            # The store, vocabulary and thesaurus live as long as the process: moved out of the
            # garbage collector's sight, so its full collections stop walking a million objects
            # in the middle of a search.
            gc.collect()
            gc.freeze()
        elif store.seq < seq:
            if depth and (store.loaded_at_depth is None or depth > store.loaded_at_depth):
                store.loaded_at_depth = depth
            previous = store.seq
            store.load_rows(_rows(seq__gt=previous))
            if store.postings:
                # The rewritten documents' analysed text, to patch the cached full-text answers.
                texts = list(
                    SearchDocument.objects.filter(seq__gt=previous).values_list(
                        "activity_id", "text_strong", "text_weak"
                    )[: PATCH_MAX_ROWS + 1]
                )
                if len(texts) > PATCH_MAX_ROWS:
                    store.postings.clear()
                    store.postings_size = 0
                else:
                    store.update_postings(texts)
            store.seq = seq
            # A write that brought new words must reach the analyzer too, or a just-added «хоккей»
            # would be "corrected" into something older; most writes add none, and cost a count.
            if words != store.words:
                store.load_vocabulary()
                store.words = words
    return store


def peek() -> Store | None:
    """This process's store without asking the database whether it is current; None when there
    is none yet or it read rows in a transaction that has ended since. The caller must compare
    the index state it reads later with `Store.is_current` and use `current()` if it moved."""
    store = _store
    if store is None:
        return None
    if store.loaded_at_depth is not None and len(connection.atomic_blocks) < store.loaded_at_depth:
        return None
    return store


def reset() -> None:
    """Forget the in-memory copy (tests roll back the database under it)."""
    global _store
    _store = None
