"""Search: what the page and the API call. See the package docstring for the ranking formula.

One call = one analyzed query, a few full-text lookups in the database (2–3 per query word),
then filters, facets and ranking on the in-memory columns, and one query for the cards shown.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection
from django.template.defaultfilters import floatformat
from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kruzhok.catalog.templatetags.catalog_tags import ages as age_range_text
from kruzhok.catalog.templatetags.catalog_tags import price_text, weekday_short
from kruzhok.places import gazetteer
from kruzhok.search import analyzer, backends, ranking, taxonomy
from kruzhok.search.models import SearchDocument, SearchState
from kruzhok.search.params import FILTER_NAMES, PAGE_SIZE, WEEKDAY_CODES, SearchParams
from kruzhok.search.store import Store, current, peek

# Radius applied when a place is given without one: a walk or a short ride for a child.
DEFAULT_RADIUS_KM = {"house": 3.0, "street": 3.0, "point": 3.0, "district": 3.0}
RELAXED_RADII_KM = (5.0, 10.0, 25.0, 50.0)
# A word found in more than this share of live documents says little when the query has other
# words («рисование для детей»): it is skipped like a stop word, which also spares fetching a
# posting list of most of the catalog.
COMMON_SHARE = 0.25
MAX_RELAXATIONS = 4


@dataclass(frozen=True)
class Session:
    starts: datetime
    ends: datetime


@dataclass(frozen=True, kw_only=True)
class Card:
    """One result as the API and the page show it. The `*_text` properties are the page's
    wording, formatted here once per card: the same template filters and tags per card
    (dates, plurals, decimals) cost more than the search."""

    id: int
    external_id: str
    title: str
    url: str
    organization_id: int
    organization_name: str
    direction: str
    direction_name: str
    categories: list[str]
    category_names: list[str]
    age_min: int
    age_max: int
    price_rub: int
    free: bool
    district: str
    address: str
    lat: float | None
    lon: float | None
    distance_km: float | None
    rating: float | None
    rating_count: int
    ovz: bool
    enrollment: str
    enrollment_label: str
    format: str
    next_sessions: list[Session]

    @cached_property
    def ages_text(self) -> str:
        return age_range_text(self.age_min, self.age_max)

    @cached_property
    def price_text(self) -> str:
        return price_text(self.price_rub)

    @cached_property
    def distance_text(self) -> str:
        if self.distance_km is None:
            return ""
        return _("%(km)s км") % {"km": floatformat(self.distance_km, 1)}

    @cached_property
    def rating_text(self) -> str:
        return "" if self.rating is None else str(floatformat(self.rating, 1))

    @cached_property
    def sessions(self) -> list[tuple[str, str]]:
        """(ISO time, «Пн, 1 декабря, 17:00») of each next session."""
        return [session_label(s.starts) for s in self.next_sessions]


# (language, time zone, start) -> a session's ISO time and label: the same few hundred starts
# (a week of slots) come back on every page, and a date filter with a month name costs ~50 µs.
_SESSION_LABELS: dict[tuple[str, Any, datetime], tuple[str, str]] = {}
_SESSION_LABELS_MAX = 20_000
_session_labels_lock = threading.Lock()


def session_label(starts: datetime) -> tuple[str, str]:
    """What the card's `<time>` shows, as its template did: `date:'c'` and
    `weekday_short, date:"j E, H:i"` in the current time zone and language."""
    zone = timezone.get_current_timezone()
    key = (get_language() or "ru", zone, starts)
    found = _SESSION_LABELS.get(key)
    if found is None:
        local = timezone.localtime(starts, zone)
        found = (
            dateformat.format(local, "c"),
            f"{weekday_short(local)}, {dateformat.format(local, 'j E, H:i')}",
        )
        with _session_labels_lock:
            if len(_SESSION_LABELS) >= _SESSION_LABELS_MAX:
                _SESSION_LABELS.clear()
            _SESSION_LABELS[key] = found
    return found


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    label: str
    precision: str
    radius_km: float | None


@dataclass(frozen=True)
class Relaxation:
    kind: str
    label: str
    query_string: str
    count: int


@dataclass(frozen=True, kw_only=True)
class SearchResult:
    params: SearchParams
    count: int
    page: int
    page_count: int
    results: list[Card]
    facets: dict[str, dict[str, int]]
    location: Location | None
    corrected_query: str | None
    emptied_by: str | None
    relaxations: list[Relaxation]
    messages: list[str]
    points: list[MapPoint] = field(default_factory=list)  # filled when search(map_limit=N)
    # Each card's document write number (activity id -> seq): it changes whenever anything on
    # the card does (the activity, its organization, venue or schedule). For caching renderings.
    versions: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MapPoint:
    id: int
    title: str
    url: str
    lat: float
    lon: float


# --- location -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    location: Location
    okrug_id: int | None  # the filter is this okrug's area rather than a radius


def _resolve_place(params: SearchParams, messages: list[str]) -> _Place | None:
    if params.lat is not None and params.lon is not None:
        radius = params.radius_km or DEFAULT_RADIUS_KM["point"]
        label = params.where or _("Рядом с выбранной точкой")
        return _Place(Location(params.lat, params.lon, label, "point", radius), None)
    if not params.where:
        return None
    found = gazetteer.geocode(params.where, settings.CITY_NAME)
    if found is None:
        messages.append(
            _("Не нашли место «%(where)s»: показываем занятия по всему городу.") % {"where": params.where}
        )
        return None
    precision = str(found.precision)
    if precision == "district" and found.okrug and not found.microdistrict:
        okrug_id = taxonomy.load().okrugs.get(found.okrug)
        if okrug_id is not None and params.radius_km is None:
            # The okrug's own name: «округ» is interface text, the name is data.
            return _Place(Location(found.lat, found.lon, found.okrug, precision, None), okrug_id)
    radius = params.radius_km or DEFAULT_RADIUS_KM.get(precision, 3.0)
    return _Place(Location(found.lat, found.lon, found.label, precision, radius), None)


def _distances(store: Store, lat: float, lon: float) -> np.ndarray:
    """Distance in km from the point to every document (NaN without coordinates).

    An equirectangular projection around the point: within 50 km it is within 0.1 % of the
    great-circle distance and costs a fraction of the trigonometry, over 200,000 documents.
    """
    ky = np.float32(111.2)
    kx = np.float32(111.2 * math.cos(math.radians(lat)))
    dy = (store.lat32 - np.float32(lat)) * ky
    dx = (store.lon32 - np.float32(lon)) * kx
    return np.sqrt(dx * dx + dy * dy)


# --- text -----------------------------------------------------------------------------------


@dataclass
class _Text:
    matched: np.ndarray  # bool per document
    score: np.ndarray  # float per document, 0..1
    concepts: tuple[analyzer.Concept, ...]


def _postings(store: Store, backend: backends.Backend, lookups: list[backends.Lookup]) -> list[np.ndarray]:
    """Document positions per lookup: from this process's cache, the rest in one statement."""
    found: list[np.ndarray | None] = [store.cached_postings(lookup) for lookup in lookups]
    missing = [i for i, ids in enumerate(found) if ids is None]
    if missing:
        for i, ids in zip(missing, backend.match_many([lookups[i] for i in missing]), strict=True):
            positions = store.positions(ids)
            store.cache_postings(lookups[i], positions)
            found[i] = positions
    return [ids if ids is not None else np.empty(0, np.int64) for ids in found]


def _concept_lookups(concept: analyzer.Concept) -> tuple[list[backends.Lookup], ...]:
    """The full-text lookups of a query word, weakest signal first: (description, synonyms in the
    title or categories, the word in the title or categories).

    One lookup per stem and field: a broad word's synonyms share most stems with other words
    (спорт, спортивный, секция…), so each stem's answer is fetched and cached once; a word
    being typed stays one prefix lookup."""
    if concept.prefix:
        weak = [backends.Lookup(frozenset(), concept.terms, "weak")]
        strong = [backends.Lookup(frozenset(), concept.terms, "strong")]
    else:
        weak = [backends.Lookup(frozenset([t]), field="weak") for t in sorted(concept.terms)]
        strong = [backends.Lookup(frozenset([t]), field="strong") for t in sorted(concept.terms)]
    # Synonyms count in titles and categories only: in descriptions a broad word's dozens of
    # synonyms matched most of the catalog for a 0.4 signal.
    synonyms = [backends.Lookup(frozenset([t]), field="strong") for t in sorted(concept.synonyms)]
    return weak, synonyms, strong


def _concept_scores(store: Store, groups: tuple[list[np.ndarray], ...]) -> np.ndarray:
    """0 (absent), 0.4 (only in description / organization), 0.75 (a synonym in the title or
    categories), 1 (the word itself in the title or categories)."""
    scores = np.zeros(store.size, np.float32)
    # Weakest first, so a stronger signal overwrites a weaker one.
    for value, found in zip((0.4, 0.75, 1.0), groups, strict=True):
        for positions in found:
            scores[positions] = value
    return scores


def _concept_weight(store: Store, concept: analyzer.Concept) -> float:
    vocabulary = store.vocabulary
    df = max((vocabulary.df(t) for t in concept.terms), default=0) if vocabulary else 0
    n = max(store.live_count, 1)
    return math.log(1 + n / max(df, 1))


def _is_common(store: Store, concept: analyzer.Concept) -> bool:
    vocabulary = store.vocabulary
    if vocabulary is None or concept.prefix or concept.synonyms:
        return False
    df = min((vocabulary.df(t) for t in concept.terms), default=0)
    return df > COMMON_SHARE * max(store.live_count, 1)


def _text(store: Store, concepts: tuple[analyzer.Concept, ...]) -> _Text:
    used = tuple(c for c in concepts if not _is_common(store, c)) or concepts
    # Every word's lookups in one statement: one round trip for the query, not one per word.
    lookups = [_concept_lookups(concept) for concept in used]
    flat = [lookup for groups in lookups for group in groups for lookup in group]
    answers = iter(_postings(store, backends.for_connection(), flat))
    matched = np.ones(store.size, bool)
    total = np.zeros(store.size, np.float32)
    weights = 0.0
    for concept, groups in zip(used, lookups, strict=True):
        found = tuple([next(answers) for _lookup in group] for group in groups)
        scores = _concept_scores(store, found)
        weight = _concept_weight(store, concept)
        if concept.optional:
            # «кружок» in «кружок рисования»: a bonus for the entries that say it, never a filter.
            total += 0.25 * weight * scores
            continue
        matched &= scores > 0
        total += weight * scores
        weights += weight
    return _Text(matched, np.minimum(total / weights, 1.0) if weights else total, used)


# --- filters --------------------------------------------------------------------------------


def _schedule_mask(
    store: Store, days: tuple[int, ...], after: time | None, before: time | None
) -> tuple[np.ndarray, np.ndarray]:
    """Documents with a session on one of the days inside the time window, and how many of each
    document's sessions fit (its share of them counts in ranking)."""
    if days:
        # Sessions grouped by weekday: the chosen days are slices, not a pass over every session.
        bounds = store.day_bounds()
        spans = [slice(bounds[d], bounds[d + 1]) for d in sorted(days)]
        starts = np.concatenate([store.slot_start[span] for span in spans])
        ends = np.concatenate([store.slot_end[span] for span in spans])
        docs = np.concatenate([store.slot_doc[span] for span in spans])
    else:
        # Every session: whole columns, no index array to gather through.
        starts, ends, docs = store.slot_start, store.slot_end, store.slot_doc
    fits: np.ndarray | None = None
    if after is not None:
        fits = starts >= after.hour * 60 + after.minute
    if before is not None:
        early = ends <= before.hour * 60 + before.minute
        fits = early if fits is None else fits & early
    if fits is not None:
        # np.compress: a third of the time of docs[fits] on 650,000 sessions.
        docs = np.compress(fits, docs)
    fitting = np.bincount(docs, minlength=store.size)
    return fitting > 0, fitting


@dataclass
class _Filters:
    masks: dict[str, np.ndarray]  # filter name -> bool per document
    labels: dict[str, str]
    schedule_fitting: np.ndarray | None  # per document, how many of its sessions fit the window


def _filter_label(name: str, params: SearchParams, place: _Place | None) -> str:
    tax = taxonomy.load()
    english = (get_language() or "ru").startswith("en")
    if name == "where":
        if place and place.location.radius_km:
            return _("в радиусе %(km)s км от «%(place)s»") % {
                "km": f"{place.location.radius_km:g}",
                "place": place.location.label,
            }
        return _("место «%(place)s»") % {"place": place.location.label if place else params.where}
    if name == "age":
        return _("возраст %(age)d") % {"age": params.age}
    if name == "direction":
        row = tax.directions.get(params.direction)
        return _("направленность «%(name)s»") % {
            "name": (row[2] if english else row[1]) if row else params.direction
        }
    if name == "categories":
        names = [
            (tax.categories[s][2] if english else tax.categories[s][1])
            for s in params.categories
            if s in tax.categories
        ]
        return _("категория «%(name)s»") % {"name": ", ".join(names)}
    if name == "district":
        return _("округ «%(name)s»") % {"name": params.district}
    if name == "days":
        return _("дни: %(days)s") % {"days": ", ".join(_weekday_label(d) for d in params.days)}
    if name == "after":
        return _("начало не раньше %(t)s") % {"t": params.after.strftime("%H:%M") if params.after else ""}
    if name == "before":
        return _("окончание не позже %(t)s") % {"t": params.before.strftime("%H:%M") if params.before else ""}
    return {
        "free": _("только бесплатные"),
        "ovz": _("для детей с ОВЗ"),
        "open": _("набор открыт"),
    }.get(name, name)


def _weekday_label(day: int) -> str:
    from kruzhok.catalog.models import ScheduleSlot

    return str(ScheduleSlot.Weekday(day).label)


def _filters(
    store: Store, params: SearchParams, place: _Place | None, distances: np.ndarray | None
) -> _Filters:
    tax = taxonomy.load()
    masks: dict[str, np.ndarray] = {}
    if place is not None:
        if place.okrug_id is not None:
            masks["where"] = store.district == place.okrug_id
        elif distances is not None and place.location.radius_km:
            masks["where"] = distances <= place.location.radius_km
    if params.age is not None:
        masks["age"] = (store.age_min <= params.age) & (store.age_max >= params.age)
    if params.direction:
        direction_id = tax.directions[params.direction][0] if params.direction in tax.directions else -2
        masks["direction"] = store.direction == direction_id
    if params.categories:
        wanted = [tax.categories[s][0] for s in params.categories if s in tax.categories]
        in_category = np.zeros(store.size, bool)
        in_category[store.cat_doc[np.isin(store.cat_id, wanted)]] = True
        masks["categories"] = in_category
    if params.district:
        masks["district"] = store.district == tax.okrugs.get(params.district, -2)
    if params.free:
        masks["free"] = store.price == 0
    if params.ovz:
        masks["ovz"] = store.ovz.copy()
    if params.open:
        masks["open"] = store.open.copy()
    fitting = None
    if params.days or params.after or params.before:
        # The window is one condition on each session: a Monday session and a separate 18:00 one
        # do not make «Monday after 18:00».
        schedule, fitting = _schedule_mask(store, params.days, params.after, params.before)
        name = "days" if params.days else "after" if params.after else "before"
        masks[name] = schedule
    labels = {name: _filter_label(name, params, place) for name in masks}
    return _Filters(masks, labels, fitting)


def _combine(base: np.ndarray, masks: dict[str, np.ndarray], skip: str | None = None) -> np.ndarray:
    result = base.copy()
    for name, mask in masks.items():
        if name != skip:
            result &= mask
    return result


# --- facets ---------------------------------------------------------------------------------


def _facets(store: Store, base: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, dict[str, int]]:
    """Each facet counts under every other active filter (choosing a direction keeps the others)."""
    tax = taxonomy.load()
    names = {
        "direction": {pk: slug for slug, (pk, *_rest) in tax.directions.items()},
        "category": {row[0]: slug for slug, row in tax.categories.items()},
        "district": {pk: name for name, pk in tax.okrugs.items()},
    }
    everything: np.ndarray | None = None
    everything_documents: np.ndarray | None = None
    facets: dict[str, dict[str, int]] = {}
    for facet, skip in (("direction", "direction"), ("category", "categories"), ("district", "district")):
        if skip in masks:
            values, counts = store.facet_counts(facet, _combine(base, masks, skip=skip))
        else:
            # The facet's own filter is not set: the same documents as the results.
            if everything is None:
                everything = _combine(base, masks)
                if store.is_narrow(everything):
                    everything_documents = np.flatnonzero(everything)
            values, counts = store.facet_counts(facet, everything, everything_documents)
        facets[facet] = {
            names[facet][value]: count
            for value, count in zip(values, counts, strict=True)
            if count and value in names[facet]
        }
    return facets


# --- no dead ends ---------------------------------------------------------------------------


def _param_names(filter_names: list[str]) -> list[str]:
    """The URL parameters behind filters: a place is where + lat/lon + radius; a schedule window
    is one condition made of days and times."""
    names: list[str] = []
    for name in filter_names:
        if name == "where":
            names += ["where", "lat", "lon", "radius_km"]
        elif name in ("days", "after", "before"):
            names += ["days", "after", "before"]
        else:
            names.append(name)
    return names


def _relaxations(
    store: Store,
    params: SearchParams,
    base: np.ndarray,
    filters: _Filters,
    place: _Place | None,
    distances: np.ndarray | None,
    text: _Text | None,
    recount: Callable[[SearchParams], int],
) -> tuple[str | None, list[Relaxation]]:
    emptied_by: str | None = None
    running = base.copy()
    if not running.any() and text is not None:
        emptied_by = _("запрос «%(q)s»") % {"q": params.q}
    else:
        for name, mask in filters.masks.items():
            running &= mask
            if not running.any():
                emptied_by = filters.labels[name]
                break
    found: list[Relaxation] = []
    masks = filters.masks
    if place is not None and place.location.radius_km and distances is not None and place.okrug_id is None:
        others = _combine(base, masks, skip="where")
        for radius in RELAXED_RADII_KM:
            if radius <= place.location.radius_km:
                continue
            count = int((others & (distances <= radius)).sum())
            if count:
                found.append(
                    Relaxation(
                        "radius",
                        _("в радиусе %(km)s км") % {"km": f"{radius:g}"},
                        params.query_string(radius_km=radius, page=1),
                        count,
                    )
                )
                break
    drops: list[Relaxation] = []
    for name in masks:
        count = int(_combine(base, masks, skip=name).sum())
        if count:
            drops.append(
                Relaxation(
                    "drop",
                    _("без условия: %(label)s") % {"label": filters.labels[name]},
                    params.without(*_param_names([name])).query_string(),
                    count,
                )
            )
    drops.sort(key=lambda r: -r.count)
    found += drops
    if not drops and len(masks) > 1:
        # No single filter is to blame: drop them from the last one set until something shows.
        names = list(masks)
        for keep in range(len(names) - 1, -1, -1):
            kept = {n: masks[n] for n in names[:keep]}
            count = int(_combine(base, kept).sum())
            if count:
                dropped = names[keep:]
                found.append(
                    Relaxation(
                        "drop",
                        _("без условий: %(labels)s")
                        % {"labels": "; ".join(filters.labels[n] for n in dropped)},
                        params.without(*_param_names(dropped)).query_string(),
                        count,
                    )
                )
                break
    if text is not None and params.q:
        if len(text.concepts) > 1:
            for concept in text.concepts:
                shorter = " ".join(c.word for c in text.concepts if c is not concept)
                count = recount(replace(params, q=shorter, page=1))
                if count:
                    found.append(
                        Relaxation(
                            "query",
                            _("по запросу «%(q)s»") % {"q": shorter},
                            params.query_string(q=shorter, page=1),
                            count,
                        )
                    )
        count = int(_combine(np.asarray(store.live), masks).sum())
        if count:
            found.append(
                Relaxation(
                    "drop",
                    _("без запроса «%(q)s»") % {"q": params.q},
                    params.query_string(q="", page=1),
                    count,
                )
            )
    unique: dict[str, Relaxation] = {}
    for relaxation in found:
        unique.setdefault(relaxation.query_string, relaxation)
    return emptied_by, list(unique.values())[:MAX_RELAXATIONS]


# --- cards ----------------------------------------------------------------------------------


def _next_sessions(slots: list[list[int]], local_now: datetime, limit: int = 2) -> list[Session]:
    """The next `limit` days with a session after `local_now` (local time), the first session of each."""
    today = local_now.weekday()
    now_seconds = local_now.hour * 3600 + local_now.minute * 60 + local_now.second
    firsts: dict[int, tuple[int, int]] = {}  # days from today -> (start, end) of its first session
    for weekday, start, end in slots:
        offset = (weekday - today) % 7
        later_today = offset == 0 and start * 60 > now_seconds
        # Today's sessions that have begun come back in a week; those still ahead come twice.
        for days in (offset, 7) if later_today else ((7,) if offset == 0 else (offset,)):
            if days not in firsts or start < firsts[days][0]:
                firsts[days] = (start, end)
    found = []
    for days in sorted(firsts)[:limit]:
        start, end = firsts[days]
        day = local_now.date() + timedelta(days=days)
        found.append(
            Session(
                datetime.combine(day, time(start // 60, start % 60), tzinfo=local_now.tzinfo),
                datetime.combine(day, time(end // 60, end % 60), tzinfo=local_now.tzinfo),
            )
        )
    return found


def _id_list(ids: list[int]) -> str:
    """Activity ids written into the SQL: integers from the store, never user text, and 200 of
    them as parameters cost the driver more than the query (it quotes each one in Python)."""
    return ", ".join(str(int(pk)) for pk in ids)


def _card_rows(ids: list[int]) -> tuple[tuple[int, int], list[tuple[int, Any, Any, int]]]:
    """The index's state (seq, generation) and the stored card JSON, slots and seq of these
    documents, in one round trip: the caller checks that the state is still the one it searched."""
    state = SearchState._meta.db_table
    table = SearchDocument._meta.db_table
    # Plain SQL: building the equivalent ORM query cost more than running it.
    if ids:
        sql = (
            f"SELECT s.seq, s.generation, d.activity_id, CAST(d.card AS TEXT), CAST(d.slots AS TEXT), d.seq "  # noqa: S608 (table names from the models, ids are ints)  # nosec B608
            f"FROM {state} s LEFT JOIN {table} d ON d.activity_id IN ({_id_list(ids)}) WHERE s.id = 1"
        )
    else:
        # Not a join on a false condition: SQLite would scan every document for it.
        sql = f"SELECT seq, generation, NULL, NULL, NULL, NULL FROM {state} WHERE id = 1"  # noqa: S608 (table names from the models)  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = cursor.fetchall()
    if not found:
        return (0, 0), []
    return (found[0][0], found[0][1]), [row[2:] for row in found if row[2] is not None]


def _cards(
    store: Store, positions: np.ndarray, distances: np.ndarray | None
) -> tuple[list[Card], tuple[int, int], dict[int, int]]:
    """The cards of these documents, the index state (seq, generation) they were read at and
    each document's seq."""
    ids = store.ids[positions].tolist()
    state, found = _card_rows(ids)
    rows = {
        pk: (
            json.loads(card) if isinstance(card, str) else card,
            json.loads(slots) if isinstance(slots, str) else slots,
            seq,
        )
        for pk, card, slots, seq in found
    }
    tax = taxonomy.load()
    english = (get_language() or "ru").startswith("en")
    from kruzhok.catalog.models import Activity

    enrollment_labels = dict(Activity.Enrollment.choices)
    local_now = timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE))
    cards = []
    for pos, pk in zip(positions.tolist(), ids, strict=True):
        if pk not in rows:
            continue
        data, slots, seq = rows[pk]
        direction = tax.directions.get(data["direction"])
        categories = [s for s in data.get("categories", []) if s in tax.categories]
        rating = store.rating[pos]
        distance = distances[pos] if distances is not None else math.nan
        cards.append(
            Card(
                id=pk,
                external_id=data.get("external_id", ""),
                title=data["title"],
                url=data["url"],
                organization_id=data["organization"]["id"],
                organization_name=data["organization"]["name"],
                direction=data["direction"],
                direction_name=(direction[2] if english else direction[1]) if direction else "",
                categories=categories,
                category_names=[
                    tax.categories[s][2] if english else tax.categories[s][1] for s in categories
                ],
                age_min=data["age_min"],
                age_max=data["age_max"],
                price_rub=data["price_rub"],
                free=data["price_rub"] == 0,
                district=data.get("district", ""),
                address=data.get("address", ""),
                lat=data.get("lat"),
                lon=data.get("lon"),
                distance_km=None if math.isnan(distance) else round(float(distance), 2),
                rating=None if math.isnan(rating) else round(float(rating), 1),
                rating_count=int(store.rating_count[pos]),
                ovz=bool(data.get("ovz")),
                enrollment=data.get("enrollment", "open"),
                enrollment_label=str(enrollment_labels.get(data.get("enrollment", "open"), "")),
                format=data.get("format", "group"),
                next_sessions=_next_sessions(slots or [], local_now),
            )
        )
    return cards, state, {pk: int(row[2]) for pk, row in rows.items()}


# --- the search -----------------------------------------------------------------------------


@dataclass
class _Run:
    store: Store
    params: SearchParams
    analyzed: analyzer.AnalyzedQuery | None
    text: _Text | None
    place: _Place | None
    distances: np.ndarray | None
    filters: _Filters
    base: np.ndarray
    mask: np.ndarray
    messages: list[str]
    scored: tuple[np.ndarray, np.ndarray] | None = None


def _run(params: SearchParams, store: Store) -> _Run:
    messages: list[str] = []
    analyzed = None
    text = None
    base = store.live.copy()
    if params.q and store.vocabulary is not None:
        analyzed = analyzer.analyze_query(
            params.q, vocabulary=store.vocabulary, thesaurus=store.ensure_thesaurus()
        )
        if not analyzed.is_empty():
            text = _text(store, analyzed.concepts)
            base &= text.matched
        if analyzed.free and not params.free:
            # «бесплатные кружки» asks for the price filter in words.
            params = replace(params, free=True)
    place = _resolve_place(params, messages)
    distances = _distances(store, place.location.lat, place.location.lon) if place else None
    filters = _filters(store, params, place, distances)
    mask = _combine(base, filters.masks)
    return _Run(store, params, analyzed, text, place, distances, filters, base, mask, messages)


def _best(run: _Run, positions: np.ndarray) -> np.ndarray:
    return ranking.best_score(
        run.store,
        positions,
        text=run.text.score[positions] if run.text is not None else None,
        distances=run.distances[positions] if run.distances is not None else None,
        age=run.params.age,
        schedule_share=run.filters.schedule_fitting[positions] * run.store.inverse_slot_count[positions]
        if run.filters.schedule_fitting is not None
        else None,
        now_days=timezone.now().timestamp() / 86400.0,
    )


def _order(run: _Run, positions: np.ndarray, best: np.ndarray) -> np.ndarray:
    """`positions` sorted by the requested order, `best` breaking ties, then the id."""
    store, params = run.store, run.params
    keys: list[np.ndarray] = [store.ids[positions], -best]
    sort = params.sort
    if sort == "near" and run.distances is not None:
        keys.append(np.nan_to_num(run.distances[positions], nan=1e9))
    elif sort == "price":
        keys.append(store.price[positions])
    elif sort == "rating":
        keys.append(-store.rating_count[positions].astype(np.float64))
        keys.append(-np.nan_to_num(store.rating[positions], nan=-1.0))
    return positions[np.lexsort(keys)]


def _count(params: SearchParams) -> int:
    return int(_run(params, current()).mask.sum())


def search(
    params: SearchParams, *, page_size: int = PAGE_SIZE, map_limit: int = 0, store: Store | None = None
) -> SearchResult:
    """One page of results with facets; with `map_limit`, also the first N points for the map
    (from the same run, so the page costs one search). `store`: one the caller has just synced.

    Without one, the search runs on this process's store as it is and reads the index's state
    with the cards, in the same statement; only when the state moved (a catalog write since the
    last search) does it sync and search again. A search thus costs one round trip to the
    database when the full-text answers are cached: on PostgreSQL over loopback each is half a
    millisecond, a tenth of the whole search."""
    if store is not None:
        return _search(params, store, page_size, map_limit)[0]
    optimistic = peek()
    if optimistic is None:
        return _search(params, current(), page_size, map_limit)[0]
    result, state = _search(params, optimistic, page_size, map_limit)
    if optimistic.is_current(state):
        return result
    return _search(params, current(), page_size, map_limit)[0]


def _search(
    params: SearchParams, store: Store, page_size: int, map_limit: int
) -> tuple[SearchResult, tuple[int, int]]:
    run = _run(params, store)
    messages = run.messages
    if params.sort == "near" and run.place is None:
        messages.append(_("Чтобы упорядочить по расстоянию, укажите адрес или место."))
    matched, best = _matched(run)
    count = int(matched.size)
    page_count = max(1, math.ceil(count / page_size))
    page = min(params.page, page_count)
    start = (page - 1) * page_size
    shown = _top(run, matched, best, start + page_size)[start : start + page_size]
    facets = _facets(store, run.base, run.filters.masks)
    emptied_by: str | None = None
    relaxations: list[Relaxation] = []
    if count == 0:
        emptied_by, relaxations = _relaxations(
            store, params, run.base, run.filters, run.place, run.distances, run.text, _count
        )
    corrected = run.analyzed.corrected_query if run.analyzed else None
    cards, state, versions = _cards(store, shown, run.distances)
    result = SearchResult(
        params=params,
        count=count,
        page=page,
        page_count=page_count,
        results=cards,
        facets=facets,
        location=run.place.location if run.place else None,
        corrected_query=corrected,
        emptied_by=emptied_by,
        relaxations=relaxations,
        messages=messages,
        points=_points(run, map_limit) if map_limit else [],
        versions=versions,
    )
    return result, state


def _matched(run: _Run) -> tuple[np.ndarray, np.ndarray]:
    """Positions of every result and their `best` scores, computed once for the list and the map."""
    if run.scored is None:
        matched = np.nonzero(run.mask)[0]
        run.scored = (matched, _best(run, matched))
    return run.scored


def _top(run: _Run, matched: np.ndarray, best: np.ndarray, k: int) -> np.ndarray:
    """The first k of `matched` in the requested order, without sorting everything."""
    if matched.size > 4 * k and run.params.sort == "best":
        # A partial sort on the score bounds the work at 200,000 matches.
        threshold = best[np.argpartition(-best, k - 1)[k - 1]]
        keep = best >= threshold
        matched, best = matched[keep], best[keep]
    return _order(run, matched, best)[:k]


def _points(run: _Run, limit: int) -> list[MapPoint]:
    matched, best = _matched(run)
    located = ~np.isnan(run.store.lat[matched])
    shown = _top(run, matched[located], best[located], limit)
    ids = run.store.ids[shown].tolist()
    if not ids:
        return []
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        sql = f"SELECT activity_id, title, url FROM {table} WHERE activity_id IN ({_id_list(ids)})"  # noqa: S608 (table name from the model, ids are ints)  # nosec B608
        cursor.execute(sql)
        rows = {pk: (title, url) for pk, title, url in cursor.fetchall()}
    return [
        MapPoint(pk, rows[pk][0], rows[pk][1], float(run.store.lat[pos]), float(run.store.lon[pos]))
        for pk, pos in zip(ids, shown.tolist(), strict=True)
        if pk in rows
    ]


def map_points(params: SearchParams, *, limit: int = 500) -> list[MapPoint]:
    """The first `limit` results with coordinates, in the list's order, for the map."""
    return _points(_run(replace(params, page=1), current()), limit)


def weekday_code(day: int) -> str:
    return WEEKDAY_CODES[day]


def describe(params: SearchParams) -> list[str]:
    """The search in words, one phrase per part («“футбол”», «возраст 9», «округ “Советский”»…),
    for whoever sees it out of the page: a saved search, an alert mail."""
    parts = [_("«%(q)s»") % {"q": params.q}] if params.q else []
    for name in FILTER_NAMES:
        if getattr(params, name) in (None, "", (), False):
            continue
        if name == "lat":
            if not params.where:
                parts.append(_("рядом с выбранной точкой"))
            continue
        parts.append(_filter_label(name, params, None))
    return parts


def matching_among(params: SearchParams, ids: Collection[int], *, store: Store | None = None) -> list[int]:
    """Which of these activities the search would show (its filters and text, exactly as the page
    runs them), in the order the page shows them: the alert mails list what is new among results."""
    store = store if store is not None else current()
    run = _run(replace(params, page=1), store)
    positions = store.positions(np.fromiter(ids, np.int64))
    positions = positions[run.mask[positions]]
    if not positions.size:
        return []
    return [int(pk) for pk in store.ids[_order(run, positions, _best(run, positions))]]
