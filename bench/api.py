"""The public API under load: gunicorn on loopback, a catalog of --activities, figures by part.

    .venv/bin/python bench/api.py [--part search] [--activities 20000] [--backend postgres|sqlite]
        [--database-url URL] [--users 4] [--duration 20] [--warmup 5] [--client python|locust|both]
        [--keep]

The catalog: the database given by --database-url (e.g. one kept by `bench/search.py --keep` or
by this script's --keep), else one built here with seed_demo (PostgreSQL: the database
kruzhok_bench_search_api_<N>, dropped at the end) — a few minutes at the default 20,000
activities, about ten at 200,000. The server: the repository's gunicorn.conf.py (2 sync workers
on 127.0.0.1, DEBUG off, a throwaway SECRET_KEY) with the API's rate limit off, since every
request comes from one address. It is stopped at the end, also on failure or Ctrl-C.

Parts (--part, repeatable; each is a function in PARTS that gets the running server, the
catalog and the arguments, prints its figures and says whether they are sound):

  search  GET /api/v1/search with bench/search.py's 300-query mix (typos, filters only, places,
          English…, page size 20, facets), from --users closed-loop clients (keep-alive
          http.client threads; `--client locust` runs locust's FastHttpUser instead): requests/s,
          p50/p95/p99, errors, CPU per request. Then the same URLs revalidated with the ETag each
          answered (If-None-Match → 304): what a client that polls pays when nothing changed.
  feeds   a harvester's full walk of both OpenActive RPDE feeds over HTTP, one page at a time:
          pages/s, items, p50/p95 per page, seconds (target: under 60 s at 200,000 activities).

The load generator shares the machine's cores with the server, so its own CPU is part of the
figure; «ceiling» is requests/s if the server and its database had every core (see
bench/pages.py, whose server and clients this reuses). A warm-up (each worker loads its search
index on its first request) is not counted. Exits 1 when any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import pages  # noqa: E402 (bench/pages.py: the gunicorn server, the load clients, the CPU meter)
import search as search_bench  # noqa: E402 (bench/search.py: the query set and the catalog build)

DB_TAG = "api_"  # keeps this script's databases apart from bench/search.py's of the same size
# The server's environment: every request comes from 127.0.0.1, so the per-address limit is off.
SERVER_ENV = {"API_REQUESTS_PER_MINUTE": "0"}


@dataclass
class Context:
    server: pages.Server
    db: search_bench.Database
    activities: int
    args: argparse.Namespace


# --- part: search --------------------------------------------------------------------------------


def search_urls(args: argparse.Namespace) -> list[str]:
    return [
        f"/api/v1/search?{query.query_string}" if query.pairs else "/api/v1/search"
        for query in search_bench.query_set(args.queries, args.query_seed)
    ]


def etags(port: int, urls: list[str]) -> dict[str, dict[str, str]]:
    """Each URL's ETag as an If-None-Match header, asked once, one at a time."""
    found: dict[str, dict[str, str]] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for url in dict.fromkeys(urls):
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            if response.will_close:
                conn.close()
            tag = response.getheader("ETag")
            if response.status == 200 and tag:
                found[url] = {"If-None-Match": tag}
    finally:
        conn.close()
    return found


def part_search(ctx: Context) -> bool:
    args = ctx.args
    urls = search_urls(args)
    clients = ["python", "locust"] if args.client == "both" else [args.client]
    loads: list[pages.Load] = []
    if args.warmup:
        pages.python_client(ctx.server.port, urls, {}, args.users, args.warmup)
    for client in clients:
        print(f"search, {client}: {args.duration:g} s …", flush=True)
        runner = pages.run_python if client == "python" else pages.run_locust
        loads.append(runner(ctx.server, urls, "search", {}, args))
    print(f"search revalidated (If-None-Match → 304), python: {args.duration:g} s …", flush=True)
    tags = etags(ctx.server.port, urls)
    revalidated = pages.run_python(ctx.server, list(tags), "304", {}, args, per_url=tags, ok_status=304)
    loads.append(revalidated)
    print()
    print(
        f"== GET /api/v1/search on gunicorn ({args.workers} {args.worker_class} workers), {ctx.db.backend}, "
        f"{search_bench.thousands(ctx.activities)} live activities, {args.users} concurrent clients, "
        f"{args.duration:g} s per run, {len(set(urls))} distinct queries =="
    )
    print(
        f"{'client':<8}{'answer':<8}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'errors':>7}{'KB':>6}"
        f"{'server':>8}{'db':>6}{'client':>8}{'CPU ms/req':>12}{'ceiling':>9}"
    )
    for load in loads:
        base = load.wall or 1.0
        per_request = (
            (load.server_cpu + load.db_cpu) / load.requests * 1000 if load.requests else float("nan")
        )
        answer = "304" if load.variant == "304" else "200"
        print(
            f"{load.client:<8}{answer:<8}{load.rps:>8.0f}{load.p50:>7.1f}{load.p95:>7.1f}{load.p99:>7.1f}"
            f"{load.errors:>7}{load.bytes_per_page / 1024:>6.1f}{load.server_cpu / base:>8.0%}"
            f"{load.db_cpu / base:>6.0%}{load.client_cpu / base:>8.0%}{per_request:>12.2f}"
            f"{pages.ceiling(load):>9.0f}"
        )
        for sample in load.error_samples:
            print(f"    error: {sample}")
    print(
        "Latencies in ms, KB per answer. CPU: share of one core during the run — server = gunicorn "
        "workers, db = PostgreSQL backends of this database (SQLite runs inside the workers), client = "
        "the load generator. ceiling = requests/s if server + db had all "
        f"{os.cpu_count()} cores. 304: the same URLs asked with the ETag they answered, so nothing is "
        f"searched ({len(tags)} of them answered 200 with an ETag)."
    )
    return all(load.errors == 0 for load in loads) and len(tags) == len(set(urls))


# --- part: feeds ---------------------------------------------------------------------------------


def walk_feed(port: int, path: str) -> dict[str, Any]:
    """A harvester's full walk of one RPDE feed over HTTP: first page to last, one at a time."""
    import json
    import statistics
    import time
    from urllib.parse import urlsplit

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    items = deleted = errors = 0
    started = time.perf_counter()
    try:
        while True:
            tick = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            latencies.append(time.perf_counter() - tick)
            if response.will_close:
                conn.close()
            if response.status != 200:
                errors += 1
                break
            page = json.loads(body)
            items += len(page["items"])
            deleted += sum(1 for item in page["items"] if item["state"] == "deleted")
            if not page["items"]:
                break
            next_url = urlsplit(page["next"])
            path = f"{next_url.path}?{next_url.query}" if next_url.query else next_url.path
    finally:
        conn.close()
    ordered = sorted(latencies)
    return {
        "pages": len(latencies),
        "items": items,
        "deleted": deleted,
        "errors": errors,
        "seconds": time.perf_counter() - started,
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
    }


def part_feeds(ctx: Context) -> bool:
    print("feeds: walking /openactive/session-series and /openactive/scheduled-sessions …", flush=True)
    results = {feed: walk_feed(ctx.server.port, f"/openactive/{feed}") for feed in OPENACTIVE_FEEDS}
    print()
    print(
        f"== OpenActive RPDE feeds over HTTP (gunicorn), {ctx.db.backend}, "
        f"{search_bench.thousands(ctx.activities)} live activities, one request at a time =="
    )
    print(
        f"{'feed':<20}{'pages':>7}{'items':>9}{'deleted':>9}{'seconds':>9}{'pages/s':>9}{'p50':>7}{'p95':>7}"
    )
    for feed, r in results.items():
        print(
            f"{feed:<20}{r['pages']:>7}{r['items']:>9}{r['deleted']:>9}{r['seconds']:>9.1f}"
            f"{r['pages'] / r['seconds']:>9.1f}{r['p50']:>7.0f}{r['p95']:>7.0f}"
        )
    total = sum(r["seconds"] for r in results.values())
    print(
        f"A full walk of both feeds: {total:.1f} s (target for 200,000 activities: under {FEED_TARGET_S:.0f} s)."
    )
    return all(r["errors"] == 0 for r in results.values())


OPENACTIVE_FEEDS = ("session-series", "scheduled-sessions")
FEED_TARGET_S = 60.0

# Each part is a function of a Context that prints its figures and returns whether they are sound.
PARTS: dict[str, Callable[[Context], bool]] = {"search": part_search, "feeds": part_feeds}


# --- main ------------------------------------------------------------------------------------


def catalog(args: argparse.Namespace) -> Any:
    """The database to serve: the one given, or a fresh one built here (a context manager)."""
    if args.database_url:
        return nullcontext(search_bench.database_from_url(args.database_url))
    return search_bench.fresh_database(args.backend, args.activities, args, tag=DB_TAG)


def build(db: search_bench.Database, args: argparse.Namespace) -> None:
    if args.database_url:
        return
    run = search_bench.Run(args.backend, args.activities)
    search_bench.build(
        db, args.activities, args.seed, f"{args.backend} {args.activities}", args.timeout, run, rebuild=False
    )
    if db.path is None:
        # Clients meet the catalog after autovacuum has analyzed the bulk load; fresh from it,
        # PostgreSQL's statistics still describe empty tables.
        run.build["vacuum"] = search_bench.pg_vacuum(db.url)
    print(
        f"built: seed {run.build.get('seed', 0):.0f} s, index {run.build.get('index', 0):.0f} s", flush=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--part", action="append", choices=sorted(PARTS), help="what to measure (repeatable; default: all)"
    )
    parser.add_argument("--database-url", help="an existing catalog: postgres://… or sqlite:////path")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--postgres", default=search_bench.DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--activities", type=int, default=20_000, help="catalog size to build")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the catalog built here")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--users", type=int, default=4, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of uncounted load first")
    parser.add_argument("--client", choices=["python", "locust", "both"], default="python")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--query-seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per build step")
    args = parser.parse_args()
    parts = args.part or sorted(PARTS)

    print(f"code: {search_bench.code_version()}; machine: {os.cpu_count()} cores; parts: {', '.join(parts)}")
    sound = True
    with catalog(args) as db:
        build(db, args)
        activities = pages.catalog_size(db)
        with pages.gunicorn(db, args, extra_env=SERVER_ENV) as server:
            ctx = Context(server=server, db=db, activities=activities, args=args)
            for part in parts:
                sound = PARTS[part](ctx) and sound
    if not sound:
        sys.exit(1)


if __name__ == "__main__":
    main()
