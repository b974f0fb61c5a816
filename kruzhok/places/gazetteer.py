"""The shipped Omsk gazetteer: free-text addresses to coordinates, coordinates to okrugs.

Everything is read once per process from `places/data/omsk/` (derived from OpenStreetMap, ODbL)
and kept in memory; `geocode()` is a few dictionary look-ups plus, for typos, one rapidfuzz scan
of ~600 street names, so an import can call it for every row.
"""

from __future__ import annotations

import bisect
import csv
import json
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from kruzhok.core.text import fold
from kruzhok.places.addresses import HouseNumber, clean, parse_house, split_house, street_key

DATA_DIR = Path(__file__).resolve().parent / "data" / "omsk"
MAX_INPUT = 300  # no real address is longer; the rest of a pasted page is ignored


class Precision(StrEnum):
    HOUSE = "house"
    STREET = "street"
    DISTRICT = "district"


@dataclass(frozen=True)
class Geocoded:
    precision: Precision
    lat: float
    lon: float
    label: str
    okrug: str | None
    microdistrict: str | None
    street: str | None
    house: str | None


# How an address book abbreviates the type word of an OSM street name.
_SHORT_TYPES = {
    "улица": "ул.",
    "проспект": "просп.",
    "переулок": "пер.",
    "бульвар": "б-р",
    "проезд": "пр-д",
    "площадь": "пл.",
    "набережная": "наб.",
    "шоссе": "ш.",
    "микрорайон": "мкр",
    "поселок": "пос.",
}


def short_street(osm_name: str) -> str:
    """«улица Лукашевича» -> «ул. Лукашевича», «3-я Транспортная улица» -> «ул. 3-я Транспортная»."""
    words = osm_name.split(" ")
    for i, word in enumerate(words):
        short = _SHORT_TYPES.get(fold(word))
        if short and len(words) > 1:
            rest = words[:i] + words[i + 1 :]
            return f"{short} {' '.join(rest)}"
    return osm_name


@dataclass(frozen=True)
class House:
    street: str
    house: str
    lat: float
    lon: float
    okrug: str | None
    microdistrict: str | None

    @property
    def address(self) -> str:
        return f"{short_street(self.street)}, {self.house}"


@dataclass
class _Street:
    name: str
    types: frozenset[str]
    lat: float
    lon: float
    count: int
    houses: dict[str, tuple[str, float, float]] = field(default_factory=dict)  # key -> (osm house, lat, lon)
    numbered: list[tuple[int, float, float]] = field(default_factory=list)  # plain numbers, sorted


@dataclass(frozen=True)
class _Area:
    name: str
    okrug: str
    lat: float
    lon: float
    radius_km: float


@dataclass
class _City:
    name: str
    centre: tuple[float, float]
    radius_km: float
    bbox: dict[str, float]
    left_bank_okrug: str
    left_bank: list[tuple[float, float]]
    anchors: list[tuple[float, float, str]]
    okrugs: dict[str, tuple[float, float]]
    okrug_lookup: dict[str, str]
    micro: list[_Area]
    micro_lookup: dict[str, _Area]
    streets: list[_Street]
    alias_streets: dict[str, list[int]]
    aliases: list[str]
    houses: list[House] | None = None


_CITY_NAMES = {"омск", "omsk", "г омск", "город омск", "г о омск"}
_LOCK = threading.Lock()
_LOADED: dict[str, _City] = {}


def known_city(city: str) -> bool:
    """True for the cities whose gazetteer ships with the product (Omsk for now)."""
    return isinstance(city, str) and clean(city) in _CITY_NAMES


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _okrug_keys(name: str, abbr: str) -> list[str]:
    base = fold(name)  # «кировский»
    stem = base[:-2]  # «кировск»: «Кировского округа», «Кировском АО»
    keys = [base, abbr, stem + "ого", stem + "ом"]
    suffixes = ["округ", "ао", "административный округ", "адм округ", "район", "р-н", "р н"]
    keys += [f"{base} {suffix}" for suffix in suffixes]
    keys += [f"{stem}ого {suffix}" for suffix in ("округа", "ао", "района", "административного округа")]
    keys += [f"{stem}ий округ г омска"]
    return keys


def _load(city: str) -> _City | None:
    if not known_city(city):
        return None
    key = "омск"
    if key in _LOADED:
        return _LOADED[key]
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = _read_city()
    return _LOADED[key]


def _read_city() -> _City:
    config = json.loads((DATA_DIR / "okrugs.json").read_text(encoding="utf-8"))
    river = [(float(a), float(b)) for a, b in config["river"]]
    left_bank = river + [(float(a), float(b)) for a, b in config["left_bank_far_corner"]]
    okrugs = {o["name"]: (float(o["centre"][0]), float(o["centre"][1])) for o in config["okrugs"]}
    okrug_lookup: dict[str, str] = {}
    for o in config["okrugs"]:
        for k in _okrug_keys(o["name"], o["abbr"]):
            okrug_lookup[clean(k)] = o["name"]
    anchors = [(float(a["lat"]), float(a["lon"]), a["okrug"]) for a in config["anchors"]]

    micro: list[_Area] = []
    micro_lookup: dict[str, _Area] = {}
    for m in json.loads((DATA_DIR / "microdistricts.json").read_text(encoding="utf-8")):
        area = _Area(m["name"], m["okrug"], float(m["lat"]), float(m["lon"]), float(m["radius_km"]))
        micro.append(area)
        for alias in [m["name"], *m["aliases"]]:
            for variant in (alias, f"микрорайон {alias}", f"мкр {alias}", f"поселок {alias}"):
                micro_lookup[clean(variant)] = area

    streets: list[_Street] = []
    alias_streets: dict[str, list[int]] = {}
    index: dict[str, int] = {}
    for row in _rows(DATA_DIR / "streets.csv"):
        index[row["street"]] = len(streets)
        street = _Street(
            name=row["street"],
            types=frozenset(t for t in row["types"].split("|") if t),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            count=int(row["houses"]),
        )
        streets.append(street)
        for alias in row["aliases"].split("|"):
            if alias:
                alias_streets.setdefault(alias, []).append(index[row["street"]])
    for row in _rows(DATA_DIR / "houses.csv"):
        street = streets[index[row["street"]]]
        lat, lon = float(row["lat"]), float(row["lon"])
        parsed = parse_house(row["house"])
        house_key = parsed.key if parsed else fold(row["house"])
        street.houses.setdefault(house_key, (row["house"], lat, lon))
        if parsed and parsed.key == str(parsed.num):
            street.numbered.append((parsed.num, lat, lon))
    for street in streets:
        street.numbered.sort()
    return _City(
        name=config["city"],
        centre=(float(config["centre"][0]), float(config["centre"][1])),
        radius_km=float(config["radius_km"]),
        bbox={k: float(v) for k, v in config["bbox"].items()},
        left_bank_okrug=config["left_bank_okrug"],
        left_bank=left_bank,
        anchors=anchors,
        okrugs=okrugs,
        okrug_lookup=okrug_lookup,
        micro=micro,
        micro_lookup=micro_lookup,
        streets=streets,
        alias_streets=alias_streets,
        aliases=sorted(alias_streets),
    )


# --- coordinates -> okrug / microdistrict -------------------------------------------------------


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: within a city it is as good as haversine and five times cheaper."""
    x = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 111.195 * math.hypot(lat2 - lat1, x)


def _inside(lat: float, lon: float, polygon: list[tuple[float, float]]) -> bool:
    inside = False
    j = len(polygon) - 1
    for i in range(len(polygon)):
        (ay, ax), (by, bx) = polygon[i], polygon[j]
        if (ay > lat) != (by > lat) and lon < (bx - ax) * (lat - ay) / (by - ay) + ax:
            inside = not inside
        j = i
    return inside


def _in_city(data: _City, lat: float, lon: float) -> bool:
    box = data.bbox
    return (
        box["lat_min"] <= lat <= box["lat_max"]
        and box["lon_min"] <= lon <= box["lon_max"]
        and distance_km(lat, lon, *data.centre) <= data.radius_km
    )


def _coords(lat: object, lon: object) -> tuple[float, float] | None:
    try:
        flat, flon = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not (math.isfinite(flat) and math.isfinite(flon)):
        return None
    return flat, flon


def _okrug_at(data: _City, lat: float, lon: float) -> str | None:
    if not _in_city(data, lat, lon):
        return None
    if _inside(lat, lon, data.left_bank):
        return data.left_bank_okrug
    best = min(data.anchors, key=lambda a: (a[0] - lat) ** 2 + ((a[1] - lon) * 0.574) ** 2)
    return best[2]


def _micro_at(data: _City, lat: float, lon: float) -> str | None:
    if not _in_city(data, lat, lon):
        return None
    best: tuple[float, str] | None = None
    for area in data.micro:
        share = distance_km(lat, lon, area.lat, area.lon) / area.radius_km
        if share <= 1 and (best is None or share < best[0]):
            best = (share, area.name)
    return best[1] if best else None


def district_of(lat: float, lon: float, city: str = "Омск") -> str | None:
    """The okrug («Кировский») containing the point, or None outside the city."""
    data = _load(city)
    point = _coords(lat, lon)
    if data is None or point is None:
        return None
    return _okrug_at(data, *point)


def microdistrict_of(lat: float, lon: float, city: str = "Омск") -> str | None:
    """The best-known microdistrict around the point («Московка»), or None."""
    data = _load(city)
    point = _coords(lat, lon)
    if data is None or point is None:
        return None
    return _micro_at(data, *point)


def okrug_names(city: str = "Омск") -> list[str]:
    data = _load(city)
    return list(data.okrugs) if data else []


def houses(city: str = "Омск") -> list[House]:
    """Every known house with coordinates, okrug and microdistrict (a fresh list each call)."""
    data = _load(city)
    if data is None:
        return []
    if data.houses is None:
        data.houses = [
            House(
                street=street.name,
                house=osm_house,
                lat=lat,
                lon=lon,
                okrug=_okrug_at(data, lat, lon),
                microdistrict=_micro_at(data, lat, lon),
            )
            for street in data.streets
            for osm_house, lat, lon in street.houses.values()
        ]
    return list(data.houses)


# --- text -> place -------------------------------------------------------------------------------

_CITY_PART = re.compile(
    r"\b(?:россия|российская федерация|рф|омская область|омская обл|обл омская|"
    r"(?:г|гор|город|го|г о)\s+омск(?:а)?|омск)\b"
)
_POSTCODE = re.compile(r"\b\d{6}\b")


def _max_typos(length: int) -> int:
    """Edits allowed for a street core of this length: none for short names, where a typo is another name."""
    if length < 5:
        return 0
    if length < 9:
        return 1
    if length < 14:
        return 2
    return 3


def _find_streets(data: _City, key: str) -> list[int]:
    """Streets whose core is `key`: exact, else a unique prefix, else a close typo."""
    if not key or not re.search(r"[а-яa-z]", key):
        return []
    exact = data.alias_streets.get(key)
    if exact:
        return exact
    if len(key) >= 4:
        lo = bisect.bisect_left(data.aliases, key)
        found: set[int] = set()
        for alias in data.aliases[lo:]:
            if not alias.startswith(key):
                break
            found.update(data.alias_streets[alias])
        if found and len(found) <= 1:
            return sorted(found)
    limit = _max_typos(len(key))
    if limit == 0:
        return []
    matches = process.extract(key, data.aliases, scorer=Levenshtein.distance, score_cutoff=limit, limit=8)
    # People rarely mistype the start of a name, and the data lacks most Omsk streets: demanding
    # the first two letters keeps a missing «Тверская» from landing on «Тарская».
    matches = [m for m in matches if m[0][:2] == key[:2]]
    if not matches:
        return []
    best = min(score for _, score, _ in matches)
    streets = {i for alias, score, _ in matches if score == best for i in data.alias_streets[alias]}
    return sorted(streets) if len(streets) == 1 else []


def _pick(data: _City, candidates: list[int], types: frozenset[str]) -> _Street:
    def rank(i: int) -> tuple[bool, int]:
        street = data.streets[i]
        return (bool(types & street.types), street.count)

    return data.streets[max(candidates, key=rank)]


NEIGHBOUR_KM = 4.0


def _interpolate(street: _Street, house: HouseNumber) -> tuple[float, float] | None:
    """Where an unlisted house probably stands: between its listed neighbours on the same side.

    Russian streets number odd and even sides separately and in order, so the nearest lower and
    higher numbers of the same parity bracket the house; a neighbour more than 10 numbers away
    is too far to trust. With no neighbour on its own side, a number across the street at most 4
    away stands roughly opposite; otherwise the street centroid is used.
    """
    # Only numbers near the street's point: OSM also has namesake streets in outlying villages.
    numbered = [p for p in street.numbered if distance_km(p[1], p[2], street.lat, street.lon) <= NEIGHBOUR_KM]
    same_side = [(n, la, lo) for n, la, lo in numbered if n % 2 == house.num % 2]
    lower = [p for p in same_side if p[0] <= house.num]
    higher = [p for p in same_side if p[0] >= house.num]
    below = lower[-1] if lower and house.num - lower[-1][0] <= 10 else None
    above = higher[0] if higher and higher[0][0] - house.num <= 10 else None
    if below and above:
        if below[0] == above[0]:
            return below[1], below[2]
        t = (house.num - below[0]) / (above[0] - below[0])
        return below[1] + t * (above[1] - below[1]), below[2] + t * (above[2] - below[2])
    near = below or above
    if near:
        return near[1], near[2]
    across = [p for p in numbered if abs(p[0] - house.num) <= 4]
    if across:
        _, lat, lon = min(across, key=lambda p: abs(p[0] - house.num))
        return lat, lon
    return None


def _district_result(data: _City, okrug: str) -> Geocoded:
    lat, lon = data.okrugs[okrug]
    return Geocoded(Precision.DISTRICT, lat, lon, f"{okrug} округ", okrug, None, None, None)


def _micro_result(data: _City, area: _Area) -> Geocoded:
    return Geocoded(Precision.DISTRICT, area.lat, area.lon, area.name, area.okrug, area.name, None, None)


def _street_result(data: _City, street: _Street, house: HouseNumber | None) -> Geocoded:
    if house is not None:
        listed = street.houses.get(house.key)
        if listed is not None:
            osm_house, lat, lon = listed
            return Geocoded(
                Precision.HOUSE,
                lat,
                lon,
                f"{street.name}, {osm_house}",
                _okrug_at(data, lat, lon),
                _micro_at(data, lat, lon),
                street.name,
                osm_house,
            )
    point = _interpolate(street, house) if house is not None else None
    lat, lon = point or (street.lat, street.lon)
    label = f"{street.name}, {house.display}" if house is not None else street.name
    return Geocoded(
        Precision.STREET,
        lat,
        lon,
        label,
        _okrug_at(data, lat, lon),
        _micro_at(data, lat, lon),
        street.name,
        house.display if house is not None else None,
    )


def _resolve_street(data: _City, text: str) -> Geocoded | None:
    street_text, house = split_house(text)
    key = street_key(street_text)
    words = key.core.split(" ")
    candidates: list[int] = []
    if key.core not in data.alias_streets and len(words) > 1 and words[-1].isdigit():
        # «Челюскинцев 1-я»: the ordinal written after the name.
        candidates = data.alias_streets.get(" ".join([words[-1], *words[:-1]]), [])
    candidates = candidates or _find_streets(data, key.core)
    if not candidates and house is not None:
        # «3 Транспортная» style names read as street «Транспортная», house 3: try the whole text.
        whole = street_key(text)
        candidates = data.alias_streets.get(whole.core, [])
        if candidates:
            key, house = whole, None
    if not candidates:
        return None
    return _street_result(data, _pick(data, candidates, key.types), house)


def _area(data: _City, part: str) -> tuple[str | None, _Area | None]:
    if part in data.okrug_lookup:
        return data.okrug_lookup[part], None
    if part in data.micro_lookup:
        return None, data.micro_lookup[part]
    return None, None


@lru_cache(maxsize=8192)
def _geocode(text: str) -> Geocoded | None:
    data = _load("Омск")
    if data is None:
        return None
    text = _POSTCODE.sub(" ", fold(text))
    parts = [" ".join(_CITY_PART.sub(" ", clean(p)).split()) for p in re.split(r"[,;\n]", text)]
    parts = [p for p in parts if p]
    okrug: str | None = None
    area: _Area | None = None
    rest: list[str] = []
    for part in parts:
        found_okrug, found_area = _area(data, part)
        okrug = okrug or found_okrug
        area = area or found_area
        if not (found_okrug or found_area):
            rest.append(part)
    if rest:
        joined = " ".join(rest)
        result = _resolve_street(data, joined)
        if result is None and len(rest) > 1:
            # «10, ул. Лукашевича» or extra words in other parts: try each part on its own.
            house = next((h for h in (parse_house(p) for p in rest) if h), None)
            for part in rest:
                if parse_house(part):
                    continue
                result = _resolve_street(data, f"{part} {house.key}" if house else part)
                if result:
                    break
        if result is not None:
            return result
        if okrug is None and area is None:
            okrug, area = _fuzzy_area(data, joined)
    if area is not None:
        return _micro_result(data, area)
    if okrug is not None:
        return _district_result(data, okrug)
    return None


def _fuzzy_area(data: _City, text: str) -> tuple[str | None, _Area | None]:
    limit = _max_typos(len(text))
    if not limit:
        return None, None
    names = list(data.okrug_lookup) + list(data.micro_lookup)
    match = process.extractOne(text, names, scorer=Levenshtein.distance, score_cutoff=limit)
    if match is None or match[0][:2] != text[:2]:
        return None, None
    return _area(data, match[0])


def geocode(text: str, city: str = "Омск") -> Geocoded | None:
    """Resolve an address, street, microdistrict or okrug typed by a person; None when nothing fits.

    Precision HOUSE: the building is in the data. STREET: the street is known but the house is not
    (the point is interpolated between the nearest listed numbers on the same side, else the street's
    median point). DISTRICT: an okrug or microdistrict centre. Never raises on any input.
    """
    if not isinstance(text, str) or not known_city(city):
        return None
    text = text[:MAX_INPUT]
    if not text.strip():
        return None
    return _geocode(text)


def okrug_named(text: str | None, city: str = "Омск") -> str | None:
    """The okrug a person means: «кировский АО», «Кировского округа», «КАО» -> «Кировский»."""
    data = _load(city)
    if data is None or not isinstance(text, str):
        return None
    return data.okrug_lookup.get(_CITY_PART.sub(" ", clean(text[:MAX_INPUT])).strip())


def microdistrict_named(text: str | None, city: str = "Омск") -> str | None:
    """The microdistrict a person means: «мкр. Московка», «Городок нефтяников» -> its gazetteer name."""
    data = _load(city)
    if data is None or not isinstance(text, str):
        return None
    area = data.micro_lookup.get(_CITY_PART.sub(" ", clean(text[:MAX_INPUT])).strip())
    return area.name if area else None


def suggest(text: str, *, limit: int = 8, city: str = "Омск") -> list[str]:
    """Places a person may be typing: okrugs, microdistricts and streets (with the house number
    they typed) whose name has a word starting with each typed word or, when none does, within a
    typo or two of it (as many as `geocode` forgives). Never raises."""
    data = _load(city)
    if data is None or not isinstance(text, str):
        return []
    words = fold(text[:MAX_INPUT]).replace(",", " ").split()
    if not words:
        return []
    house = words[-1] if len(words) > 1 and words[-1][:1].isdigit() else ""
    type_words = (
        set(_SHORT_TYPES)
        | {short.rstrip(".") for short in _SHORT_TYPES.values()}
        | {"ул", "улица", "д", "дом"}
    )
    needles = [w for w in words if not w[:1].isdigit() and w.rstrip(".") not in type_words]
    if not needles:
        return []

    def prefix_fits(name: str) -> bool:
        name_words = fold(name).replace("-", " ").split()
        return all(any(nw.startswith(n) for nw in name_words) for n in needles)

    def typo_fits(name: str) -> bool:
        # A typo in what was typed so far: compare with a name word cut to the same length (or
        # whole), first letter kept, as few edits as geocode() allows for a word that long.
        name_words = fold(name).replace("-", " ").split()
        return all(
            any(
                nw[:1] == n[:1]
                and min(Levenshtein.distance(n, nw[: len(n)]), Levenshtein.distance(n, nw))
                <= _max_typos(len(n))
                for nw in name_words
            )
            for n in needles
        )

    found = _suggestions(data, prefix_fits, house, limit)
    if not found and any(_max_typos(len(n)) for n in needles):
        found = _suggestions(data, typo_fits, house, limit)
    seen: set[str] = set()
    result = []
    for _rank, label in sorted(found, key=lambda item: item[0]):
        if label not in seen:
            seen.add(label)
            result.append(label)
    return result[:limit]


def _suggestions(data: _City, fits: Callable[[str], bool], house: str, limit: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for name in sorted(data.okrugs):
        if fits(name):
            found.append((0, f"{name} округ"))
    for area in data.micro:
        if fits(area.name):
            found.append((1, f"мкр {area.name}"))
    for street in sorted(data.streets, key=lambda s: -s.count):
        if fits(street.name):
            label = short_street(street.name)
            found.append((2, f"{label}, {house}" if house else label))
        if len(found) >= limit * 3:
            break
    return found
