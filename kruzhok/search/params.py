"""The search parameters of DESIGN.md «Search parameters», parsed once for the page and the API.

Parsing never raises: a bad value becomes a `ParamError` in the user's language and that
filter is left out, so the page still shows results for the rest and the API can answer 422.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import time
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from kruzhok.catalog.models import AGE_MAX, AGE_MIN

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SORTS = ("best", "near", "price", "rating")
PAGE_SIZE = 20
MAX_TEXT = 200
MAX_RADIUS_KM = 100.0
MAX_PAGE = 1_000_000
_FLAG_TRUE = {"1", "on", "true", "yes", "да"}
_FLAG_FALSE = {"", "0", "off", "false", "no", "нет"}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, kw_only=True)
class SearchParams:
    q: str = ""
    where: str = ""
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    age: int | None = None
    direction: str = ""
    categories: tuple[str, ...] = ()
    district: str = ""
    free: bool = False
    ovz: bool = False
    days: tuple[int, ...] = ()
    after: time | None = None
    before: time | None = None
    open: bool = False
    sort: str = "best"
    page: int = 1

    def is_empty(self) -> bool:
        """True when nothing narrows the catalog (sort and page do not count)."""
        return self.filter_count() == 0 and not self.q

    def filter_count(self) -> int:
        return sum(1 for name in FILTER_NAMES if getattr(self, name) not in (None, "", (), False))

    def without(self, *names: str) -> SearchParams:
        """These parameters reset to their defaults (and back to page 1)."""
        defaults: dict[str, Any] = {f.name: f.default for f in fields(self) if f.name in names}
        if {"where", "lat", "lon"} & set(names):
            defaults.setdefault("radius_km", None)
        return replace(self, page=1, **defaults)

    def query_pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """The canonical URL parameters: only what differs from the defaults, in a stable order."""
        p = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = []
        if p.q:
            pairs.append(("q", p.q))
        if p.where:
            pairs.append(("where", p.where))
        if p.lat is not None and p.lon is not None:
            pairs += [("lat", f"{p.lat:.6f}"), ("lon", f"{p.lon:.6f}")]
        if p.radius_km is not None:
            pairs.append(("radius_km", f"{p.radius_km:g}"))
        if p.age is not None:
            pairs.append(("age", str(p.age)))
        if p.direction:
            pairs.append(("direction", p.direction))
        pairs += [("category", slug) for slug in p.categories]
        if p.district:
            pairs.append(("district", p.district))
        pairs += [(name, "1") for name in ("free", "ovz", "open") if getattr(p, name)]
        pairs += [("day", WEEKDAY_CODES[d]) for d in p.days]
        if p.after is not None:
            pairs.append(("after", p.after.strftime("%H:%M")))
        if p.before is not None:
            pairs.append(("before", p.before.strftime("%H:%M")))
        if p.sort != "best":
            pairs.append(("sort", p.sort))
        if p.page != 1:
            pairs.append(("page", str(p.page)))
        return pairs

    def query_string(self, **changes: Any) -> str:
        return urlencode(self.query_pairs(**changes))

    @property
    def has_location(self) -> bool:
        return bool(self.where) or (self.lat is not None and self.lon is not None)


# What narrows the list (for "which filter emptied it" and relaxations), in the order shown.
FILTER_NAMES = (
    "where",
    "lat",
    "age",
    "direction",
    "categories",
    "district",
    "free",
    "ovz",
    "days",
    "after",
    "before",
    "open",
)


@dataclass(frozen=True)
class ParamError:
    field: str
    message: str


def _values(data: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    raw = getlist(name) if getlist is not None else data.get(name, [])
    if raw is None:
        return []
    if isinstance(raw, str | int | float):
        raw = [raw]
    return [_CONTROL.sub(" ", str(v)) for v in raw]


def _first(data: Mapping[str, Any], name: str) -> str:
    values = _values(data, name)
    return values[-1].strip() if values else ""


def _text(value: str) -> str:
    return " ".join(value.split())


def _float(value: str) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _flag(value: str) -> bool | None:
    text = value.strip().lower()
    if text in _FLAG_TRUE:
        return True
    if text in _FLAG_FALSE:
        return False
    return None


def _time(value: str) -> time | None:
    match = _TIME.match(value.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def parse_params(data: Mapping[str, Any]) -> tuple[SearchParams, list[ParamError]]:
    """SearchParams from a QueryDict or a plain mapping (values may be lists); never raises."""
    from kruzhok.search import taxonomy  # the taxonomy is read from the database, lazily

    errors: list[ParamError] = []
    values: dict[str, Any] = {}

    def error(name: str, message: str) -> None:
        errors.append(ParamError(name, message))

    for name, label in (("q", _("Запрос")), ("where", _("Место"))):
        text: str = _text(_values(data, name)[-1] if _values(data, name) else "")
        if len(text) > MAX_TEXT:
            error(
                name,
                _("%(field)s слишком длинный: не больше %(limit)d символов.")
                % {"field": label, "limit": MAX_TEXT},
            )
        elif text:
            values[name] = text

    lat_text, lon_text = _first(data, "lat"), _first(data, "lon")
    if lat_text or lon_text:
        lat, lon = _float(lat_text), _float(lon_text)
        if not (lat_text and lon_text):
            error("lat" if not lat_text else "lon", _("Укажите обе координаты: lat и lon."))
        elif lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            error("lat", _("Координаты — числа: широта от −90 до 90, долгота от −180 до 180."))
        else:
            values["lat"], values["lon"] = lat, lon

    radius_text = _first(data, "radius_km")
    if radius_text:
        radius = _float(radius_text)
        if radius is None or not (0 < radius <= MAX_RADIUS_KM):
            error(
                "radius_km",
                _("Радиус — число километров больше 0 и не больше %(max)d.") % {"max": MAX_RADIUS_KM},
            )
        else:
            values["radius_km"] = radius

    age_text = _first(data, "age")
    if age_text:
        if not (age_text.isascii() and age_text.isdigit()) or not (AGE_MIN <= int(age_text) <= AGE_MAX):
            error("age", _("Возраст — целое число лет от 0 до 18."))
        else:
            values["age"] = int(age_text)

    direction = _first(data, "direction")
    if direction:
        if direction in taxonomy.direction_slugs():
            values["direction"] = direction
        else:
            error("direction", _("Нет такой направленности: «%(value)s».") % {"value": direction[:60]})

    categories: list[str] = []
    known_categories = taxonomy.category_slugs()
    for slug in _values(data, "category"):
        slug = slug.strip()
        if not slug:
            continue
        if slug in known_categories:
            if slug not in categories:
                categories.append(slug)
        else:
            error("category", _("Нет такой категории: «%(value)s».") % {"value": slug[:60]})
    if categories:
        values["categories"] = tuple(categories[:20])

    district = _first(data, "district")
    if district:
        okrug = taxonomy.okrug_name(district)
        if okrug:
            values["district"] = okrug
        else:
            error("district", _("Нет такого округа: «%(value)s».") % {"value": district[:60]})

    for name in ("free", "ovz", "open"):
        text = _first(data, name)
        flag = _flag(text)
        if flag is None:
            error(name, _("Значение «%(value)s» не подходит: укажите 1 или 0.") % {"value": text[:20]})
        elif flag:
            values[name] = True

    days: set[int] = set()
    for code in _values(data, "day"):
        code = code.strip().lower()
        if not code:
            continue
        if code in WEEKDAY_CODES:
            days.add(WEEKDAY_CODES.index(code))
        else:
            error("day", _("Нет такого дня недели: «%(value)s». Используйте mon…sun.") % {"value": code[:20]})
    if days:
        values["days"] = tuple(sorted(days))

    for name in ("after", "before"):
        text = _first(data, name)
        if text:
            parsed = _time(text)
            if parsed is None:
                error(name, _("Время — в виде ЧЧ:ММ, например 15:30."))
            else:
                values[name] = parsed
    if values.get("after") and values.get("before") and values["after"] >= values["before"]:
        error("before", _("Время «до» должно быть позже времени «после»."))
        del values["before"]

    sort = _first(data, "sort")
    if sort:
        if sort in SORTS:
            values["sort"] = sort
        else:
            error(
                "sort",
                _("Нет такого порядка: «%(value)s». Используйте best, near, price или rating.")
                % {"value": sort[:20]},
            )

    page_text = _first(data, "page")
    if page_text:
        if not (page_text.isascii() and page_text.isdigit()) or not (1 <= int(page_text) <= MAX_PAGE):
            error("page", _("Номер страницы — целое число от 1."))
        else:
            values["page"] = int(page_text)

    return SearchParams(**values), errors
