"""Pages per second: the /search/ page served by gunicorn under load from a client on loopback.

    .venv/bin/python bench/pages.py [--database-url URL] [--backend sqlite|postgres]
        [--activities 200000] [--users 4] [--duration 30] [--client python|locust|both]
        [--worker-class sync|gthread] [--results-cache on|off|both]

Serves the site with gunicorn (the repository's gunicorn.conf.py; 2 workers on 127.0.0.1, DEBUG
off, a throwaway SECRET_KEY) against a catalog of --activities: the database given by
--database-url (e.g. one kept by `bench/search.py --keep`: postgres://…/kruzhok_bench_search_200000
or sqlite:////tmp/…/search_200000.sqlite3), else one built here with seed_demo and dropped at the end.

Each run requests `/search/?…` with the mixed query set of bench/search.py, in order, round
and round, from --users concurrent clients that send the next request as soon as the answer
arrives: first the full page, then the htmx fragment (`HX-Request: true`), with a browser's
User-Agent, so the site counts each page view, search and ad impression as it would for a
person (`kruzhok.analytics`; give the catalog a running ad campaign to include the slot's
cost). A warm-up (every
worker loads its in-memory index on its first search) is not counted. Prints requests/s,
p50/p95/p99, errors, and where the two cores went (gunicorn workers, the client, the rest).
Each is run twice (`--results-cache both`): with the server's rendered-results cache as deployed
(the set's 300 URLs come round again, as a city's popular searches do, so after the warm-up most
requests reuse a rendering) and with it off (every request searches and renders: the cost of a
query nobody asked in the last minute).

The load generator shares the two cores with the server, so its own CPU is part of the figure:
the default client is a few threads of keep-alive http.client (`--client locust` runs locust
headless with FastHttpUser for comparison). The server is stopped at the end, also on failure
or Ctrl-C.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import itertools
import json
import math
import os
import resource
import secrets
import signal
import socket
import subprocess  # starts our own interpreter, no shell  # nosec B404
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import search as search_bench  # noqa: E402 (bench/search.py: the query set and the catalog build)

TARGET_RPS = 250.0
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

LOCUSTFILE = """
import itertools
import json
import os

from locust import FastHttpUser, constant, task

with open(os.environ["KRUZHOK_BENCH_URLS"], encoding="utf-8") as handle:
    URLS = json.load(handle)
HEADERS = json.loads(os.environ.get("KRUZHOK_BENCH_HEADERS", "{}"))
_next = itertools.cycle(URLS)


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def search(self):
        self.client.get(next(_next), name="/search/", headers=HEADERS)
"""


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces: the fields after the closing parenthesis are fixed.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def cpu_of(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each of these processes has used so far."""
    found = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


class CpuMeter:
    """CPU used by the server's workers and its database backends during a run. Sampled every
    half second, because Django closes a database connection after DB_CONN_MAX_AGE and its
    backend process goes with what it used; a process born during the run counts from zero."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.first: dict[str, dict[int, float]] = {"server": {}, "db": {}}
        self.last: dict[str, dict[int, float]] = {"server": {}, "db": {}}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._sample(initial=True)

    def _sample(self, *, initial: bool = False) -> None:
        groups = {"server": self.server.workers, "db": database_processes(self.server.db)}
        for group, pids in groups.items():
            for pid, seconds in cpu_of(pids).items():
                self.first[group].setdefault(pid, seconds if initial else 0.0)
                self.last[group][pid] = seconds

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def used(self, group: str) -> float:
        return sum(seconds - self.first[group].get(pid, 0.0) for pid, seconds in self.last[group].items())


def database_processes(db: search_bench.Database) -> list[int]:
    """PostgreSQL's backends serving this database (their titles name it); none for SQLite, which
    runs inside the workers and is counted with them."""
    if db.path is not None:
        return []
    name = f" {urlsplit(db.url).path.lstrip('/')} "
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and name in title:
            found.append(int(entry.name))
    return found


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    db: search_bench.Database

    @property
    def workers(self) -> list[int]:
        return _children(self.process.pid)


@contextmanager
def gunicorn(
    db: search_bench.Database,
    args: argparse.Namespace,
    results_cache: str = "on",
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    port = free_port()
    env = db.env()
    if results_cache == "off":
        env["SEARCH_RESULTS_CACHE_SECONDS"] = "0"
    env.update(extra_env or {})
    env.update(
        {
            "DEBUG": "0",
            # Throwaway: nothing signed during the benchmark outlives it.
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            # Static files as they are on disk: no collectstatic (and no manifest) for a benchmark.
            "STATIC_HASHED": "0",
            # WhiteNoise warns once per worker that collectstatic has not run: no static file is requested here.
            "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        }
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "kruzhok.wsgi:application",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--log-level",
        "warning",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    print(f"server: {' '.join(command[2:])}", flush=True)
    process = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 (our own interpreter)  # nosec B603
    try:
        server = Server(process, port, db)
        # The first search loads the index (8–14 s at 200,000 on a quiet machine, minutes on a busy one).
        deadline = time.monotonic() + args.start_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {process.returncode}")
            try:
                status, _body = fetch(port, "/search/", {})
                if status == 200:
                    break
                raise RuntimeError(
                    f"/search/ answered {status}: see the server's log above (a database built by older code?)"
                )
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within {args.start_timeout:g} s") from None
                time.sleep(0.3)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        print("server stopped", flush=True)


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- the clients ----------------------------------------------------------------------------


@dataclass
class Load:
    client: str
    variant: str  # page | fragment
    seconds: float
    requests: int
    errors: int
    p50: float
    p95: float
    p99: float
    server_cpu: float  # gunicorn workers' CPU seconds during the run
    db_cpu: float  # PostgreSQL backends' CPU seconds for this database
    client_cpu: float
    machine_cpu: float  # every process on the machine
    wall: float  # the CPU figures' time base: the client's whole run
    bytes_per_page: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    results_cache: str = "on"  # on | off: kruzhok.search.views reuses rendered results (or not)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def python_client(
    port: int,
    urls: list[str],
    headers: dict[str, str],
    users: int,
    seconds: float,
    *,
    per_url: dict[str, dict[str, str]] | None = None,
    ok_status: int = 200,
) -> tuple[list[float], int, int, list[str]]:
    """Closed loop: `users` threads with a keep-alive connection each; a response with
    «Connection: close» (gunicorn's sync workers) reconnects on the next request. `per_url`:
    headers for some URLs on top of `headers` (e.g. their If-None-Match); an answer other than
    `ok_status` counts as an error."""
    counter = itertools.count()
    latencies: list[list[float]] = [[] for _ in range(users)]
    errors = [0] * users
    sizes = [0] * users
    samples: list[str] = []
    deadline = time.perf_counter() + seconds

    def user(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            started = time.perf_counter()
            if started >= deadline:
                break
            url = urls[next(counter) % len(urls)]
            try:
                conn.request("GET", url, headers={**headers, **per_url[url]} if per_url else headers)
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, body = 0, str(exc).encode()
            latencies[number].append((time.perf_counter() - started) * 1000)
            sizes[number] += len(body)
            if status != ok_status:
                errors[number] += 1
                if len(samples) < 5:
                    samples.append(f"{status} {url}")
        conn.close()

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = [ms for part in latencies for ms in part]
    return merged, sum(errors), sum(sizes), samples


def run_python(
    server: Server,
    urls: list[str],
    variant: str,
    headers: dict[str, str],
    args: argparse.Namespace,
    *,
    per_url: dict[str, dict[str, str]] | None = None,
    ok_status: int = 200,
) -> Load:
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    busy_before, _total = machine_busy()
    started = time.perf_counter()
    with CpuMeter(server) as meter:
        latencies, errors, size, samples = python_client(
            server.port, urls, headers, args.users, args.duration, per_url=per_url, ok_status=ok_status
        )
    wall = time.perf_counter() - started
    busy_after, _total = machine_busy()
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (client_after.ru_utime - client_before.ru_utime) + (
        client_after.ru_stime - client_before.ru_stime
    )
    return Load(
        client="python",
        variant=variant,
        seconds=wall,
        requests=len(latencies),
        errors=errors,
        p50=search_bench.percentile(latencies, 50),
        p95=search_bench.percentile(latencies, 95),
        p99=search_bench.percentile(latencies, 99),
        server_cpu=meter.used("server"),
        db_cpu=meter.used("db"),
        client_cpu=client_cpu,
        machine_cpu=busy_after - busy_before,
        wall=wall,
        bytes_per_page=size / len(latencies) if latencies else 0.0,
        error_samples=samples,
    )


def run_locust(
    server: Server, urls: list[str], variant: str, headers: dict[str, str], args: argparse.Namespace
) -> Load:
    with tempfile.TemporaryDirectory(prefix="kruzhok-locust-") as tmp:
        workdir = Path(tmp)
        (workdir / "locustfile.py").write_text(LOCUSTFILE, encoding="utf-8")
        (workdir / "urls.json").write_text(json.dumps(urls), encoding="utf-8")
        env = dict(os.environ)
        env["KRUZHOK_BENCH_URLS"] = str(workdir / "urls.json")
        env["KRUZHOK_BENCH_HEADERS"] = json.dumps(headers)
        command = [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(workdir / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.users),
            "-t",
            f"{int(args.duration)}s",
            "--host",
            f"http://127.0.0.1:{server.port}",
            "--csv",
            str(workdir / "run"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy_before, _total = machine_busy()
        started = time.perf_counter()
        with CpuMeter(server) as meter:
            subprocess.run(  # noqa: S603 (locust from this venv)  # nosec B603
                command, env=env, cwd=workdir, check=False, timeout=args.duration + 60, capture_output=True
            )
        wall = time.perf_counter() - started
        busy_after, _total = machine_busy()
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        with (workdir / "run_stats.csv").open(encoding="utf-8") as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    requests = int(row["Request Count"])
    client_cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    return Load(
        client="locust",
        variant=variant,
        # locust's own count over its -t; its start-up is outside it.
        seconds=requests / float(row["Requests/s"]) if float(row["Requests/s"]) else wall,
        requests=requests,
        errors=int(row["Failure Count"]),
        p50=float(row["50%"]),
        p95=float(row["95%"]),
        p99=float(row["99%"]),
        server_cpu=meter.used("server"),
        db_cpu=meter.used("db"),
        client_cpu=client_cpu,
        machine_cpu=busy_after - busy_before,
        wall=wall,
        bytes_per_page=float(row.get("Average Content Size") or 0),
    )


# --- main -----------------------------------------------------------------------------------


def catalog_size(db: search_bench.Database) -> int:
    """Live documents in the search index, read the way the benchmark's server would."""
    if db.path is not None:
        import sqlite3

        conn = sqlite3.connect(db.path)
        try:
            row = conn.execute("SELECT COUNT(*) FROM search_searchdocument WHERE live").fetchone()
        finally:
            conn.close()
        return int(row[0])
    import psycopg

    with psycopg.connect(db.url) as pg:
        found = pg.execute("SELECT COUNT(*) FROM search_searchdocument WHERE live").fetchone()
    return int(found[0]) if found else 0


def report(loads: list[Load], activities: int, backend: str, args: argparse.Namespace) -> None:
    print()
    print(
        f"== /search/ on gunicorn ({args.workers} {args.worker_class} workers), {backend}, "
        f"{search_bench.thousands(activities)} live activities, {args.users} concurrent clients, "
        f"{args.duration:g} s per run =="
    )
    print(
        f"{'client':<8}{'variant':<10}{'cache':<7}{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'errors':>7}{'KB':>5}"
        f"{'server':>8}{'db':>6}{'client':>8}{'machine':>9}{'CPU ms/req':>12}{'ceiling':>9}"
    )
    for load in loads:
        base = load.wall or 1.0
        per_request = (load.server_cpu + load.db_cpu) / load.requests * 1000 if load.requests else math.nan
        print(
            f"{load.client:<8}{load.variant:<10}{load.results_cache:<7}{load.rps:>7.0f}{load.p50:>7.1f}{load.p95:>7.1f}"
            f"{load.p99:>7.1f}{load.errors:>7}{load.bytes_per_page / 1024:>5.0f}"
            f"{load.server_cpu / base:>8.0%}{load.db_cpu / base:>6.0%}{load.client_cpu / base:>8.0%}"
            f"{load.machine_cpu / base:>9.0%}{per_request:>12.1f}{ceiling(load):>9.0f}"
        )
        for sample in load.error_samples:
            print(f"    error: {sample}")
    print(
        "Latencies in ms, KB per response. CPU: share of one core during the run (this machine has "
        f"{os.cpu_count()}: {100 * (os.cpu_count() or 1)} % is all of it) — server = gunicorn workers, db = "
        "PostgreSQL backends of this database (SQLite runs inside the workers), client = the load "
        "generator, machine = every process, other work on the machine included. CPU ms/req = server + "
        "db; ceiling = requests/s if server + db had every core to themselves. cache = the rendered "
        "results cache (SEARCH_RESULTS_CACHE_SECONDS): on, each distinct URL of the set is rendered "
        "once per worker and index state and reused for a minute; off, every request searches and "
        "renders."
    )
    print(f"target: ≥ {TARGET_RPS:g} requests/s at 200,000 activities (full page)")
    for load in loads:
        if load.variant == "page":
            print(
                f"  {load.client}, results cache {load.results_cache}: {load.rps:.0f} requests/s measured "
                f"({'ok' if load.rps >= TARGET_RPS else 'MISSED'}); ceiling {ceiling(load):.0f} "
                f"({'ok' if ceiling(load) >= TARGET_RPS else 'MISSED'})"
            )


def ceiling(load: Load) -> float:
    """Pages/s when the server and its database get all cores: the figure other load cannot skew."""
    per_request = (load.server_cpu + load.db_cpu) / load.requests if load.requests else 0.0
    return (os.cpu_count() or 1) / per_request if per_request else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an existing catalog: postgres://… or sqlite:////path")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--postgres", default=search_bench.DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--activities", type=int, default=200_000, help="catalog size to build")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the catalog built here")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--users", type=int, default=4, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of uncounted load first")
    parser.add_argument("--client", choices=["python", "locust", "both"], default="python")
    parser.add_argument("--variants", default="page,fragment", help="page, fragment or both")
    parser.add_argument(
        "--results-cache",
        choices=["on", "off", "both"],
        default="both",
        help="the server's rendered results cache: on (as deployed), off (every request renders), both",
    )
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--query-seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per build step")
    parser.add_argument(
        "--start-timeout", type=float, default=300.0, help="seconds for the server's first answer"
    )
    args = parser.parse_args()

    urls = [
        f"/search/?{query.query_string}" if query.pairs else "/search/"
        for query in search_bench.query_set(args.queries, args.query_seed)
    ]
    # A browser's User-Agent: the page views, searches and ad impressions are counted as for a
    # person (kruzhok.analytics), so their cost is part of the figure.
    browser = {"User-Agent": BROWSER_UA}
    variants = {
        "page": browser,
        "fragment": {**browser, "HX-Request": "true"},
    }
    chosen = [v.strip() for v in args.variants.split(",") if v.strip() in variants]
    clients = ["python", "locust"] if args.client == "both" else [args.client]

    if args.database_url:
        database: Any = nullcontext(search_bench.database_from_url(args.database_url))
    else:
        database = search_bench.fresh_database(args.backend, args.activities, args)
    print(f"code: {search_bench.code_version()}; machine: {os.cpu_count()} cores", flush=True)
    with database as db:
        if not args.database_url:
            run = search_bench.Run(args.backend, args.activities)
            search_bench.build(
                db,
                args.activities,
                args.seed,
                f"{args.backend} {args.activities}",
                args.timeout,
                run,
                rebuild=False,
            )
            print(
                f"built: seed {run.build.get('seed', 0):.0f} s, index {run.build.get('index', 0):.0f} s",
                flush=True,
            )
        else:
            pending = subprocess.run(  # noqa: S603 (our own interpreter)  # nosec B603
                [sys.executable, "manage.py", "migrate", "--check"],
                env=db.env(),
                cwd=ROOT,
                capture_output=True,
            )
            if pending.returncode != 0:
                sys.exit(
                    f"{args.database_url} lacks migrations of this code: run manage.py migrate and "
                    "rebuild_search_index on it, or leave out --database-url to build a catalog here."
                )
        activities = catalog_size(db)
        loads: list[Load] = []
        modes = ["on", "off"] if args.results_cache == "both" else [args.results_cache]
        for mode in modes:
            with gunicorn(db, args, mode) as server:
                for variant in chosen:
                    headers = variants[variant]
                    for client in clients:
                        runner = run_python if client == "python" else run_locust
                        if args.warmup:
                            # Every worker loads its in-memory index on its first search: not counted.
                            python_client(server.port, urls, headers, args.users, args.warmup)
                        print(f"{client}, {variant}, results cache {mode}: {args.duration:g} s …", flush=True)
                        load = runner(server, urls, variant, headers, args)
                        load.results_cache = mode
                        loads.append(load)
        report(loads, activities, db.backend, args)
    if any(load.errors for load in loads):
        sys.exit(1)


if __name__ == "__main__":
    main()
