"""The daily roll-up of raw page views and searches, and the end of the raw data.

`analytics_aggregate` recomputes each day that still has raw rows from those rows alone
(delete-and-insert in one transaction a day), so running it twice, or after a crash halfway,
gives the same numbers. A day whose raw rows are gone (older than RAW_RETENTION_DAYS) is never
touched again: its daily rows are all that is left of it. Page views are counted by the
database (GROUP BY); searches are read once, a day at a time, in visitor order, because keeping
only the searches a visitor settled on (`_settled`) and normalising the words is text work.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Model
from django.utils import timezone

from kruzhok.analytics.models import (
    QUERY_MAX,
    RAW_RETENTION_DAYS,
    DailyPageStat,
    DailyQuery,
    DailyTraffic,
    PageView,
    Salt,
    SearchEvent,
)
from kruzhok.core.text import fold

logger = logging.getLogger(__name__)

# Two searches of one visitor this close together, with the same filters, are one search being
# typed (the page searches at each pause in typing; a pause is a fraction of a second, rewording
# a few seconds). Longer apart, only a prefix still counts as the same search.
TYPING_WINDOW = timedelta(seconds=20)
DELETE_BATCH = 10_000
INSERT_BATCH = 2_000


@dataclass
class DaySummary:
    day: date
    page_views: int
    visitors: int
    searches: int
    zero_result_searches: int
    raw_searches: int


@dataclass
class AggregateSummary:
    days: list[DaySummary] = field(default_factory=list)
    page_views_deleted: int = 0
    searches_deleted: int = 0
    salts_deleted: int = 0


def normalise_query(query: str) -> str:
    """The form top queries are counted in: lower case, ё = е, single spaces."""
    return fold(query)[:QUERY_MAX]


# What a visitor may type that points at a person: a phone number (five digits or more, with
# spaces, dashes, brackets or a plus between them) or an e-mail address. DailyQuery keeps its
# words for good and every department sees them, so these are replaced before they get there.
REDACTED = "…"
_PHONE = re.compile(r"\+?\(?\d(?:[\s\-()]*\d){4,}\)?")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")


def redact_query(query: str) -> str:
    """A normalised query with phone-number-like digit runs and e-mail addresses replaced by «…»;
    "" when nothing else is left (such a query says nothing about the catalog)."""
    redacted = _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, query))
    if redacted == query:
        return query
    redacted = " ".join(redacted.split())
    return "" if not redacted.replace(REDACTED, "").strip() else redacted[:QUERY_MAX]


@dataclass(frozen=True)
class _Search:
    visitor: str
    at: datetime
    source: str
    query: str  # normalised
    filters: Any
    has_location: bool
    results: int

    def same_filters(self, other: _Search) -> bool:
        return (self.source, self.has_location, self.filters) == (
            other.source,
            other.has_location,
            other.filters,
        )

    @property
    def words_only(self) -> bool:
        """No place and no filter but the sort order: if it found nothing, the catalog lacks
        what the words ask for (a gap), rather than the filters or the distance emptying it."""
        return not self.has_location and not (set(self.filters or {}) - {"sort"})

    def typed_into(self, later: _Search) -> bool:
        """Whether `later` is this search typed on: the same visitor, source and filters, and
        either these words are the start of the later ones (including the same words again: a
        reload, the back button), or the words changed within TYPING_WINDOW (corrected,
        deleted, retyped). A search without words is only the same search again (a search by
        filters alone is a search of its own, even if words follow). The API is not searched
        as one types: its searches are never dropped."""
        if self.visitor != later.visitor or not self.same_filters(later) or self.source == "api":
            return False
        if not self.query:
            return not later.query
        return later.query.startswith(self.query) or later.at - self.at <= TYPING_WINDOW


def _settled(searches: Iterable[_Search]) -> Iterator[_Search]:
    """The searches visitors settled on, from one day's searches in (visitor, time) order.

    The search page searches as the visitor types («фут», «футб», «футбол»), so the raw log
    holds every pause. A search is dropped when the same visitor's next search that day, with
    the same source and filters (location given or not included), is it typed on
    (`_Search.typed_into`): «фут» → «футбол» keeps «футбол»; «футбл» → «футбол» 3 s later keeps
    «футбол»; «футбол» at 10:00 and «плавание» at 18:00 are two searches; «футбол», then
    «футбол» with «бесплатно» ticked are two searches (the visitor narrowed a result they had).
    Each is compared with the next one only: in a chain «ф» → «фу» → «фут» each is dropped for
    the next and «фут» stays. A search by filters alone stays even if words follow, and API
    searches all stay (an app does not search as one types). The visitor hash is the day's, so
    nothing is joined across days."""
    previous: _Search | None = None
    for search in searches:
        if previous is not None and not previous.typed_into(search):
            yield previous
        previous = search
    if previous is not None:
        yield previous


def _day_searches(day: date) -> Iterator[_Search]:
    rows = (
        SearchEvent.objects.filter(day=day)
        .order_by("visitor", "at", "pk")
        .values_list("visitor", "at", "source", "query", "filters", "has_location", "results")
    )
    for visitor, at, source, query, filters, has_location, results in rows.iterator(chunk_size=5_000):
        yield _Search(visitor, at, source, normalise_query(query), filters, has_location, results)


def _replace(model: type[Model], day: date, objects: list[Any]) -> None:
    model._default_manager.filter(day=day).delete()
    model._default_manager.bulk_create(objects, batch_size=INSERT_BATCH)


def _aggregate_day(day: date) -> DaySummary:
    views = PageView.objects.filter(day=day)
    totals = views.aggregate(page_views=Count("pk"), visitors=Count("visitor", distinct=True))
    per_object = (
        views.filter(object_id__isnull=False)
        .exclude(object_type="")
        .values("object_type", "object_id")
        .annotate(views=Count("pk"), visitors=Count("visitor", distinct=True))
        .order_by()
    )
    raw_searches = 0
    searches = zero = 0
    queries: Counter[str] = Counter()
    empty_queries: Counter[str] = Counter()

    def counted() -> Iterator[_Search]:
        nonlocal raw_searches
        for search in _day_searches(day):
            raw_searches += 1
            yield search

    for search in _settled(counted()):
        searches += 1
        zero += search.results == 0
        query = redact_query(search.query)
        if query:
            queries[query] += 1
            empty_queries[query] += search.results == 0 and search.words_only

    with transaction.atomic():
        _replace(
            DailyPageStat,
            day,
            [
                DailyPageStat(
                    day=day,
                    object_type=row["object_type"],
                    object_id=cast(int, row["object_id"]),  # never null: filtered above
                    views=row["views"],
                    visitors=row["visitors"],
                )
                for row in per_object
            ],
        )
        _replace(
            DailyQuery,
            day,
            [
                DailyQuery(day=day, query=query, searches=n, zero_results=empty_queries[query])
                for query, n in queries.items()
            ],
        )
        DailyTraffic.objects.update_or_create(
            day=day,
            defaults={
                "page_views": totals["page_views"],
                "visitors": totals["visitors"],
                "searches": searches,
                "zero_result_searches": zero,
            },
        )
    return DaySummary(day, totals["page_views"], totals["visitors"], searches, zero, raw_searches)


def _raw_days() -> set[date]:
    days = set(PageView.objects.order_by().values_list("day", flat=True).distinct())
    return days | set(SearchEvent.objects.order_by().values_list("day", flat=True).distinct())


def _delete_in_batches(model: type[Model], **lookup: Any) -> int:
    """Delete many rows without one huge statement or transaction: by primary keys, a batch at a time."""
    deleted = 0
    manager = model._default_manager
    while True:
        pks = list(manager.filter(**lookup).order_by("pk").values_list("pk", flat=True)[:DELETE_BATCH])
        if not pks:
            return deleted
        count, _per_model = manager.filter(pk__in=pks).delete()
        deleted += count


def analytics_aggregate(
    *,
    days: int | None = None,
    today: date | None = None,
    progress: Callable[[DaySummary], None] | None = None,
) -> AggregateSummary:
    """Roll raw page views and searches up into DailyTraffic, DailyPageStat and DailyQuery, then
    delete raw rows older than RAW_RETENTION_DAYS and the salts of past days.

    `days`: recompute only the last `days` days (today included) that still have raw rows —
    plus any day about to be deleted, so no raw row goes without its roll-up. None: every day
    with raw rows. Today is recomputed as far as it has gone; the next run completes it.
    Once a past day's salt is deleted, that day's visitor hashes cannot be recomputed from the
    table (database backups and the write-ahead log keep it until they expire); a process that
    still buffers that day's events hashes them with a random value it keeps for that batch
    only, and stores no salt."""
    today = today or timezone.localdate()
    keep_from = today - timedelta(days=RAW_RETENTION_DAYS - 1)  # today and the 29 days before
    raw = sorted(_raw_days())
    if days is not None:
        recent_from = today - timedelta(days=max(days, 1) - 1)
        raw = [day for day in raw if day >= recent_from or day < keep_from]
    summary = AggregateSummary()
    for day in raw:
        day_summary = _aggregate_day(day)
        summary.days.append(day_summary)
        if progress is not None:
            progress(day_summary)
    summary.page_views_deleted = _delete_in_batches(PageView, day__lt=keep_from)
    summary.searches_deleted = _delete_in_batches(SearchEvent, day__lt=keep_from)
    summary.salts_deleted, _per_model = Salt.objects.filter(day__lt=today).delete()
    logger.info(
        "analytics: %s days rolled up, %s page views and %s searches deleted",
        len(summary.days),
        summary.page_views_deleted,
        summary.searches_deleted,
    )
    return summary
