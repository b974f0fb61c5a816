"""Search test fixtures: named personas and a small, realistic Omsk catalog built with the factories.

Every row goes through the ORM, so the index is kept current by the same signal path as the
admin and the services; nothing here writes to the index directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

import pytest
from django.db import transaction

from kruzhok.catalog.models import Activity, Group, Organization, ScheduleSlot, Status, Venue
from kruzhok.catalog.tests import factories
from kruzhok.places.models import District
from kruzhok.search.params import SearchParams, parse_params
from kruzhok.search.selectors import SearchResult, search


@dataclass(frozen=True)
class Parent:
    """A parent searching from home for one child."""

    name: str
    child_age: int
    address: str  # as typed into «где»
    lat: float
    lon: float
    okrug: str


# Coordinates are the gazetteer's own for these addresses (places/data/omsk).
OLGA = Parent("Ольга, мама восьмилетнего Миши", 8, "улица Лукашевича, 10", 54.995776, 73.271767, "Кировский")
IVAN = Parent(
    "Иван, папа четырнадцатилетней Даши", 14, "улица Ленина, 10", 54.972372, 73.379134, "Центральный"
)


@dataclass(frozen=True)
class Place:
    address: str
    lat: float | None
    lon: float | None
    okrug: str
    microdistrict: str | None = None


PLACES = {
    "lukashevicha": Place("улица Лукашевича, 15Б", 54.994603, 73.276376, "Кировский", "Левобережье"),
    "putilova": Place("улица Путилова, 10", 54.993694, 73.279054, "Кировский", "Левобережье"),
    "zelyony": Place("бульвар Зелёный, 6", 55.001562, 73.290031, "Кировский", "Левобережье"),
    "70_let": Place("улица 70 лет Октября, 10", 54.986342, 73.311671, "Кировский", "Левобережье"),
    "koshevogo": Place("улица Олега Кошевого, 89А/3", 54.936306, 73.312455, "Кировский", "Старый Кировск"),
    "lenina": Place("улица Ленина, 10", 54.972372, 73.379134, "Центральный", "Центр"),
    "tsiolkovskogo": Place("улица Циолковского, 4", 54.961516, 73.382889, "Центральный"),
    "krasnoznamyonnaya": Place("улица Краснознамённая, 2Д", 55.034081, 73.471726, "Центральный"),
    "mira": Place("проспект Мира, 8Б", 55.024771, 73.304044, "Советский", "Нефтяники"),
    "magistralnaya": Place("улица Магистральная, 67А", 55.032233, 73.261217, "Советский"),
    "marksa": Place("проспект Карла Маркса, 49", 54.951367, 73.388721, "Ленинский"),
    "truda": Place("улица Труда, 5", 54.933911, 73.380566, "Ленинский", "Привокзальный"),
    "truda_no_point": Place("улица Труда, 7 (цокольный этаж)", None, None, "Ленинский"),
    "rkka": Place("улица 20 лет РККА, 250А", 54.976752, 73.429873, "Октябрьский"),
    "shinnaya": Place("улица 1-я Шинная, 46", 54.961845, 73.444976, "Октябрьский", "Чкаловский"),
}

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@dataclass(frozen=True)
class Spec:
    """One catalog entry; `slots` make the first group, `extra_groups` more groups."""

    title: str
    direction: str
    categories: list[str]
    org: str
    place: str | None  # None: online, no venue
    ages: tuple[int, int]
    price: int = 0
    slots: list[tuple[int, str, str]] = field(default_factory=list)
    extra_groups: list[list[tuple[int, str, str]]] = field(default_factory=list)
    description: str = "Занятия в небольших группах, первое занятие бесплатно."
    ovz: bool = False
    enrollment: str = Activity.Enrollment.OPEN
    status: str = Status.PUBLISHED
    format: str = Activity.Format.GROUP


# Organizations: providers of org A (a public palace), org B (a sports school), org C (private).
ORGANIZATIONS = {
    "sibir": "Дворец творчества «Сибирь»",
    "olimp": "СДЮСШОР «Олимп»",
    "evrika": "Центр развития «Эврика»",
}

SPECS: dict[str, Spec] = {
    "ladya": Spec(
        "Шахматный клуб «Ладья»", "sport", ["chess"], "sibir", "lukashevicha", (7, 12),
        slots=[(MON, "15:00", "16:30"), (THU, "17:00", "18:30")], ovz=True,
    ),
    "ladya_far": Spec(
        "Шахматный клуб «Ладья»", "sport", ["chess"], "evrika", "magistralnaya", (7, 12),
        slots=[(MON, "15:00", "16:30"), (THU, "17:00", "18:30")], ovz=True,
    ),
    "chess_online": Spec(
        "Шахматы онлайн", "sport", ["chess"], "evrika", None, (8, 16), price=500,
        slots=[(SUN, "11:00", "12:00")], format=Activity.Format.ONLINE,
    ),
    "football_beginners": Spec(
        "Футбол для начинающих", "sport", ["football"], "olimp", "putilova", (6, 9), price=1500,
        slots=[(TUE, "16:00", "17:30"), (THU, "16:00", "17:30")],
    ),
    "football_start": Spec(
        "Футбольная секция «Старт»", "sport", ["football"], "olimp", "lenina", (10, 14), price=2000,
        slots=[(MON, "18:00", "19:30"), (WED, "18:00", "19:30")],
    ),
    "mini_football": Spec(
        "Мини-футбол для малышей", "sport", ["football"], "olimp", "marksa", (4, 6),
        slots=[(SAT, "10:00", "11:00")],
    ),
    "ofp": Spec(
        "ОФП и подвижные игры", "sport", ["general-fitness", "basketball"], "sibir", "putilova", (7, 12),
        price=800, slots=[(TUE, "16:00", "17:00")],
        description="Бег, прыжки, эстафеты, элементы футбола и баскетбола для младших школьников.",
    ),
    "swimming": Spec(
        "Плавание для детей", "sport", ["swimming"], "olimp", "krasnoznamyonnaya", (5, 10), price=3000,
        slots=[(TUE, "17:00", "18:00"), (FRI, "17:00", "18:00")],
    ),
    "karate": Spec(
        "Карате-киокушинкай", "sport", ["karate"], "olimp", "magistralnaya", (6, 16), price=2000,
        slots=[(MON, "19:00", "20:30"), (WED, "19:00", "20:30")],
    ),
    "judo": Spec(
        "Дзюдо для начинающих", "sport", ["judo"], "olimp", "rkka", (7, 12), price=1500,
        slots=[(TUE, "17:00", "18:30"), (THU, "17:00", "18:30")],
    ),
    "gymnastics": Spec(
        "Гимнастика для малышей", "sport", ["gymnastics"], "olimp", "zelyony", (3, 6), price=1200, slots=[],
    ),
    "robotics": Spec(
        "Робототехника на Lego", "technical", ["robotics"], "evrika", "zelyony", (8, 14), price=2500,
        slots=[(SAT, "12:00", "13:30")],
    ),
    "python": Spec(
        "Программирование на Python", "technical", ["programming"], "evrika", "lenina", (10, 17),
        price=3000, slots=[(TUE, "18:00", "19:30"), (THU, "18:00", "19:30")],
        enrollment=Activity.Enrollment.WAITLIST,
    ),
    "palitra": Spec(
        "Изостудия «Палитра»", "arts", ["drawing"], "sibir", "lukashevicha", (5, 12),
        slots=[(WED, "15:00", "16:30")], ovz=True,
    ),
    "watercolour": Spec(
        "Акварель и графика", "arts", ["drawing"], "sibir", "tsiolkovskogo", (9, 16), price=1200,
        slots=[(SAT, "19:00", "20:30")],
    ),
    "gratsiya": Spec(
        "Хореографическая студия «Грация»", "arts", ["choreography"], "sibir", "70_let", (4, 16),
        price=1800, slots=[(MON, "17:00", "18:00"), (WED, "17:00", "18:00")],
        extra_groups=[[(TUE, "19:00", "20:30"), (THU, "19:00", "20:30")]],
    ),
    "solovushka": Spec(
        # A Monday afternoon and a Saturday evening: never «Monday after 18:00».
        "Вокальная студия «Соловушка»", "arts", ["vocals"], "sibir", "truda", (6, 12), price=1000,
        slots=[(MON, "15:00", "16:00"), (SAT, "19:00", "20:00")],
    ),
    "guitar": Spec(
        "Гитара для подростков", "arts", ["guitar"], "evrika", "marksa", (12, 17), price=1600,
        slots=[(MON, "18:30", "20:00")],
    ),
    "maska": Spec(
        "Театральная студия «Маска»", "arts", ["theatre"], "sibir", "shinnaya", (10, 16),
        slots=[(SAT, "12:00", "14:00")], ovz=True,
    ),
    "handmade": Spec(
        "Кружок «Умелые руки»", "arts", ["applied-arts"], "sibir", "truda_no_point", (7, 14),
        slots=[(FRI, "15:00", "16:30")],
    ),
    "english": Spec(
        "Английский язык для школьников", "social", ["english"], "evrika", "tsiolkovskogo", (7, 11),
        price=2200, slots=[(TUE, "15:00", "16:00")], enrollment=Activity.Enrollment.CLOSED,
    ),
    "ecology": Spec(
        "Зелёный патруль: юные экологи", "science", ["ecology"], "sibir", "mira", (9, 13),
        slots=[(FRI, "15:00", "16:30")],
    ),
    "azimut": Spec(
        "Спортивный туризм «Азимут»", "tourism", ["hiking"], "sibir", "koshevogo", (12, 17),
        slots=[(SAT, "09:00", "14:00")],
    ),
    "arduino_archived": Spec(
        "Робототехника на Arduino", "technical", ["robotics"], "evrika", "zelyony", (10, 15), price=2000,
        slots=[(SAT, "15:00", "16:30")], status=Status.ARCHIVED,
    ),
    "fencing_draft": Spec(
        "Фехтование «Мушкетёр»", "sport", ["fencing"], "olimp", "lenina", (8, 14), price=2500,
        slots=[(SAT, "11:00", "12:30")], status=Status.DRAFT,
    ),
}  # fmt: skip


def okrug(name: str) -> District:
    return factories.okrug_row(name)


def make_venue(org: Organization, place: Place) -> Venue:
    micro = (
        factories.microdistrict_row(place.microdistrict, okrug=okrug(place.okrug))
        if place.microdistrict
        else None
    )
    return factories.venue(
        org,
        address=place.address,
        lat=place.lat,
        lon=place.lon,
        district=okrug(place.okrug),
        microdistrict=micro,
    )


def add_group(activity: Activity, slots: list[tuple[int, str, str]], name: str = "Старшая группа") -> Group:
    group = Group.objects.create(activity=activity, name=name)
    for weekday, start, end in slots:
        ScheduleSlot.objects.create(
            group=group, weekday=weekday, starts_at=time.fromisoformat(start), ends_at=time.fromisoformat(end)
        )
    return group


@dataclass
class Catalog:
    activities: dict[str, Activity]
    organizations: dict[str, Organization]

    def __getitem__(self, key: str) -> Activity:
        return self.activities[key]

    def live(self) -> dict[str, Activity]:
        return {k: a for k, a in self.activities.items() if a.status == Status.PUBLISHED}


def build_catalog(specs: Mapping[str, Spec] = SPECS) -> Catalog:
    organizations = {key: factories.organization(name=name) for key, name in ORGANIZATIONS.items()}
    venues: dict[tuple[str, str], Venue] = {}
    activities: dict[str, Activity] = {}
    for key, spec in specs.items():
        org = organizations[spec.org]
        venue = None
        if spec.place is not None:
            venue = venues.get((spec.org, spec.place))
            if venue is None:
                venue = venues[(spec.org, spec.place)] = make_venue(org, PLACES[spec.place])
        activity = factories.activity(
            organization=org,
            venue=venue,
            title=spec.title,
            direction_slug=spec.direction,
            categories=spec.categories,
            age_min=spec.ages[0],
            age_max=spec.ages[1],
            price_rub=spec.price,
            slots=spec.slots,
            description=spec.description,
            ovz=spec.ovz,
            enrollment=spec.enrollment,
            status=spec.status,
            format=spec.format,
        )
        for extra in spec.extra_groups:
            add_group(activity, extra)
        activities[key] = activity
    return Catalog(activities, organizations)


@pytest.fixture(scope="module")
def omsk(django_db_setup: None, django_db_blocker: Any) -> Iterator[Catalog]:
    """The shared small Omsk catalog: 25 activities (23 live), 3 organizations, all five okrugs.

    Built once per test module inside a transaction that is rolled back after the module's last
    test; each test (marked django_db) runs in a savepoint inside it, so a test may change the
    catalog and the next one still sees it as built. Tests that need real commits
    (django_db(transaction=True)) must build their own rows instead.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            catalog = build_catalog()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield catalog
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def run(query: Mapping[str, Any] | None = None, *, page_size: int = 500, **params: Any) -> SearchResult:
    """Search the way the page does: from URL parameters, which must all be valid."""
    data: dict[str, Any] = dict(query or {})
    data.update(params)
    parsed, errors = parse_params(data)
    assert errors == [], errors
    return search(parsed, page_size=page_size)


def ids(result: SearchResult) -> list[int]:
    return [card.id for card in result.results]


def params_of(query_string: str) -> SearchParams:
    """SearchParams from a relaxation's or a link's query string, as the page would parse it."""
    from django.http import QueryDict

    parsed, errors = parse_params(QueryDict(query_string))
    assert errors == [], errors
    return parsed
