"""OpenActive feed speed: a consumer's full walk of both RPDE feeds over a demo catalog.

    .venv/bin/python bench/openactive.py [--activities 20000] [--backend sqlite|postgres|both]
        [--postgres URL] [--keep] [--database-url URL]

For each backend: a fresh database (SQLite: a file in a temp dir; PostgreSQL: a throwaway
database next to --postgres, dropped at the end), `manage.py migrate` and `manage.py seed_demo
--activities N` (bench/search.py's build), and on PostgreSQL a VACUUM (ANALYZE). Then a fresh process walks /openactive/session-series
and /openactive/scheduled-sessions from the first page to the last, one request at a time as a
harvester does, through Django's whole request path (middleware, view, JSON) with the test
client — no HTTP server, so the figure is the application's own cost. It prints pages, items,
seconds, pages/s and items/s per feed, and page latency p50/p95/max. Target (issue 6): a full
walk of a 200,000-activity catalog in under 60 s on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import search as search_bench  # noqa: E402 (bench/search.py: databases, the catalog build, the step runner)

RESULT = search_bench.RESULT_PREFIX
TARGET_SECONDS = 60.0
FEEDS = ("session-series", "scheduled-sessions")


def child_walk() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    os.environ.setdefault("STATIC_HASHED", "0")  # pages render here without collectstatic
    import json

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    client = Client()
    base = settings.SITE_URL.rstrip("/")
    results: dict[str, Any] = {}
    for feed in FEEDS:
        url = f"{base}/openactive/{feed}"
        latencies: list[float] = []
        items = deleted = 0
        started = time.perf_counter()
        while True:
            tick = time.perf_counter()
            response = client.get(url.removeprefix(base))
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            body = json.loads(response.content)
            latencies.append(time.perf_counter() - tick)
            items += len(body["items"])
            deleted += sum(1 for item in body["items"] if item["state"] == "deleted")
            if len(latencies) % 50 == 0:
                print(
                    f"{feed}: {len(latencies)} pages, {items} items, {time.perf_counter() - started:.1f} s",
                    flush=True,
                )
            if not body["items"]:
                break
            url = body["next"]
        seconds = time.perf_counter() - started
        ordered = sorted(latencies)
        results[feed] = {
            "pages": len(latencies),
            "items": items,
            "deleted": deleted,
            "seconds": seconds,
            "p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
            "max_ms": ordered[-1] * 1000,
        }
    print(RESULT + json.dumps(results), flush=True)


def walk(db: search_bench.Database, label: str, timeout: float) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child-walk"]
    _seconds, result = search_bench.run_step(f"{label} walk", command, db.env(), timeout)
    return result or {}


def report(label: str, build: dict[str, float], result: dict[str, Any]) -> None:
    print(f"\n== {label} ==", flush=True)
    if build:
        print("build: " + ", ".join(f"{k} {v:.1f} s" for k, v in build.items()))
    total = 0.0
    for feed, r in result.items():
        total += r["seconds"]
        print(
            f"{feed}: {r['items']:,} items ({r['deleted']:,} deleted) in {r['pages']:,} pages, "
            f"{r['seconds']:.1f} s — {r['pages'] / r['seconds']:.1f} pages/s, {r['items'] / r['seconds']:,.0f} items/s; "
            f"page p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms"
        )
    if result:
        activities = result["session-series"]["items"]
        per_item = result["session-series"]["seconds"] / max(activities, 1)
        print(
            f"both feeds: {total:.1f} s. At this rate a 200,000-activity session-series walk takes "
            f"~{per_item * 200_000:.0f} s (target {TARGET_SECONDS:.0f} s)."
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--postgres", default=search_bench.DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's seed")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per step before giving up")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--database-url", help="walk this existing, seeded database (sqlite:////path or postgres://…)"
    )
    parser.add_argument("--child-walk", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_walk:
        child_walk()
        return

    print(f"code: {search_bench.code_version()}; machine: {os.cpu_count()} cores", flush=True)
    if args.database_url:
        db = search_bench.database_from_url(args.database_url)
        report(db.backend, {}, walk(db, db.backend, args.timeout))
        return
    failed = False
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        label = f"{backend} {args.activities}"
        print(f"[{label}] building the catalog", flush=True)
        try:
            with search_bench.fresh_database(backend, args.activities, args) as db:
                built = search_bench.Run(backend, args.activities)
                search_bench.build(db, args.activities, args.seed, label, args.timeout, built, rebuild=False)
                if db.path is None:
                    # A harvester meets the catalog after autovacuum has analyzed the bulk load;
                    # fresh from it, PostgreSQL's statistics still describe empty tables.
                    built.build["vacuum"] = search_bench.pg_vacuum(db.url)
                report(label, built.build, walk(db, label, args.timeout))
        except search_bench.StepFailed as exc:
            print(f"[{label}] failed: {exc}", flush=True)
            failed = True
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
