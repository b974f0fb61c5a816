"""Derive the shipped Omsk gazetteer (houses.csv, streets.csv) from the OpenStreetMap extract.

Run through `manage.py build_gazetteer`; the product reads only the files this writes, never the
extract itself.
"""

from __future__ import annotations

import csv
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from kruzhok.places.addresses import parse_house, street_aliases, street_key
from kruzhok.places.gazetteer import distance_km

DATA_DIR = Path(__file__).resolve().parent / "data" / "omsk"
# Residential buildings first: when two records share an address, the apartment block wins.
SOURCE_FILES = ("apartments.csv", "hospitals.csv", "fireStations.csv", "shops.csv")
ATTRIBUTION = (
    "# Derived from OpenStreetMap data (c) OpenStreetMap contributors, ODbL 1.0, "
    "https://www.openstreetmap.org/copyright. Built by `manage.py build_gazetteer`; do not edit by hand."
)


@dataclass
class _Record:
    street: str
    house: str
    lat: float
    lon: float


def _city_bounds() -> dict[str, float]:
    with (DATA_DIR / "okrugs.json").open(encoding="utf-8") as fh:
        bounds: dict[str, float] = json.load(fh)["bbox"]
    return bounds


def _read_records(source: Path) -> tuple[list[_Record], dict[str, int]]:
    bounds = _city_bounds()
    seen: dict[tuple[str, str], _Record] = {}
    stats = {"rows": 0, "no_address": 0, "other_city": 0, "outside": 0, "duplicates": 0}
    for name in SOURCE_FILES:
        path = source / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                stats["rows"] += 1
                street = " ".join((row.get("addr:street") or "").split())
                house = " ".join((row.get("addr:housenumber") or "").split())
                city = (row.get("addr:city") or "").strip().lower()
                if not street or not house:
                    stats["no_address"] += 1
                    continue
                if city and city != "омск":
                    stats["other_city"] += 1
                    continue
                try:
                    lat, lon = float(row["lat"]), float(row["lon"])
                except (KeyError, TypeError, ValueError):
                    stats["no_address"] += 1
                    continue
                if not (
                    bounds["lat_min"] <= lat <= bounds["lat_max"]
                    and bounds["lon_min"] <= lon <= bounds["lon_max"]
                ):
                    stats["outside"] += 1
                    continue
                parsed = parse_house(house)
                house_key = parsed.key if parsed else house.lower()
                key = (street, house_key)
                if key in seen:
                    stats["duplicates"] += 1
                    continue
                seen[key] = _Record(street, house, round(lat, 6), round(lon, 6))
    return list(seen.values()), stats


def _km(a: _Record, b: _Record) -> float:
    return distance_km(a.lat, a.lon, b.lat, b.lon)


def _main_cluster(group: list[_Record], centre: tuple[float, float]) -> list[_Record]:
    """The part of a street the city means by its name.

    OSM gives annexed villages their own «улица Ленина»; houses within 2 km of each other form a
    cluster, and the street's point is the median of the biggest one, unless a cluster at least
    half as big lies nearer the centre (the historic street, not the village namesake).
    """
    clusters: list[list[_Record]] = []
    for record in group:
        near = [c for c in clusters if any(_km(record, other) <= 2.0 for other in c)]
        merged = [record] + [r for c in near for r in c]
        clusters = [c for c in clusters if c not in near] + [merged]
    if len(clusters) == 1:
        return group
    middle = _Record("", "", *centre)

    def distance(cluster: list[_Record]) -> float:
        return min(_km(r, middle) for r in cluster)

    clusters.sort(key=lambda c: (-len(c), distance(c)))
    chosen = clusters[0]
    for other in clusters[1:]:
        if 2 * len(other) >= len(chosen) and distance(other) < distance(chosen):
            chosen = other
    return chosen


def _house_sort_key(record: _Record) -> tuple[str, int, str]:
    parsed = parse_house(record.house)
    return (record.street, parsed.num if parsed else 0, record.house)


def build(source: Path, out_dir: Path) -> dict[str, int]:
    """Write houses.csv and streets.csv into out_dir; return counts for the command's report."""
    records, stats = _read_records(source)
    with (DATA_DIR / "okrugs.json").open(encoding="utf-8") as fh:
        lat0, lon0 = json.load(fh)["centre"]
    records.sort(key=_house_sort_key)
    out_dir.mkdir(parents=True, exist_ok=True)

    with (out_dir / "houses.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(ATTRIBUTION + "\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["street", "house", "lat", "lon"])
        for record in records:
            writer.writerow([record.street, record.house, f"{record.lat:.6f}", f"{record.lon:.6f}"])

    by_street: dict[str, list[_Record]] = {}
    for record in records:
        by_street.setdefault(record.street, []).append(record)
    with (out_dir / "streets.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(ATTRIBUTION + "\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            ["street", "aliases", "types", "lat", "lon", "lat_min", "lat_max", "lon_min", "lon_max", "houses"]
        )
        for street in sorted(by_street):
            group = by_street[street]
            lats = [r.lat for r in group]
            lons = [r.lon for r in group]
            main = _main_cluster(group, (float(lat0), float(lon0)))
            writer.writerow(
                [
                    street,
                    "|".join(street_aliases(street)),
                    "|".join(sorted(street_key(street).types)),
                    f"{statistics.median(r.lat for r in main):.6f}",
                    f"{statistics.median(r.lon for r in main):.6f}",
                    f"{min(lats):.6f}",
                    f"{max(lats):.6f}",
                    f"{min(lons):.6f}",
                    f"{max(lons):.6f}",
                    len(group),
                ]
            )
    stats["houses"] = len(records)
    stats["streets"] = len(by_street)
    return stats
