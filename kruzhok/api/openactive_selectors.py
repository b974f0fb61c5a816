"""OpenActive feeds: RPDE 1.0 pages of SessionSeries (activities) and ScheduledSession (events).

**Ordering.** RPDE's «modified timestamp and id» strategy: items in (modified, id) order, the
next page starts after the last item read. A consumer that has read up to (m, id) never looks
below m again, so an item that becomes visible with a smaller `modified` after the consumer
passed it is lost for good. Wall-clock `updated_at` does exactly that: a transaction that stamps
10:00:01 but commits at 10:00:05 appears after others' 10:00:03 were read. So `modified` is a
number from the catalog's commit-ordered sequence (`SearchState.seq`): every write takes the
next number with an UPDATE of one row and holds that row's lock until it commits (SQLite:
writers are serialized anyway), so numbers become visible in increasing order and a reader that
sees N has seen every write numbered below N.

- Activities: `SearchDocument.seq`, renewed in the very transaction of every catalog write
  that changes what the search card (and so the feed item) shows — the activity, its
  organization, venue, groups, slots and categories (kruzhok/search/index.py). A document with
  `live = false` (draft, pending, archived) is a `deleted` item. A row deleted for good leaves a
  `FeedTombstone` numbered by the deleting service (`openactive_services`).
- Events: `Event.feed_seq`, taken from the same sequence by every event service. Each event
  occurrence is a ScheduledSession item (see «Events» below); occurrences an edit removes, and
  those of deleted events, become tombstones numbered by that write.

**Events.** OpenActive's ScheduledSession is one occurrence of a series; our events are open
days, concerts, competitions, sometimes recurring. Each occurrence is one ScheduledSession whose
`superEvent` is the event itself described as a SessionSeries (embedded: the «non-split» form of
the spec, since the session-series feed carries activities, not events). Occurrences are the
first `EVENT_OCCURRENCES` of the rule counted from the event's start, never a window around
«today»: a window would make items appear as days pass, with no write to number them, and a
consumer that has passed their event's number would never see them. An endless rule therefore
publishes its first `EVENT_OCCURRENCES` dates; editing the event (e.g. moving its start)
publishes the next ones.

**Scope.** OpenActive is open data for physical activity: an activity none of whose categories
is on OpenActive's activity list, and an event not tied to such an activity, is a `deleted`
item (openactive_activities says why). Whether an item is in scope depends only on its own
row's categories, so it changes only with a write that renumbers it.

**Known limit.** An event item embeds its organization's name and its venue; renaming the
organization or moving the venue reaches the event's items at the event's next write.

Reads are bounded: a page is at most `PAGE_SIZE` items from a fixed number of queries on
indexed (sequence, id) keys, and rows are read with `values_list`, never as model instances.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from kruzhok.api.models import FeedTombstone
from kruzhok.api.openactive_activities import official_concept
from kruzhok.catalog.models import Activity, ScheduleSlot, Status
from kruzhok.catalog.structured_data import day_url, iso_duration
from kruzhok.core.context_processors import city_name
from kruzhok.core.emails import site_url
from kruzhok.events.models import Event
from kruzhok.events.recurrence import RuleError, local_zone, occurrence_starts
from kruzhok.imports.open_data import LICENCE_URL
from kruzhok.search import taxonomy
from kruzhok.search.index import current_seq
from kruzhok.search.models import SearchDocument

PAGE_SIZE = 500
EVENT_OCCURRENCES = 60  # per event: a weekly event's first year and more
LICENSE_URL = LICENCE_URL
CONTEXT = "https://openactive.io/"
MAX_SEQ = 2**63 - 1  # the database's BIGINT: a larger afterTimestamp is refused, not overflowed
SESSION_SERIES = FeedTombstone.Feed.SESSION_SERIES
SCHEDULED_SESSIONS = FeedTombstone.Feed.SCHEDULED_SESSIONS


class FeedParameterError(ValueError):
    """A query parameter the feed cannot use; the message is for a person."""


@dataclass(frozen=True, order=True)
class Key:
    """An item's place in a feed: (modified, sortable id). Sortable ids are zero-padded so that
    the database, Python and a consumer comparing the strings all agree on the order."""

    modified: int
    item_id: str


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_url: str

    @property
    def is_last(self) -> bool:
        return not self.items


# --- links ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _link_template(site: str, name: str, arity: int) -> str:
    """An absolute URL pattern as a format string: reverse() once, not 500 times a page."""
    marks = [f"90000000{i}" for i in range(arity)]
    path = reverse(name, args=marks[:1] + [f"zzslug{i}zz" for i in range(1, arity)])
    path = path.replace(marks[0], "{0}") if arity else path
    for i in range(1, arity):
        path = path.replace(f"zzslug{i}zz", "{" + str(i) + "}")
    return site + path


def link(name: str, *args: object) -> str:
    return _link_template(site_url(), name, len(args)).format(*args)


# --- ids ---------------------------------------------------------------------------------------


def activity_key(pk: int) -> str:
    return f"{pk:012d}"


def occurrence_id(event_id: int, local_start: datetime) -> str:
    return f"{event_id:010d}-{local_start:%Y%m%d%H%M}"


def _event_of(item_id: str) -> int:
    return int(item_id.partition("-")[0])


def parse_cursor(feed: str, params: dict[str, str]) -> Key | None:
    """The (afterTimestamp, afterId) a page starts after; None for the first page."""
    raw_ts, raw_id = params.get("afterTimestamp"), params.get("afterId")
    if raw_ts is None and raw_id is None:
        return None
    if raw_ts is None or raw_id is None:
        raise FeedParameterError(_("Укажите afterTimestamp и afterId вместе (или ни одного)."))
    if not raw_ts.isascii() or not raw_ts.isdigit() or len(raw_ts) > 19 or int(raw_ts) > MAX_SEQ:
        raise FeedParameterError(_("afterTimestamp — целое неотрицательное число (номер изменения)."))
    if feed == SESSION_SERIES:
        if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 12:
            raise FeedParameterError(_("afterId — номер занятия, целое число."))
        return Key(int(raw_ts), activity_key(int(raw_id)))
    event_part, dash, when = raw_id.partition("-")
    if not (dash and event_part.isascii() and event_part.isdigit() and len(event_part) == 10):
        raise FeedParameterError(_("afterId — id занятия из ленты, вида 0000000012-202612011500."))
    if not (when.isascii() and when.isdigit() and len(when) == 12):
        raise FeedParameterError(_("afterId — id занятия из ленты, вида 0000000012-202612011500."))
    return Key(int(raw_ts), raw_id)


def feed_url(feed: str, after: Key | None) -> str:
    base = link(f"openactive:{feed}")
    if after is None:
        return base
    item_id: int | str = int(after.item_id) if feed == SESSION_SERIES else after.item_id
    return f"{base}?{urlencode({'afterTimestamp': after.modified, 'afterId': item_id})}"


# --- shared pieces of items --------------------------------------------------------------------


def concept_scheme_url() -> str:
    return link("openactive:categories")


def own_concept(slug: str, label: str) -> dict[str, str]:
    scheme = concept_scheme_url()
    return {"@type": "Concept", "@id": f"{scheme}#{slug}", "inScheme": scheme, "prefLabel": label}


def _organizer(org_id: int, name: str, slug: str, phone: str, email: str, website: str) -> dict[str, Any]:
    url = link("catalog:organization", org_id, slug or "org")
    organizer: dict[str, Any] = {"@type": "Organization", "@id": url, "name": name, "url": url}
    if phone:
        organizer["telephone"] = phone
    if email:
        organizer["email"] = email
    if website:
        organizer["sameAs"] = [website]
    return organizer


def _place(
    venue_id: int | None, name: str | None, address: str | None, city: str | None, lat: Any, lon: Any
) -> dict[str, Any] | None:
    if venue_id is None or not address:
        return None
    # A text address: we hold no postal codes, and OpenActive's PostalAddress requires one.
    place: dict[str, Any] = {
        "@type": "Place",
        "@id": f"{link('openactive:dataset')}places/{venue_id}",
        "name": name or address,
        "address": f"{address}, {city}" if city and not address.endswith(city) else address,
    }
    if lat is not None and lon is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon}
    return place


def _offer(url: str, price: int, name: str, note: str = "") -> dict[str, Any]:
    offer: dict[str, Any] = {
        "@type": "Offer",
        "@id": f"{url}#offer",
        "name": name,
        "price": price,
        "priceCurrency": "RUB",
    }
    if note:
        offer["description"] = note
    return offer


def _age_range(age_min: int | None, age_max: int | None) -> dict[str, Any] | None:
    if age_min is None and age_max is None:
        return None
    value: dict[str, Any] = {"@type": "QuantitativeValue"}
    if age_min is not None:
        value["minValue"] = age_min
    if age_max is not None:
        value["maxValue"] = age_max
    return value


def _concepts(
    category_slugs: list[str], direction_slug: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(activity, category): the OpenActive activity-list concepts of our categories — empty
    when none has one, and then the item is outside the feed's scope — and the direction and
    every category in our own scheme."""
    tax = taxonomy.load()
    ours: list[dict[str, str]] = []
    if direction_slug in tax.directions:
        ours.append(own_concept(f"direction-{direction_slug}", tax.directions[direction_slug][1]))
    for slug in category_slugs:
        if slug in tax.categories:
            ours.append(own_concept(slug, tax.categories[slug][1]))
    official: list[dict[str, str]] = []
    for slug in category_slugs:
        concept = official_concept(slug)
        if concept is not None and concept not in official:
            official.append(concept)
    return official, ours


# --- session-series: activities ----------------------------------------------------------------

_ACTIVITY_COLUMNS = (
    "pk",
    "title",
    "slug",
    "description",
    "direction__slug",
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
    "organization_id",
    "organization__name",
    "organization__slug",
    "organization__phone",
    "organization__email",
    "organization__website",
    "venue_id",
    "venue__name",
    "venue__address",
    "venue__city",
    "venue__lat",
    "venue__lon",
    "status",
)


def _doc_keys(after: Key | None, limit: int, upto: int) -> list[tuple[Key, int, bool]]:
    """(key, activity id, live) of the next `limit` documents: two keyset queries on the
    (seq, activity) index — the rest of the boundary seq, then the seqs above it."""
    docs = (
        SearchDocument.objects.filter(seq__lte=upto)
        .order_by("seq", "activity_id")
        .values_list("seq", "activity_id", "live")
    )
    rows: list[tuple[int, int, bool]] = []
    if after is not None:
        rows += list(docs.filter(seq=after.modified, activity_id__gt=int(after.item_id))[:limit])
        rows += list(docs.filter(seq__gt=after.modified)[: limit - len(rows)]) if len(rows) < limit else []
    else:
        rows = list(docs[:limit])
    return [(Key(seq, activity_key(pk)), pk, live) for seq, pk, live in rows]


def _tombstone_keys(feed: str, after: Key | None, limit: int, upto: int) -> list[Key]:
    stones = FeedTombstone.objects.filter(feed=feed, modified__lte=upto).order_by("modified", "item_id")
    rows: list[tuple[int, str]] = []
    if after is not None:
        stones_at = stones.filter(modified=after.modified, item_id__gt=after.item_id)
        rows += list(stones_at.values_list("modified", "item_id")[:limit])
        if len(rows) < limit:
            later = stones.filter(modified__gt=after.modified).values_list("modified", "item_id")
            rows += list(later[: limit - len(rows)])
    else:
        rows = list(stones.values_list("modified", "item_id")[:limit])
    return [Key(m, i) for m, i in rows]


def session_series_page(after: Key | None, *, limit: int = PAGE_SIZE) -> Page:
    # Every number up to `upto` has committed (see the module docstring): the page's queries,
    # each seeing whatever committed before it ran, agree on what exists below it, so a write
    # committing between them can never put an item behind the page's `next`.
    upto = current_seq()
    docs = _doc_keys(after, limit, upto)
    stones = _tombstone_keys(SESSION_SERIES, after, limit, upto)
    merged = heapq.merge(
        ((key, pk, live) for key, pk, live in docs),
        ((key, int(key.item_id), False) for key in stones),
        key=lambda entry: entry[0],
    )
    chosen = list(islice(merged, limit))
    live_ids = [pk for _key, pk, live in chosen if live]
    data = activity_data(live_ids)
    items: list[dict[str, Any]] = []
    for key, pk, live in chosen:
        item: dict[str, Any] = {
            "state": "updated" if live and pk in data else "deleted",
            "kind": "SessionSeries",
        }
        item.update({"id": pk, "modified": key.modified})
        if item["state"] == "updated":
            item["data"] = data[pk]
        items.append(item)
    last = chosen[-1][0] if chosen else after
    return Page(items, feed_url(SESSION_SERIES, last))


def _slots_by_activity(ids: list[int]) -> dict[int, list[tuple[int, time, time, str]]]:
    slots: dict[int, list[tuple[int, time, time, str]]] = {}
    rows = (
        ScheduleSlot.objects.filter(group__activity_id__in=ids)
        .order_by("group_id", "weekday", "starts_at", "pk")
        .values_list("group__activity_id", "weekday", "starts_at", "ends_at", "group__name")
    )
    for activity_id, weekday, starts, ends, group_name in rows:
        slots.setdefault(activity_id, []).append((weekday, starts, ends, group_name))
    return slots


def _categories_by_activity(ids: list[int]) -> dict[int, list[str]]:
    # Slugs from the database, not the per-process taxonomy copy: a worker a minute behind
    # would publish an item under its new number with old slugs (and scope) for good.
    categories: dict[int, list[str]] = {}
    through = Activity.categories.through.objects.filter(activity_id__in=ids)
    for activity_id, slug in through.order_by("activity_id", "category_id").values_list(
        "activity_id", "category__slug"
    ):
        categories.setdefault(activity_id, []).append(slug)
    return categories


def activity_data(ids: list[int]) -> dict[int, dict[str, Any]]:
    """SessionSeries objects for these activities (those still public), three queries in all."""
    if not ids:
        return {}
    # By primary key only, status checked here: right after a bulk load PostgreSQL's statistics
    # can put «status = published» at a few hundred rows and scan all of them for a page.
    found_rows = Activity.objects.filter(pk__in=ids).order_by().values_list(*_ACTIVITY_COLUMNS)
    rows = [row for row in found_rows if row[-1] == Status.PUBLISHED]
    found = [row[0] for row in rows]
    slots = _slots_by_activity(found)
    categories = _categories_by_activity(found)
    texts = _Texts()
    series = (
        (row[0], _session_series(row, categories.get(row[0], []), slots.get(row[0], []), texts))
        for row in rows
    )
    return {pk: data for pk, data in series if data is not None}


class _Texts:
    """What every item of a page repeats, looked up once per page (translations, settings)."""

    def __init__(self) -> None:
        self.zone = settings.TIME_ZONE
        self.series_base = feed_url(SESSION_SERIES, None)
        self.offer = _("Занятия, в месяц")
        self.no_schedule = _("Расписание уточняйте у организации.")
        self.ovz = _("Занятия адаптированы для детей с ОВЗ.")
        self.enrollment = {
            value: str(label).capitalize() + "." for value, label in Activity.Enrollment.choices
        }


def _schedule(slots: list[tuple[int, time, time, str]], zone: str) -> list[dict[str, Any]]:
    if not slots:
        # The entry has no timetable yet. OpenActive wants a schedule on every SessionSeries; a
        # PartialSchedule is the spec's way to say «repeats, details not known».
        return [{"@type": "PartialSchedule", "scheduleTimezone": zone}]
    return [
        {
            "@type": "PartialSchedule",
            "repeatFrequency": "P1W",
            "byDay": [day_url(weekday)],
            "startTime": f"{starts.hour:02d}:{starts.minute:02d}",
            "endTime": f"{ends.hour:02d}:{ends.minute:02d}",
            "duration": iso_duration(ends.hour * 60 + ends.minute - starts.hour * 60 - starts.minute),
            "scheduleTimezone": zone,
        }
        for weekday, starts, ends, _group in slots
    ]


def _session_series(
    row: tuple[Any, ...], category_slugs: list[str], slots: list[Any], texts: _Texts
) -> dict[str, Any] | None:
    """The activity as a SessionSeries; None when it is not a physical activity (see
    openactive_activities): the feed then carries it as a deleted item."""
    (
        pk, title, slug, description, direction, age_min, age_max, price, price_note, fmt, ovz, enrollment,
        phone, email, website, org_id, org_name, org_slug, org_phone, org_email, org_website,
        venue_id, venue_name, address, city, lat, lon, _status,
    ) = row  # fmt: skip
    activity, category = _concepts(category_slugs, direction)
    if not activity:
        return None
    url = link("catalog:activity", pk, slug or "activity")
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "SessionSeries",
        "@id": f"{texts.series_base}/{pk}",
        "identifier": pk,
        "url": url,
        "name": title,
    }
    if description:
        data["description"] = description
    data["organizer"] = _organizer(org_id, org_name, org_slug, phone or org_phone, email or org_email, "")
    if website or org_website:
        data["organizer"]["sameAs"] = [website or org_website]
    place = _place(venue_id, venue_name, address, city, lat, lon)
    if fmt == Activity.Format.ONLINE:
        # OpenActive: an online-only series must not have a `location` (its venue, if any, is
        # where the organization sits, which the spec only has a beta property for).
        data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
    elif place is not None:
        data["location"] = place
    data["activity"] = activity
    data["category"] = category
    data["ageRange"] = _age_range(age_min, age_max)
    data["offers"] = [_offer(url, price, texts.offer, price_note)]
    data["isAccessibleForFree"] = price == 0
    data["eventSchedule"] = _schedule(slots, texts.zone)
    notes = [] if slots else [texts.no_schedule]
    if enrollment != Activity.Enrollment.OPEN:
        notes.append(texts.enrollment.get(enrollment, ""))
    if notes:
        data["schedulingNote"] = " ".join(notes)
    if ovz:
        data["accessibilityInformation"] = texts.ovz
    return data


# --- scheduled-sessions: events ----------------------------------------------------------------

_EVENT_COLUMNS = (
    "pk",
    "feed_seq",
    "title",
    "description",
    "kind",
    "status",
    "organization__status",
    "starts_at",
    "ends_at",
    "all_day",
    "rrule",
    "exdates",
    "age_min",
    "age_max",
    "price_rub",
    "activity_id",
    "activity__direction__slug",
    "organization_id",
    "organization__name",
    "organization__slug",
    "organization__phone",
    "organization__email",
    "organization__website",
    "venue_id",
    "venue__name",
    "venue__address",
    "venue__city",
    "venue__lat",
    "venue__lon",
    "activity__venue_id",
    "activity__venue__name",
    "activity__venue__address",
    "activity__venue__city",
    "activity__venue__lat",
    "activity__venue__lon",
)


def event_occurrences(
    event_id: int, starts_at: datetime, ends_at: datetime, rrule: str, exdates: Iterable[str]
) -> list[tuple[str, datetime]]:
    """(item id, UTC start) of the occurrences an event publishes: the first EVENT_OCCURRENCES
    of its rule from its start, the same for the same row whatever the date today."""
    duration = ends_at - starts_at
    skipped: list[date] = []
    for value in exdates or []:
        try:
            skipped.append(date.fromisoformat(str(value)))
        except ValueError:
            continue
    try:
        starts = occurrence_starts(
            starts_at=starts_at,
            duration=duration,
            rule=rrule,
            exdates=skipped,
            window_start=starts_at,
            window_end=starts_at + timedelta(days=366 * 30),
            limit=EVENT_OCCURRENCES,
        )
        moments = list(starts)
    except (RuleError, ValueError, OverflowError):
        moments = [starts_at]
    zone = local_zone()
    return [(occurrence_id(event_id, moment.astimezone(zone)), moment) for moment in moments]


def event_item_ids(event: Event) -> set[str]:
    """The ids of the items an event shows in the feed now (for tombstones when it changes)."""
    if event.pk is None or event.feed_seq is None:
        return set()
    return {
        i for i, _m in event_occurrences(event.pk, event.starts_at, event.ends_at, event.rrule, event.exdates)
    }


def scheduled_sessions_page(after: Key | None, *, limit: int = PAGE_SIZE) -> Page:
    upto = current_seq()  # as in session_series_page
    stones = _tombstone_keys(SCHEDULED_SESSIONS, after, limit, upto)
    entries, read_up_to = _event_entries(after, limit, upto)
    if read_up_to is not None:
        # Events were not read to the end: a tombstone beyond the last event read must wait,
        # or the page's `next` would jump over the unread events before it.
        stones = [key for key in stones if key <= read_up_to]
    merged = heapq.merge(entries, ((key, None) for key in stones), key=lambda entry: entry[0])
    chosen = list(islice(merged, limit))
    items: list[dict[str, Any]] = []
    for key, data in chosen:
        item: dict[str, Any] = {"state": "updated" if data else "deleted", "kind": "ScheduledSession"}
        item.update({"id": key.item_id, "modified": key.modified})
        if data:
            item["data"] = data
        items.append(item)
    last = chosen[-1][0] if chosen else after
    return Page(items, feed_url(SCHEDULED_SESSIONS, last))


def _event_entries(
    after: Key | None, limit: int, upto: int
) -> tuple[list[tuple[Key, dict[str, Any] | None]], Key | None]:
    """The next `limit` occurrence items after `after`, events read in (feed_seq, id) batches (a
    batch of `limit` events gives at least `limit` items unless rules skip everything), and the
    key of the last event read when events remain unread (None when all were read)."""
    events = (
        Event.objects.filter(feed_seq__isnull=False, feed_seq__lte=upto)
        .order_by("feed_seq", "pk")
        .values_list(*_EVENT_COLUMNS)
    )
    result: list[tuple[Key, dict[str, Any] | None]] = []
    # (seq, event id, whether that event itself is still to read): the boundary event of `after`
    # may have occurrences left after the one the consumer read last.
    cursor = (after.modified, _event_of(after.item_id), True) if after is not None else None
    for _round in range(4):
        if cursor is None:
            rows = list(events[:limit])
        else:
            seq, event_id, inclusive = cursor
            same = (
                events.filter(feed_seq=seq, pk__gte=event_id)
                if inclusive
                else events.filter(feed_seq=seq, pk__gt=event_id)
            )
            rows = list(same[:limit])
            if len(rows) < limit:
                rows += list(events.filter(feed_seq__gt=seq)[: limit - len(rows)])
        categories = _categories_by_activity(sorted({row[15] for row in rows if row[15] is not None}))
        for row in rows:
            entries = _event_items(row, categories.get(row[15], []) if row[15] is not None else [])
            result += [entry for entry in entries if after is None or entry[0] > after]
        if len(rows) < limit:
            return result, None
        cursor = (rows[-1][1], rows[-1][0], False)
        if len(result) >= limit:
            break
    assert cursor is not None  # noqa: S101 — set by the loop whenever events remain  # nosec B101
    return result, Key(cursor[0], f"{cursor[1]:010d}-999912312359")


def _event_items(row: tuple[Any, ...], category_slugs: list[str]) -> list[tuple[Key, dict[str, Any] | None]]:
    (
        pk, seq, title, description, kind, status, org_status, starts_at, ends_at, all_day, rrule, exdates,
        age_min, age_max, price, activity_id, direction, org_id, org_name, org_slug, org_phone,
        org_email, org_website, *venue,
    ) = row  # fmt: skip
    occurrences = event_occurrences(pk, starts_at, ends_at, rrule, exdates)
    # An event is in scope through the physical activity it belongs to; one of an unpublished
    # organization, or with no such activity, is carried as deleted items.
    activity, category = _concepts(category_slugs, direction or "")
    if org_status != Status.PUBLISHED or not activity:
        return [(Key(seq, item_id), None) for item_id, _m in occurrences]
    url = link("events:event", pk)
    place = _place(*venue[:6]) or _place(*venue[6:])
    label = str(Event.Kind(kind).label) if kind in Event.Kind.values else kind
    category = [*category, own_concept(f"event-{kind}", label)]
    series: dict[str, Any] = {
        "@type": "SessionSeries",
        "@id": url,
        "identifier": pk,
        "url": url,
        "name": title,
    }
    if description:
        series["description"] = description
    series["organizer"] = _organizer(org_id, org_name, org_slug, org_phone, org_email, org_website)
    if place is not None:
        series["location"] = place
    series["activity"] = activity
    series["category"] = category
    ages = _age_range(age_min, age_max)
    if ages is not None:
        series["ageRange"] = ages
    series["offers"] = [_offer(url, price, _("Участие"))]
    series["isAccessibleForFree"] = price == 0
    duration = ends_at - starts_at
    status_url = (
        "https://schema.org/EventCancelled"
        if status == Event.Status.CANCELLED
        else "https://schema.org/EventScheduled"
    )
    zone = local_zone()
    items: list[tuple[Key, dict[str, Any] | None]] = []
    for item_id, moment in occurrences:
        local = moment.astimezone(zone)
        end = (moment + duration).astimezone(zone)
        session: dict[str, Any] = {
            "@context": CONTEXT,
            "@type": "ScheduledSession",
            "@id": f"{url}#{local:%Y-%m-%dT%H:%M}",
            "identifier": item_id,
            "url": url,
            "name": title,
        }
        # All-day events too: OpenActive wants date-times with an offset (local midnight to the
        # midnight after the last day, the same convention as the model and iCal's DTEND).
        session["startDate"] = local.isoformat()
        session["endDate"] = end.isoformat()
        session["duration"] = iso_duration(int(duration.total_seconds() // 60))
        session["eventStatus"] = status_url
        session["isAccessibleForFree"] = price == 0
        session["superEvent"] = series
        items.append((Key(seq, item_id), session))
    return items


# --- the dataset page and our concept scheme ----------------------------------------------------


def dataset_feeds() -> list[tuple[str, str, str]]:
    """(OpenActive kind, feed URL, what it holds) for the dataset page."""
    return [
        ("SessionSeries", feed_url(SESSION_SERIES, None), _("Занятия с недельным расписанием")),
        (
            "ScheduledSession",
            feed_url(SCHEDULED_SESSIONS, None),
            _("События: дни открытых дверей, концерты, соревнования"),
        ),
    ]


def dataset_jsonld() -> dict[str, Any]:
    """The schema.org Dataset an OpenActive dataset site embeds (OpenActive Dataset API
    Discovery): what the data is, its licence, publisher and the two feeds."""
    city = city_name()
    url = site_url(reverse("openactive:dataset"))
    name = _("Кружки, секции и события для детей — %(city)s") % {"city": city}
    return {
        "@context": ["https://schema.org/", CONTEXT],
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": name,
        "description": _(
            "Открытые данные городского каталога «Кружок»: секции, студии и события для детей с физической "
            "активностью (город %(city)s) в стандарте OpenActive — названия, организации, адреса, возраст, "
            "цены и расписание."
        )
        % {"city": city},
        "keywords": [
            _("кружки"),
            _("секции"),
            _("дополнительное образование"),
            _("дети"),
            city,
            "OpenActive",
        ],
        "license": LICENSE_URL,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": kind,
                "additionalType": f"https://openactive.io/{kind}",
                "encodingFormat": "application/vnd.openactive.rpde+json; version=1",
                "contentUrl": url,
                "identifier": kind,
            }
            for kind, url, _description in dataset_feeds()
        ],
        "discussionUrl": site_url(reverse("contribute:contribute")),
        "documentation": "https://developer.openactive.io/",
        "inLanguage": ["ru"],
        "publisher": {
            "@type": "Organization",
            "name": _("Кружок"),
            "legalName": _("Кружок — каталог занятий для детей, %(city)s") % {"city": city},
            "url": site_url("/"),
            "logo": {"@type": "ImageObject", "url": site_url(static("img/kruzhok-logo.svg"))},
        },
        "schemaVersion": "https://openactive.io/modelling-opportunity-data/2.0/",
    }


def concept_scheme() -> dict[str, Any]:
    """Our own SKOS concept scheme: directions, categories and event kinds, for the items whose
    activity the OpenActive list has no concept for (see openactive_activities)."""
    tax = taxonomy.load()
    scheme = concept_scheme_url()
    concepts: list[dict[str, Any]] = []
    for slug, (_pk, ru, en) in tax.directions.items():
        concepts.append(
            {"id": f"{scheme}#direction-{slug}", "type": "Concept", "prefLabel": ru, "altLabel": [en]}
        )
    for slug, (_pk, ru, en, direction) in tax.categories.items():
        concept: dict[str, Any] = {
            "id": f"{scheme}#{slug}",
            "type": "Concept",
            "prefLabel": ru,
            "altLabel": [en],
        }
        concept["broader"] = [f"{scheme}#direction-{direction}"]
        official = official_concept(slug)
        if official is not None:
            concept["exactMatch"] = [official["@id"]]
        concepts.append(concept)
    for kind, label in Event.Kind.choices:
        concepts.append({"id": f"{scheme}#event-{kind}", "type": "Concept", "prefLabel": str(label)})
    return {
        "@context": "https://openactive.io/",
        "id": scheme,
        "type": "ConceptScheme",
        "title": _("Категории каталога «Кружок»"),
        "description": _("Направленности, категории занятий и виды событий каталога."),
        "license": LICENSE_URL,
        "url": site_url(reverse("openactive:dataset")),
        "concept": concepts,
    }
