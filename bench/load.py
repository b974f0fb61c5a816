"""The whole site under a crowd: many people searching, browsing and writing at once, from loopback.

    .venv/bin/python bench/load.py [--backend postgres|sqlite] [--database-url URL]
        [--activities 200000] [--users 200] [--duration 300] [--writers N]
        [--stop-redis-at 0.5] [--backup-at 0.4] [--keep]

    .venv/bin/python bench/load.py --backend sqlite --writers 32 --duration 60

Serves the site as deployed: gunicorn with the repository's gunicorn.conf.py (2 sync workers on
127.0.0.1, DEBUG off, a throwaway SECRET_KEY, static files as on disk), `manage.py db_worker`
running the background jobs (TASKS_BACKEND=django_tasks_db.DatabaseBackend), the cache in a
redis-server started here on a free port (CACHE_URL; no snapshots, no AOF), and the site trusting
127.0.0.1 as its proxy so every simulated person has an address of their own (X-Forwarded-For).

The catalog: the database given by --database-url (e.g. one kept by an earlier `--keep` run:
postgres://…/kruzhok_bench_load_200000), else one built here with seed_demo (PostgreSQL:
kruzhok_bench_load_<activities>; SQLite: a temporary file) and dropped at the end unless --keep.

The people (locust, FastHttpUser, bench/load_users.py): --users in all, 80 % searching and
browsing (/search/ pages and htmx fragments with bench/search.py's query mix, activity pages,
direction, category and okrug listings, organizations), 15 % reading other pages (home, the
events calendar, an event, open data, the API's search) and 5 % signed-in writers (comments with
stars half the time, suggested edits, alert subscriptions), each with a verified account created
here and signed in through the allauth form before the measured run. Think times: 5–15 s between pages (a person reads what they opened; `--think 1,5` is a
stress run), 8–20 s between
writes (1–3 s in the SQLite writers' run). Writers keep under the per-person hourly limits;
an answer refused by a limit is counted apart from errors (and still misses the gate, since
the writers keep under the limits). Each write is looked for afterwards:
as many rows as the site accepted, at most as many as were sent.

During the run: at --backup-at of the time the ids of every row in the written tables are
recorded and `manage.py backup` runs while the load goes on; at --stop-redis-at redis-server is
stopped and stays stopped (the cache and the rate limits must degrade, never answer 5xx). After
it, the backup is restored into a fresh database (`manage.py restore … --yes`), every recorded
row is looked for, and the site is started on it and asked for a few pages.

Prints requests, req/s, failures by kind, p50/p95/p99 overall and per kind, the CPU split, the
«database is locked» count in the server's log, the write and backup checks. Exits 1 when a
target is missed: any error, p95 ≥ 300 ms, any «database is locked», any 5xx after Redis
stopped, a write that did not land, a row missing from the restored backup. Everything started
here is stopped at the end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess  # starts our own interpreter and redis-server, no shell  # nosec B404
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import pages as pages_bench  # noqa: E402 (bench/pages.py: the CPU meter, free ports)
import search as search_bench  # noqa: E402 (bench/search.py: the query set and the catalog build)

DB_PREFIX = "kruzhok_bench_load_"
TARGET_P95_MS = 300.0
REDIS = "/usr/bin/redis-server"
PASSWORD = "нагрузка-" + "load-test-password"  # the bench accounts' password, in a throwaway database
# Tables the load writes to, with their primary key: the backup must hold every row committed
# before it began. Updates (an activity's rating and its search document) are not counted.
WRITTEN = {
    "accounts_user": "id",
    "account_emailaddress": "id",
    "django_session": "session_key",
    "community_comment": "id",
    "community_rating": "id",
    "moderation_suggestion": "id",
    "notifications_subscription": "id",
    "notifications_outboxmail": "id",
    "analytics_pageview": "id",
    "analytics_searchevent": "id",
    "django_tasks_database_dbtaskresult": "id",
}
SETUP_PREFIX = "LOAD-SETUP "


# --- the database ---------------------------------------------------------------------------


def sql(db: search_bench.Database, statement: str) -> list[tuple[Any, ...]]:
    """One read in its own connection (no parameters: every value put in is an integer or a
    checked tag)."""
    if db.path is not None:
        conn = sqlite3.connect(db.path, timeout=30)
        try:
            return list(conn.execute(statement).fetchall())
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(db.url, autocommit=True) as pg:
        return list(pg.execute(statement).fetchall())


def tables(db: search_bench.Database) -> set[str]:
    if db.path is not None:
        rows = sql(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {str(row[0]) for row in rows}


def record_rows(db: search_bench.Database) -> dict[str, set[str]]:
    """The primary keys of every row now committed in the written tables."""
    present = tables(db)
    return {
        table: {str(row[0]) for row in sql(db, f'SELECT "{key}" FROM "{table}"')}  # noqa: S608 (fixed names)  # nosec B608
        for table, key in WRITTEN.items()
        if table in present
    }


def pg_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def pg_create(base: str, name: str) -> search_bench.Database:
    if not re.fullmatch(rf"{DB_PREFIX}[a-z0-9_]+", name):
        raise ValueError(name)
    import psycopg

    with psycopg.connect(pg_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # only this script's names
        conn.execute(f'CREATE DATABASE "{name}"')
    return search_bench.Database("postgres", pg_url(base, name))


def pg_drop(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not name.startswith(DB_PREFIX):  # only what this script creates is ever dropped
        return
    import psycopg

    with psycopg.connect(pg_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch(backend: str, name: str, base: str, *, keep: bool = False) -> Iterator[search_bench.Database]:
    """A new empty database of this script's own, dropped at the end unless `keep`."""
    workdir = None
    db = None
    try:
        if backend == "sqlite":
            workdir = Path(tempfile.mkdtemp(prefix="kruzhok-bench-load-"))
            path = workdir / f"{name}.sqlite3"
            db = search_bench.Database("sqlite", f"sqlite:///{path}", path=path)
        else:
            db = pg_create(base, f"{DB_PREFIX}{name}")
        yield db
    finally:
        if keep and db is not None:
            print(f"kept: {db.url}", flush=True)
        else:
            if db is not None and db.path is None:
                try:
                    pg_drop(db.url)
                except Exception as exc:  # reported, not raised: cleanup must not hide the cause
                    print(f"could not drop {db.url}: {exc}", flush=True)
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)


# --- the setup: accounts and the pages to visit ---------------------------------------------


def child_setup(count: int, tag: str) -> None:
    """Run inside the site's settings (a child process): `count` verified accounts for the
    writers, and samples of the pages to visit. Prints one JSON line."""
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    from kruzhok.accounts.models import User
    from kruzhok.catalog.models import Activity, Category, Direction, Organization
    from kruzhok.events.models import Event
    from kruzhok.moderation.views.suggestions import SUGGEST_LIMIT
    from kruzhok.notifications.views import SUBSCRIBE_PER_HOUR
    from kruzhok.places.models import District

    password = make_password(PASSWORD)  # hashed once: the accounts share it
    emails = [f"load-{tag}-{n}@example.org" for n in range(count)]
    users = User.objects.bulk_create(
        [User(username=f"load-{tag}-{n}", email=email, password=password) for n, email in enumerate(emails)]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
    )
    rng = random.Random(tag)  # noqa: S311 (a load pattern, not a secret)  # nosec B311
    activity_ids = list(Activity.objects.live().values_list("pk", flat=True))
    chosen = rng.sample(activity_ids, min(3000, len(activity_ids)))
    activities = [a.get_absolute_url() for a in Activity.objects.filter(pk__in=chosen).only("pk", "slug")]
    organization_ids = list(Organization.objects.live().values_list("pk", flat=True))
    picked = rng.sample(organization_ids, min(1000, len(organization_ids)))
    organizations = [
        o.get_absolute_url() for o in Organization.objects.filter(pk__in=picked).only("pk", "slug")
    ]
    listings = [d.get_absolute_url() for d in Direction.objects.all()]
    listings += [c.get_absolute_url() for c in Category.objects.all()]
    listings += [
        f"/districts/{slug}/"
        for slug in District.objects.filter(kind=District.Kind.OKRUG, city=settings.CITY_NAME).values_list(
            "slug", flat=True
        )
    ]
    events = [e.get_absolute_url() for e in Event.objects.published().order_by("?")[:500]]
    plan = {
        "accounts": emails,
        "activities": activities,
        "organizations": organizations,
        "listings": listings,
        "events": events,
        # One less than each hourly limit, per account: a writer stops writing that kind there.
        "budget": {
            "comment": settings.COMMENTS_PER_HOUR - 1,
            "suggestion": SUGGEST_LIMIT - 1,
            "subscription": SUBSCRIBE_PER_HOUR - 1,
        },
    }
    print(SETUP_PREFIX + json.dumps(plan), flush=True)


def setup(db: search_bench.Database, count: int, tag: str) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)  # nosec B603
        [sys.executable, __file__, "--child-setup", "--accounts", str(count), "--tag", tag],
        env=db.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith(SETUP_PREFIX):
            return dict(json.loads(line[len(SETUP_PREFIX) :]))
    raise RuntimeError(f"the setup failed (exit code {result.returncode}):\n{result.stderr[-3000:]}")


# --- the processes --------------------------------------------------------------------------


def stop(process: subprocess.Popen[Any], name: str, timeout: float = 20) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    print(f"{name} stopped", flush=True)


@contextmanager
def redis_server(workdir: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = pages_bench.free_port()
    with (workdir / "redis.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (the system's redis-server, fixed arguments)  # nosec B603
            [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start: see {workdir / 'redis.log'}") from None
                time.sleep(0.1)
        print(f"redis-server on 127.0.0.1:{port}", flush=True)
        yield process, port
    finally:
        stop(process, "redis-server")


def redis_keys(port: int) -> str:
    """DBSIZE: that the site did use Redis (a site without CACHE_URL leaves it empty)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"DBSIZE\r\n")
            return sock.recv(64).decode().strip().lstrip(":")
    except OSError as exc:
        return f"? ({exc})"


def site_env(db: search_bench.Database, redis_port: int | None) -> dict[str, str]:
    env = db.env()
    env.update(
        {
            "DEBUG": "0",
            # Throwaway: nothing signed during the benchmark outlives it.
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "STATIC_HASHED": "0",
            "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
            # The load comes «through a proxy» on loopback: each simulated person has an address.
            "TRUSTED_PROXIES": "127.0.0.1",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
    )
    if redis_port is not None:
        env["CACHE_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    return env


@contextmanager
def site(
    db: search_bench.Database, env: dict[str, str], workdir: Path, workers: int, *, worker: bool = True
) -> Iterator[pages_bench.Server]:
    """gunicorn (stderr to workdir/gunicorn.log) and, with `worker`, manage.py db_worker."""
    port = pages_bench.free_port()
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
        str(workers),
        "--log-level",
        "warning",
    ]
    print(f"server: {' '.join(command[2:])}", flush=True)
    with ExitStack() as stack:
        log = stack.enter_context((workdir / "gunicorn.log").open("ab"))
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)  # noqa: S603 (gunicorn from our venv)  # nosec B603
        stack.callback(stop, process, "server")
        if worker:
            worker_log = stack.enter_context((workdir / "worker.log").open("ab"))
            task_worker = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)  # nosec B603
                [sys.executable, "manage.py", "db_worker", "--interval", "1"],
                env=env,
                cwd=ROOT,
                stdout=worker_log,
                stderr=worker_log,
            )
            stack.callback(stop, task_worker, "db_worker")
        server = pages_bench.Server(process, port, db)
        # Each worker loads its copy of the search index before it answers (8–14 s at 200,000 on a
        # quiet machine; minutes on a busy one).
        deadline = time.monotonic() + 900
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with code {process.returncode}: see {workdir / 'gunicorn.log'}"
                )
            try:
                status, _body = pages_bench.fetch(port, "/search/", {})
                if status == 200:
                    break
                raise RuntimeError(f"/search/ answered {status}: see {workdir / 'gunicorn.log'}")
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 900 s") from None
                time.sleep(0.3)
        yield server


def sign_in(port: int, email: str, address: str) -> tuple[str, float]:
    """Sign in through the allauth form as a browser does (the form's CSRF token and cookie,
    then the POST); returns the session cookie and the POST's milliseconds."""
    import http.client
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    headers = {"User-Agent": pages_bench.BROWSER_UA, "X-Forwarded-For": address}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", "/account/login/", headers=headers)
        response = conn.getresponse()
        html = response.read().decode()
        jar: SimpleCookie = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if response.status != 200 or found is None or "csrftoken" not in jar:
            raise RuntimeError(f"the sign-in form answered {response.status} without a CSRF token")
        conn.close()
        body = urlencode({"csrfmiddlewaretoken": found.group(1), "login": email, "password": PASSWORD})
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        conn.request(
            "POST",
            "/account/login/",
            body=body,
            headers={
                **headers,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={jar['csrftoken'].value}",
            },
        )
        response = conn.getresponse()
        response.read()
        ms = (time.perf_counter() - started) * 1000
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        if response.status != 302 or "sessionid" not in jar:
            raise RuntimeError(f"signing in {email} answered {response.status}")
        return jar["sessionid"].value, ms
    finally:
        conn.close()


def sign_in_all(port: int, emails: list[str]) -> list[str]:
    """Every writer signs in before the measured run (two at a time, one per worker): a crowd of
    password hashes at the start would measure the sign-in storm, not the site at work."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        done = list(
            pool.map(lambda n: sign_in(port, emails[n], f"10.255.{n >> 8}.{n & 255}"), range(len(emails)))
        )
    timings = [ms for _cookie, ms in done]
    if timings:
        print(
            f"signed in {len(emails)} writers through the allauth form in {time.perf_counter() - started:.1f} s "
            f"(POST p50 {search_bench.percentile(timings, 50):.0f} ms, max {max(timings):.0f} ms)",
            flush=True,
        )
    return [cookie for cookie, _ms in done]


# --- the run --------------------------------------------------------------------------------


@dataclass
class Events:
    started: float = 0.0
    backup_recorded: dict[str, set[str]] = field(default_factory=dict)
    backup_at: float = 0.0
    backup_seconds: float = 0.0
    backup_path: Path | None = None
    backup_error: str = ""
    redis_stopped_at: float = 0.0


def take_backup(db: search_bench.Database, env: dict[str, str], path: Path, happened: Events) -> None:
    try:
        happened.backup_recorded = record_rows(db)
        happened.backup_at = time.time()
        result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)  # nosec B603
            [sys.executable, "manage.py", "backup", str(path)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        happened.backup_seconds = time.time() - happened.backup_at
        if result.returncode != 0:
            happened.backup_error = (
                f"manage.py backup exited {result.returncode}: {result.stderr.strip()[-2000:]}"
            )
        else:
            happened.backup_path = path
            # Its last lines: the file, size, seconds and row counts (not the progress before them).
            print("backup: " + "\n".join(result.stdout.strip().splitlines()[-3:]), flush=True)
    except Exception as exc:  # reported in the summary
        happened.backup_error = repr(exc)


def run_locust(
    server: pages_bench.Server,
    plan: dict[str, Any],
    classes: list[str],
    args: argparse.Namespace,
    workdir: Path,
    redis: subprocess.Popen[bytes] | None,
    redis_port: int,
    backup: Any,
) -> tuple[dict[str, Any], Events, dict[str, float]]:
    (workdir / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    env = dict(os.environ)
    env["KRUZHOK_LOAD_PLAN"] = str(workdir / "plan.json")
    env["KRUZHOK_LOAD_OUT"] = str(workdir / "records.json")
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(BENCH / "load_users.py"),
        *classes,
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(max(1, args.users // 10)),
        "-t",
        f"{int(args.duration)}s",
        "--stop-timeout",
        "30",
        "--host",
        f"http://127.0.0.1:{server.port}",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    happened = Events()
    backup_thread: threading.Thread | None = None
    children_before = os.times()
    busy_before, _total = pages_bench.machine_busy()
    with (workdir / "locust.log").open("wb") as log, pages_bench.CpuMeter(server) as meter:
        process = subprocess.Popen(command, env=env, cwd=workdir, stdout=log, stderr=log)  # noqa: S603 (gunicorn from our venv)  # nosec B603
        try:
            happened.started = time.time()
            while process.poll() is None:
                elapsed = time.time() - happened.started
                if backup is not None and backup_thread is None and elapsed >= args.backup_at * args.duration:
                    backup_thread = threading.Thread(target=backup, args=(happened,))
                    backup_thread.start()
                    print(f"[{elapsed:.0f} s] backup started", flush=True)
                if (
                    redis is not None
                    and not happened.redis_stopped_at
                    and elapsed >= args.stop_redis_at * args.duration
                ):
                    print(f"[{elapsed:.0f} s] Redis holds {redis_keys(redis_port)} keys", flush=True)
                    redis.terminate()
                    redis.wait()
                    happened.redis_stopped_at = time.time()
                    print(f"[{elapsed:.0f} s] redis-server stopped (it stays stopped)", flush=True)
                time.sleep(0.2)
                if elapsed > args.duration + 120:
                    raise RuntimeError("locust did not stop in time")
        finally:
            stop(process, "locust", timeout=60)
            if backup_thread is not None:
                backup_thread.join()
    wall = time.time() - happened.started
    busy_after, _total = pages_bench.machine_busy()
    children_after = os.times()
    cpu = {
        "server": meter.used("server"),
        "db": meter.used("db"),
        "client": (children_after.children_user - children_before.children_user)
        + (children_after.children_system - children_before.children_system),
        "machine": busy_after - busy_before,
        "wall": wall,
    }
    out = workdir / "records.json"
    if not out.exists():
        tail = (workdir / "locust.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"locust wrote no results:\n{tail}")
    return json.loads(out.read_text(encoding="utf-8")), happened, cpu


# --- checks ---------------------------------------------------------------------------------


def landed(
    db: search_bench.Database, tag: str, writes: list[dict[str, Any]], attempts: dict[str, int]
) -> list[str]:
    """Each write the client saw succeed is a row in the database (subscriptions: one per account
    and activity), and no more rows than writes sent: one sent when locust stopped, or one the
    client gave up waiting for, may still have landed. Returns the problems."""
    if not re.fullmatch(r"[a-z0-9]+", tag):
        raise ValueError(tag)
    users = f"(SELECT id FROM accounts_user WHERE username LIKE 'load-{tag}-%')"  # noqa: S608 (a hex tag)  # nosec B608
    counted = {
        "comment": sql(db, f"SELECT COUNT(*) FROM community_comment WHERE author_id IN {users}"),  # noqa: S608 (fixed names, a hex tag)  # nosec B608
        "suggestion": sql(db, f"SELECT COUNT(*) FROM moderation_suggestion WHERE author_id IN {users}"),  # noqa: S608 (fixed names, a hex tag)  # nosec B608
        "subscription": sql(db, f"SELECT COUNT(*) FROM notifications_subscription WHERE user_id IN {users}"),  # noqa: S608 (fixed names, a hex tag)  # nosec B608
    }
    accepted = Counter(w["kind"] for w in writes)
    accepted["subscription"] = len(
        {(w["email"], w["activity"]) for w in writes if w["kind"] == "subscription"}
    )
    problems = []
    for kind, found in counted.items():
        rows = int(found[0][0])
        sent = int(attempts.get(kind, 0))
        print(
            f"  {kind}: {sent} sent, {accepted[kind]} accepted by the site, {rows} rows by the bench's accounts"
        )
        if not accepted[kind] <= rows <= sent:
            problems.append(f"{kind}: {accepted[kind]} accepted of {sent} sent, but {rows} rows")
    return problems


def restore_check(
    db: search_bench.Database, happened: Events, args: argparse.Namespace, workdir: Path, plan: dict[str, Any]
) -> list[str]:
    """Restore the backup taken under load into a fresh database; every row recorded before it
    began must be there, and the site must serve pages from it."""
    if happened.backup_path is None:
        return [f"no backup: {happened.backup_error or 'not taken'}"]
    problems = []
    with scratch(db.backend, f"restore_{os.getpid()}", args.postgres) as fresh:
        env = site_env(fresh, None)
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)  # nosec B603
            [sys.executable, "manage.py", "restore", str(happened.backup_path), "--yes"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            return [f"restore exited {result.returncode}: {result.stderr.strip()[-2000:]}"]
        print(f"restored into {fresh.url} in {seconds:.1f} s", flush=True)
        now = record_rows(fresh)
        for table, ids in happened.backup_recorded.items():
            missing = ids - now.get(table, set())
            print(
                f"  {table}: {len(ids)} rows before the backup, {len(missing)} missing after restore",
                flush=True,
            )
            if missing:
                problems.append(f"{table}: {len(missing)} rows committed before the backup are missing")
        pages_dir = workdir / "restored"
        pages_dir.mkdir()
        with site(fresh, env, pages_dir, 1, worker=False) as server:
            for url in [
                "/",
                "/search/?q=" + quote("шахматы"),
                plan["activities"][0],
                plan["organizations"][0],
                "/events/",
            ]:
                status, _body = pages_bench.fetch(server.port, url, {"User-Agent": pages_bench.BROWSER_UA})
                print(f"  restored site: {status} {url}", flush=True)
                if status != 200:
                    problems.append(f"restored site answered {status} to {url}")
    return problems


# --- the report -----------------------------------------------------------------------------


def summarize(
    data: dict[str, Any], happened: Events, cpu: dict[str, float], args: argparse.Namespace
) -> tuple[list[str], dict[str, Any]]:
    records = data["records"]
    # req/s over the span of the requests (locust's start-up and its wait for the last answers excluded)
    seconds = max((r[0] + r[2] / 1000 for r in records), default=1.0) - min(
        (r[0] for r in records), default=0.0
    )
    by_kind: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for _started, kind, ms, outcome, _status in records:
        outcomes[kind][outcome] += 1
        if outcome != "exception":  # a task that raised has no answer to time
            by_kind[kind].append(ms)
    every = [ms for _s, _k, ms, o, _st in records if o != "exception"]
    total = Counter(o for _s, _k, _ms, o, _st in records)
    after_redis = [r for r in records if happened.redis_stopped_at and r[0] >= happened.redis_stopped_at]
    server_errors_after = sum(1 for r in after_redis if r[3] == "5xx")
    p50, p95, p99 = (search_bench.percentile(every, p) for p in (50, 95, 99))

    print()
    print(
        f"== load: {args.backend}, {args.users} users ({args.writers} writing), {args.duration:g} s, "
        f"gunicorn {args.workers} sync workers + db_worker =="
    )
    print(
        f"requests {len(records)}, {len(records) / seconds:.1f} req/s; p50 {p50:.1f}, p95 {p95:.1f}, "
        f"p99 {p99:.1f} ms"
    )
    print(
        f"outcomes: ok {total['ok']}, refused by a limit {total['refused']}, 5xx {total['5xx']}, "
        f"connection errors {total['connection']}, other 4xx {total['4xx']}, write not landed {total['other']}, "
        f"exceptions in the client's tasks {total['exception']}"
    )
    print(f"{'kind':<26} {'requests':>8} {'p50':>8} {'p95':>8} {'p99':>8}  outcomes")
    for kind in sorted(outcomes, key=lambda k: -len(by_kind[k])):
        values = by_kind[kind]
        counts = ", ".join(f"{o} {n}" for o, n in outcomes[kind].most_common())
        print(
            f"{kind:<26} {len(values):>8} {search_bench.percentile(values, 50):>8.1f} "
            f"{search_bench.percentile(values, 95):>8.1f} {search_bench.percentile(values, 99):>8.1f}  {counts}"
        )
    for outcome, samples in data.get("samples", {}).items():
        for sample in samples:
            print(f"  {outcome}: {sample}")
    if happened.redis_stopped_at:
        print(
            f"after Redis stopped ({happened.redis_stopped_at - happened.started:.0f} s in): {len(after_redis)} "
            f"requests, {server_errors_after} 5xx"
        )
    machine = cpu["machine"]
    print(
        f"CPU over {cpu['wall']:.0f} s: gunicorn workers {cpu['server']:.0f} s, database {cpu['db']:.0f} s, "
        f"locust {cpu['client']:.0f} s, the whole machine {machine:.0f} s of {cpu['wall'] * (os.cpu_count() or 1):.0f} "
        f"(others: {max(0.0, machine - cpu['server'] - cpu['db'] - cpu['client']):.0f} s)"
    )
    errors = total["5xx"] + total["connection"] + total["4xx"] + total["other"] + total["exception"]
    missed = []
    if errors:
        missed.append(f"{errors} errors")
    if not (p95 < TARGET_P95_MS):
        missed.append(f"p95 {p95:.0f} ms ≥ {TARGET_P95_MS:g} ms")
    if server_errors_after:
        missed.append(f"{server_errors_after} 5xx after Redis stopped")
    # The writers keep under every per-person limit, so a refusal means the bench's budget or the
    # site's limiter is wrong: not an error of the site, but not a pass either.
    if total["refused"]:
        missed.append(f"{total['refused']} writes refused by a limit")
    facts = {"requests": len(records), "p95": p95, "errors": errors}
    return missed, facts


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--database-url", help="an existing catalog: postgres://… or sqlite:////path")
    parser.add_argument("--postgres", default=search_bench.DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--activities", type=int, default=200_000, help="catalog size to build")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the catalog built here")
    parser.add_argument("--users", type=int, help="simulated people (default 200; --writers with SQLite)")
    parser.add_argument(
        "--writers", type=int, help="of which writing (default 5 %%; SQLite: 32, all of them)"
    )
    parser.add_argument("--duration", type=float, help="seconds (default 300; 60 with SQLite)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    # A parent reads a results page or an activity before the next click: 5–15 s (10 on average).
    # `--think 1,5` makes it a stress run that shows where the machine saturates.
    parser.add_argument("--think", default="5,15", help="seconds between pages: low,high")
    parser.add_argument("--write-think", help="seconds between writes: low,high (default 8,20; SQLite 1,3)")
    parser.add_argument(
        "--backup-at", type=float, default=0.4, help="share of the run; a negative value: none"
    )
    parser.add_argument(
        "--stop-redis-at", type=float, default=0.5, help="share of the run; a negative value: never"
    )
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--query-seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per build step")
    parser.add_argument("--child-setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--accounts", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_setup:
        child_setup(args.accounts, args.tag)
        return
    sqlite_writers = args.backend == "sqlite" and args.users is None
    if sqlite_writers:
        args.writers = args.writers if args.writers is not None else 32
        args.users = args.writers
    args.users = args.users if args.users is not None else 200
    args.writers = args.writers if args.writers is not None else round(args.users * 0.05)
    args.duration = args.duration if args.duration is not None else (60.0 if sqlite_writers else 300.0)
    args.write_think = args.write_think or ("1,3" if sqlite_writers else "8,20")
    if args.database_url:
        args.backend = search_bench.database_from_url(args.database_url).backend
    classes = (
        ["Writer"]
        if args.users == args.writers
        else ["Browser", "Reader"] + (["Writer"] if args.writers else [])
    )

    print(f"code: {search_bench.code_version()}; machine: {os.cpu_count()} cores", flush=True)
    missed: list[str] = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kruzhok-load-")))
        if args.database_url:
            db = search_bench.database_from_url(args.database_url)
            search_bench.run_step(
                "migrate",
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                db.env(),
                args.timeout,
            )
        else:
            db = stack.enter_context(
                scratch(args.backend, str(args.activities), args.postgres, keep=args.keep)
            )
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
            if db.path is None:
                search_bench.pg_vacuum(db.url)
        tag = secrets.token_hex(4)
        plan = setup(db, args.writers, tag)
        plan["tag"] = tag
        plan["writers"] = args.writers
        plan["think"] = {
            "browse": [float(x) for x in args.think.split(",")],
            "write": [float(x) for x in args.write_think.split(",")],
        }
        plan["search"] = [
            f"/search/?{q.query_string}" if q.pairs else "/search/"
            for q in search_bench.query_set(args.queries, args.query_seed)
        ]
        plan["api"] = [
            f"/api/v1/search?{q.query_string}" for q in search_bench.query_set(100, args.query_seed + 1)
        ]
        print(
            f"catalog: {db.url}; {len(plan['accounts'])} writer accounts (tag {tag}), "
            f"{len(plan['activities'])} activity pages, {len(plan['organizations'])} organizations, "
            f"{len(plan['events'])} events to visit",
            flush=True,
        )
        running = stack.enter_context(ExitStack())  # redis and the site: stopped before the restore
        redis, redis_port = running.enter_context(redis_server(workdir))
        env = site_env(db, redis_port)
        server = running.enter_context(site(db, env, workdir, args.workers))
        plan["sessions"] = sign_in_all(server.port, plan["accounts"])
        backup_path = workdir / ("during-load.sqlite3" if db.path is not None else "during-load.dump")

        def backup(happened: Events) -> None:
            take_backup(db, env, backup_path, happened)

        data, happened, cpu = run_locust(
            server,
            plan,
            classes,
            args,
            workdir,
            redis if args.stop_redis_at >= 0 else None,
            redis_port,
            backup if args.backup_at >= 0 else None,
        )
        running.close()
        missed, _facts = summarize(data, happened, cpu, args)
        log = (workdir / "gunicorn.log").read_text(errors="replace")
        locked = log.count("database is locked")
        tracebacks = log.count("Traceback") + log.count('"exception"')
        redis_lines = sum(1 for line in log.splitlines() if "redis" in line.lower())
        print(
            f"server log: {locked} «database is locked», {tracebacks} logged exceptions, "
            f"{redis_lines} lines about Redis"
        )
        if locked:
            missed.append(f"{locked} «database is locked» in the server's log")
        worker_log = (workdir / "worker.log").read_text(errors="replace")
        print(
            f"db_worker log: {worker_log.count('database is locked')} «database is locked», {worker_log.count('Traceback')} tracebacks"
        )
        if tracebacks or locked:
            excerpt = "\n".join(line[:600] for line in log.splitlines() if "rror" in line or "locked" in line)
            print(excerpt[-4000:])
        print("writes:", flush=True)
        missed += landed(db, tag, data["writes"], data.get("attempts", {}))
        if happened.backup_path is not None:
            print(
                f"backup under load: began {happened.backup_at - happened.started:.0f} s in, took "
                f"{happened.backup_seconds:.1f} s, {happened.backup_path.stat().st_size / 1e6:.1f} MB",
                flush=True,
            )
        if args.backup_at >= 0:
            missed += restore_check(db, happened, args, workdir, plan)
    print()
    if missed:
        print("MISSED: " + "; ".join(missed))
        sys.exit(1)
    print("all targets met")


if __name__ == "__main__":
    main()
