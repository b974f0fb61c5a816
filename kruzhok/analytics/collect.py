"""Counting without slowing pages and without personal data.

A request only appends to an in-memory buffer (no query, no write). The buffer is written in
one batch when it holds ANALYTICS_BUFFER_SIZE events or its oldest is ANALYTICS_BUFFER_SECONDS
old (checked after each counted response), and when the process exits. The address and the
browser string stay in memory only until then: the batch turns them into a visitor hash with
the day's salt (`models.Salt`) and forgets them. A crash loses at most one buffer of counts,
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

from kruzhok.core.abuse import client_ip
from kruzhok.core.env import env_int

logger = logging.getLogger(__name__)

QUERY_MAX = 200  # = models.QUERY_MAX (the models are not imported at start-up)
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

    Not logged: robots and scripts, a page after the first of the same search (the visitor is
    reading on, not searching again), a search with no words and no filter (browsing the whole
    list), and a result count the caller does not know (None). The as-you-type searches the page
    runs while the visitor types are all logged; the roll-up keeps only the one they settled on
    (`services._settled`)."""
    if results is None or params.page > 1 or params.is_empty() or is_bot(request):
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


def due() -> bool:
    with _lock:
        size = len(_buffer)
        return bool(size) and (size >= BUFFER_SIZE or time.monotonic() - _buffer.since >= BUFFER_SECONDS)


def _take() -> _Buffer:
    global _buffer
    with _lock:
        taken, _buffer = _buffer, _Buffer()
    return taken


def discard() -> None:
    """Forget what is buffered, and the cached salt (tests; a worker that forks)."""
    _take()
    _salts.clear()


def _salt(day: date) -> str:
    from kruzhok.analytics.models import Salt

    if day not in _salts:
        salt, _created = Salt.objects.get_or_create(day=day, defaults={"value": secrets.token_hex(32)})
        _salts.clear()
        _salts[day] = salt.value
    return _salts[day]


def visitor_hash(day: date, client: tuple[str, str]) -> str:
    address, agent = client
    return hashlib.sha256(f"{_salt(day)}|{address}|{agent}".encode()).hexdigest()[:32]


def _rows(model: type, rows: list[dict[str, Any]]) -> list[Any]:
    objects = []
    for row in rows:
        client = row.pop("client")
        objects.append(model(**row, visitor=visitor_hash(row["day"], client)))
    return objects


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
    """Write what is buffered; returns how many events. Never raises: counting must not break a
    page, so a failed batch is logged and dropped."""
    from kruzhok.analytics.models import PageView, SearchEvent

    taken = _take()
    size = len(taken)
    if not size:
        return 0
    try:
        with transaction.atomic():
            PageView.objects.bulk_create(_rows(PageView, taken.page_views))
            SearchEvent.objects.bulk_create(_rows(SearchEvent, taken.searches))
            _add_ad_counts(taken.ads)
    except DatabaseError:
        logger.exception("analytics: dropped a batch of %s events", size)
        return 0
    return size


def flush_if_due() -> None:
    if due():
        flush()


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # noqa: BLE001 — the interpreter is going away; nothing else to do
        logger.exception("analytics: could not write the last batch")
