"""One file row → a cleaned `CatalogRow`, or the list of problems with it (row, column, message).

Nothing here writes. Lookups (directions, categories, districts) are loaded once per import
by `Lookups.load()`, so validating 10,000 rows issues a handful of queries, not 10,000.
Messages are Russian msgids; each says what is wrong and what a valid value looks like.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from kruzhok.catalog.models import AGE_MAX, AGE_MIN, Activity, Category, Direction, Organization, Venue
from kruzhok.core.text import fold
from kruzhok.imports.schedule import ScheduleError, Slot, parse_schedule
from kruzhok.places.models import District
from kruzhok.places.selectors import district_for

COLUMNS = (
    "external_id",
    "title",
    "description",
    "direction",
    "category",
    "organization",
    "organization_kind",
    "inn",
    "address",
    "lat",
    "lon",
    "district",
    "age_min",
    "age_max",
    "price_rub",
    "schedule",
    "phone",
    "email",
    "website",
    "ovz",
    "enrollment",
)
REQUIRED_COLUMNS = ("external_id", "title", "direction", "organization", "address", "age_min", "age_max")

MAX_DESCRIPTION = 20_000
MAX_TAGS = 20
MAX_TAG_LENGTH = 100
MAX_PRICE_RUB = 1_000_000

_max: dict[str, int] = {
    "external_id": Activity._meta.get_field("external_id").max_length or 100,
    "title": Activity._meta.get_field("title").max_length or 300,
    "organization": Organization._meta.get_field("name").max_length or 300,
    "address": Venue._meta.get_field("address").max_length or 300,
    "phone": Activity._meta.get_field("phone").max_length or 50,
    "email": Activity._meta.get_field("email").max_length or 254,
    "website": Activity._meta.get_field("website").max_length or 200,
    "description": MAX_DESCRIPTION,
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES_IN_NUMBER = re.compile(r"[\s\u00a0\u2009\u202f']")
_PRICE_WORDS = re.compile(r"(руб(лей|ля|ль)?|р|₽|rub|rur)\.?(\s*/?\s*(в\s*)?мес(яц)?\.?)?$")
_AGE_WORDS = re.compile(r"\s*(лет|года|год|г\.?|years?)$")

_DASHES = {"-", "–", "—", "--", "---"}
_YES = {"да", "yes", "y", "1", "true", "истина", "+", "д"}
_NO = {"нет", "no", "n", "0", "false", "ложь", "-", "н", ""}
_ENROLLMENT = {
    "open": Activity.Enrollment.OPEN,
    "открыт": Activity.Enrollment.OPEN,
    "открыта": Activity.Enrollment.OPEN,
    "набор открыт": Activity.Enrollment.OPEN,
    "идет набор": Activity.Enrollment.OPEN,
    "closed": Activity.Enrollment.CLOSED,
    "закрыт": Activity.Enrollment.CLOSED,
    "закрыта": Activity.Enrollment.CLOSED,
    "набор закрыт": Activity.Enrollment.CLOSED,
    "нет мест": Activity.Enrollment.CLOSED,
    "waitlist": Activity.Enrollment.WAITLIST,
    "лист ожидания": Activity.Enrollment.WAITLIST,
    "ожидание": Activity.Enrollment.WAITLIST,
    "очередь": Activity.Enrollment.WAITLIST,
}
_KINDS = {
    "public": Organization.Kind.PUBLIC,
    "государственная": Organization.Kind.PUBLIC,
    "муниципальная": Organization.Kind.PUBLIC,
    "бюджетная": Organization.Kind.PUBLIC,
    "private": Organization.Kind.PRIVATE,
    "частная": Organization.Kind.PRIVATE,
    "коммерческая": Organization.Kind.PRIVATE,
    "ngo": Organization.Kind.NGO,
    "нко": Organization.Kind.NGO,
    "некоммерческая": Organization.Kind.NGO,
    "individual": Organization.Kind.INDIVIDUAL,
    "частный педагог": Organization.Kind.INDIVIDUAL,
    "ип": Organization.Kind.INDIVIDUAL,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """An error (the import stops) or a warning (reported, the row is kept)."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.field}: {self.message}" if self.field else self.message
        return _("строка %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field or "—",
            "message": self.message,
        }


@dataclass(slots=True)
class CatalogRow:
    row: int
    external_id: str
    title: str
    description: str
    direction_id: int
    category_ids: list[int]
    tags: list[str]
    organization: str
    organization_kind: str
    inn: str
    address: str
    lat: float | None
    lon: float | None
    district_id: int | None  # from the district column; None means "derive from coordinates"
    age_min: int
    age_max: int
    price_rub: int
    schedule: list[Slot]
    phone: str
    email: str
    website: str
    ovz: bool
    enrollment: str


def normalize_header(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", fold(cell.replace("\ufeff", "")))


def _stem(name: str) -> str:
    """«художественное» and «Художественная направленность» both → «художественн»."""
    words = [w for w in fold(name).split() if w not in {"направленность", "направление"}]
    word = words[0] if words else ""
    return word[:-2] if len(word) > 4 else word


@dataclass
class Lookups:
    """Everything rows are matched against, loaded once per import."""

    directions: dict[str, int] = field(default_factory=dict)
    direction_stems: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    _districts: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        lookups = cls()
        for pk, slug, name_ru, name_en in Direction.objects.values_list("id", "slug", "name_ru", "name_en"):
            for key in (slug, name_ru, name_en):
                lookups.directions[fold(key)] = pk
            lookups.direction_stems[_stem(name_ru)] = pk
        categories = list(Category.objects.values_list("id", "slug", "name_ru", "name_en", "synonyms"))
        # Names win over synonyms: a synonym shared by two categories must not shadow a name.
        for pk, slug, name_ru, name_en, _synonyms in categories:
            for key in (slug, name_ru, name_en):
                lookups.categories.setdefault(fold(key), pk)
        for pk, _slug, _ru, _en, synonyms in categories:
            for synonym in synonyms or []:
                if isinstance(synonym, str):
                    lookups.categories.setdefault(fold(synonym), pk)
        return lookups

    def direction(self, value: str) -> int | None:
        key = fold(value)
        return self.directions.get(key) or self.direction_stems.get(_stem(key))

    def district(self, name: str) -> tuple[bool, int | None]:
        """(known, okrug id); one query per distinct district name in the file."""
        key = fold(name)
        if key not in self._districts:
            found = district_for(name, kind=District.Kind.OKRUG, city=settings.CITY_NAME)
            if found is None:
                # A microdistrict in the district column («Московка») stands for its okrug.
                micro = district_for(name, kind=District.Kind.MICRODISTRICT, city=settings.CITY_NAME)
                found = micro.parent if micro is not None else None
            self._districts[key] = found.pk if found is not None else None
        pk = self._districts[key]
        return pk is not None, pk


# Thousands of rows repeat a few dozen sites and addresses; Django's validators are regex-heavy.
@functools.lru_cache(maxsize=4096)
def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


_url_validator = URLValidator(schemes=["http", "https"])


@functools.lru_cache(maxsize=4096)
def _valid_url(value: str) -> bool:
    try:
        _url_validator(value)
    except ValidationError:
        return False
    return True


class RowValidator:
    """Cleans one row at a time; remembers external_ids to report duplicates within the file."""

    def __init__(self, *, columns: list[str], lookups: Lookups) -> None:
        self.lookups = lookups
        self.index = {name: position for position, name in enumerate(columns) if name in COLUMNS}
        self.width = len(columns)
        self.seen_ids: dict[str, int] = {}

    def clean(self, number: int, cells: list[str]) -> tuple[CatalogRow | None, list[Problem], list[Problem]]:
        errors: list[Problem] = []
        warnings: list[Problem] = []

        def error(column: str, message: str) -> None:
            errors.append(Problem(number, column, message))

        def get(column: str) -> str:
            position = self.index.get(column)
            if position is None or position >= len(cells):
                return ""
            value = _CONTROL.sub("", cells[position])
            # Spreadsheets use a lone dash for "nothing here".
            return "" if value in _DASHES else value

        extra = [c for c in cells[self.width :] if c]
        if extra:
            error(
                "",
                _(
                    "в строке больше значений, чем столбцов в заголовке: возможно, в тексте есть "
                    "разделитель без кавычек — заключите такие значения в кавычки"
                ),
            )

        def text(column: str, *, required: bool = False) -> str:
            value = get(column)
            if required and not value:
                error(column, _("обязательное поле пусто — заполните его"))
            limit = _max.get(column)
            if limit is not None and len(value) > limit:
                error(
                    column,
                    _("слишком длинный текст: %(length)s символов, допустимо не больше %(limit)s")
                    % {"length": len(value), "limit": limit},
                )
            return value

        external_id = text("external_id", required=True)
        if external_id:
            first = self.seen_ids.setdefault(external_id, number)
            if first != number:
                error(
                    "external_id",
                    _("external_id «%(id)s» уже встречается в строке %(first)s; у каждой записи свой id")
                    % {"id": external_id, "first": first},
                )
        title = text("title", required=True)
        description = text("description")
        organization = " ".join(text("organization", required=True).split())
        address = " ".join(text("address", required=True).split())
        phone = text("phone")
        if phone and not any(ch.isdigit() for ch in phone):
            error("phone", _("в телефоне нет цифр: «%(value)s»") % {"value": phone})

        direction_id = None
        direction_value = get("direction")
        if not direction_value:
            error("direction", _("обязательное поле пусто — укажите направленность, например sport"))
        else:
            direction_id = self.lookups.direction(direction_value)
            if direction_id is None:
                error(
                    "direction",
                    _(
                        "неизвестная направленность «%(value)s»; допустимо: technical, science, sport, arts, "
                        "tourism, social или русское название (например «художественная»)"
                    )
                    % {"value": direction_value[:100]},
                )

        category_ids, tags = self._categories(get("category"), number, warnings, error)
        age_min = self._age(get("age_min"), "age_min", error)
        age_max = self._age(get("age_max"), "age_max", error)
        if age_min is not None and age_max is not None and age_min > age_max:
            error(
                "age_max",
                _("возраст «до» (%(max)s) меньше возраста «от» (%(min)s)") % {"max": age_max, "min": age_min},
            )
        price = self._price(get("price_rub"), error)
        lat, lon = self._point(get("lat"), get("lon"), error)
        district_id = self._district(get("district"), error)
        schedule: list[Slot] = []
        try:
            schedule = parse_schedule(get("schedule"))
        except ScheduleError as exc:
            error("schedule", exc.message)
        inn = _SPACES_IN_NUMBER.sub("", get("inn"))
        if inn and not re.fullmatch(r"\d{10}|\d{12}", inn):
            error(
                "inn",
                _("ИНН — это 10 цифр (организация) или 12 цифр (ИП), а не «%(value)s»") % {"value": inn[:30]},
            )
        email = get("email")
        if email:
            if not _valid_email(email):
                error("email", _("«%(value)s» не похоже на адрес эл. почты") % {"value": email[:100]})
        if len(email) > _max["email"]:
            error("email", _("слишком длинный адрес эл. почты"))
        website = self._website(get("website"), error)
        ovz = self._choice(get("ovz"), "ovz", error)
        enrollment = _ENROLLMENT.get(fold(get("enrollment")), None)
        if enrollment is None and get("enrollment"):
            error(
                "enrollment",
                _(
                    "набор «%(value)s» не понят; допустимо: open, closed, waitlist (открыт, закрыт, лист ожидания)"
                )
                % {"value": get("enrollment")[:50]},
            )
        kind = _KINDS.get(fold(get("organization_kind")), None)
        if kind is None and get("organization_kind"):
            error(
                "organization_kind",
                _("вид организации «%(value)s» не понят; допустимо: public, private, ngo, individual")
                % {"value": get("organization_kind")[:50]},
            )

        if errors:
            return None, errors, warnings
        assert direction_id is not None and age_min is not None and age_max is not None  # noqa: S101 (type narrowing: the row passed validation)  # nosec B101
        return (
            CatalogRow(
                row=number,
                external_id=external_id,
                title=title,
                description=description,
                direction_id=direction_id,
                category_ids=category_ids,
                tags=tags,
                organization=organization,
                organization_kind=kind or Organization.Kind.PUBLIC,
                inn=inn,
                address=address,
                lat=lat,
                lon=lon,
                district_id=district_id,
                age_min=age_min,
                age_max=age_max,
                price_rub=price,
                schedule=schedule,
                phone=phone,
                email=email,
                website=website,
                ovz=bool(ovz),
                enrollment=enrollment or Activity.Enrollment.OPEN,
            ),
            errors,
            warnings,
        )

    def _categories(
        self, value: str, number: int, warnings: list[Problem], error: Callable[[str, str], None]
    ) -> tuple[list[int], list[str]]:
        ids: list[int] = []
        tags: list[str] = []
        for part in re.split(r"[;,\n]", value):
            name = " ".join(part.split())
            if not name:
                continue
            pk = self.lookups.categories.get(fold(name))
            if pk is not None:
                if pk not in ids:
                    ids.append(pk)
                continue
            if len(name) > MAX_TAG_LENGTH:
                error("category", _("категория длиннее %(limit)s символов") % {"limit": MAX_TAG_LENGTH})
                continue
            if name not in tags:
                tags.append(name)
                warnings.append(
                    Problem(
                        number,
                        "category",
                        _("категории «%(value)s» нет в справочнике — сохранена как метка") % {"value": name},
                    )
                )
        if len(tags) > MAX_TAGS:
            error("category", _("больше %(limit)s категорий в одной строке") % {"limit": MAX_TAGS})
        return ids, tags

    @staticmethod
    def _age(value: str, column: str, error: Callable[[str, str], None]) -> int | None:
        value = _AGE_WORDS.sub("", value.strip().lower())
        if re.fullmatch(r"\d{1,3}", value) and AGE_MIN <= int(value) <= AGE_MAX:
            return int(value)
        if not value:
            error(column, _("обязательное поле пусто — укажите возраст целым числом от 0 до 18"))
        else:
            error(
                column,
                _("возраст должен быть целым числом от 0 до 18, а не «%(value)s»") % {"value": value[:30]},
            )
        return None

    @staticmethod
    def _price(value: str, error: Callable[[str, str], None]) -> int:
        raw = value
        value = _PRICE_WORDS.sub("", _SPACES_IN_NUMBER.sub("", value.lower()))
        if value in {"", "0", "бесплатно", "free"}:
            return 0
        match = re.fullmatch(r"(\d{1,9})(?:[.,]0{1,2})?", value)
        if match is None or int(match.group(1)) > MAX_PRICE_RUB:
            error(
                "price_rub",
                _("цена — целое число рублей в месяц от 0 до %(max)s (например 1500), а не «%(value)s»")
                % {"max": MAX_PRICE_RUB, "value": raw[:30]},
            )
            return 0
        return int(match.group(1))

    @staticmethod
    def _point(
        lat_text: str, lon_text: str, error: Callable[[str, str], None]
    ) -> tuple[float | None, float | None]:
        if not lat_text and not lon_text:
            return None, None
        values: dict[str, float | None] = {}
        for column, text, limit in (("lat", lat_text, 90.0), ("lon", lon_text, 180.0)):
            if not text:
                error(column, _("координаты указываются парой: заполните lat и lon или оставьте оба пустыми"))
                values[column] = None
                continue
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or not -limit <= number <= limit:
                error(
                    column,
                    _(
                        "%(column)s должна быть числом от -%(limit)s до %(limit)s (градусы WGS84), а не «%(value)s»"
                    )
                    % {
                        "column": _("широта") if column == "lat" else _("долгота"),
                        "limit": int(limit),
                        "value": text[:30],
                    },
                )
                values[column] = None
            else:
                values[column] = number
        return values["lat"], values["lon"]

    def _district(self, value: str, error: Callable[[str, str], None]) -> int | None:
        if not value:
            return None
        known, pk = self.lookups.district(value)
        if not known:
            error(
                "district",
                _("неизвестный округ «%(value)s»; укажите один из округов города или оставьте поле пустым")
                % {"value": value[:100]},
            )
        return pk

    @staticmethod
    def _website(value: str, error: Callable[[str, str], None]) -> str:
        if not value:
            return ""
        url = value if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE) else f"https://{value}"
        if not _valid_url(url):
            error("website", _("«%(value)s» не похоже на адрес сайта (https://…)") % {"value": value[:100]})
            return ""
        if len(url) > _max["website"]:
            error("website", _("адрес сайта длиннее %(limit)s символов") % {"limit": _max["website"]})
        return url

    @staticmethod
    def _choice(value: str, column: str, error: Callable[[str, str], None]) -> bool | None:
        key = fold(value)
        if key in _YES:
            return True
        if key in _NO:
            return False
        error(column, _("ожидается «да» или «нет», а не «%(value)s»") % {"value": value[:30]})
        return None
