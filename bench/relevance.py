"""Search relevance over the demo catalog: a judged query set, NDCG@10, Recall@10 and MRR per kind.

    .venv/bin/python bench/relevance.py [--backend sqlite|postgres|both] [--verbose] [--worst 10]
    .venv/bin/python bench/relevance.py --judge [--verbose] [--samples 4]

The query set is `bench/relevance_queries.json`: realistic parent queries, each with a kind
(exact, morphology, synonym, typo, layout, english, broad, filter_only, address), the search
parameters of DESIGN.md and explicit judging rules (see bench/RELEVANCE.md). The rules read the
catalog only, never the search code.

`--judge` builds the default demo catalog (`seed_demo`: 1,500 activities, seed 1) in a throwaway
SQLite file, grades every published activity 0–3 for every query by those rules and writes the
non-zero grades to `bench/relevance_judgments.json` (query id -> {external_id: grade}) together
with a fingerprint of the catalog; `--verbose` prints sample titles per grade for a spot check.

Without `--judge`, for each backend — SQLite (a file in a temp dir) and PostgreSQL (the database
`kruzhok_relevance` on the server of `--postgres`, created here and dropped at the end; skipped
when the server does not answer) — `migrate`, `seed_demo`, `rebuild_search_index`, then one
child process runs every query through `parse_params` + `kruzhok.search.selectors.search` as the
API does and takes the top 10 cards of page 1. Printed per kind and overall: NDCG@10 (gain
2^grade - 1), Recall@10 (relevant = grade >= 2, over min(10, #relevant)) and MRR (first card with
grade >= 2). `--verbose` adds per-query scores and the worst queries with what came back.
Every step is a child process with a watchdog, so the benchmark always stops by itself.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import subprocess  # starts our own interpreter, no shell  # nosec B404
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES_PATH = ROOT / "bench" / "relevance_queries.json"
JUDGMENTS_PATH = ROOT / "bench" / "relevance_judgments.json"
RESULT_PREFIX = "RESULT "
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
PG_DATABASE = "kruzhok_relevance"
KINDS = (
    "exact",
    "morphology",
    "synonym",
    "typo",
    "layout",
    "english",
    "broad",
    "filter_only",
    "address",
)
CUTOFF = 10
RELEVANT = 2  # a grade that counts for recall and MRR
# The targets, on both backends.
TARGET_OVERALL = 0.85
TARGET_KIND = 0.75
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


# --- the catalog as a judge reads it --------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    weekday: int
    starts: clock
    ends: clock


@dataclass(frozen=True)
class Item:
    """A published activity with what a judge looks at."""

    external_id: str
    title: str
    description: str
    direction: str
    categories: tuple[str, ...]  # the activity's own subject first, extra tags after
    age_min: int
    age_max: int
    price_rub: int
    ovz: bool
    enrollment: str
    lat: float | None
    lon: float | None
    okrug: str
    slots: tuple[Slot, ...]


def fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def load_catalog() -> list[Item]:
    """Published activities of the current database (Django must be set up)."""
    from kruzhok.catalog.models import Activity, ScheduleSlot

    through = Activity.categories.through
    categories: dict[int, list[str]] = {}
    # Link ids follow insertion order, and the demo loader inserts the title's subject first.
    for activity_id, slug in through.objects.order_by("id").values_list("activity_id", "category__slug"):
        categories.setdefault(activity_id, []).append(slug)
    slots: dict[int, list[Slot]] = {}
    for activity_id, weekday, starts, ends in ScheduleSlot.objects.values_list(
        "group__activity_id", "weekday", "starts_at", "ends_at"
    ):
        slots.setdefault(activity_id, []).append(Slot(weekday, starts, ends))
    rows = (
        Activity.objects.filter(status="published")
        .select_related("direction", "venue", "venue__district")
        .order_by("id")
    )
    items = []
    for a in rows:
        venue = a.venue
        items.append(
            Item(
                external_id=a.external_id,
                title=a.title,
                description=a.description,
                direction=a.direction.slug,
                categories=tuple(categories.get(a.pk, [])),
                age_min=a.age_min,
                age_max=a.age_max,
                price_rub=a.price_rub,
                ovz=a.ovz,
                enrollment=a.enrollment,
                lat=venue.lat if venue else None,
                lon=venue.lon if venue else None,
                okrug=venue.district.name if venue and venue.district else "",
                slots=tuple(slots.get(a.pk, [])),
            )
        )
    return items


def fingerprint(items: list[Item]) -> str:
    """Changes whenever the demo generator would give other judgments (titles, subjects, places)."""
    digest = hashlib.sha256()
    for item in sorted(items, key=lambda i: i.external_id):
        line = "\t".join(
            [
                item.external_id,
                item.title,
                item.direction,
                ",".join(item.categories),
                f"{item.age_min}-{item.age_max}",
                str(item.price_rub),
                f"{item.lat},{item.lon}",
            ]
        )
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()[:16]


# --- judging --------------------------------------------------------------------------------


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 111.195 * math.hypot(lat2 - lat1, x)


def values(params: dict[str, Any], name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def subject_grade(rules: dict[str, Any], item: Item) -> int:
    """How well the activity's subject answers the query, before filters and distance."""
    grade = int(rules.get("all", 0))
    grade = max(grade, int(rules.get("directions", {}).get(item.direction, 0)))
    for position, slug in enumerate(item.categories):
        found = int(rules.get("categories", {}).get(slug, 0))
        if position > 0 and found > 1:
            # An extra tag is weaker evidence than the subject the title is about.
            found = min(found - 1, int(rules.get("secondary_max", 3)))
        grade = max(grade, found)
    title = fold(item.title)
    text = title + "\n" + fold(item.description)
    for pattern, found in rules.get("title", {}).items():
        if re.search(pattern, title):
            grade = max(grade, int(found))
    for pattern, found in rules.get("text", {}).items():
        if re.search(pattern, text):
            grade = max(grade, int(found))
    for cap in rules.get("caps", []):
        hit = (
            ("category" in cap and cap["category"] in item.categories)
            or ("title" in cap and re.search(cap["title"], title) is not None)
            or ("text" in cap and re.search(cap["text"], text) is not None)
        )
        if hit:
            grade = min(grade, int(cap["max"]))
    return grade


def passes_filters(query: dict[str, Any], item: Item) -> bool:
    """The hard filters: the query's parameters plus any the words imply (`filters`)."""
    params = query["params"]
    extra = query.get("filters", {})
    age = params.get("age")
    if age is not None and not item.age_min <= int(age) <= item.age_max:
        return False
    if (params.get("free") == "1" or extra.get("free")) and item.price_rub != 0:
        return False
    if params.get("ovz") == "1" and not item.ovz:
        return False
    if params.get("open") == "1" and item.enrollment != "open":
        return False
    if "direction" in params and item.direction != params["direction"]:
        return False
    wanted = values(params, "category")
    if wanted and not set(wanted) & set(item.categories):
        return False
    if "district" in params and item.okrug != params["district"]:
        return False
    days = {WEEKDAYS[d] for d in values(params, "day")}
    after = clock.fromisoformat(params["after"]) if "after" in params else None
    before = clock.fromisoformat(params["before"]) if "before" in params else None
    if days or after or before:
        # One session has to fit all of it: «on Tuesday after 16:00» is one visit, not two.
        fits = any(
            (not days or slot.weekday in days)
            and (after is None or slot.starts >= after)
            and (before is None or slot.ends <= before)
            for slot in item.slots
        )
        if not fits:
            return False
    return True


def place_grade(place: dict[str, Any] | None, item: Item, grade: int) -> int:
    """An okrug is an area (inside or not); a point keeps full grade near, one less a bit farther."""
    if place is None or grade == 0:
        return grade
    if "okrug" in place:
        return grade if item.okrug == place["okrug"] else 0
    if item.lat is None or item.lon is None:
        return 0
    km = distance_km(place["lat"], place["lon"], item.lat, item.lon)
    if km <= place["full_km"]:
        return grade
    if km <= place["zero_km"]:
        return grade - 1
    return 0


def judge_query(query: dict[str, Any], subjects: dict[str, Any], items: list[Item]) -> dict[str, int]:
    rules = dict(subjects[query["subject"]]) if "subject" in query else {}
    for key, value in query.get("rules", {}).items():
        rules[key] = value
    grades = {}
    for item in items:
        grade = subject_grade(rules, item)
        if grade and passes_filters(query, item):
            grade = place_grade(query.get("place"), item, grade)
            if grade:
                grades[item.external_id] = grade
    return grades


def external_order(external_id: str) -> tuple[str, int]:
    prefix, _, number = external_id.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (external_id, 0)


def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(QUERIES_PATH.read_text(encoding="utf-8"))
    seen: set[str] = set()
    for query in spec["queries"]:
        if query["id"] in seen:
            raise SystemExit(f"duplicate query id {query['id']}")
        seen.add(query["id"])
        if query["kind"] not in KINDS:
            raise SystemExit(f"{query['id']}: unknown kind {query['kind']}")
        if "subject" in query and query["subject"] not in spec["subjects"]:
            raise SystemExit(f"{query['id']}: unknown subject {query['subject']}")
        if "where" in query["params"] and "place" not in query:
            raise SystemExit(f"{query['id']}: `where` without a place rule")
    return spec


def write_judgments(judgments: dict[str, dict[str, int]], catalog_print: str, spec: dict[str, Any]) -> None:
    """One line per query, external ids in catalog order: small diffs when a rule changes."""
    header = {
        "about": "Materialized by bench/relevance.py --judge from bench/relevance_queries.json; do not edit.",
        "catalog": {**spec["catalog"], "fingerprint": catalog_print},
    }
    lines = [json.dumps(header, ensure_ascii=False)[:-1] + ', "judgments": {']
    entries = []
    for query in spec["queries"]:
        grades = judgments[query["id"]]
        ordered = {k: grades[k] for k in sorted(grades, key=external_order)}
        entries.append(f"  {json.dumps(query['id'])}: {json.dumps(ordered)}")
    lines.append(",\n".join(entries))
    lines.append("}}")
    JUDGMENTS_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")


def child_judge(verbose: bool, samples: int) -> None:
    """Runs in a child with Django set up: grade, write the judgments, print a spot-check report."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    import django

    django.setup()
    from kruzhok.places import gazetteer

    spec = load_spec()
    items = load_catalog()
    by_id = {item.external_id: item for item in items}
    judgments = {q["id"]: judge_query(q, spec["subjects"], items) for q in spec["queries"]}
    catalog_print = fingerprint(items)
    write_judgments(judgments, catalog_print, spec)
    print(f"{len(items)} published activities, fingerprint {catalog_print}")
    print(f"wrote {JUDGMENTS_PATH.relative_to(ROOT)}: {len(judgments)} queries")
    problems = 0
    for query in spec["queries"]:
        grades = judgments[query["id"]]
        counts = [sum(1 for g in grades.values() if g == grade) for grade in (3, 2, 1)]
        relevant = counts[0] + counts[1]
        flag = "" if relevant else "   <- no activity with grade >= 2"
        problems += not relevant
        print(
            f"{query['id']:<36} {query['kind']:<12} 3:{counts[0]:>4} 2:{counts[1]:>4} 1:{counts[2]:>4}"
            f"   ?{readable(query['params'])}{flag}"
        )
        place = query.get("place")
        where = query["params"].get("where")
        if place and "lat" in place and where:
            # The rules carry the point; say so when the gazetteer has moved it since.
            found = gazetteer.geocode(where)
            if found is None or distance_km(found.lat, found.lon, place["lat"], place["lon"]) > 0.5:
                print(f"    warning: the gazetteer now puts «{where}» elsewhere: {found}")
        if verbose:
            for grade in (3, 2, 1):
                ids = sorted((k for k, g in grades.items() if g == grade), key=external_order)
                step = max(1, len(ids) // samples) if ids else 1
                for external_id in ids[::step][:samples]:
                    item = by_id[external_id]
                    print(
                        f"    {grade} {external_id:<10} {item.title[:60]:<60} "
                        f"{','.join(item.categories)} {item.age_min}-{item.age_max} {item.okrug}"
                    )
    if problems:
        print(f"warning: {problems} queries have nothing relevant (grade >= 2)")


# --- measuring --------------------------------------------------------------------------------


def readable(params: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs]))


def child_run() -> None:
    """Runs in a child with Django set up: every query through the selector the API uses."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    import django

    django.setup()
    from django.db import connection
    from django.http import QueryDict
    from django.utils import translation

    from kruzhok.search.params import parse_params
    from kruzhok.search.selectors import search

    translation.activate("ru")
    spec = load_spec()
    items = load_catalog()
    results = {}
    for query in spec["queries"]:
        params, errors = parse_params(QueryDict(urlencode(query["params"], doseq=True)))
        result = search(params)
        results[query["id"]] = {
            "count": result.count,
            "corrected": result.corrected_query,
            "location": result.location.label if result.location else None,
            "errors": [f"{e.field}: {e.message}" for e in errors],
            "emptied_by": result.emptied_by,
            "relaxations": [f"{r.label} ({r.count})" for r in result.relaxations],
            "top": [
                {
                    "id": card.external_id,
                    "title": card.title,
                    "categories": card.categories,
                    "ages": f"{card.age_min}-{card.age_max}",
                    "price": card.price_rub,
                    "district": card.district,
                    "km": card.distance_km,
                }
                for card in result.results[:CUTOFF]
            ],
        }
    catalog = {i.external_id: [i.title, ",".join(i.categories), f"{i.age_min}-{i.age_max}"] for i in items}
    print(
        RESULT_PREFIX
        + json.dumps(
            {
                "vendor": connection.vendor,
                "fingerprint": fingerprint(items),
                "results": results,
                "catalog": catalog,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def ndcg(grades: list[int], judged: dict[str, int]) -> float:
    ideal = sorted(judged.values(), reverse=True)[:CUTOFF]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:CUTOFF]))
    return dcg / idcg if idcg else math.nan


def recall(grades: list[int], judged: dict[str, int]) -> float:
    relevant = sum(1 for g in judged.values() if g >= RELEVANT)
    if not relevant:
        return math.nan
    return sum(1 for g in grades[:CUTOFF] if g >= RELEVANT) / min(CUTOFF, relevant)


def reciprocal_rank(grades: list[int], judged: dict[str, int]) -> float:
    if not any(g >= RELEVANT for g in judged.values()):
        return math.nan
    return next((1 / (i + 1) for i, g in enumerate(grades[:CUTOFF]) if g >= RELEVANT), 0.0)


@dataclass
class Score:
    query: dict[str, Any]
    ndcg: float
    recall: float
    rr: float
    grades: list[int]


def mean(numbers: list[float]) -> float:
    kept = [n for n in numbers if not math.isnan(n)]
    return sum(kept) / len(kept) if kept else math.nan


def score(spec: dict[str, Any], judgments: dict[str, dict[str, int]], run: dict[str, Any]) -> list[Score]:
    scores = []
    for query in spec["queries"]:
        judged = judgments[query["id"]]
        grades = [judged.get(card["id"], 0) for card in run["results"][query["id"]]["top"]]
        scores.append(
            Score(
                query, ndcg(grades, judged), recall(grades, judged), reciprocal_rank(grades, judged), grades
            )
        )
    return scores


def table(runs: dict[str, list[Score]]) -> None:
    backends = list(runs)
    head = f"{'kind':<13}{'n':>4}" + "".join(f"  {backend:>9} NDCG@10  R@10   MRR" for backend in backends)
    print(head)
    for kind in (*KINDS, "all"):
        row = ""
        n = 0
        for backend in backends:
            chosen = [s for s in runs[backend] if kind == "all" or s.query["kind"] == kind]
            n = len(chosen)
            value = mean([s.ndcg for s in chosen])
            target = TARGET_OVERALL if kind == "all" else TARGET_KIND
            mark = " " if value >= target else "*"
            row += (
                f"  {'':>9} {value:>6.3f}{mark} {mean([s.recall for s in chosen]):>5.3f}"
                f" {mean([s.rr for s in chosen]):>5.3f}"
            )
        if n:
            print(f"{kind:<13}{n:>4}{row}")
    print(
        f"* below target: NDCG@10 >= {TARGET_OVERALL} overall and >= {TARGET_KIND} on every kind, on both backends"
    )


def show_query(score_: Score, run: dict[str, Any], judged: dict[str, int], backend: str) -> None:
    query = score_.query
    result = run["results"][query["id"]]
    notes = []
    if result["corrected"]:
        notes.append(f"corrected to «{result['corrected']}»")
    if result["location"]:
        notes.append(f"place «{result['location']}»")
    if result["errors"]:
        notes.append("parameter errors: " + "; ".join(result["errors"]))
    if result.get("emptied_by"):
        notes.append(f"emptied by «{result['emptied_by']}»")
    if result.get("relaxations"):
        notes.append("offers " + ", ".join(result["relaxations"]))
    print(
        f"  [{backend}] {query['id']} ({query['kind']}) ?{readable(query['params'])}  "
        f"NDCG {score_.ndcg:.3f} R {score_.recall:.2f} RR {score_.rr:.2f}; {result['count']} found"
        + (f"; {', '.join(notes)}" if notes else "")
    )
    for rank, card in enumerate(result["top"], 1):
        km = f" {card['km']:.1f} km" if card["km"] is not None else ""
        print(
            f"     {rank:>2}. grade {judged.get(card['id'], 0)}  {card['title'][:58]:<58} "
            f"{','.join(card['categories'])} {card['ages']}{km} {card['district']}"
        )
    returned = {card["id"] for card in result["top"]}
    missed = [k for k in judged if k not in returned]
    missed.sort(key=lambda k: (-judged[k], external_order(k)))
    for external_id in missed[:3]:
        title, categories, ages = run["catalog"].get(external_id, ["?", "", ""])
        print(f"      missed: grade {judged[external_id]}  {title[:58]:<58} {categories} {ages}")


def report(
    spec: dict[str, Any],
    judgments: dict[str, dict[str, int]],
    runs: dict[str, dict[str, Any]],
    args: argparse.Namespace,
) -> None:
    scored = {backend: score(spec, judgments, run) for backend, run in runs.items()}
    print()
    print(
        f"== relevance: {len(spec['queries'])} queries over seed_demo "
        f"({spec['catalog']['activities']} activities, seed {spec['catalog']['seed']}) =="
    )
    table(scored)
    if args.verbose:
        for backend, scores in scored.items():
            print()
            print(f"per query [{backend}]: NDCG@10  R@10  RR   grades of the top 10")
            for s in scores:
                print(
                    f"  {s.query['id']:<36}{s.ndcg:>6.3f}{s.recall:>6.2f}{s.rr:>5.2f}   "
                    f"{''.join(str(g) for g in s.grades) or '-'}"
                )
    for backend, scores in scored.items() if args.worst > 0 else ():
        worst = sorted(scores, key=lambda s: (s.ndcg, s.rr))[: args.worst]
        print()
        print(f"worst {len(worst)} queries [{backend}]:")
        for s in worst:
            show_query(s, runs[backend], judgments[s.query["id"]], backend)
        if not args.verbose:
            break  # the backends rank alike; --verbose shows each


# --- databases and child processes ------------------------------------------------------------


class StepFailed(Exception):
    pass


@dataclass
class Database:
    backend: str  # sqlite | postgres
    url: str
    path: Path | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.pop("SQLITE_PATH", None)
        if self.path is not None:
            env["SQLITE_PATH"] = str(self.path)
        else:
            env["DATABASE_URL"] = self.url
        env["DEBUG"] = "0"
        env["PYTHONUNBUFFERED"] = "1"
        return env


def run_step(label: str, command: list[str], env: dict[str, str], timeout: float) -> dict[str, Any] | None:
    """Run a child, echo its lines, stop it after `timeout`. Returns its RESULT line, if any."""
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)  # nosec B603
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    # A watchdog rather than a read timeout: a child that hangs without output is stopped too.
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    result = None
    try:
        for line in process.stdout or ():
            if line.startswith(RESULT_PREFIX):
                result = json.loads(line[len(RESULT_PREFIX) :])
            else:
                print(f"[{label}] {line.rstrip()}", flush=True)
        process.wait()
    finally:
        watchdog.cancel()
    if process.returncode != 0:
        raise StepFailed(f"{label}: {' '.join(command[1:3])} exited with {process.returncode}")
    return result


def build(db: Database, label: str, spec: dict[str, Any], timeout: float, *, index: bool) -> None:
    python = sys.executable
    catalog = spec["catalog"]
    steps = [
        ["manage.py", "migrate", "--noinput", "-v", "0"],
        [
            "manage.py",
            "seed_demo",
            "--activities",
            str(catalog["activities"]),
            "--seed",
            str(catalog["seed"]),
        ],
    ]
    if index:
        steps.append(["manage.py", "rebuild_search_index"])
    for step in steps:
        started = time.perf_counter()
        run_step(label, [python, *step], db.env(), timeout)
        print(f"[{label}] {step[1]}: {time.perf_counter() - started:.1f} s", flush=True)


def _pg_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def pg_answers(base: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means «no PostgreSQL here»: reported, then skipped
        print(f"PostgreSQL at {base} does not answer ({exc.__class__.__name__}): skipped", flush=True)
        return False
    return True


def pg_recreate(base: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')


@contextmanager
def fresh_database(backend: str, args: argparse.Namespace) -> Iterator[Database]:
    if backend == "sqlite":
        workdir = Path(tempfile.mkdtemp(prefix="kruzhok-relevance-"))
        path = workdir / "relevance.sqlite3"
        try:
            yield Database("sqlite", f"sqlite:///{path}", path=path)
        finally:
            if args.keep:
                print(f"kept: sqlite:///{path}", flush=True)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
        return
    pg_recreate(args.postgres)
    try:
        yield Database("postgres", _pg_url(args.postgres, PG_DATABASE))
    finally:
        if args.keep:
            print(f"kept: {_pg_url(args.postgres, PG_DATABASE)}", flush=True)
        else:
            try:
                pg_recreate(args.postgres, drop_only=True)
            except Exception as exc:  # reported, not raised: cleanup must not hide the cause
                print(f"could not drop {PG_DATABASE}: {exc}", flush=True)


def existing_database(url: str) -> Database:
    if url.startswith("sqlite:"):
        return Database("sqlite", url, path=Path(urlsplit(url).path))
    return Database("postgres", url)


def judge(args: argparse.Namespace, spec: dict[str, Any]) -> None:
    command = [sys.executable, __file__, "--child-judge", "--samples", str(args.samples)]
    if args.verbose:
        command.append("--verbose")
    if args.database_url:
        run_step("judge", command, existing_database(args.database_url).env(), args.timeout)
        return
    with fresh_database("sqlite", args) as db:
        build(db, "judge", spec, args.timeout, index=False)
        run_step("judge", command, db.env(), args.timeout)


def measure(args: argparse.Namespace, spec: dict[str, Any]) -> None:
    judgments_file = json.loads(JUDGMENTS_PATH.read_text(encoding="utf-8"))
    judgments: dict[str, dict[str, int]] = judgments_file["judgments"]
    missing = [q["id"] for q in spec["queries"] if q["id"] not in judgments]
    if missing:
        raise SystemExit(f"no judgments for {', '.join(missing)}: run bench/relevance.py --judge")
    runs: dict[str, dict[str, Any]] = {}
    command = [sys.executable, __file__, "--child-run"]
    if args.database_url:
        db = existing_database(args.database_url)
        runs[db.backend] = run_step(db.backend, command, db.env(), args.timeout) or {}
    else:
        backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
        if "postgres" in backends and not pg_answers(args.postgres):
            backends.remove("postgres")
        for backend in backends:
            print(f"[{backend}] building the demo catalog and its search index", flush=True)
            try:
                with fresh_database(backend, args) as db:
                    build(db, backend, spec, args.timeout, index=True)
                    runs[backend] = run_step(backend, command, db.env(), args.timeout) or {}
            except StepFailed as exc:
                print(f"[{backend}] failed: {exc}", flush=True)
    runs = {backend: run for backend, run in runs.items() if run}
    if not runs:
        raise SystemExit("no backend gave results")
    expected = judgments_file["catalog"]["fingerprint"]
    for backend, run in runs.items():
        if run["fingerprint"] != expected:
            print(
                f"warning [{backend}]: the catalog differs from the judged one "
                f"({run['fingerprint']} != {expected}); the figures mean little until --judge is rerun"
            )
        for query_id, result in run["results"].items():
            if result["errors"]:
                print(f"warning [{backend}]: {query_id}: {'; '.join(result['errors'])}")
    report(spec, judgments, runs, args)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL URL the server answers on")
    parser.add_argument("--judge", action="store_true", help="materialize the judgments and stop")
    parser.add_argument("--samples", type=int, default=4, help="titles per grade shown by --judge --verbose")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--worst", type=int, default=10, help="worst queries shown with their top 10")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per step before giving up")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--database-url",
        help="use this existing, seeded and indexed database (sqlite:////path or postgres://…)",
    )
    parser.add_argument("--child-judge", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_judge:
        child_judge(args.verbose, args.samples)
        return
    if args.child_run:
        child_run()
        return
    spec = load_spec()
    if args.judge:
        judge(args, spec)
    else:
        measure(args, spec)


if __name__ == "__main__":
    main()
