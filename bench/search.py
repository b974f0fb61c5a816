"""Search speed at benchmark scale: build demo catalogs, then time mixed queries one at a time.

    .venv/bin/python bench/search.py [--sizes 20000,200000] [--backend sqlite|postgres|both]
        [--queries 300] [--cache on|off|both] [--keep] [--database-url URL]

For each backend and size: a fresh database (SQLite: a file in a temp dir; PostgreSQL: the
database kruzhok_bench_search_<size> next to --postgres, created here and dropped at the end),
`manage.py migrate`, `manage.py seed_demo --activities N` (the catalog, then the search index it
builds in the same transaction: timed apart from its output) and `manage.py rebuild_search_index`
(timed on its own). Then one fresh process runs the query set one query at a time through
`parse_params` + `kruzhok.search.selectors.search`, as the API does (page size 20, no map).

The query set is generated from a fixed seed with the demo catalog's own words (see
`query_set`): typos, filters only, exact words, phrases, very common words, synonyms, wrong
keyboard layout, transliteration and English, a share with a place (address, area or point),
an age, another sort or page 2. The process keeps a cache of full-text answers (the same words
come back often); `--cache both` (default) also times the set in a second fresh process with
that cache off, so every query reaches the full-text engine. On PostgreSQL `--vacuum both`
(default) times the set as built and again after VACUUM (ANALYZE): a rebuild leaves a dead copy
of every index row behind until a vacuum, and autovacuum may be off (it is on this machine).

Prints build times, database size (SQLite: file + WAL; PostgreSQL: pg_database_size), the
query process's cold start (the in-memory store loads on first use) and peak RSS, p50/p95/p99/max
per kind and overall next to the issue's targets, and the slowest queries. Every step runs in a
child process with a watchdog, so the benchmark always stops by itself. `--keep` keeps the
databases and prints how to point bench/pages.py at them; `--database-url` times the queries
against an existing database without building anything.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess  # starts our own manage.py and git, no shell  # nosec B404
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULT_PREFIX = "RESULT "
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/"
DB_PREFIX = "kruzhok_bench_search_"
# The targets at 200,000 activities, full query with facets (ms).
TARGETS = {"p50": 5.0, "p95": 20.0, "p99": 40.0}

# --- the query set --------------------------------------------------------------------------

type Pairs = list[tuple[str, str]]

# Share of each kind in the set: a fifth typos, a fifth filters only, as the issue asks.
KIND_SHARES = (
    ("typo", 0.20),
    ("filters", 0.20),
    ("exact", 0.12),
    ("multi", 0.13),
    ("common", 0.10),
    ("synonym", 0.07),
    ("layout", 0.07),
    ("translit", 0.03),
    ("english", 0.08),
)
DIRECTIONS = ("technical", "science", "sport", "arts", "tourism", "social")
# How parents misspell what they look for: dropped, doubled and swapped letters, vowels heard wrong.
TYPOS = (
    "футбл", "фудбол", "футбал", "шахмоты", "шахматв", "шахмты", "рисованее", "рисавание", "плаванье",
    "плованье", "плавние", "робототехнека", "робатотехника", "роботехника", "програмирование",
    "программированние", "хареография", "хориография", "тэквондо", "тхэквондо", "дзудо", "самба",
    "гимнастека", "гимнаситка", "вокол", "вакал", "англиский", "английскй", "танци", "тансы",
    "баскедбол", "валейбол", "воллейбол", "хокей", "кирамика", "гетара", "фортепьяно", "скрибка",
    "теотр", "астраномия", "экалогия", "биалогия", "математека", "журналистека", "бальные тансы",
    "карате для малчиков", "лепка из глинны", "оригамми", "шашки и шахмоты", "авиамоделизм",
)  # fmt: skip
# Forms a parent types: inflected, adjectival, plural.
EXACT_FORMS = (
    "шахматам", "футбольная", "рисованию", "плаванию", "танцами", "гитаре", "вокалу", "робототехнике",
    "английскому", "шахматный клуб", "футбольная секция", "хоровая студия", "танцевальная студия",
    "художественная школа", "спортивная гимнастика", "бассейн", "рисунок", "пение", "лепка", "хор",
)  # fmt: skip
PHRASES = (
    "танцы для девочек", "английский для малышей", "подготовка к школе", "бесплатные секции для детей",
    "футбол для мальчиков", "шахматы для начинающих", "рисование акварелью", "плавание в бассейне",
    "хор для детей", "программирование на python", "3d моделирование", "современные танцы",
    "народные инструменты", "кружок рисования", "секция бокса", "театральная студия для подростков",
    "развивающие занятия для малышей", "олимпиадная математика", "игра на гитаре", "лего конструирование",
)  # fmt: skip
COMMON = (
    "секция", "кружок", "занятия", "студия", "кружки", "секции", "для детей", "дети", "школа", "клуб",
    "центр", "занятия для детей", "кружки для детей", "секции для детей", "творчество", "обучение",
)  # fmt: skip
SYNONYMS = (
    "единоборства", "изо", "живопись", "айти", "it", "борьба", "лего", "музыка", "танцы", "рукоделие",
    "боевые искусства", "иностранный язык", "балет", "рок", "моделирование", "спорт", "наука",
)  # fmt: skip
TRANSLIT = (
    "futbol", "shahmaty", "tancy", "robototehnika", "plavanie", "karate", "risovanie", "vokal",
    "gimnastika", "dzyudo", "tanci", "shakhmaty", "programmirovanie",
)  # fmt: skip
ENGLISH = (
    "chess", "robotics", "football", "swimming", "drawing", "dance", "programming", "english", "karate",
    "guitar", "piano", "painting", "music", "theatre", "hockey", "judo", "ballet", "coding", "art",
    "chess club", "robotics for kids", "swimming lessons", "drawing classes", "english for kids",
    "table tennis", "figure skating", "3d modeling", "volleyball",
)  # fmt: skip
STREET_TYPES = {"улица", "проспект", "переулок", "бульвар", "проезд", "площадь", "набережная", "шоссе"}
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_YCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюё"
_TO_LATIN_LAYOUT = str.maketrans(_YCUKEN, _QWERTY)
_SIMILAR = {"а": "о", "о": "а", "е": "и", "и": "е", "я": "а", "ы": "и", "т": "д", "д": "т", "с": "з"}


@dataclass(frozen=True)
class Query:
    kind: str
    pairs: Pairs

    @property
    def query_string(self) -> str:
        return urlencode(self.pairs)

    @property
    def readable(self) -> str:
        return readable(self.query_string)


def readable(query_string: str) -> str:
    """The query string as a person reads it (Cyrillic, spaces)."""
    return "&".join(f"{k}={v}" for k, v in parse_qsl(query_string))


@dataclass
class _Places:
    addresses: list[tuple[str, float, float]]  # house address text, lat, lon
    streets: list[str]
    areas: list[str]
    okrugs: list[str]


def _places() -> _Places:
    from kruzhok.places import gazetteer

    houses = gazetteer.houses()
    addresses: list[tuple[str, float, float]] = []
    for house in houses:
        addresses.append((f"{house.street}, {house.house}", house.lat, house.lon))
        addresses.append((f"{gazetteer.short_street(house.street)} {house.house}", house.lat, house.lon))
        core = " ".join(w for w in house.street.split() if w.lower() not in STREET_TYPES)
        addresses.append((f"{core} {house.house}", house.lat, house.lon))
    streets = sorted({h.street for h in houses})
    micro = sorted({h.microdistrict for h in houses if h.microdistrict})
    okrugs = sorted({h.okrug for h in houses if h.okrug})
    return _Places(addresses, streets, micro + [f"{o} округ" for o in okrugs], okrugs)


def _titles() -> dict[str, list[str]]:
    """The demo catalog's titles per category, placeholders and age marks removed."""
    from kruzhok.catalog.demo.vocabulary import TOPICS

    cleaned: dict[str, list[str]] = {}
    for slug, topic in TOPICS.items():
        titles = []
        for title in topic.titles:
            text = re.sub(r"^\[[0-9-]+\]", "", title)
            text = re.sub(r"«?\{name\}»?|\(\{ages\}\)|\{ages\}", "", text)
            text = " ".join(text.replace(":", " ").split())
            if text:
                titles.append(text)
        cleaned[slug] = titles
    return cleaned


def _typo(word: str, rng: random.Random) -> str:
    """One realistic slip: a dropped, doubled or swapped letter, or a vowel heard wrong."""
    for _attempt in range(10):
        i = rng.randrange(1, len(word) - 1) if len(word) > 3 else 0
        how = rng.choice(("drop", "double", "swap", "similar"))
        if how == "drop":
            typo = word[:i] + word[i + 1 :]
        elif how == "double":
            typo = word[: i + 1] + word[i:]
        elif how == "swap" and i + 1 < len(word):
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            letters = [j for j, c in enumerate(word) if c in _SIMILAR]
            if not letters:
                continue
            j = rng.choice(letters)
            typo = word[:j] + _SIMILAR[word[j]] + word[j + 1 :]
        if typo != word:
            return typo
    return word[:-1]


def query_set(count: int = 300, seed: int = 7) -> list[Query]:
    """The mixed query set: the same `count` and `seed` always give the same queries in the same order."""
    from kruzhok.catalog.demo.vocabulary import TOPICS

    rng = random.Random(seed)  # reproducible benchmark queries  # nosec B311
    places = _places()
    titles = _titles()
    categories = list(TOPICS)
    first_words = sorted(
        {t.split()[0].lower() for ts in titles.values() for t in ts if len(t.split()[0]) > 4}
    )

    def place(pairs: Pairs, share: float) -> None:
        if rng.random() >= share:
            return
        roll = rng.random()
        if roll < 0.6:
            pairs.append(("where", rng.choice(places.addresses)[0]))
        elif roll < 0.75:
            pairs.append(("where", rng.choice(places.streets)))
        elif roll < 0.9:
            pairs.append(("where", rng.choice(places.areas)))
        else:
            # «Near me»: the browser's point, a few hundred metres from a house.
            _text, lat, lon = rng.choice(places.addresses)
            pairs += [
                ("lat", f"{lat + rng.uniform(-0.004, 0.004):.6f}"),
                ("lon", f"{lon + rng.uniform(-0.006, 0.006):.6f}"),
            ]
        if rng.random() < 0.15:
            pairs.append(("radius_km", rng.choice(["1", "2", "5", "10"])))
        if rng.random() < 0.12:
            pairs.append(("sort", "near"))

    def age(pairs: Pairs, share: float) -> None:
        if rng.random() < share:
            pairs.append(
                ("age", str(rng.choice([4, 5, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 12, 13, 14, 15, 16])))
            )

    def extras(pairs: Pairs) -> None:
        if rng.random() < 0.05 and not any(name == "sort" for name, _value in pairs):
            pairs.append(("sort", rng.choice(["price", "rating"])))
        if rng.random() < 0.05:
            pairs.append(("page", "2"))

    def text_query(kind: str, q: str, *, place_share: float = 0.35, age_share: float = 0.35) -> Query:
        pairs: Pairs = [("q", q)]
        place(pairs, place_share)
        age(pairs, age_share)
        extras(pairs)
        return Query(kind, pairs)

    def filters_only() -> Query:
        pairs: Pairs = []
        options: list[tuple[str, float]] = [
            ("where", 0.5),
            ("age", 0.55),
            ("direction", 0.3),
            ("category", 0.15),
            ("district", 0.15),
            ("free", 0.2),
            ("day", 0.2),
            ("ovz", 0.05),
            ("open", 0.1),
        ]
        chosen = [name for name, share in options if rng.random() < share] or [rng.choice(options)[0]]
        for name in chosen:
            if name == "where":
                place(pairs, 1.0)
            elif name == "age":
                age(pairs, 1.0)
            elif name == "direction":
                pairs.append(("direction", rng.choice(DIRECTIONS)))
            elif name == "category":
                pairs.append(("category", rng.choice(categories)))
            elif name == "district":
                pairs.append(("district", rng.choice(places.okrugs)))
            elif name == "day":
                for day in rng.sample(
                    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], rng.choice([1, 1, 2])
                ):
                    pairs.append(("day", day))
                if rng.random() < 0.4:
                    pairs.append(("after", rng.choice(["15:00", "16:00", "17:30", "18:00"])))
            else:
                pairs.append((name, "1"))
        extras(pairs)
        return Query("filters", pairs)

    def make(kind: str) -> Query:
        if kind == "typo":
            roll = rng.random()
            if roll < 0.5:
                return text_query(kind, rng.choice(TYPOS))
            if roll < 0.8:
                return text_query(kind, _typo(rng.choice(first_words), rng))
            phrase = rng.choice(PHRASES).split()
            i = max(range(len(phrase)), key=lambda j: len(phrase[j]))
            phrase[i] = _typo(phrase[i], rng)
            return text_query(kind, " ".join(phrase))
        if kind == "filters":
            return filters_only()
        if kind == "exact":
            word = rng.choice(first_words) if rng.random() < 0.6 else rng.choice(EXACT_FORMS)
            return text_query(kind, word if rng.random() < 0.8 else word.capitalize())
        if kind == "multi":
            if rng.random() < 0.5:
                title = rng.choice(titles[rng.choice(categories)])
                return text_query(kind, title.lower() if rng.random() < 0.7 else title)
            return text_query(kind, rng.choice(PHRASES))
        if kind == "common":
            return text_query(kind, rng.choice(COMMON), place_share=0.45, age_share=0.45)
        if kind == "synonym":
            return text_query(kind, rng.choice(SYNONYMS))
        if kind == "layout":
            word = rng.choice(first_words + list(COMMON[:6]))
            return text_query(kind, word.translate(_TO_LATIN_LAYOUT))
        if kind == "translit":
            return text_query(kind, rng.choice(TRANSLIT))
        return text_query(kind, rng.choice(ENGLISH))

    counts = {kind: int(count * share) for kind, share in KIND_SHARES}
    counts["exact"] += count - sum(counts.values())
    queries = [make(kind) for kind, n in counts.items() for _ in range(n)]
    rng.shuffle(queries)
    return queries


# --- figures --------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency_rows(timings: list[tuple[str, float]]) -> list[tuple[str, int, float, float, float, float]]:
    """(kind, n, p50, p95, p99, max) per kind in KIND_SHARES order, then «all»."""
    rows = []
    for kind, _share in KIND_SHARES:
        values = [ms for k, ms in timings if k == kind]
        if values:
            rows.append(
                (
                    kind,
                    len(values),
                    percentile(values, 50),
                    percentile(values, 95),
                    percentile(values, 99),
                    max(values),
                )
            )
    values = [ms for _k, ms in timings]
    rows.append(
        (
            "all",
            len(values),
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 99),
            max(values),
        )
    )
    return rows


def thousands(number: float) -> str:
    return f"{number:,.0f}".replace(",", " ")


def megabytes(size: float) -> str:
    return f"{thousands(size / 2**20)} MB"


def verdict(name: str, value: float) -> str:
    return "ok" if value <= TARGETS[name] else "MISSED"


# --- the query process (a child) ------------------------------------------------------------


def _rss_kb() -> int:
    import resource

    # Linux reports ru_maxrss in kilobytes.
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child_queries(count: int, seed: int) -> None:
    """Runs in a fresh process: warm up, then time every query of the set once, in order."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    import django

    django.setup()
    from django.db import connection
    from django.http import QueryDict
    from django.utils import translation

    from kruzhok.search import store as search_store
    from kruzhok.search.params import parse_params
    from kruzhok.search.selectors import search

    translation.activate("ru")
    queries = query_set(count, seed)
    rss_setup = _rss_kb()

    started = time.perf_counter()
    store = search_store.current()
    store_seconds = time.perf_counter() - started
    rss_store = _rss_kb()
    documents, live = store.size, store.live_count

    def run(query_string: str) -> tuple[float, float, Any, int]:
        started, cpu_started = time.perf_counter(), time.process_time()
        params, errors = parse_params(QueryDict(query_string))
        result = search(params)
        cpu_ms = (time.process_time() - cpu_started) * 1000
        return (time.perf_counter() - started) * 1000, cpu_ms, result, len(errors)

    # Other lazy loads (gazetteer, thesaurus, stemmers) happen on the first search.
    first_ms, _cpu, _result, _errors = run("q=театр&where=улица+Лукашевича%2C+14&age=9")
    for warm in ("q=скрипка", "age=7&free=1", "q=кружок+лепки&district=Центральный", "where=Левобережье"):
        run(warm)

    timings = []
    load_before = os.getloadavg()[0]
    for number, query in enumerate(queries, 1):
        ms, cpu_ms, result, errors = run(query.query_string)
        timings.append(
            {
                "kind": query.kind,
                "query": query.query_string,
                "ms": ms,
                "cpu_ms": cpu_ms,
                "count": result.count,
                "corrected": result.corrected_query,
                "errors": errors,
            }
        )
        if number % 100 == 0:
            print(f"{number}/{len(queries)} queries", flush=True)

    # Every VOCABULARY_TTL_SECONDS a request reloads the vocabulary: timed so a spike is explained.
    started = time.perf_counter()
    store.load_vocabulary()
    vocabulary_seconds = time.perf_counter() - started
    print(
        RESULT_PREFIX
        + json.dumps(
            {
                "vendor": connection.vendor,
                "documents": documents,
                "live": live,
                "store_seconds": store_seconds,
                "first_ms": first_ms,
                "vocabulary_seconds": vocabulary_seconds,
                "vocabulary_size": len(store.vocabulary) if store.vocabulary else 0,
                "rss_setup_kb": rss_setup,
                "rss_store_kb": rss_store,
                "rss_peak_kb": _rss_kb(),
                "load": [load_before, os.getloadavg()[0]],
                "queries": timings,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


# --- running steps in child processes -------------------------------------------------------


class StepFailed(Exception):
    pass


def run_step(
    label: str,
    command: list[str],
    env: dict[str, str],
    timeout: float,
    on_line: Callable[[str, float], None] | None = None,
) -> tuple[float, dict[str, Any] | None]:
    """Run a child, echo its lines as progress, stop it after `timeout`. Returns (seconds, RESULT)."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)  # nosec B603
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    # A watchdog rather than a read timeout: a child that hangs without output is stopped too.
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    last_line = [time.perf_counter()]
    done = threading.Event()

    def heartbeat() -> None:
        # seed_demo builds the index without printing anything for minutes at 200,000.
        while not done.wait(15):
            quiet = time.perf_counter() - last_line[0]
            if quiet >= 30:
                print(f"[{label}] … still working ({time.perf_counter() - started:.0f} s)", flush=True)
                last_line[0] = time.perf_counter()

    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    result = None
    tail: list[str] = []
    try:
        for line in process.stdout or ():
            now = time.perf_counter()
            last_line[0] = now
            if line.startswith(RESULT_PREFIX):
                result = json.loads(line[len(RESULT_PREFIX) :])
                continue
            text = line.rstrip()
            tail = (tail + [text])[-20:]
            print(f"[{label}] {text}", flush=True)
            if on_line:
                on_line(text, now - started)
        process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        done.set()
        killed = not watchdog.is_alive() and process.returncode != 0
        watchdog.cancel()
    seconds = time.perf_counter() - started
    if killed:
        raise StepFailed(f"{label}: stopped after {timeout:.0f} s")
    if process.returncode != 0:
        raise StepFailed(f"{label}: exit code {process.returncode}\n" + "\n".join(tail))
    return seconds, result


# --- databases ------------------------------------------------------------------------------


@dataclass
class Database:
    backend: str  # sqlite | postgres
    url: str  # sqlite:////path or postgres://…/name
    path: Path | None = None  # the SQLite file
    owned: bool = True  # created here: dropped at the end unless --keep

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.pop("SQLITE_PATH", None)
        if self.path is not None:
            env["SQLITE_PATH"] = str(self.path)
        else:
            env["DATABASE_URL"] = self.url
        # No SQL logging (DEBUG collects every query), output line by line for the timestamps.
        env["DEBUG"] = "0"
        env["PYTHONUNBUFFERED"] = "1"
        return env


def database_from_url(url: str) -> Database:
    if url.startswith("sqlite:"):
        path = Path(urlsplit(url).path)
        return Database("sqlite", url, path=path, owned=False)
    return Database("postgres", url, owned=False)


def _pg_admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))


def _pg_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def pg_create(base: str, name: str) -> Database:
    if not re.fullmatch(rf"{DB_PREFIX}[a-z0-9_]+", name):
        raise ValueError(name)
    import psycopg

    with psycopg.connect(_pg_admin_url(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(base)
    return Database("postgres", urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", "")))


def pg_drop(url: str) -> None:
    name = _pg_name(url)
    # Only what this script creates is ever dropped.
    if not name.startswith(DB_PREFIX):
        return
    import psycopg

    with psycopg.connect(_pg_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_size(db: Database) -> tuple[int, int]:
    """(whole database, search tables) in bytes."""
    if db.path is not None:
        import sqlite3

        total = sum(p.stat().st_size for p in db.path.parent.glob(db.path.name + "*") if p.is_file())
        lite = sqlite3.connect(db.path)
        try:
            row = lite.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'").fetchone()
            search = int(row[0] or 0)
        except sqlite3.DatabaseError:
            search = 0
        finally:
            lite.close()
        return total, search
    import psycopg

    with psycopg.connect(db.url, autocommit=True) as pg:
        whole = pg.execute("SELECT pg_database_size(current_database())").fetchone()
        found = pg.execute(
            "SELECT SUM(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relkind IN ('r', 'm') AND relname LIKE 'search%'"
        ).fetchone()
    return int(whole[0] if whole else 0), int((found[0] if found else 0) or 0)


# --- one backend and size -------------------------------------------------------------------


@dataclass
class Run:
    backend: str
    size: int
    build: dict[str, float] = field(default_factory=dict)
    db_bytes: int = 0
    search_bytes: int = 0
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)  # cache on/off -> child RESULT
    error: str | None = None


def build(
    db: Database, size: int, seed: int, label: str, timeout: float, run: Run, *, rebuild: bool = True
) -> None:
    python = sys.executable
    seconds, _ = run_step(label, [python, "manage.py", "migrate", "--noinput", "-v", "0"], db.env(), timeout)
    run.build["migrate"] = seconds
    index_started: list[float] = []

    def mark(line: str, at: float) -> None:
        # seed_demo says «Строю поисковый индекс…» between loading the catalog and indexing it.
        if not index_started and ("индекс" in line.lower() or "index" in line.lower()):
            index_started.append(at)

    seconds, _ = run_step(
        label,
        [python, "manage.py", "seed_demo", "--activities", str(size), "--seed", str(seed)],
        db.env(),
        timeout,
        on_line=mark,
    )
    run.build["seed_demo"] = seconds
    if index_started:
        run.build["seed"] = index_started[0]
        run.build["index"] = seconds - index_started[0]
    if rebuild:
        seconds, _ = run_step(label, [python, "manage.py", "rebuild_search_index"], db.env(), timeout)
        run.build["rebuild"] = seconds


def time_queries(db: Database, args: argparse.Namespace, label: str, run: Run, *, state: str = "") -> None:
    """One fresh query process per cache mode; results under «cache on|off[, state]»."""
    modes = ["on", "off"] if args.cache == "both" else [args.cache]
    for mode in modes:
        env = db.env()
        if mode == "off":
            env["SEARCH_POSTINGS_CACHE_IDS"] = "0"
        command = [
            sys.executable,
            __file__,
            "--child-queries",
            "--queries",
            str(args.queries),
            "--query-seed",
            str(args.query_seed),
        ]
        name = f"cache {mode}" + (f", {state}" if state else "")
        _seconds, result = run_step(f"{label} {name}", command, env, args.timeout)
        if result is None:
            raise StepFailed(f"{label}: the query process gave no result")
        if db.path is None:
            result["pg"] = pg_state(db.url)
        run.queries[name] = result


def pg_state(url: str) -> dict[str, Any]:
    """What decides PostgreSQL's speed after a rebuild: dead rows stay in the tables and their GIN
    indexes (and new entries in the GIN pending lists) until a VACUUM, which autovacuum may never run."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as pg:
        autovacuum = pg.execute("SHOW autovacuum").fetchone()
        tuples = pg.execute(
            "SELECT SUM(n_live_tup), SUM(n_dead_tup) FROM pg_stat_user_tables WHERE relname LIKE 'search%'"
        ).fetchone()
    return {
        "autovacuum": autovacuum[0] if autovacuum else "?",
        "live": int((tuples[0] if tuples else 0) or 0),
        "dead": int((tuples[1] if tuples else 0) or 0),
    }


def pg_vacuum(url: str) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def measure(db: Database, args: argparse.Namespace, label: str, run: Run) -> None:
    """The queries as the database stands; on PostgreSQL also after VACUUM ANALYZE (--vacuum)."""
    postgres = db.path is None
    if not postgres or args.vacuum in ("no", "both"):
        time_queries(db, args, label, run, state="as built" if postgres and args.vacuum == "both" else "")
    if postgres and args.vacuum in ("yes", "both"):
        print(f"[{label}] VACUUM (ANALYZE)", flush=True)
        run.build["vacuum"] = pg_vacuum(db.url)
        time_queries(db, args, label, run, state="vacuumed")


@contextmanager
def fresh_database(backend: str, size: int, args: argparse.Namespace, *, tag: str = "") -> Iterator[Database]:
    """A new empty database; `tag` (a-z, 0-9, _) keeps another benchmark's of the same size apart."""
    workdir: Path | None = None
    db: Database | None = None
    try:
        if backend == "sqlite":
            workdir = Path(tempfile.mkdtemp(prefix="kruzhok-bench-search-"))
            path = workdir / f"search_{tag}{size}.sqlite3"
            db = Database("sqlite", f"sqlite:///{path}", path=path)
        else:
            db = pg_create(args.postgres, f"{DB_PREFIX}{tag}{size}")
        yield db
    finally:
        if args.keep and db is not None:
            print(f"kept: {db.url}", flush=True)
        else:
            if db is not None and db.path is None and db.owned:
                try:
                    pg_drop(db.url)
                except Exception as exc:  # reported, not raised: cleanup must not hide the cause
                    print(f"could not drop {db.url}: {exc}", flush=True)
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------


def code_version() -> str:
    """The commit measured, and whether the working tree differs from it (others edit in parallel)."""
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"
    try:
        head = subprocess.run(  # noqa: S603 (fixed arguments)  # nosec B603
            [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(  # noqa: S603 (fixed arguments)  # nosec B603
            [git, "status", "--porcelain", "--", "kruzhok"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"{head}" + (f" + {len(changed)} uncommitted files under kruzhok/" if changed else "")


def report(run: Run, slowest: int) -> None:
    title = f"{run.backend}, {thousands(run.size)} activities"
    print()
    print(f"== {title} ==")
    if run.error:
        print(f"failed: {run.error}")
    b = run.build
    if b:
        parts = [f"migrate {b.get('migrate', math.nan):.1f} s"]
        if "seed" in b:
            parts += [f"seed {b['seed']:.1f} s", f"index (inside seed_demo) {b['index']:.1f} s"]
        else:
            parts.append(f"seed_demo {b.get('seed_demo', math.nan):.1f} s")
        if "rebuild" in b:
            parts.append(f"rebuild_search_index {b['rebuild']:.1f} s")
        print("build:    " + " · ".join(parts))
    if run.db_bytes:
        print(f"database: {megabytes(run.db_bytes)} (search tables {megabytes(run.search_bytes)})")
    if "vacuum" in b:
        print(f"VACUUM (ANALYZE) before the «vacuumed» runs: {b['vacuum']:.1f} s")
    for mode, result in run.queries.items():
        print()
        print(
            f"queries, full-text {mode}: {len(result['queries'])} one at a time over "
            f"{thousands(result['live'])} live documents"
        )
        if "pg" in result:
            pg = result["pg"]
            print(
                f"  PostgreSQL: autovacuum {pg['autovacuum']}; search tables {thousands(pg['live'])} live, "
                f"{thousands(pg['dead'])} dead rows"
            )
        print(
            f"  cold start: store {result['store_seconds']:.2f} s + first search "
            f"{result['first_ms']:.0f} ms · peak RSS {megabytes(result['rss_peak_kb'] * 1024)} "
            f"(after django.setup {megabytes(result['rss_setup_kb'] * 1024)}, with the store "
            f"{megabytes(result['rss_store_kb'] * 1024)}) · vocabulary reload "
            f"({thousands(result['vocabulary_size'])} words, once a minute per process) "
            f"{result['vocabulary_seconds'] * 1000:.0f} ms"
        )
        errors = sum(q["errors"] for q in result["queries"])
        if errors:
            print(f"  warning: {errors} parameter errors in the query set (a generator bug)")
        timings = [(q["kind"], q["ms"]) for q in result["queries"]]
        print(f"  {'kind':<10}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}   ms")
        for kind, n, p50, p95, p99, top in latency_rows(timings):
            print(f"  {kind:<10}{n:>5}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{top:>9.1f}")
        *_rest, (_all, _n, p50, p95, p99, _top) = latency_rows(timings)
        cpu = [q["cpu_ms"] for q in result["queries"]]
        print(
            f"  {'(CPU)':<10}{len(cpu):>5}{percentile(cpu, 50):>9.1f}{percentile(cpu, 95):>9.1f}"
            f"{percentile(cpu, 99):>9.1f}{max(cpu):>9.1f}   this process only; machine load "
            f"{result['load'][0]:.1f} → {result['load'][1]:.1f} on {os.cpu_count()} cores"
        )
        print(
            f"  target at 200k: p50 ≤ {TARGETS['p50']:g} ({verdict('p50', p50)}), "
            f"p95 ≤ {TARGETS['p95']:g} ({verdict('p95', p95)}), p99 ≤ {TARGETS['p99']:g} ({verdict('p99', p99)})"
        )
        print(f"  slowest {slowest}:")
        for q in sorted(result["queries"], key=lambda q: -q["ms"])[:slowest]:
            corrected = f" → «{q['corrected']}»" if q["corrected"] else ""
            print(
                f"  {q['ms']:>8.1f} ms  {q['kind']:<9} {q['count']:>7} found  ?{readable(q['query'])}{corrected}"
            )


def summary(runs: list[Run]) -> None:
    print()
    print("== summary (ms; build in s; sizes in MB) ==")
    head = (
        f"{'backend':<9}{'size':>8}  {'full-text':<22}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}"
        f"{'seed':>7}{'index':>7}{'rebuild':>8}{'db MB':>8}{'RSS MB':>8}{'cold s':>8}"
    )
    print(head)
    for run in runs:
        b = run.build
        for mode, result in run.queries.items() or [("-", None)]:
            if result is None:
                print(f"{run.backend:<9}{run.size:>8}  failed")
                continue
            rows = latency_rows([(q["kind"], q["ms"]) for q in result["queries"]])
            _kind, _n, p50, p95, p99, top = rows[-1]
            print(
                f"{run.backend:<9}{run.size:>8}  {mode:<22}{p50:>7.1f}{p95:>7.1f}{p99:>7.1f}{top:>8.1f}"
                f"{b.get('seed', math.nan):>7.0f}{b.get('index', math.nan):>7.0f}{b.get('rebuild', math.nan):>8.0f}"
                f"{run.db_bytes / 2**20:>8.0f}{result['rss_peak_kb'] / 1024:>8.0f}"
                f"{result['store_seconds'] + result['first_ms'] / 1000:>8.2f}"
            )
    print(
        f"targets at 200k: p50 ≤ {TARGETS['p50']:g} ms, p95 ≤ {TARGETS['p95']:g} ms, "
        f"p99 ≤ {TARGETS['p99']:g} ms on both backends"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20000,200000", help="activities per catalog, comma-separated")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's seed")
    parser.add_argument("--query-seed", type=int, default=7)
    parser.add_argument("--cache", choices=["on", "off", "both"], default="both")
    parser.add_argument(
        "--vacuum",
        choices=["no", "yes", "both"],
        default="both",
        help="PostgreSQL: time the queries as built, after VACUUM ANALYZE, or both (default)",
    )
    parser.add_argument("--slowest", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per step before giving up")
    parser.add_argument("--keep", action="store_true", help="keep the databases (for bench/pages.py)")
    parser.add_argument(
        "--database-url",
        help="time the queries against this existing database (postgres://… or sqlite:////path) only",
    )
    parser.add_argument("--print-queries", action="store_true", help="print the query set and stop")
    parser.add_argument("--child-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_queries:
        child_queries(args.queries, args.query_seed)
        return
    if args.print_queries:
        for query in query_set(args.queries, args.query_seed):
            print(f"{query.kind:<9} ?{query.readable}")
        return

    print(f"code: {code_version()}; machine: {os.cpu_count()} cores", flush=True)
    runs: list[Run] = []
    if args.database_url:
        db = database_from_url(args.database_url)
        run = Run(db.backend, 0)
        runs.append(run)
        try:
            run.db_bytes, run.search_bytes = database_size(db)
            measure(db, args, db.backend, run)
            run.size = run.queries[next(iter(run.queries))]["documents"]
        except StepFailed as exc:
            run.error = str(exc)
        report(run, args.slowest)
    else:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
        for size in sizes:
            for backend in backends:
                label = f"{backend} {size}"
                run = Run(backend, size)
                runs.append(run)
                print(f"[{label}] building the catalog", flush=True)
                try:
                    with fresh_database(backend, size, args) as db:
                        build(db, size, args.seed, label, args.timeout, run)
                        run.db_bytes, run.search_bytes = database_size(db)
                        measure(db, args, label, run)
                except StepFailed as exc:
                    run.error = str(exc)
                report(run, args.slowest)
    summary(runs)
    if any(run.error for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
