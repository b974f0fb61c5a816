"""Time a catalog import: a fresh import of N generated rows, then a re-import (all unchanged).

    .venv/bin/python bench/import_catalog.py [--rows 10000] [--seed 1] [--keep]

Uses DATABASE_URL when set (the test database name is created from it and dropped at the end,
never the real one); otherwise a throwaway SQLite file in a temp dir. The CSV is realistic:
Omsk streets from the shipped OpenStreetMap extract, a few hundred organizations with several
activities each, a third of the rows without coordinates (geocoded), schedules, categories
(some not in the taxonomy), prices written the way people write them.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STREETS_CSV = ROOT.parent / "shared" / "data" / "omsk_osm" / "streets_centroids.csv"
FALLBACK_STREETS = [
    ("улица Лукашевича", 54.994668, 73.273854),
    ("проспект Мира", 55.028425, 73.286721),
    ("улица Дианова", 54.994444, 73.254541),
    ("21-я Амурская улица", 55.031548, 73.419723),
]
TITLES = [
    ("sport", "football", "Футбол"),
    ("sport", "swimming", "Плавание"),
    ("sport", "Единоборства", "Дзюдо"),
    ("technical", "robotics", "Робототехника"),
    ("technical", "Программирование", "Программирование на Python"),
    ("arts", "drawing", "Изостудия"),
    ("arts", "вокал", "Вокальная студия"),
    ("arts", "Хореография", "Ансамбль народного танца"),
    ("social", "english", "Английский для школьников"),
    ("science", "Экология", "Юные экологи"),
    ("tourism", "краеведение", "Клуб юных краеведов"),
    ("arts", "квиллинг", "Квиллинг"),
]
SCHEDULES = [
    "Пн,Ср 15:00-16:30",
    "Вт,Чт 16:00-17:30; Сб 10:00-11:30",
    "Пн-Пт 09:00-10:00",
    "mon,wed 17.00-18.30",
    "Сб 11:00-12:30",
    "",
]
PRICES = ["0", "", "1500", "2 000", "2500 руб", "бесплатно", "3000"]
HEADER = [
    "external_id", "title", "description", "direction", "category", "organization", "organization_kind",
    "inn", "address", "lat", "lon", "district", "age_min", "age_max", "price_rub", "schedule", "phone",
    "email", "website", "ovz", "enrollment",
]  # fmt: skip


def streets() -> list[tuple[str, float, float]]:
    if not STREETS_CSV.exists():
        return FALLBACK_STREETS
    with STREETS_CSV.open(encoding="utf-8") as handle:
        return [(r["street"], float(r["lat_median"]), float(r["lon_median"])) for r in csv.DictReader(handle)]


def generate(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)  # reproducible benchmark data, not a secret  # nosec B311
    places = streets()
    n_orgs = max(1, rows // 25)
    orgs = []
    for i in range(n_orgs):
        street, lat, lon = rng.choice(places)
        addresses = [
            (
                f"{street}, {rng.randint(1, 120)}",
                lat + rng.uniform(-0.003, 0.003),
                lon + rng.uniform(-0.003, 0.003),
            )
            for _ in range(rng.randint(1, 3))
        ]
        kind = rng.choice(["public", "public", "private", "ngo"])
        inn = f"55{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.8 else ""
        orgs.append((f"Центр дополнительного образования №{i + 1}", kind, inn, addresses))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for i in range(rows):
            name, kind, inn, addresses = orgs[i % n_orgs]
            address, lat, lon = rng.choice(addresses)
            direction, category, title = rng.choice(TITLES)
            age_min = rng.randint(3, 12)
            with_point = rng.random() < 0.67
            writer.writerow(
                [
                    f"ext-{i + 1}",
                    f"{title} «{rng.choice(['Старт', 'Юниор', 'Звезда', 'Импульс'])}» — группа {i + 1}",
                    "Занятия для начинающих и продолжающих. Набор в течение года.",
                    direction,
                    category,
                    name,
                    kind,
                    inn,
                    address,
                    f"{lat:.6f}" if with_point else "",
                    f"{lon:.6f}" if with_point else "",
                    "",
                    age_min,
                    rng.randint(age_min, 18),
                    rng.choice(PRICES),
                    rng.choice(SCHEDULES),
                    "+7 (3812) 55-00-00",
                    f"info{i % n_orgs}@example.ru",
                    "https://example.ru",
                    rng.choice(["да", "нет", "нет", ""]),
                    rng.choice(["open", "открыт", "closed", "waitlist"]),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (CSV and SQLite file)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kruzhok-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    postgres = bool(os.environ.get("DATABASE_URL"))
    if postgres:
        # A database of its own next to the given one, so a test run or the real data is never touched.
        os.environ["TEST_DATABASE_NAME"] = f"bench_import_{os.getpid()}"
    else:
        os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kruzhok.catalog.models import Activity

    old_name = connection.settings_dict["NAME"]
    if postgres:
        db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    else:
        # A real file (not the in-memory test database) so the timing includes disk writes.
        call_command("migrate", verbosity=0, interactive=False)
        db_name = os.environ["SQLITE_PATH"]
    try:
        from kruzhok.imports.services import catalog_import

        csv_path = workdir / "catalog.csv"
        generate(csv_path, args.rows, args.seed)
        size = csv_path.stat().st_size
        print(f"database: {connection.vendor} ({db_name}); file: {args.rows} rows, {size / 1e6:.1f} MB")

        for label in ("fresh import", "re-import"):
            started = time.perf_counter()
            report = catalog_import(path_or_file=csv_path, source="bench", dry_run=False)
            elapsed = time.perf_counter() - started
            if not report.ok:
                print("\n".join(report.lines()[:20]))
                raise SystemExit(1)
            print(
                f"{label}: {elapsed:.2f} s — created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged}, warnings {report.warning_count}"
            )
        print(f"activities in the database: {Activity.objects.count()}")
    finally:
        if postgres:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        connection.close()
        if not args.keep:
            for child in workdir.iterdir():
                child.unlink()
            workdir.rmdir()
        else:
            print(f"kept {workdir}")


if __name__ == "__main__":
    main()
