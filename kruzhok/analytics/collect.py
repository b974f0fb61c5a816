"""Counting without slowing pages and without personal data.

A request only appends to an in-memory buffer (no query, no write). The buffer is written in
one batch when it holds ANALYTICS_BUFFER_SIZE events or its oldest is ANALYTICS_BUFFER_SECONDS
old (checked after each counted response), and when the process exits. The address and the
browser string stay in memory only until then: the batch turns them into a visitor hash with
the day's salt (`models.Salt`) and forgets them. A batch the database refuses stays in the
buffer for the next due flush (bounded: BACKLOG_LIMIT); a crash loses at most what is buffered,
which the KPIs tolerate; nothing a person wrote goes through here.

Ad impressions and clicks are counted the same way and added to `promotion.AdDailyStat` with
one UPDATE per campaign and day, so a daily cap can overshoot by at most one buffer per process.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from kruzhok.analytics.models import QUERY_MAX
from kruzhok.core.abuse import client_ip
from kruzhok.core.env import env_int

logger = logging.getLogger(__name__)

BUFFER_SIZE = env_int("ANALYTICS_BUFFER_SIZE", 200)
BUFFER_SECONDS = env_int("ANALYTICS_BUFFER_SECONDS", 10)

# Crawlers, link previews, monitors, scripts and headless browsers: none of them is a visitor.
# Matched against the lower-cased User-Agent (a case-insensitive pattern is several times slower).
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|preview|monitor|scan|check|probe|validator|lighthouse"
    r"|headless|phantom|selenium|puppeteer|playwright|curl|wget|python|httpx|aiohttp|okhttp|go-http"
    r"|java/|libwww|perl|ruby|node-fetch|axios|facebookexternalhit|whatsapp|telegram|vkshare"
    r"|yandex(?!browser)|google-|bingpreview|semrush|ahrefs|mj12|dotbot|petalbot|bytespider|gptbot"
    r"|locust|wrk|apachebench|siege|k6/"
)


# The API's own clients are programs (okhttp, axios, python-requests, Java, Go): for the API only
# crawlers, link checkers and load generators are not counted.
CRAWLER_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|archiver|scan|probe|monitor|facebookexternalhit|bingpreview|semrush"
    r"|ahrefs|mj12|bytespider|locust|wrk/|apachebench|siege|k6/"
)


@functools.lru_cache(maxsize=512)
def _crawler_agent(agent: str) -> bool:
    return CRAWLER_PATTERN.search(agent.lower()) is not None


def is_crawler(request: HttpRequest) -> bool:
    """Whether an API request comes from a crawler or a load generator (an app is counted)."""
    return _crawler_agent(request.headers.get("User-Agent", "")[:400])


@functools.lru_cache(maxsize=2048)
def _bot_agent(agent: str) -> bool:
    # Cached: a site sees the same few hundred browser strings all day.
    return len(agent) < 10 or BOT_PATTERN.search(agent.lower()) is not None


def is_bot(request: HttpRequest) -> bool:
    """Whether a request is not a person looking at the page: a known robot or script by its
    User-Agent (none at all counts as a script), or a browser's speculative prefetch."""
    if _bot_agent(request.headers.get("User-Agent", "")[:400]):
        return True
    purpose = (request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")).lower()
    return "prefetch" in purpose or "prerender" in purpose


def _client(request: HttpRequest) -> tuple[str, str]:
    # Behind the proxy every REMOTE_ADDR is the proxy's: the visitor is its forwarded address.
    return client_ip(request), request.headers.get("User-Agent", "")[:400]


@dataclass
class _Buffer:
    page_views: list[dict[str, Any]] = field(default_factory=list)
    searches: list[dict[str, Any]] = field(default_factory=list)
    ads: Counter[tuple[int, date, str]] = field(default_factory=Counter)
    since: float = 0.0

    def __len__(self) -> int:
        return len(self.page_views) + len(self.searches) + sum(self.ads.values())


_lock = threading.Lock()
_buffer = _Buffer()
_salts: dict[date, str] = {}


def _add(kind: str, row: dict[str, Any]) -> None:
    with _lock:
        if not len(_buffer):
            _buffer.since = time.monotonic()
        getattr(_buffer, kind).append(row)


def record_page_view(
    request: HttpRequest, *, route: str, object_type: str = "", object_id: int | None = None
) -> None:
    referrer = request.headers.get("Referer", "")
    host = referrer.split("/")[2][:200] if referrer.count("/") >= 2 and "://" in referrer else ""
    if host and host == request.get_host():
        host = ""
    now = timezone.now()
    _add(
        "page_views",
        {
            "at": now,
            "day": timezone.localdate(now),
            "route": route[:100],
            "object_type": object_type,
            "object_id": object_id,
            "referrer_host": host,
            "client": _client(request),
        },
    )


def record_search(
    request: HttpRequest,
    *,
    source: str,
    query: str,
    filters: dict[str, Any],
    has_location: bool,
    results: int,
    corrected: bool,
) -> None:
    """A search as it was run; `query` is the visitor's words, `filters` must hold no address."""
    now = timezone.now()
    _add(
        "searches",
        {
            "at": now,
            "day": timezone.localdate(now),
            "source": source,
            "query": query,
            "filters": filters,
            "has_location": has_location,
            "results": results,
            "corrected": corrected,
            "client": _client(request),
        },
    )


# The search parameters a search is logged with. Never `where`, `lat`, `lon` or `radius_km`:
# they can be a home address; the log keeps only that a place was given (`has_location`).
SEARCH_FILTERS = (
    "direction",
    "categories",
    "district",
    "age",
    "free",
    "ovz",
    "open",
    "days",
    "after",
    "before",
)


def search_filters(params: Any) -> dict[str, Any]:
    """A search's non-location filters that differ from their defaults, as JSON values."""
    from kruzhok.search.params import WEEKDAY_CODES

    filters: dict[str, Any] = {}
    for name in SEARCH_FILTERS:
        value = getattr(params, name)
        if value is None or value is False or value in ("", ()):  # age 0 is a filter
            continue
        if name == "days":
            value = [WEEKDAY_CODES[d] for d in value]
        elif name in ("after", "before"):
            value = value.strftime("%H:%M")
        elif isinstance(value, tuple):
            value = list(value)
        filters[name] = value
    if params.sort != "best":
        filters["sort"] = params.sort
    return filters


def count_search(
    request: HttpRequest, *, source: str, params: Any, results: int | None, corrected: bool
) -> None:
    """Log a search run by the page or the API (`params` is a `search.params.SearchParams`).

    Not logged: robots and scripts (for the API, whose clients are apps, crawlers only:
    `is_crawler`), a page after the first of the same search (the visitor is reading on, not
    searching again), a search with no words and no filter (browsing the whole list), and a
    result count the caller does not know (None). The as-you-type searches the page runs while
    the visitor types are all logged; the roll-up keeps only the one they settled on
    (`services._settled`; API searches are all kept)."""
    if results is None or params.page > 1 or params.is_empty():
        return
    if is_crawler(request) if source == "api" else is_bot(request):
        return
    record_search(
        request,
        source=source,
        query=params.q.strip()[:QUERY_MAX],
        filters=search_filters(params),
        has_location=params.has_location,
        results=results,
        corrected=corrected,
    )


def record_ad(campaign_id: int, kind: str) -> None:
    """`kind` is "impressions" or "clicks"."""
    with _lock:
        if not len(_buffer):
            _buffer.since = time.monotonic()
        _buffer.ads[(campaign_id, timezone.localdate(), kind)] += 1


def pending_ad_impressions(day: date) -> Counter[int]:
    """Impressions counted by this process and not yet written, by campaign."""
    with _lock:
        return Counter(
            {cid: n for (cid, d, kind), n in _buffer.ads.items() if d == day and kind == "impressions"}
        )


# A batch the database refused (e.g. SQLite's «database is locked» while the roll-up writes) goes
# back into the buffer and is tried again at the next due flush, not before BUFFER_SECONDS; the
# buffer then keeps at most BACKLOG_LIMIT page views and searches, the oldest dropped first.
BACKLOG_LIMIT = 10 * BUFFER_SIZE
_retry_after = 0.0


def due() -> bool:
    with _lock:
        size = len(_buffer)
        now = time.monotonic()
        if not size or now < _retry_after:
            return False
        return size >= BUFFER_SIZE or now - _buffer.since >= BUFFER_SECONDS


def _take() -> _Buffer:
    global _buffer
    with _lock:
        taken, _buffer = _buffer, _Buffer()
    return taken


def _put_back(failed: _Buffer) -> None:
    """Return a refused batch to the buffer, before what was counted meanwhile."""
    global _retry_after
    with _lock:
        _buffer.page_views[:0] = failed.page_views
        _buffer.searches[:0] = failed.searches
        _buffer.ads.update(failed.ads)
        _buffer.since = min(_buffer.since, failed.since) if _buffer.since else failed.since
        _retry_after = time.monotonic() + BUFFER_SECONDS
        overflow = len(_buffer.page_views) + len(_buffer.searches) - BACKLOG_LIMIT
        if overflow > 0:
            events = sorted(
                [(row["at"], 0, n) for n, row in enumerate(_buffer.page_views)]
                + [(row["at"], 1, n) for n, row in enumerate(_buffer.searches)]
            )
            dropped = {(kind, n) for _at, kind, n in events[:overflow]}
            _buffer.page_views = [r for n, r in enumerate(_buffer.page_views) if (0, n) not in dropped]
            _buffer.searches = [r for n, r in enumerate(_buffer.searches) if (1, n) not in dropped]
    if overflow > 0:
        logger.error(
            "analytics: the database refused writes too long; dropped the %s oldest events", overflow
        )


def discard() -> None:
    """Forget what is buffered, and the cached salts (tests; a worker that forks)."""
    global _retry_after
    _take()
    with _lock:
        _salts.clear()
        _retry_after = 0.0


def _salt(day: date, batch: dict[date, str]) -> str:
    """The day's salt. Today's (or a later day's) is read or drawn once and cached. A past day's
    is read from the table; if the roll-up has already deleted it, the late events get a random
    value kept for this batch only (`batch`): a new row would outlive the roll-up and could count
    the same people twice."""
    from kruzhok.analytics.models import Salt

    with _lock:
        value = _salts.get(day) or batch.get(day)
    if value is not None:
        return value
    today = timezone.localdate()
    if day < today:
        found = Salt.objects.filter(day=day).values_list("value", flat=True).first()
        value = batch[day] = found or secrets.token_hex(32)
        return value
    value = Salt.objects.get_or_create(day=day, defaults={"value": secrets.token_hex(32)})[0].value
    with _lock:
        for old in [cached for cached in _salts if cached < today]:
            del _salts[old]
        _salts[day] = value
    return value


def visitor_hash(day: date, client: tuple[str, str], batch: dict[date, str] | None = None) -> str:
    address, agent = client
    salt = _salt(day, {} if batch is None else batch)
    return hashlib.sha256(f"{salt}|{address}|{agent}".encode()).hexdigest()[:32]


def _rows(model: type, rows: list[dict[str, Any]], batch: dict[date, str]) -> list[Any]:
    # The buffered rows are left as they are: a refused batch is tried again with them.
    return [
        model(
            **{key: value for key, value in row.items() if key != "client"},
            visitor=visitor_hash(row["day"], row["client"], batch),
        )
        for row in rows
    ]


def _add_ad_counts(counts: Counter[tuple[int, date, str]]) -> None:
    from kruzhok.promotion.models import AdDailyStat

    per_day: dict[tuple[int, date], dict[str, int]] = {}
    for (campaign_id, day, kind), n in counts.items():
        per_day.setdefault((campaign_id, day), {"impressions": 0, "clicks": 0})[kind] += n
    for (campaign_id, day), added in per_day.items():
        increments = {kind: F(kind) + n for kind, n in added.items() if n}
        if AdDailyStat.objects.filter(campaign_id=campaign_id, day=day).update(**increments):
            continue
        try:
            with transaction.atomic():
                AdDailyStat.objects.create(campaign_id=campaign_id, day=day, **added)
        except IntegrityError:  # another process created the day's row meanwhile
            AdDailyStat.objects.filter(campaign_id=campaign_id, day=day).update(**increments)


def flush() -> int:
    """Write what is buffered; returns how many events were written. Never raises: counting must
    not break a page. Ad counts go in their own transaction, so a refused page-view batch cannot
    lose them; whatever the database refuses goes back into the buffer for the next due flush."""
    from kruzhok.analytics.models import PageView, SearchEvent

    taken = _take()
    if not len(taken):
        return 0
    failed = _Buffer(since=taken.since)
    written = 0
    if taken.ads:
        try:
            with transaction.atomic():
                _add_ad_counts(taken.ads)
            written += sum(taken.ads.values())
        except DatabaseError:
            logger.exception("analytics: could not write ad counts; kept for the next flush")
            failed.ads = taken.ads
    if taken.page_views or taken.searches:
        batch: dict[date, str] = {}
        try:
            with transaction.atomic():
                PageView.objects.bulk_create(_rows(PageView, taken.page_views, batch))
                SearchEvent.objects.bulk_create(_rows(SearchEvent, taken.searches, batch))
            written += len(taken.page_views) + len(taken.searches)
        except DatabaseError:
            logger.exception(
                "analytics: could not write %s events; kept for the next flush",
                len(taken.page_views) + len(taken.searches),
            )
            failed.page_views, failed.searches = taken.page_views, taken.searches
    if len(failed):
        _put_back(failed)
    return written


def flush_if_due() -> None:
    if due():
        flush()


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # noqa: BLE001 — the interpreter is going away; nothing else to do
        logger.exception("analytics: could not write the last batch")
