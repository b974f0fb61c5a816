"""Alert speed at benchmark scale: 10,000 saved searches over a demo catalog with 500 new activities.

    .venv/bin/python bench/alerts.py [--activities 200000] [--subscriptions 10000] [--new 500]
        [--backend sqlite|postgres|both] [--postgres URL] [--keep] [--database-url URL]

For each backend: a fresh database (SQLite: a file in a temp dir; PostgreSQL: the database
kruzhok_bench_search_alerts_<size> next to --postgres, dropped at the end), `manage.py migrate` and
`manage.py seed_demo --activities N` (bench/search.py's build). Then, in a setup process:

1. `--new` random activities become drafts that were never public (their index rows lose
   `live_seq`), as if providers had them in preparation;
2. `--subscriptions` active saved searches are made, as `subscribe` makes them (the baseline is the
   index now): bench/search.py's query set (typos, filters only, exact words, phrases, very common
   words, synonyms, layout, transliteration, English; a share with a place, an age, an okrug, free),
   saved by ~0.7 addresses each, half of them daily, 30 % immediate and 20 % weekly;
3. the drafts are published in ten commits, and 30 upcoming events get created after the baseline.

Then a fresh process runs `send_alerts` as cron would at 09:00 Omsk time on the next Monday (so the
daily and weekly ones are due as well as the immediate ones) with the production task backend
(django-tasks-db: queuing a mail writes its delivery task, nothing is sent), and prints the time to
compute and queue every mail, the mails queued, and the peak RSS of that process (with what Django
and the search store take apart). A second run right after (nothing new: the every-5-minutes case)
is timed too. Target: ≤ 2 minutes at 200,000 activities on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import search as search_bench  # noqa: E402 (bench/search.py: the query set, the catalog build, the step runner)

ROOT = search_bench.ROOT
RESULT = search_bench.RESULT_PREFIX
TARGET_SECONDS = 120.0


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    import django

    django.setup()


# --- the setup process ------------------------------------------------------------------------


def child_setup(args: argparse.Namespace) -> None:
    _django()
    from django.db import transaction
    from django.http import QueryDict
    from django.utils import timezone

    from kruzhok.catalog.models import Activity, Status
    from kruzhok.events.models import Event
    from kruzhok.notifications.models import Subscription
    from kruzhok.search.index import current_seq, index_activities
    from kruzhok.search.models import SearchDocument
    from kruzhok.search.params import parse_params

    rng = random.Random(args.query_seed)  # reproducible benchmark data, not a secret  # nosec B311
    started = time.perf_counter()
    live = list(Activity.objects.filter(status=Status.PUBLISHED).values_list("pk", flat=True))
    new = sorted(rng.sample(live, min(args.new, len(live))))
    with transaction.atomic():
        Activity.objects.filter(pk__in=new).update(status=Status.DRAFT)
        index_activities(new)
        SearchDocument.objects.filter(pk__in=new).update(live_seq=None)
    drafted = time.perf_counter() - started

    started = time.perf_counter()
    queries = search_bench.query_set(args.subscriptions, args.query_seed)
    seen_seq, seen_at = current_seq(), timezone.now()
    people = max(1, int(args.subscriptions * 0.7))
    subscriptions: dict[tuple[str, str], Subscription] = {}
    kinds: dict[str, int] = {}
    for number, query in enumerate(queries):
        params = parse_params(QueryDict(query.query_string))[0]
        canonical = params.query_string(page=1)
        email = f"parent{rng.randrange(people)}@example.org"
        roll = rng.random()
        frequency = "daily" if roll < 0.5 else "immediate" if roll < 0.8 else "weekly"
        key = (email, f"search:{canonical}")
        if key in subscriptions:
            continue
        kinds[query.kind] = kinds.get(query.kind, 0) + 1
        subscriptions[key] = Subscription(
            kind="search",
            email=email,
            target=key[1],
            query=canonical,
            frequency=frequency,
            status="active",
            language="en" if number % 20 == 0 else "ru",
            token=secrets.token_urlsafe(24),
            seen_seq=seen_seq,
            seen_at=seen_at,
            confirmed_at=seen_at,
        )
    Subscription.objects.bulk_create(subscriptions.values(), batch_size=2000)
    subscribed = time.perf_counter() - started

    started = time.perf_counter()
    for start in range(0, len(new), max(1, len(new) // 10)):
        chunk = new[start : start + max(1, len(new) // 10)]
        with transaction.atomic():
            Activity.objects.filter(pk__in=chunk).update(status=Status.PUBLISHED)
            index_activities(chunk)
    upcoming = list(
        Event.objects.filter(status="published", starts_at__gt=timezone.now())
        .order_by("starts_at")
        .values_list("pk", flat=True)[:30]
    )
    Event.objects.filter(pk__in=upcoming).update(created_at=timezone.now())
    published = time.perf_counter() - started
    print(
        RESULT
        + json.dumps(
            {
                "subscriptions": len(subscriptions),
                "distinct_queries": len({s.query for s in subscriptions.values()}),
                "addresses": len({s.email for s in subscriptions.values()}),
                "kinds": kinds,
                "new": len(new),
                "new_events": len(upcoming),
                "seconds": {"drafts": drafted, "subscriptions": subscribed, "publish": published},
            }
        ),
        flush=True,
    )


# --- the measured process ---------------------------------------------------------------------


def child_run(args: argparse.Namespace) -> None:
    _django()
    from django.db import connection

    from kruzhok.notifications.alerts import send_alerts
    from kruzhok.notifications.models import OutboxMail, Subscription
    from kruzhok.search import store

    rss_setup = _rss_mb()
    # 09:00 in Omsk on the next Monday: daily, weekly and immediate subscriptions are all due.
    from kruzhok.events.recurrence import local_zone

    today = datetime.now(local_zone())
    monday = (today + timedelta(days=7 - today.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    outbox_before = OutboxMail.objects.count()

    def say(message: str) -> None:
        print(message, flush=True)

    started = time.perf_counter()
    first = send_alerts(now=monday, kinds=["search"], progress=say)
    first_seconds = time.perf_counter() - started
    loaded = store.peek()
    rss_first = _rss_mb()
    queued = OutboxMail.objects.count() - outbox_before
    started = time.perf_counter()
    second = send_alerts(now=monday + timedelta(minutes=5), kinds=["search"], progress=say)
    second_seconds = time.perf_counter() - started
    sample = OutboxMail.objects.order_by("pk").first()
    print(
        RESULT
        + json.dumps(
            {
                "vendor": connection.vendor,
                "documents": loaded.size if loaded else 0,
                "checked": first.checked["search"],
                "mailed": first.mailed["search"],
                "errors": first.errors,
                "queued": queued,
                "seconds": first_seconds,
                "second_mailed": second.mailed["search"],
                "second_seconds": second_seconds,
                "rss_setup_mb": rss_setup,
                "rss_peak_mb": rss_first,
                "active": Subscription.objects.filter(status="active").count(),
                "sample_subject": sample.subject if sample else "",
                "sample_bytes": len(sample.body_text) + len(sample.body_html) if sample else 0,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


# --- driving it ---------------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, size: int, args: argparse.Namespace) -> Iterator[search_bench.Database]:
    workdir: Path | None = None
    db: search_bench.Database | None = None
    try:
        if backend == "sqlite":
            workdir = Path(tempfile.mkdtemp(prefix="kruzhok-bench-alerts-"))
            path = workdir / f"alerts_{size}.sqlite3"
            db = search_bench.Database("sqlite", f"sqlite:///{path}", path=path)
        else:
            db = search_bench.pg_create(args.postgres, f"{search_bench.DB_PREFIX}alerts_{size}")
        yield db
    finally:
        if args.keep and db is not None:
            print(f"kept: {db.url}", flush=True)
        else:
            if db is not None and db.path is None and db.owned:
                search_bench.pg_drop(db.url)
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)


def _child(db: search_bench.Database, mode: str, args: argparse.Namespace, label: str) -> dict[str, Any]:
    env = db.env()
    env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    command = [
        sys.executable,
        __file__,
        mode,
        "--subscriptions",
        str(args.subscriptions),
        "--new",
        str(args.new),
        "--query-seed",
        str(args.query_seed),
    ]
    _seconds, result = search_bench.run_step(label, command, env, args.timeout)
    if result is None:
        raise search_bench.StepFailed(f"{label}: no result")
    return result


def measure(db: search_bench.Database, args: argparse.Namespace, label: str) -> dict[str, Any]:
    setup = _child(db, "--child-setup", args, f"{label} setup")
    run = _child(db, "--child-run", args, f"{label} send_alerts")
    return {"setup": setup, "run": run}


def report(label: str, build: dict[str, float], figures: dict[str, Any]) -> None:
    setup, run = figures["setup"], figures["run"]
    thousands = search_bench.thousands
    print()
    print(f"== {label} ==")
    if build:
        print("build:    " + " · ".join(f"{name} {seconds:.0f} s" for name, seconds in build.items()))
    print(
        f"setup:    {thousands(setup['subscriptions'])} saved searches ({thousands(setup['distinct_queries'])} "
        f"distinct, {thousands(setup['addresses'])} addresses; {setup['kinds']}), "
        f"{setup['new']} new activities in 10 commits, {setup['new_events']} new events"
    )
    verdict = "ok" if run["seconds"] <= TARGET_SECONDS else "MISSED"
    print(
        f"send_alerts over {thousands(run['documents'])} documents: {run['seconds']:.1f} s to compute and "
        f"queue {thousands(run['queued'])} mails for {thousands(run['checked'])} subscriptions "
        f"(target ≤ {TARGET_SECONDS:.0f} s: {verdict}); errors {run['errors']}"
    )
    print(
        f"peak RSS {run['rss_peak_mb']:.0f} MB (after django.setup {run['rss_setup_mb']:.0f} MB); "
        f"a mail is ~{run['sample_bytes'] / 1024:.0f} KB of text + HTML; e.g. «{run['sample_subject']}»"
    )
    print(
        f"the next run (5 minutes later, nothing new): {run['second_seconds']:.1f} s, "
        f"{run['second_mailed']} mails"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=500, help="activities published after the subscriptions")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--postgres", default=search_bench.DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's seed")
    parser.add_argument("--query-seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per step before giving up")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--database-url",
        help="set up and run against this existing, seeded database (sqlite:////path or postgres://…)",
    )
    parser.add_argument("--child-setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_setup:
        child_setup(args)
        return
    if args.child_run:
        child_run(args)
        return

    print(f"code: {search_bench.code_version()}; machine: {os.cpu_count()} cores", flush=True)
    failed = False
    if args.database_url:
        db = search_bench.database_from_url(args.database_url)
        report(db.backend, {}, measure(db, args, db.backend))
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        label = f"{backend} {args.activities}"
        print(f"[{label}] building the catalog", flush=True)
        try:
            with fresh_database(backend, args.activities, args) as db:
                built = search_bench.Run(backend, args.activities)
                search_bench.build(db, args.activities, args.seed, label, args.timeout, built, rebuild=False)
                report(label, built.build, measure(db, args, label))
        except search_bench.StepFailed as exc:
            print(f"[{label}] failed: {exc}", flush=True)
            failed = True
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
