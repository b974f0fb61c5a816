"""What counting traffic and searches costs: per request, per flush, per daily roll-up.

    .venv/bin/python bench/analytics.py [--backend sqlite|postgres|both] [--page-views 1000000]
        [--searches 200000] [--days 30] [--requests 600] [--postgres URL] [--keep]

For each backend: a fresh database (SQLite: a file in a temp dir; PostgreSQL: a throwaway
database next to --postgres, dropped at the end) and `manage.py migrate`; then one process
measures, printing numbers only:

(a) requests/s of three pages (home, an activity page, /search/?q=…) through Django's whole
    request path with the test client (no HTTP server), --requests each with the counting
    middleware and without it, alternating one by one; counting on includes the flushes it
    triggers after the responses (ANALYTICS_BUFFER_SIZE, default 200), so the figure is the
    whole cost;
(b) the write of a buffer of 1,000 page views, and of 1,000 searches (ms per 1,000 events);
(c) `analytics_aggregate` over --page-views raw page views and --searches raw searches spread
    over --days days (rows written with bulk_create first; visitors, objects and as-you-type
    chains drawn from a seeded generator): the first run, a second (idempotent) run, and a run
    five days later that rolls up and deletes the five oldest days.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import search as search_bench  # noqa: E402 (bench/search.py: databases and the step runner)

RESULT = search_bench.RESULT_PREFIX
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
WORDS = ("футбол", "плавание", "шахматы", "робототехника", "рисование", "танцы", "вокал", "английский")


def _clients() -> tuple[Any, Any]:
    """Two test clients over the same process: one through the counting middleware, one without."""
    from django.conf import settings
    from django.test import Client

    middleware = list(settings.MIDDLEWARE)
    counting = Client()
    counting.handler.load_middleware()
    settings.MIDDLEWARE = [m for m in middleware if not m.startswith("kruzhok.analytics")]
    try:
        plain = Client()
        plain.handler.load_middleware()  # loaded now, while the list has no counting
    finally:
        settings.MIDDLEWARE = middleware
    return counting, plain


def measure_requests(count: int) -> dict[str, Any]:
    """Requests alternate between the two clients one by one, so a load that comes and goes on
    the machine (other processes) weighs on both sides alike."""
    from kruzhok.analytics import collect
    from kruzhok.catalog.tests import factories

    activities = [factories.activity(title=f"Секция {word} №{i}") for i, word in enumerate(WORDS)]
    pages = {
        "home": ["/"],
        "activity": [a.get_absolute_url() for a in activities],
        "search": [f"/search/?q={word}" for word in WORDS],
    }
    counting, plain = _clients()
    result: dict[str, Any] = {}
    for name, urls in pages.items():
        timings: dict[str, list[float]] = {"on": [], "off": []}
        for url in urls:  # warm up: templates, taxonomy, search store, rendered results
            counting.get(url, HTTP_USER_AGENT=BROWSER)
            plain.get(url, HTTP_USER_AGENT=BROWSER)
        for i in range(2 * count):
            # on, off, off, on, …: neither side always goes first (warm caches favour the second)
            side, client = (("on", counting), ("off", plain))[(i + i // 2) % 2]
            url = urls[(i // 2) % len(urls)]
            started = time.perf_counter()
            response = client.get(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"10.0.{i % 200}.{i % 250}")
            timings[side].append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
        collect.flush()
        result[name] = {
            side: {"per_s": len(t) / sum(t), "median_ms": statistics.median(t) * 1000}
            for side, t in timings.items()
        }
        print(f"{name}: " + json.dumps(result[name]), flush=True)

    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from kruzhok.analytics.middleware import PageViewMiddleware

    # The middleware's own work on a counted response, without the page around it.
    request = RequestFactory().get(pages["activity"][0], HTTP_USER_AGENT=BROWSER)
    request.resolver_match = resolve(request.path)
    response = HttpResponse("<html></html>")
    middleware = PageViewMiddleware(lambda r: response)
    started = time.perf_counter()
    for _ in range(10_000):
        middleware.count(request, response)
    result["count_us"] = (time.perf_counter() - started) / 10_000 * 1e6
    collect.discard()
    return result


def measure_flush() -> dict[str, float]:
    from django.test import RequestFactory

    from kruzhok.analytics import collect
    from kruzhok.analytics.models import PageView, SearchEvent
    from kruzhok.search.params import SearchParams

    factory = RequestFactory()
    requests = [
        factory.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"10.1.{i % 250}.{i // 250}")
        for i in range(1000)
    ]
    views: list[float] = []
    searches: list[float] = []
    for _round in range(5):
        for i, request in enumerate(requests):
            collect.record_page_view(request, route="catalog:activity", object_type="activity", object_id=i)
        started = time.perf_counter()
        collect.flush()
        views.append(time.perf_counter() - started)
        for i, request in enumerate(requests):
            params = SearchParams(q=WORDS[i % len(WORDS)], age=7 + i % 8)
            collect.count_search(request, source="page", params=params, results=i % 5, corrected=False)
        started = time.perf_counter()
        collect.flush()
        searches.append(time.perf_counter() - started)
    PageView.objects.all().delete()
    SearchEvent.objects.all().delete()
    return {
        "page_views_ms": statistics.median(views) * 1000,
        "searches_ms": statistics.median(searches) * 1000,
    }


def build_raw(page_views: int, searches: int, days: int, today: date) -> dict[str, float]:
    """Raw rows as the site would leave them: ~1/3 of views on activity pages, visitors with
    several views each, searches as as-you-type chains of 1–4 steps."""
    from django.utils import timezone

    from kruzhok.analytics.models import PageView, SearchEvent

    rng = random.Random(7)  # noqa: S311 (test data)  # nosec B311
    first_day = today - timedelta(days=days - 1)
    none: int | None = None
    routes = (
        [("catalog:home", "", none)] * 3 + [("search:search", "", none)] * 3 + [("events:list", "", none)]
    )
    batch = 10_000
    started = time.perf_counter()
    per_day = page_views // days
    rows: list[PageView] = []
    for d in range(days):
        day = first_day + timedelta(days=d)
        midnight = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        visitors = [f"{d:02d}{v:030x}" for v in range(max(per_day // 4, 1))]
        for _ in range(per_day if d < days - 1 else page_views - per_day * (days - 1)):
            kind = rng.random()
            object_id: int | None
            if kind < 0.35:
                route, object_type, object_id = "catalog:activity", "activity", rng.randrange(1, 20_000)
            elif kind < 0.45:
                route, object_type, object_id = (
                    "catalog:organization",
                    "organization",
                    rng.randrange(1, 2_000),
                )
            elif kind < 0.5:
                route, object_type, object_id = "events:event", "event", rng.randrange(1, 3_000)
            else:
                route, object_type, object_id = rng.choice(routes)
            rows.append(
                PageView(
                    at=midnight + timedelta(seconds=rng.randrange(86_400)),
                    day=day,
                    route=route,
                    object_type=object_type,
                    object_id=object_id,
                    visitor=rng.choice(visitors),
                    referrer_host="",
                )
            )
            if len(rows) >= batch:
                PageView.objects.bulk_create(rows)
                rows = []
    PageView.objects.bulk_create(rows)
    views_seconds = time.perf_counter() - started
    print(f"built {page_views:,} page views in {views_seconds:.1f} s", flush=True)

    started = time.perf_counter()
    made = 0
    search_rows: list[SearchEvent] = []
    while made < searches:
        day = first_day + timedelta(days=rng.randrange(days))
        at = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
            seconds=rng.randrange(86_000)
        )
        visitor = f"{(day - first_day).days:02d}{rng.randrange(per_day // 4 or 1):030x}"
        word = rng.choice(WORDS) + ("" if rng.random() < 0.8 else " для детей")
        filters = {} if rng.random() < 0.6 else {"age": rng.randrange(5, 16)}
        steps = rng.randrange(1, 5)
        for step in range(steps):
            if made >= searches:
                break
            typed = word[: max(3, len(word) * (step + 1) // steps)]
            search_rows.append(
                SearchEvent(
                    at=at + timedelta(seconds=step),
                    day=day,
                    source="page" if rng.random() < 0.9 else "api",
                    query=typed,
                    filters=filters,
                    has_location=rng.random() < 0.3,
                    results=0 if rng.random() < 0.08 else rng.randrange(1, 400),
                    corrected=False,
                    visitor=visitor,
                )
            )
            made += 1
        if len(search_rows) >= batch:
            SearchEvent.objects.bulk_create(search_rows)
            search_rows = []
    SearchEvent.objects.bulk_create(search_rows)
    searches_seconds = time.perf_counter() - started
    print(f"built {searches:,} searches in {searches_seconds:.1f} s", flush=True)
    return {"build_page_views_s": views_seconds, "build_searches_s": searches_seconds}


def measure_aggregate(page_views: int, searches: int, days: int) -> dict[str, Any]:
    from django.db import connection

    from kruzhok.analytics.models import DailyPageStat, DailyQuery, DailyTraffic
    from kruzhok.analytics.services import analytics_aggregate

    today = date(2026, 11, 29)
    result: dict[str, Any] = build_raw(page_views, searches, days, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE analytics_pageview")
            cursor.execute("VACUUM ANALYZE analytics_searchevent")
    for name, on in (("first", today), ("again", today)):
        started = time.perf_counter()
        summary = analytics_aggregate(today=on)
        result[f"{name}_s"] = time.perf_counter() - started
        result[f"{name}_days"] = len(summary.days)
        print(f"roll-up ({name}): {result[f'{name}_s']:.1f} s for {len(summary.days)} days", flush=True)
    result["settled_searches"] = sum(DailyTraffic.objects.values_list("searches", flat=True))
    result["page_stats"] = DailyPageStat.objects.count()
    result["daily_queries"] = DailyQuery.objects.count()
    started = time.perf_counter()
    summary = analytics_aggregate(today=today + timedelta(days=5), days=1)
    result["purge_s"] = time.perf_counter() - started
    result["purged_views"] = summary.page_views_deleted
    result["purged_searches"] = summary.searches_deleted
    return result


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    os.environ.setdefault("STATIC_HASHED", "0")  # pages render here without collectstatic
    import django

    django.setup()
    from django.db import connection

    print(f"database: {connection.vendor}", flush=True)
    result = {
        "requests": measure_requests(args.requests),
        "flush": measure_flush(),
        "aggregate": measure_aggregate(args.page_views, args.searches, args.days),
    }
    print(RESULT + json.dumps(result), flush=True)


def report(label: str, r: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\n== {label} ==")
    print(
        "(a) requests/s through Django's request path (test client), counting on / off, and median latency:"
    )
    for name in ("home", "activity", "search"):
        on, off = r["requests"][name]["on"], r["requests"][name]["off"]
        print(
            f"    {name:9} {on['per_s']:6.0f} / {off['per_s']:6.0f} /s ({1000 / on['per_s'] - 1000 / off['per_s']:+.3f} ms"
            f" a request on average); median {on['median_ms']:.2f} / {off['median_ms']:.2f} ms"
        )
    print(f"    the middleware's own work on a counted response: {r['requests']['count_us']:.1f} µs")
    f = r["flush"]
    print(
        f"(b) flush of 1,000 page views {f['page_views_ms']:.1f} ms, of 1,000 searches {f['searches_ms']:.1f} ms"
    )
    a = r["aggregate"]
    print(
        f"(c) {args.page_views:,} page views + {args.searches:,} searches over {args.days} days "
        f"(built in {a['build_page_views_s']:.0f} + {a['build_searches_s']:.0f} s):"
    )
    print(
        f"    roll-up {a['first_s']:.1f} s ({a['first_days']} days), again {a['again_s']:.1f} s; "
        f"{a['settled_searches']:,} settled searches, {a['page_stats']:,} page-stat rows, "
        f"{a['daily_queries']:,} query rows"
    )
    print(
        f"    five days later (last day + 5 oldest days rolled up, then deleted): {a['purge_s']:.1f} s, "
        f"{a['purged_views']:,} page views and {a['purged_searches']:,} searches deleted"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--page-views", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--requests", type=int, default=600, help="requests per page and side in (a)")
    parser.add_argument("--postgres", default=search_bench.DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per step before giving up")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    print(f"code: {search_bench.code_version()}; machine: {os.cpu_count()} cores", flush=True)
    failed = False
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        try:
            with search_bench.fresh_database(backend, args.page_views, args, tag="analytics_") as db:
                migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
                search_bench.run_step(f"{backend} migrate", migrate, db.env(), args.timeout)
                command = [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--child",
                    *("--page-views", str(args.page_views), "--searches", str(args.searches)),
                    *("--days", str(args.days), "--requests", str(args.requests)),
                ]
                _seconds, result = search_bench.run_step(backend, command, db.env(), args.timeout)
                if result:
                    report(backend, result, args)
        except search_bench.StepFailed as exc:
            print(f"[{backend}] failed: {exc}", flush=True)
            failed = True
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
