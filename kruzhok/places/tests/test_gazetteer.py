"""district_of(), microdistrict_of(), houses() and the okrug approximation they rest on."""

import json
from collections import Counter

import pytest

from kruzhok.places.build import DATA_DIR
from kruzhok.places.gazetteer import (
    district_of,
    geocode,
    houses,
    known_city,
    microdistrict_of,
    okrug_names,
    short_street,
)

OKRUGS = {"Центральный", "Советский", "Кировский", "Ленинский", "Октябрьский"}


def test_olimpiyskaya_7a_is_in_oktyabrskiy():
    assert district_of(54.97441, 73.47206) == "Октябрьский"
    found = geocode("ул. Олимпийская 7а")
    assert found is not None and found.okrug == "Октябрьский"


def test_zarechny_boulevard_8_is_in_kirovskiy():
    assert district_of(55.0020, 73.2910) == "Кировский"
    found = geocode("бульвар Заречный 8")
    assert found is not None and found.okrug == "Кировский"


def test_melnichnaya_4_is_in_kirovskiy():
    assert district_of(54.9335, 73.3262) == "Кировский"
    found = geocode("ул. Мельничная 4")
    assert found is not None and found.okrug == "Кировский"


def test_molodova_20_is_in_leninskiy():
    # Not in the OSM extract; the coordinates are an estimate (see data/omsk/README.md).
    assert district_of(54.953, 73.421) == "Ленинский"


def test_dobrolyubova_22_is_in_leninskiy():
    # Not in the OSM extract; the coordinates are an estimate (see data/omsk/README.md).
    assert district_of(54.944, 73.404) == "Ленинский"


@pytest.mark.parametrize(("dlat", "dlon"), [(0, 0), (0.003, 0), (-0.003, 0), (0, 0.004), (0, -0.004)])
def test_leninskiy_holds_around_the_estimated_streets(dlat, dlon):
    for lat, lon in [(54.953, 73.421), (54.944, 73.404)]:
        assert district_of(lat + dlat, lon + dlon) == "Ленинский"


@pytest.mark.parametrize(
    ("lat", "lon", "okrug"),
    [
        (54.985, 73.372, "Центральный"),  # Театральная площадь
        (54.940, 73.386, "Ленинский"),  # railway station
        (54.918, 73.445, "Ленинский"),  # Московка
        (55.028, 73.287, "Советский"),  # проспект Мира
        (55.033, 73.336, "Советский"),  # СибНИИСХоз
        (55.032, 73.420, "Центральный"),  # Амурский посёлок
        (54.977, 73.424, "Октябрьский"),  # 20 лет РККА
        (54.995, 73.270, "Кировский"),  # Лукашевича
    ],
)
def test_landmarks_fall_in_their_okrug(lat, lon, okrug):
    assert district_of(lat, lon) == okrug


@pytest.mark.parametrize(
    "street",
    [
        "улица Лукашевича",
        "улица Дианова",
        "проспект Комарова",
        "улица 70 лет Октября",
        "Заречный бульвар",
        "улица Крупской",
        "Мельничная улица",
        "Семиреченская улица",
        "улица 22 Декабря",
        "улица 12 Декабря",
        "Енисейская улица",
        "улица Суворова",
        "бульвар Архитекторов",
        "улица Рокоссовского",
    ],
)
def test_every_house_of_a_left_bank_street_is_in_kirovskiy(street):
    on_street = [h for h in houses() if h.street == street]
    assert on_street
    assert {h.okrug for h in on_street} == {"Кировский"}


@pytest.mark.parametrize(
    ("street", "okrug"),
    [
        ("проспект Мира", "Советский"),
        ("Нефтезаводская улица", "Советский"),
        ("улица Химиков", "Советский"),
        ("Заозёрная улица", "Советский"),
        ("улица 22 Апреля", "Советский"),
        ("улица Челюскинцев", "Центральный"),
        ("21-я Амурская улица", "Центральный"),
        ("Космический проспект", "Октябрьский"),
        ("улица 20 лет РККА", "Октябрьский"),
        ("улица Гуртьева", "Ленинский"),
        ("Молодогвардейская улица", "Ленинский"),
    ],
)
def test_right_bank_streets_fall_mostly_in_their_okrug(street, okrug):
    counts = Counter(h.okrug for h in houses() if h.street == street)
    assert counts.most_common(1)[0][0] == okrug


def test_every_okrug_has_houses():
    assert set(Counter(h.okrug for h in houses())) == OKRUGS


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (55.75, 37.62),  # Moscow
        (55.17, 73.22),  # a village 23 km north, outside the city box
        (54.985, 73.80),  # 27 km east
        (54.60, 73.37),  # 43 km south
        (0.0, 0.0),
        (91.0, 200.0),
        (float("nan"), 73.37),
        (54.98, float("inf")),
    ],
)
def test_district_of_outside_the_city_is_none(lat, lon):
    assert district_of(lat, lon) is None
    assert microdistrict_of(lat, lon) is None


def test_district_of_accepts_numeric_strings_and_rejects_junk():
    assert district_of("54.995", "73.27") == "Кировский"  # type: ignore[arg-type]
    assert district_of("север", None) is None  # type: ignore[arg-type]


def test_unknown_city_has_no_okrugs():
    assert district_of(54.995, 73.27, city="Томск") is None
    assert okrug_names("Томск") == []
    assert houses("Томск") == []
    assert not known_city("Томск")
    assert known_city("Омск") and known_city("omsk") and known_city("г. Омск")


def test_okrug_names_are_the_five_okrugs():
    assert set(okrug_names()) == OKRUGS and len(okrug_names()) == 5


def test_each_microdistrict_lies_in_its_own_okrug():
    micro = json.loads((DATA_DIR / "microdistricts.json").read_text(encoding="utf-8"))
    assert 15 <= len(micro) <= 30
    for area in micro:
        assert district_of(area["lat"], area["lon"]) == area["okrug"], area["name"]
        assert microdistrict_of(area["lat"], area["lon"]) == area["name"]


def test_microdistrict_of_a_point_between_areas_is_none():
    assert microdistrict_of(55.08, 73.40) is None


def test_houses_are_deduplicated_and_carry_okrug_and_microdistrict():
    listed = houses()
    assert len(listed) > 3000
    assert len({(h.street, h.house) for h in listed}) == len(listed)
    assert all(h.okrug in OKRUGS for h in listed)
    levo = [h for h in listed if h.street == "улица Лукашевича" and h.house == "10"]
    assert len(levo) == 1 and levo[0].microdistrict == "Левобережье"


def test_houses_returns_a_copy():
    houses().clear()
    assert houses()


@pytest.mark.parametrize(
    ("osm", "short"),
    [
        ("улица Лукашевича", "ул. Лукашевича"),
        ("3-я Транспортная улица", "ул. 3-я Транспортная"),
        ("проспект Мира", "просп. Мира"),
        ("Заречный бульвар", "б-р Заречный"),
        ("посёлок Светлый", "пос. Светлый"),
        ("Красноярский тракт", "Красноярский тракт"),
    ],
)
def test_short_street_writes_the_type_the_way_addresses_do(osm, short):
    assert short_street(osm) == short


def test_house_address_reads_like_a_russian_address():
    house = next(h for h in houses() if h.street == "улица Лукашевича" and h.house == "10")
    assert house.address == "ул. Лукашевича, 10"
