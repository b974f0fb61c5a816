"""OpenActive / schema.org JSON as catalog rows: SessionSeries, CourseInstance and Event items
(an RPDE page, a JSON array, a single object or a JSON-LD `@graph`) become rows of the catalog
import format, so they go through the same validation, report and writes as a CSV.

The mapping (docs/openactive.md has the table): `identifier` (else `@id`) → external_id, `name`
→ title, `organizer.name` → organization, `location.address` (text or PostalAddress) →
address, `location.geo` → lat/lon, `ageRange` → age_min/age_max, `eventSchedule` (weekly
`byDay` + `startTime`/`endTime`) → schedule, the lowest RUB `offers.price` → price_rub,
`activity`/`category` → category and direction (our own concept scheme by slug, the OpenActive
activity list through kruzhok.api.openactive_activities, other labels kept as tags under
«физкультурно-спортивная», since every concept of that list is a physical activity).

Only shapes are judged here (a property of the wrong type, a price in another currency, an item
type we do not import); values go to the same RowValidator as every CSV cell. Problems name
the item by its place in the file and its id.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from kruzhok.api.openactive_activities import BY_CONCEPT, OPENACTIVE_ACTIVITY_LIST
from kruzhok.imports.schedule import DAY_ABBR

IMPORTED_TYPES = ("SessionSeries", "CourseInstance", "Event")
OPENACTIVE_COLUMNS = (
    "external_id",
    "title",
    "description",
    "direction",
    "category",
    "organization",
    "address",
    "lat",
    "lon",
    "age_min",
    "age_max",
    "price_rub",
    "schedule",
    "phone",
    "email",
    "website",
    "ovz",
)
_DAYS = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "mo"),
            ("tuesday", "tu"),
            ("wednesday", "we"),
            ("thursday", "th"),
            ("friday", "fr"),
            ("saturday", "sa"),
            ("sunday", "su"),
        ]
    )
    for name in names
}
_WEEKLY = {"P1W", "P7D"}
MAX_TEXT = 20_000


@dataclass
class Mapped:
    """Rows as catalog cells, and what was wrong with items' shapes: (row, field, message)."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _type_of(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    kind = value.get("@type", value.get("type", ""))
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str)), "")
    return kind.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if isinstance(kind, str) else ""


def looks_like_openactive(payload: Any) -> bool:
    """An RPDE page, a JSON-LD graph, or objects with `@type`/`type` — not our export's rows."""
    if isinstance(payload, dict):
        return (
            isinstance(payload.get("items"), list)
            or isinstance(payload.get("@graph"), list)
            or bool(_type_of(payload))
        )
    if isinstance(payload, list) and payload:
        return all(isinstance(item, dict) for item in payload) and any(_type_of(item) for item in payload)
    return False


def _entries(payload: Any, mapped: Mapped) -> Iterator[tuple[int, Any]]:
    if isinstance(payload, dict) and isinstance(payload.get("items"), list):
        deleted = 0
        for position, item in enumerate(payload["items"], start=1):
            if isinstance(item, dict) and item.get("state") == "deleted":
                deleted += 1
                continue
            yield position, item.get("data") if isinstance(item, dict) else item
        if deleted:
            mapped.notes.append(_("удалённых элементов RPDE пропущено: %(n)s") % {"n": deleted})
        return
    if isinstance(payload, dict) and isinstance(payload.get("@graph"), list):
        yield from enumerate(payload["@graph"], start=1)
        return
    if isinstance(payload, dict):
        yield 1, payload
        return
    yield from enumerate(payload, start=1)


def map_items(payload: Any) -> Mapped:
    """Catalog rows for every importable item of `payload` (already parsed JSON)."""
    mapped = Mapped()
    mapped.notes.append(
        _("файл OpenActive: «строка N» в отчёте — N-й элемент файла (в ленте RPDE — N-й элемент items)")
    )
    for position, item in _entries(payload, mapped):
        _Item(position, item, mapped).map()
    return mapped


class _Item:
    def __init__(self, position: int, data: Any, mapped: Mapped) -> None:
        self.position = position
        self.data = data
        self.mapped = mapped
        self.label = str(position)

    def error(self, name: str, message: str) -> None:
        self.mapped.errors.append(
            (self.position, name, _("элемент %(id)s: %(message)s") % {"id": self.label, "message": message})
        )

    def warn(self, name: str, message: str) -> None:
        self.mapped.warnings.append(
            (self.position, name, _("элемент %(id)s: %(message)s") % {"id": self.label, "message": message})
        )

    def text(self, value: Any, name: str) -> str:
        """A text property: strings (or numbers) only; a language map picks Russian, else any."""
        if value is None:
            return ""
        if isinstance(value, bool) or isinstance(value, dict | list) and not _language_map(value):
            self.error(name, _("ожидается текст, а в файле %(type)s") % {"type": _json_type(value)})
            return ""
        if isinstance(value, dict | list):
            return _language_map(value)[:MAX_TEXT]
        if isinstance(value, float) and not math.isfinite(value):
            self.error(name, _("ожидается текст или число, а в файле бесконечность"))
            return ""
        return str(value)[:MAX_TEXT]

    def number(self, value: Any, name: str) -> str:
        """A number as text for the row validator, which judges its range and wholeness."""
        if value is None or value == "":
            return ""
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.error(name, _("ожидается число, а в файле %(type)s") % {"type": _json_type(value)})
            return ""
        if isinstance(value, float) and not math.isfinite(value):
            self.error(name, _("число слишком велико"))
            return ""
        text = str(value)
        return text if len(text) <= 40 else text[:40]

    def obj(self, value: Any, name: str) -> dict[str, Any]:
        if value is None:
            return {}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value[0]
        if not isinstance(value, dict):
            self.error(name, _("ожидается объект, а в файле %(type)s") % {"type": _json_type(value)})
            return {}
        return value

    def objects(self, value: Any, name: str) -> list[Any]:
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def map(self) -> None:
        if not isinstance(self.data, dict):
            self.error("", _("элемент — не объект JSON"))
            return
        identifier = self.data.get("identifier", self.data.get("@id", self.data.get("id")))
        if isinstance(identifier, list) and identifier:
            identifier = identifier[0]
        if isinstance(identifier, dict) and _type_of(identifier) == "PropertyValue":
            identifier = identifier.get("value")  # schema.org's {"@type": "PropertyValue", "value": …}
        if isinstance(identifier, int | str) and not isinstance(identifier, bool):
            self.label = f"{self.position} ({str(identifier)[:60]})"
        kind = _type_of(self.data)
        if kind not in IMPORTED_TYPES:
            self.error(
                "type",
                _("тип «%(type)s» не импортируется: нужны SessionSeries, CourseInstance или Event")
                % {"type": kind[:40] or "—"},
            )
            return
        row: dict[str, str] = dict.fromkeys(OPENACTIVE_COLUMNS, "")
        row["external_id"] = self.text(identifier, "external_id")
        row["title"] = self.text(self.data.get("name"), "title")
        row["description"] = self.text(self.data.get("description"), "description")
        organizer = self.obj(self.data.get("organizer"), "organization")
        row["organization"] = self.text(organizer.get("name"), "organization")
        row["phone"] = self.text(organizer.get("telephone"), "phone")
        row["email"] = self.text(organizer.get("email"), "email")
        same_as = self.objects(organizer.get("sameAs"), "website")
        row["website"] = self.text(same_as[0], "website") if same_as else ""
        self.location(row)
        self.ages(row)
        self.price(row)
        self.concepts(row)
        row["schedule"] = self.schedule()
        accessible = self.data.get("accessibilityInformation") or self.data.get("accessibilitySupport")
        row["ovz"] = "да" if accessible else "нет"
        self.mapped.rows.append((self.position, row))

    def location(self, row: dict[str, str]) -> None:
        place = self.obj(self.data.get("location"), "address")
        address = place.get("address")
        if isinstance(address, dict):
            parts = [self.text(address.get(key), "address") for key in ("streetAddress", "addressLocality")]
            row["address"] = ", ".join(p for p in parts if p)
        else:
            row["address"] = self.text(address, "address") or self.text(place.get("name"), "address")
        # Our feed writes «street, city»; the catalog keeps addresses in its own city without it.
        city_suffix = f", {settings.CITY_NAME}"
        if row["address"].endswith(city_suffix):
            row["address"] = row["address"].removesuffix(city_suffix)
        geo = self.obj(place.get("geo"), "lat")
        row["lat"] = self.number(geo.get("latitude"), "lat")
        row["lon"] = self.number(geo.get("longitude"), "lon")

    def ages(self, row: dict[str, str]) -> None:
        ages = self.obj(self.data.get("ageRange"), "age_min")
        row["age_min"] = self.number(ages.get("minValue"), "age_min") or "0"
        row["age_max"] = self.number(ages.get("maxValue"), "age_max") or "18"
        if not ages:
            self.warn("age_min", _("нет ageRange — записан возраст 0–18"))

    def price(self, row: dict[str, str]) -> None:
        prices: list[float] = []
        for offer in self.objects(self.data.get("offers"), "price_rub"):
            if not isinstance(offer, dict):
                self.error("price_rub", _("offers: ожидается объект Offer"))
                continue
            currency = offer.get("priceCurrency", "RUB")
            if currency not in ("RUB", "RUR"):
                self.error(
                    "price_rub",
                    _("цена в валюте «%(currency)s»: нужна цена в рублях (RUB)")
                    % {"currency": str(currency)[:10]},
                )
                continue
            text = self.number(offer.get("price"), "price_rub")
            try:
                prices.append(float(text))
            except ValueError:
                if text:
                    self.error("price_rub", _("цена «%(value)s» — не число") % {"value": text})
        if prices:
            lowest = min(prices)
            row["price_rub"] = str(int(lowest)) if lowest.is_integer() else str(lowest)
        elif self.data.get("isAccessibleForFree") is True:
            row["price_rub"] = "0"

    def concepts(self, row: dict[str, str]) -> None:
        direction = ""
        categories: list[str] = []
        our_scheme = reverse("openactive:categories")
        for name in ("category", "activity"):
            for concept in self.objects(self.data.get(name), "category"):
                if isinstance(concept, str):
                    label = concept
                    concept_id = ""
                elif isinstance(concept, dict):
                    label = self.text(concept.get("prefLabel"), "category")
                    concept_id = str(concept.get("@id", concept.get("id", "")))
                else:
                    self.error("category", _("ожидается понятие (Concept) или текст"))
                    continue
                # A fragment is a slug only in a Kruzhok scheme (ours or another city's): other
                # publishers' concept ids say nothing about our taxonomy, their labels do.
                scheme, _hash, fragment = concept_id.partition("#")
                slug = fragment if urlsplit(scheme).path.endswith(our_scheme) else ""
                if concept_id.startswith(OPENACTIVE_ACTIVITY_LIST) or concept_id in BY_CONCEPT:
                    mapped = BY_CONCEPT.get(concept_id) or BY_CONCEPT.get(label.casefold())
                    direction = direction or "sport"
                    categories.append(mapped or label)
                elif slug.startswith("direction-"):
                    direction = slug.removeprefix("direction-")
                elif slug.startswith("event-"):
                    continue
                elif slug:
                    categories.append(slug)
                elif label:
                    categories.append(BY_CONCEPT.get(label.casefold(), label))
        unique = list(dict.fromkeys(c.replace(";", ",") for c in categories if c))
        row["category"] = "; ".join(unique[:20])
        row["direction"] = direction or self._direction_of(unique)

    @staticmethod
    def _direction_of(categories: list[str]) -> str:
        from kruzhok.search import taxonomy

        known = taxonomy.load().categories
        return next((known[c][3] for c in categories if c in known), "")

    def schedule(self) -> str:
        parts: list[str] = []
        for entry in self.objects(self.data.get("eventSchedule"), "schedule"):
            if not isinstance(entry, dict):
                self.error("schedule", _("eventSchedule: ожидается объект Schedule"))
                continue
            start, end = entry.get("startTime"), entry.get("endTime")
            days = self.objects(entry.get("byDay"), "schedule")
            if not (start and end and days):
                continue  # a PartialSchedule without times says nothing we can store
            frequency = entry.get("repeatFrequency", "P1W")
            if not isinstance(frequency, str) or frequency not in _WEEKLY:
                self.warn(
                    "schedule",
                    _("повторение «%(freq)s» не еженедельное — пропущено")
                    % {"freq": str(entry.get("repeatFrequency"))[:20]},
                )
                continue
            names = []
            for day in days:
                key = str(day).rsplit("/", 1)[-1].rsplit(":", 1)[-1].casefold()
                if key not in _DAYS:
                    self.error("schedule", _("день «%(day)s» не понят") % {"day": str(day)[:40]})
                    continue
                names.append(DAY_ABBR[_DAYS[key]])
            if names:
                parts.append(f"{','.join(names)} {str(start)[:5]}-{str(end)[:5]}")
        return "; ".join(parts)


def _language_map(value: Any) -> str:
    """schema.org text may come as [{"@language": "ru", "@value": "…"}] or {"ru": "…"}."""
    if isinstance(value, list):
        values = [v for v in value if isinstance(v, dict) and isinstance(v.get("@value"), str)]
        chosen = next((v for v in values if v.get("@language") == "ru"), values[0] if values else None)
        return chosen["@value"] if chosen else ""
    if isinstance(value, dict):
        if isinstance(value.get("@value"), str):
            return value["@value"]
        texts = {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
        return texts.get("ru") or next(iter(texts.values()), "")
    return ""


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return _("логическое значение")
    if isinstance(value, dict):
        return _("объект")
    if isinstance(value, list):
        return _("список")
    if isinstance(value, int | float):
        return _("число")
    return _("текст")
