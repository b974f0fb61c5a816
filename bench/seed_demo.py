"""Time `manage.py seed_demo` at benchmark scale.

    .venv/bin/python bench/seed_demo.py [--activities 200000] [--seed 1] [--timeout 900]

Loads the demo catalog into a throwaway SQLite file in a temp dir and, when DATABASE_URL is set,
into a throwaway PostgreSQL database (Django's test database for that URL, named by
TEST_DATABASE_NAME or test_kruzhok_bench_seed_demo; created and dropped here, never the real
one). Each run is a child process with its own settings and a hard timeout, so the benchmark
always stops by itself. Prints wall time, activities/s and rows/s (all tables together).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess  # starts our own manage.py, no shell  # nosec B404
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULT_PREFIX = "RESULT "


def child(activities: int, seed: int, backend: str) -> None:
    """Runs inside the child process: migrate a fresh database, seed it, report the figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kruzhok.catalog.demo.loader import demo_catalog_seed

    old_name = None
    if backend == "postgresql":
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    else:
        call_command("migrate", verbosity=0)
    try:
        started = time.perf_counter()
        summary = demo_catalog_seed(
            activities=activities, seed=seed, progress=lambda line: print(line, flush=True)
        )
        wall = time.perf_counter() - started
        rows = (
            summary.activities
            + summary.organizations
            + summary.venues
            + summary.groups
            + summary.slots
            + summary.category_links
        )
        print(
            RESULT_PREFIX + json.dumps({"seconds": wall, "activities": summary.activities, "rows": rows}),
            flush=True,
        )
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


def run(backend: str, activities: int, seed: int, timeout: float) -> dict | None:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="kruzhok-seed-bench-") as tmp:
        if backend == "sqlite":
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        else:
            env.setdefault("TEST_DATABASE_NAME", "test_kruzhok_bench_seed_demo")
        command = [
            sys.executable,
            __file__,
            "--child",
            backend,
            "--activities",
            str(activities),
            "--seed",
            str(seed),
        ]
        print(f"[{backend}] seed_demo --activities {activities} --seed {seed}", flush=True)
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603 (our own interpreter and manage.py)  # nosec B603
        # A watchdog rather than a read timeout: a child stuck without output is stopped too.
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        result = None
        try:
            for line in process.stdout or ():
                if line.startswith(RESULT_PREFIX):
                    result = json.loads(line[len(RESULT_PREFIX) :])
                else:
                    print(f"[{backend}] {line.rstrip()}", flush=True)
            process.wait()
        finally:
            timed_out = not watchdog.is_alive() and process.returncode not in (0, None) and result is None
            watchdog.cancel()
        if timed_out:
            print(f"[{backend}] stopped after {timeout:.0f} s: too slow", flush=True)
            return None
    if process.returncode != 0 or result is None:
        print(f"[{backend}] failed with exit code {process.returncode}", flush=True)
        return None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per backend before giving up")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.activities, args.seed, args.child)
        return
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    results = {backend: run(backend, args.activities, args.seed, args.timeout) for backend in backends}
    print()
    print(f"{'backend':<12}{'activities':>12}{'seconds':>10}{'activities/s':>14}{'rows':>12}{'rows/s':>10}")
    for backend, result in results.items():
        if result is None:
            print(f"{backend:<12}{'failed':>12}")
            continue
        seconds = result["seconds"]
        print(
            f"{backend:<12}{result['activities']:>12}{seconds:>10.1f}"
            f"{result['activities'] / seconds:>14.0f}{result['rows']:>12}{result['rows'] / seconds:>10.0f}"
        )
    if any(result is None for result in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
